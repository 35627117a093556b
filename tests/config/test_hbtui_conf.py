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
