"""The node's metrics for Prometheus: counted from the event stream, rendered with the
snapshot, written as a node_exporter textfile and answered on the control socket."""
