"""Reading the classic Heartbeat configuration in /etc/ha.d, unmodified."""
