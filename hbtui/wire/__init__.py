"""The Heartbeat 3.0.6 wire format: pure bytes <-> messages, signatures, acceptance."""
