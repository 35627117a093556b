"""Corosync + Pacemaker as the console sees it: ``crm_mon --output-as=xml`` parsed into a
typed state, the changes between two states folded into a timeline of transitions, and the
operator's actions (standby, move, clear, cleanup) as argv. Pure: no I/O; the feed that runs
``crm_mon`` lives in ``hbtui.sources.pacemaker``."""
