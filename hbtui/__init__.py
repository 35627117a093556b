"""hbtui: a Heartbeat 3.0.6-compatible HA node and operator's console."""

import warnings

__version__ = "0.1.0"

# asyncssh names cryptography's DSA types at import; cryptography 51 warns on each such name.
# A notice between two libraries, not the operator's: without this every hbtui command's
# stderr (and the journal) began with ten lines about DSA.
warnings.filterwarnings("ignore", message="DSA is deprecated")
