"""The deadtime advisor: keepalive gaps measured on a link -> false-failover rates and timers."""
