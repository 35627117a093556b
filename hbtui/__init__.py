"""hbtui: a Heartbeat 3.0.6-compatible HA node and operator's console."""

__version__ = "0.1.0"
