"""Namespace lab: real cluster nodes (the Heartbeat daemon or hbtui) in network/UTS/mount/PID
namespaces on one bridge, for the interop tests and the benchmarks. Root only; see README.md."""
