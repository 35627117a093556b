"""Post-mortem of an incident from ha-logs: the real Heartbeat 3.0.6 daemon's and hbtui's.

``files`` reads the logs (rotated, gzipped, one node or both), ``lines`` parses one line,
``facts`` says what a line means, ``timeline`` builds the typed report (failovers, failbacks,
standbys, stops, split brains, heals with per-phase times; late heartbeats; script calls;
problems) and ``render`` prints it as text or JSON lines.
"""
