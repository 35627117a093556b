"""The fault suite reuses the namespace lab's fixtures (root, namespaces; skips otherwise)."""

from tests.lab.conftest import lab, lab_dir  # noqa: F401 (fixtures)
