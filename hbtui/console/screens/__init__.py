"""The console's screens: dashboard, help, confirm."""
