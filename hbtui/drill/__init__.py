"""``hbtui drill``: a guided failover drill on a live cluster (preflight, move away, move
back, report); the pure parts, the command is ``hbtui.commands.drill``."""
