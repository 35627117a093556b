"""``python -m hbtui``: the same as the ``hbtui`` command."""

import sys

from hbtui.cli import main

sys.exit(main())
