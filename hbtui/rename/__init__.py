"""The guided hostname change (Heartbeat HOWTO): a pure plan of steps, and its executor.

:mod:`~hbtui.rename.rewrite` edits config text, :mod:`~hbtui.rename.plan` builds the
steps with their argv, checks and advice, :mod:`~hbtui.rename.execute` runs them over
command runners (PeerLink for peers, LocalRunner here) and stops at the first failure.
"""
