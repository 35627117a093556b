"""``hbtui install-service``: install the systemd unit (and the logrotate file) for this hbtui.

The unit's ``ExecStart`` names the ``hbtui`` this command runs from, by absolute path: a
venv, pipx or /usr/local install works as installed (``/usr/bin/env hbtui`` fails with 127
under systemd's PATH and restarts the unit every 5 s). ``--print`` only shows the unit.
After writing: ``systemctl daemon-reload`` when systemd runs, and the next steps printed; it
never enables or starts the service itself (the operator stops heartbeat first).
``--config-dir``/``--state-dir``/``--node-name`` are accepted like every subcommand's; a
node name goes into ``/etc/default/hbtui`` (``HBTUI_OPTS``), which this does not write.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from importlib import resources
from pathlib import Path

from hbtui.cli_common import add_common_options

TEMPLATE_PROGRAM = "/usr/local/bin/hbtui"
UNIT_NAME = "hbtui.service"
LOGROTATE_NAME = "hbtui"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``hbtui install-service``."""
    add_common_options(parser)
    parser.add_argument(
        "--unit-dir",
        default="/etc/systemd/system",
        help="where the unit goes (default /etc/systemd/system)",
    )
    parser.add_argument(
        "--logrotate-dir",
        default="/etc/logrotate.d",
        help="where the logrotate file goes (default /etc/logrotate.d; '' to skip it)",
    )
    parser.add_argument(
        "--program",
        default=None,
        help="the hbtui to run (default: the one running this command, by absolute path)",
    )
    parser.add_argument(
        "--print", action="store_true", help="print the unit on stdout, write nothing"
    )


def this_program() -> str:
    """The absolute command line of the running hbtui: its script beside the interpreter,
    else ``python -m hbtui`` with this interpreter."""
    script = Path(sys.executable).with_name("hbtui")
    if script.is_file() and os.access(script, os.X_OK):
        return str(script)
    return f"{sys.executable} -m hbtui"


def render_unit(program: str) -> str:
    """The packaged unit with ``program`` in ``ExecStart``."""
    text = (resources.files("hbtui") / "data" / UNIT_NAME).read_text()
    if f"ExecStart={TEMPLATE_PROGRAM} " not in text:
        raise RuntimeError("the packaged unit has no ExecStart to rewrite")
    return text.replace(f"ExecStart={TEMPLATE_PROGRAM} ", f"ExecStart={program} ", 1)


def logrotate_text() -> str:
    """The packaged logrotate file."""
    return (resources.files("hbtui") / "data" / "hbtui.logrotate").read_text()


def run(args: argparse.Namespace) -> int:
    """Write the files, reload systemd, print what to do next."""
    program = args.program or this_program()
    if not program.split()[0].startswith("/"):
        print(
            f"hbtui install-service: --program must be an absolute path: {program}", file=sys.stderr
        )
        return 2
    unit = render_unit(program)
    if args.print:
        sys.stdout.write(unit)
        return 0
    written: list[Path] = []
    try:
        written.append(_write(Path(args.unit_dir) / UNIT_NAME, unit))
        if args.logrotate_dir:
            written.append(_write(Path(args.logrotate_dir) / LOGROTATE_NAME, logrotate_text()))
    except OSError as exc:
        print(
            f"hbtui install-service: cannot write {exc.filename}: {exc.strerror}", file=sys.stderr
        )
        return 1
    for path in written:
        print(f"wrote {path}")
    print(f"ExecStart runs {program}")
    if Path("/run/systemd/system").is_dir() and shutil.which("systemctl"):
        done = subprocess.run(
            ["systemctl", "daemon-reload"], capture_output=True, text=True, timeout=60, check=False
        )
        if done.returncode != 0:
            print(f"systemctl daemon-reload failed: {done.stderr.strip()}", file=sys.stderr)
            return 1
        print("systemctl daemon-reload: done")
    print("next: systemctl disable --now heartbeat; systemctl enable --now hbtui")
    print('      options such as HBTUI_OPTS="--node-name server1" go in /etc/default/hbtui')
    return 0


def _write(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` (mode 0644) through a temporary file and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text)
    tmp.chmod(0o644)
    tmp.replace(path)
    return path
