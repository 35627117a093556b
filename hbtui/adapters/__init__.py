"""Thin asyncio shells around the engine: UDP, netlink, scripts, state files."""
