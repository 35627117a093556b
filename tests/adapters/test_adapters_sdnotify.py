"""sd_notify messages read from a real AF_UNIX datagram socket the test creates."""

from __future__ import annotations

import socket
from pathlib import Path

from hbtui.adapters.sdnotify import Notifier


def test_messages_reach_the_notify_socket(tmp_path: Path) -> None:
    path = tmp_path / "notify"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as listener:
        listener.bind(str(path))
        notifier = Notifier({"NOTIFY_SOCKET": str(path), "WATCHDOG_USEC": "4000000"})
        notifier.send("READY=1", "STATUS=node s1 running")
        notifier.send("STOPPING=1")
        assert listener.recv(4096) == b"READY=1\nSTATUS=node s1 running"
        assert listener.recv(4096) == b"STOPPING=1"
    assert notifier.watchdog_s == 2.0


def test_outside_systemd_or_without_listener_nothing_raises(tmp_path: Path) -> None:
    Notifier({}).send("READY=1")
    absent = Notifier({"NOTIFY_SOCKET": str(tmp_path / "absent")})
    absent.send("READY=1")
    assert absent.dropped == 1
    assert Notifier({}).watchdog_s is None
