"""The Wire pane: datagrams per second, rejected packets by reason and sender, and the
UDP sockets bound to the heartbeat port (``netstat -lupn`` style, via psutil).

The socket poll runs in a thread worker; the next poll is armed only when the previous
one has finished (so polls never pile up), every ``SOCKET_POLL_S`` seconds.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from hbtui.console.model import ConsoleModel
from hbtui.stream.gaps import GAP_BUCKETS

SOCKET_POLL_S = 10.0
OWN_ECHO = "from_self"  # the codec's reason for a copy of our own message
PART_SEP = " · "  # between a histogram's buckets: a narrow pane breaks lines only there


def udp_listeners(port: int) -> list[tuple[str, int | None, str]]:
    """(address, pid, process name) of every UDP socket bound to ``port``."""
    import psutil  # type: ignore[import-untyped]

    found = []
    for conn in psutil.net_connections(kind="udp"):
        if conn.laddr and conn.laddr.port == port:
            name = "?"
            if conn.pid is not None:
                try:
                    name = psutil.Process(conn.pid).name()
                except psutil.Error:
                    name = "gone"
            found.append((f"{conn.laddr.ip}:{conn.laddr.port}", conn.pid, name))
    return sorted(found, key=lambda f: f[0])


StatRow = tuple[tuple[str, str], tuple[str, str]]  # (text, style) of both cells


def packed(text: str, width: int) -> str:
    """``a · b · c`` in lines of at most ``width`` cells, broken only between its parts
    (a bucket's bound and its count stay together; a part wider than ``width`` stands alone)."""
    lines: list[str] = []
    for part in text.split(PART_SEP):
        if lines and cell_len(lines[-1] + PART_SEP + part + PART_SEP.rstrip()) <= width:
            lines[-1] += PART_SEP + part
        else:
            if lines:
                lines[-1] += PART_SEP.rstrip()
            lines.append(part)
    return "\n".join(lines)


def out_text(model: ConsoleModel, now_ms: int) -> tuple[str, str]:
    """The send rate from the node's own counters, else the keepalive's estimate."""
    rate = model.rate_out(now_ms)
    if rate is None:
        return f"out ≈{1000 / model.keepalive_ms:.1f}/s (a status every keepalive)", "dim"
    datagrams, sent_bytes = rate
    return f"out {datagrams:4.1f}/s ({sent_bytes:.0f} B/s sent)", "bold"


def gap_histogram(counts: dict[int, int], keepalive_ms: int) -> tuple[str, str]:
    """One peer's keepalive gaps since the console opened, bucketed by keepalives:
    ``≤1.1s 512 · ≤1.5s 3 · ≤2.5s 0 · ≤3.5s 0 · >3.5s 0`` (red when any is beyond the last)."""
    bounds = [f"≤{b * keepalive_ms / 1000:g}s" for b in GAP_BUCKETS]
    labels = [*bounds, f">{GAP_BUCKETS[-1] * keepalive_ms / 1000:g}s"]
    text = PART_SEP.join(f"{label} {counts.get(i, 0)}" for i, label in enumerate(labels))
    return text, "bold red" if counts.get(len(GAP_BUCKETS)) else ""


def stat_rows(model: ConsoleModel, now_ms: int) -> list[StatRow]:
    """The stats table's cells: rates, each peer's gap histogram, then rejected packets by
    reason and sender."""
    rows: list[StatRow] = [
        ((f"in {model.rate_in(now_ms):4.1f}/s", "bold"), out_text(model, now_ms))
    ]
    for name, view in sorted(model.nodes.items()):
        if not view.is_self and view.gaps_shown:
            hist = gap_histogram(view.gaps_shown, model.keepalive_ms)
            rows.append(((f"gaps {name}", "bold"), hist))
    rejected = {k: v for k, v in model.rejected.items() if k[0] != OWN_ECHO}
    if not rejected:
        rows.append((("rejected: none", "green"), ("", "")))
    for (reason, sender), count in sorted(rejected.items()):
        rows.append(((f"rejected {count}", "bold red"), (f"{reason} from {sender}", "")))
    echoes = sum(v for k, v in model.rejected.items() if k[0] == OWN_ECHO)
    if echoes:
        text = "our own datagrams back (ucast to our own address; normal)"
        rows.append(((f"own echoes {echoes}", "dim"), (text, "dim")))
    return rows


class WirePanel(Vertical):
    """See the module docstring. ``poll_sockets=False`` for replays and snapshots."""

    def __init__(
        self, port: int = 694, *, poll_sockets: bool = True, unpolled_why: str = "replay"
    ) -> None:
        super().__init__(id="wire", classes="pane")
        self.unpolled_why = unpolled_why
        self.border_title = "Wire"
        self.port = port
        self.poll_sockets = poll_sockets

    def compose(self) -> ComposeResult:
        yield Static(id="wire-stats")
        yield Static(id="wire-sockets")

    def on_mount(self) -> None:
        self._w_stats = self.query_one("#wire-stats", Static)
        self.shown_stats: list[StatRow] | None = None  # the stats table's cells (tests too)
        self._shown_width = -1
        self._shown_shape: list[int] | None = None  # the line breaks of each right cell
        if self.poll_sockets:
            self._poll()
        else:
            self._show_sockets(None)

    def show(self, model: ConsoleModel, now_ms: int) -> None:
        """Rates and rejected-packet counters (a repaint only when a figure changed)."""
        self._draw(stat_rows(model, now_ms))

    def on_resize(self) -> None:
        """A new width packs the histograms anew (the compact layout shows the pane late)."""
        if self.shown_stats is not None:
            self._draw(self.shown_stats)

    def _draw(self, rows: list[StatRow]) -> None:
        width = self._w_stats.content_size.width
        if rows == self.shown_stats and width == self._shown_width:
            return
        right_width = max(12, width - max(cell_len(left[0]) for left, _ in rows) - 1)
        table = Table.grid(padding=(0, 1))
        cells = []
        for left, right in rows:
            text = packed(right[0], right_width) if PART_SEP in right[0] else right[0]
            cells.append(text)
            table.add_row(Text(left[0], style=left[1]), Text(text, style=right[1]))
        shape = [text.count("\n") for text in cells]
        reflow = shape != self._shown_shape  # new rows, or a histogram on more lines
        self.shown_stats, self._shown_width, self._shown_shape = rows, width, shape
        self._w_stats.update(table, layout=reflow)

    @work(thread=True, exclusive=True, group="socket-poll")
    def _poll(self) -> None:
        try:
            found: list[tuple[str, int | None, str]] | str = udp_listeners(self.port)
        except Exception as exc:  # psutil may be refused; say so instead of failing
            found = f"cannot list sockets: {exc}"
        self.app.call_from_thread(self._polled, found)

    def _polled(self, found: list[tuple[str, int | None, str]] | str) -> None:
        self._show_sockets(found)
        self.set_timer(SOCKET_POLL_S, self._poll)

    def _show_sockets(self, found: list[tuple[str, int | None, str]] | str | None) -> None:
        out = Text()
        if found is None:
            out.append(f"udp/{self.port} sockets: not polled ({self.unpolled_why})", style="dim")
        elif isinstance(found, str):
            out.append(found, style="yellow")
        elif not found:
            out.append(f"nothing listens on udp/{self.port}: ", style="bold red")
            out.append("peers' keepalives to this machine are dropped by the kernel")
        else:
            out.append(f"udp/{self.port}: ", style="bold")
            out.append(", ".join(f"{addr} {name}[{pid}]" for addr, pid, name in found))
        self.query_one("#wire-sockets", Static).update(out)
