"""The neutral stream between a node and whoever watches it.

What every source produces and every consumer reads: the typed items (engine events plus
``LogLine``, ``SnapshotTaken``, ...), the ``NodeSource`` protocol, the one JSON codec
(control socket, traces, ``hbtui status --json``), ha-log line parsing and the queue every
source feeds. Imports only the standard library and the pure packages (config, wire, engine).
"""
