"""hbtui.conf: hbtui's own settings beside ha.cf (stop_failure, fence_command, start_probe)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hbtui.config.hbtui_conf import HbtuiSettings, load_settings
from hbtui.config.problems import ConfigError


def test_missing_file_gives_the_defaults(tmp_path: Path) -> None:
    assert load_settings(tmp_path) == HbtuiSettings("hold", ("reboot", "-nf"), True)


def test_settings_are_read(tmp_path: Path) -> None:
    (tmp_path / "hbtui.conf").write_text(
        "# opt in to Heartbeat's self-fence\nstop_failure = reboot\n"
        "fence_command = /usr/local/sbin/fence-me now  # stand-in\nstart_probe = no\n"
    )
    got = load_settings(tmp_path)
    assert got == HbtuiSettings("reboot", ("/usr/local/sbin/fence-me", "now"), False)


def test_problems_name_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "hbtui.conf"
    path.write_text("stop_failure = reboot\nstop_failure = maybe\nwat\ncolour = red\n")
    with pytest.raises(ConfigError) as err:
        load_settings(tmp_path)
    text = str(err.value)
    assert f"{path}:2: error: stop_failure is hold or reboot, not 'maybe'" in text
    assert f"{path}:3: error: expected 'key = value'" in text
    assert f"{path}:4: error: unknown setting 'colour'" in text


def test_script_timeouts_default_per_line_and_per_resource(tmp_path: Path) -> None:
    (tmp_path / "hbtui.conf").write_text(
        "script_timeout = start 90, status 10\nscript_timeout.slow.sh = stop 300\n"
    )
    settings = load_settings(tmp_path)
    assert settings.script_timeout_ms("failback.sh", "start") == 90_000
    assert settings.script_timeout_ms("failback.sh", "stop") == 60_000  # built-in default
    assert settings.script_timeout_ms("slow.sh", "stop") == 300_000
    assert settings.script_timeout_ms("slow.sh", "status") == 10_000


@pytest.mark.parametrize(
    "line",
    ["script_timeout = start", "script_timeout = restart 10", "script_timeout.x = stop 10ms"],
)
def test_a_bad_script_timeout_names_its_line(tmp_path: Path, line: str) -> None:
    (tmp_path / "hbtui.conf").write_text(f"start_probe = yes\n{line}\n")
    with pytest.raises(ConfigError) as err:
        load_settings(tmp_path)
    assert str(err.value.problems[0]).startswith(f"{tmp_path / 'hbtui.conf'}:2: error:")


def test_metrics_settings(tmp_path: Path) -> None:
    (tmp_path / "hbtui.conf").write_text(
        "metrics_textfile = /var/lib/prometheus/node-exporter/hbtui.prom\nmetrics_interval = 15\n"
    )
    settings = load_settings(tmp_path)
    assert settings.metrics_textfile == Path("/var/lib/prometheus/node-exporter/hbtui.prom")
    assert settings.metrics_interval_ms == 15_000
    assert load_settings(tmp_path / "none").metrics_textfile is None  # off by default


@pytest.mark.parametrize(
    ("line", "said"),
    [
        ("metrics_textfile = hbtui.prom", "metrics_textfile is an absolute path ending in .prom"),
        ("metrics_textfile = /tmp/hbtui.txt", "node_exporter's textfile collector reads only"),
        ("metrics_interval = 200ms", "metrics_interval is a time of at least 1 s, not '200ms'"),
    ],
)
def test_bad_metrics_settings_name_their_line(tmp_path: Path, line: str, said: str) -> None:
    (tmp_path / "hbtui.conf").write_text(f"start_probe = yes\n{line}\n")
    with pytest.raises(ConfigError) as err:
        load_settings(tmp_path)
    text = str(err.value.problems[0])
    assert text.startswith(f"{tmp_path / 'hbtui.conf'}:2: error:") and said in text
