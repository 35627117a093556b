"""Where a console's node comes from: embedded in this process, attached over the control
socket, a real heartbeat watched read-only, a replayed trace, the demo's namespaces, or the
peer over SSH. Each yields ``hbtui.stream`` items; the console only reads them.
"""
