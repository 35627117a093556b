"""The command line skeleton: help, version and the subcommands it routes to."""

from __future__ import annotations

import json
import socketserver
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from hbtui import __version__
from hbtui.cli import SUBCOMMANDS, build_parser, main


def test_version_is_printed(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert __version__ in capsys.readouterr().out


def test_help_lists_every_subcommand(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for name in SUBCOMMANDS:
        assert name in out


# `hbtui demo` builds its own cluster from the bundled HOWTO config in temporary directories.
NODE_COMMANDS = sorted(set(SUBCOMMANDS) - {"demo"})


@pytest.mark.parametrize("name", NODE_COMMANDS)
def test_every_subcommand_has_common_options(name: str) -> None:
    args = build_parser().parse_args([name, "--config-dir", "/x", "--state-dir", "/y"])
    assert args.config_dir == "/x"
    assert args.state_dir == "/y"


def test_console_script_entry_point_runs() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "hbtui.cli", "--version"], capture_output=True, text=True
    )
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"hbtui {__version__}"


# --- hbtui standby / takeover: hb_standby / hb_takeover for hbtui's node -----------------


class _FakeNode(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    """A control socket that records each request and answers ``answer``."""

    daemon_threads = True

    def __init__(self, path: Path, answer: dict[str, object]) -> None:
        self.requests: list[dict[str, object]] = []
        self.answer = answer
        super().__init__(str(path), _FakeNodeHandler)


class _FakeNodeHandler(socketserver.StreamRequestHandler):
    server: _FakeNode

    def handle(self) -> None:
        self.server.requests.append(json.loads(self.rfile.readline()))
        self.wfile.write((json.dumps(self.server.answer) + "\n").encode())


@pytest.fixture
def fake_node(tmp_path: Path) -> Iterator[_FakeNode]:
    server = _FakeNode(tmp_path / "control.sock", {"ok": True})
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.mark.parametrize(
    ("argv", "sent"),
    [
        (["standby"], {"cmd": "standby", "arg": "all"}),
        (["standby", "local"], {"cmd": "standby", "arg": "local"}),
        (["takeover", "foreign"], {"cmd": "takeover", "arg": "foreign"}),
        (["takeover", "failback"], {"cmd": "takeover", "arg": "foreign"}),
    ],
)
def test_standby_takeover_ask_the_control_socket(
    fake_node: _FakeNode, argv: list[str], sent: dict[str, str]
) -> None:
    assert main([*argv, "--control-socket", str(fake_node.server_address)]) == 0
    assert fake_node.requests == [sent]


@pytest.mark.parametrize("words", [["everything"], ["all", "local"]])
def test_standby_wrong_resources_exit_1_with_usage(
    fake_node: _FakeNode, words: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["standby", *words, "--control-socket", str(fake_node.server_address)]) == 1
    assert "usage: hbtui standby [all|foreign|local|failback]" in capsys.readouterr().err
    assert fake_node.requests == []


def test_takeover_without_a_node_exits_3_refused_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """As `hbtui status`: 3 when no node runs here, 1 when the node refused."""
    assert main(["takeover", "--control-socket", str(tmp_path / "none.sock")]) == 3
    assert "no hbtui node is running here" in capsys.readouterr().err
    refusing = _FakeNode(tmp_path / "r.sock", {"ok": False, "error": "arg must be one of"})
    thread = threading.Thread(target=refusing.serve_forever, daemon=True)
    thread.start()
    try:
        assert main(["takeover", "--control-socket", str(tmp_path / "r.sock")]) == 1
    finally:
        refusing.shutdown()
        refusing.server_close()
        thread.join(5)
    assert "arg must be one of" in capsys.readouterr().err


def test_resource_commands_after_a_failed_stop(
    tmp_path: Path, fake_node: _FakeNode, capsys: pytest.CaptureFixture[str]
) -> None:
    """`hbtui resource`: retry-stop is sent at once; cleared and self-fence need a yes (a
    non-terminal without --yes sends nothing); exit 3 without a node."""
    sock = ["--control-socket", str(fake_node.server_address)]
    assert main(["resource", "retry-stop", *sock]) == 0
    assert main(["resource", "cleared", *sock]) == 1  # stdin is not a terminal under pytest
    assert "add --yes to confirm" in capsys.readouterr().err
    assert main(["resource", "cleared", "--yes", *sock]) == 0
    assert main(["resource", "self-fence", "--yes", *sock]) == 0
    assert fake_node.requests == [
        {"cmd": "retry-stop"},
        {"cmd": "stop-cleared"},
        {"cmd": "self-fence"},
    ]
    assert main(["resource", "retry-stop", "--control-socket", str(tmp_path / "no.sock")]) == 3


def test_status_says_what_to_do_after_a_failed_stop() -> None:
    from hbtui.commands.status import render

    lines = render({"node": "server1", "nodes": {}, "stop_failed": ["slow.sh"]})
    assert "CRIT: stop failed for slow.sh: this node holds the group until you run" in lines
    assert "  hbtui resource retry-stop   (run the stop again)" in lines


@pytest.mark.parametrize(("word", "hint"), [("stauts", "did you mean 'status'?"), ("advice", "")])
def test_an_unknown_command_is_an_error_never_the_console(
    word: str, hint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([word]) == 2
    err = capsys.readouterr().err
    assert f"hbtui: unknown command {word!r}" in err and hint in err
    assert "commands: console, demo, node, status" in err


def test_hbtui_node_imports_only_its_own_command_before_the_stale_vip_sweep() -> None:
    """``hbtui node`` removes a stale VIP first: until then it must not import the other
    commands, the runtime, the console or SSH (a second at start in which a restarted
    node's stale VIP answered beside the peer that took it)."""
    code = (
        "import sys\n"
        "from hbtui.cli import build_parser\n"
        "build_parser('node').parse_args(['node'])\n"
        "heavy = ('textual', 'asyncssh', 'hbtui.adapters.runtime', 'hbtui.commands.console')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_the_stale_vip_sweep_waits_when_a_node_answers_on_the_control_socket(
    fake_node: _FakeNode, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another node of ours runs here (its control socket answers), or the real daemon:
    the VIPs here are its, not stale; the start refuses later and removes nothing."""
    from hbtui.commands import node

    monkeypatch.setattr("hbtui.sources.pick.find_heartbeat", lambda: None)
    assert node._other_node_here(tmp_path / "control.sock") is not None
    assert node._other_node_here(tmp_path / "nobody.sock") is None
    monkeypatch.setattr("hbtui.sources.pick.find_heartbeat", lambda: 4242)
    assert node._other_node_here(tmp_path / "nobody.sock") == (
        "the heartbeat daemon runs here (pid 4242)"
    )
