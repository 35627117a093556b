"""The operator's console: a Textual app over a ``NodeSource`` (see ``source.py``)."""
