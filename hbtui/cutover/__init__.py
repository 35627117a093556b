"""The move of a running Heartbeat/hbtui cluster to Corosync + Pacemaker over the SSH links:
a plan of steps (each with its checks and its undo), a dry run, and its execution with a
rollback to Heartbeat/hbtui at the step that fails."""
