"""The operator's console: a Textual app over a ``NodeSource`` (see ``source.py``).

Data flows one way: a source (``embedded.py`` runs the node, ``attach.py`` follows
``hbtui node`` over its control socket, ``watch.py`` tails the real daemon's ha-log,
``replay.py`` plays a trace) yields items (engine events + ``items.py``); one worker in
``app.py`` folds them into ``model.py`` and posts ``messages.SourceUpdate`` to the
dashboard (``screens/dashboard.py``), whose widgets (``widgets/``, one per module) redraw
from the model. ``pick.py`` chooses the source for ``hbtui console``; ``trace.py`` reads
and writes traces (``--record`` / ``--replay``); ``demo_trace.py`` is the scripted one the
tests and ``scripts/screenshots.py`` use. Keys and the palette (``commands.py``) act on
the focused node through ``source.perform``.
"""
