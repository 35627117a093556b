"""The node's local control socket: a JSON-lines server (in ``hbtui node``) and its client.

Protocol (AF_UNIX stream, mode 600, root only; one JSON object per line each way):

- ``{"cmd": "snapshot"}`` -> ``{"ok": true, "snapshot": {...}}``
- ``{"cmd": "follow"}`` -> ``{"type": "snapshot", "snapshot": {...}}`` then one line per
  event ``{"type": "<EventClass>", ...fields}`` until either side closes; a
  ``{"type": "Dropped", "count": n}`` line says the follower was too slow (oldest dropped).
  With ``"arg": "recent"`` the node's last ha-log lines (up to 200, also those logged before
  the socket existed) follow the snapshot first, each ``{"type": "LogLine", "recent": true, ...}``.
- ``{"cmd": "standby"|"takeover", "arg": "all"|"local"|"foreign"}`` and ``{"cmd": "stop"}``
  -> ``{"ok": true}``; errors -> ``{"ok": false, "error": "..."}``.
- after a failed stop: ``{"cmd": "retry-stop"|"stop-cleared"|"self-fence"}`` -> ``{"ok": true}``,
  or an error when no stop failed.

Every request is checked first (``requests.py``: size, UTF-8, depth, keys, command, arg);
a bad one is answered with an error, counted (``runtime.control.rejected`` in the snapshot)
and logged, and nothing acts on it.
"""

from pathlib import Path

DEFAULT_SOCKET = Path("/run/hbtui/control.sock")
