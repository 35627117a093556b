"""After the hostname wizard renamed ``old`` to ``new``: read every node again under the new
config (``ConsoleApp.reopen``, given by whoever built the app) and swap the new sources in,
so the renamed node shows under its new name (pane, keys, wizard)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from hbtui.console.clock import clock_of
from hbtui.console.model import ConsoleModel
from hbtui.stream.source import NodeSource, Outcome

if TYPE_CHECKING:
    from hbtui.console.app import ConsoleApp


async def reopen_sources(app: ConsoleApp, old: str, new: str) -> None:
    """Read every node again, under the new config (a worker of the app)."""
    node = app.primary if old == app.primary else None
    if app.reopen is None:
        text = f"{old} is now {new}; restart the console to see it under its new name"
        app.log_outcome("rename", Outcome(True, text), node)
        return
    try:
        primary, others, backend = await app.reopen(old, new)
    except Exception as exc:  # shown, never fatal: the old sources stay
        app.log_outcome("rename", Outcome(False, f"could not reopen the nodes: {exc}"), node)
        return
    await _swap_sources(app, primary, others, renamed=(old, new))
    app.rename_backend = backend
    text = f"{old} is now {new}: every node reopened from the new config"
    app.log_outcome("rename", Outcome(True, text), app.primary)


async def _swap_sources(
    app: ConsoleApp, primary: NodeSource, others: Sequence[NodeSource], renamed: tuple[str, str]
) -> None:
    """Close the sources that go, read the new ones, keep the focus on the same node."""
    kept = {id(primary), *(id(o) for o in others)}
    for name, src in app.sources.items():
        app.workers.cancel_group(app, f"source-{name}")
        if id(src) not in kept:
            await src.close()
    old, new = renamed
    focused = new if app.focused_node == old else app.focused_node
    app.primary = primary.node_name
    app.sources = {primary.node_name: primary}
    for other in others:
        app.sources[other.node_name] = other
    models = app.models  # a node that keeps its name keeps its log and history
    app.models = {
        name: models.get(name) or ConsoleModel(name, clock_of(src))
        for name, src in app.sources.items()
    }
    for model in app.models.values():  # the old name is no member any more
        model.forget_node(old)
    app.focused_node = focused if focused in app.sources else app.primary
    app.dashboard.show_model(app.model, app.source.now_ms)
    app.show_header()
    app.read_source()
