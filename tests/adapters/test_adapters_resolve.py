"""Resolving ucast hosts: one function, an error that names the host, never a traceback."""

from __future__ import annotations

import pytest

from hbtui.adapters.udp import UdpError, resolve_host


async def test_an_address_resolves_to_itself() -> None:
    assert await resolve_host("127.0.0.1", 694) == "127.0.0.1"


async def test_a_non_utf8_host_is_a_clear_error() -> None:
    with pytest.raises(UdpError, match="not a valid host name"):
        await resolve_host(b"serv\xe8r2".decode("utf-8", "surrogateescape"), 694)
