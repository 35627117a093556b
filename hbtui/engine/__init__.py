"""The node engine: a pure state machine fed datagrams, ticks and commands."""
