"""The node's local control socket: a JSON-lines server (in ``hbtui node``) and its client.

Protocol (AF_UNIX stream, mode 600, root only; one JSON object per line each way):

- ``{"cmd": "snapshot"}`` -> ``{"ok": true, "snapshot": {...}}``
- ``{"cmd": "follow"}`` -> ``{"type": "snapshot", "snapshot": {...}}`` then one line per
  event ``{"type": "<EventClass>", ...fields}`` until either side closes; a
  ``{"type": "Dropped", "count": n}`` line says the follower was too slow (oldest dropped).
- ``{"cmd": "standby"|"takeover", "arg": "all"|"local"|"foreign"}`` and ``{"cmd": "stop"}``
  -> ``{"ok": true}``; errors -> ``{"ok": false, "error": "..."}``.
"""

from pathlib import Path

DEFAULT_SOCKET = Path("/run/hbtui/control.sock")
