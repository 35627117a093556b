"""PID 1 of a lab node: set the host name, bind the node's private directories, then reap.

Runs inside `unshare --uts --mount --ipc --pid --fork --mount-proc` (joined to the node's network
namespace). It prints one `ready` line on stdout once the mounts are in place, then stays alive as
the init of the node's PID namespace, reaping orphans (daemons that double-fork end up here) until
it is killed. Killing it from the root namespace kills every process of the node.
Standard library only: it runs as `python3 -I anchor_init.py ...`.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--hostname", required=True)
    parser.add_argument(
        "--bind", nargs=2, action="append", default=[], metavar=("SRC", "DST"), help="bind mount"
    )
    return parser.parse_args(argv)


def bind(source: str, target: str) -> None:
    """Bind `source` over `target` in this (private) mount namespace."""
    subprocess.run(["mount", "--bind", source, target], check=True, timeout=10)


def reap_forever() -> None:
    """Reap every child until SIGTERM/SIGINT; SIGKILL from outside ends the whole namespace."""
    waited = {signal.SIGCHLD, signal.SIGTERM, signal.SIGINT}
    signal.pthread_sigmask(signal.SIG_BLOCK, waited)
    while True:
        while True:
            try:
                pid, _status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
        received = signal.sigwait(waited)
        if received != signal.SIGCHLD:
            return


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    socket.sethostname(args.hostname)
    for source, target in args.bind:
        bind(source, target)
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    reap_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
