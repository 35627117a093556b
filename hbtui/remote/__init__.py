"""The peer over SSH: the link (asyncssh), remote argv, and what we learn about the peer.

Nothing here opens a shell line from text: every remote command is an argv joined with
:func:`shlex.join` (see :mod:`hbtui.remote.commands`). Host keys are checked strictly
against known_hosts; an unknown or changed key is refused with the fingerprint and the
command that would trust it (:mod:`hbtui.remote.hostkeys`).
"""
