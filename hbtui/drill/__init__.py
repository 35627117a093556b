"""``hbtui drill``: a guided failover drill on a live cluster (preflight, move away, move
back, report): the checks and the report (pure), and the one async driver that both
``hbtui.commands.drill`` and the console's ``D`` run."""
