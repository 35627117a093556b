"""hbtui.init reload/force-reload: reload a running node only, never start or bounce it."""

from __future__ import annotations

from tests.remote.test_init_script import InitScript, script

__all__ = ["script"]


def test_force_reload_on_a_stopped_node_starts_nothing(script: InitScript) -> None:
    script.configure()
    for verb in ("force-reload", "reload"):
        done = script(verb)
        assert done.returncode == 7, done.stderr
        assert not script.pidfile.exists()


def test_force_reload_keeps_the_running_node(script: InitScript) -> None:
    script.configure()
    assert script("start").returncode == 0
    pid = script.pid()
    done = script("force-reload")
    assert done.returncode == 0, done.stderr
    assert script.pid() == pid
    assert script("stop").returncode == 0


def test_lsb_header_starts_after_drbd(script: InitScript) -> None:
    assert "# Should-Start:      drbd" in script.path.read_text()
