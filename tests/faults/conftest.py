"""The fault suite reuses the namespace lab's fixtures (root, namespaces; skips otherwise)."""

from collections.abc import Iterator
from contextlib import contextmanager

from hbtui.lab.netns import Lab
from tests.lab.cluster import Cluster
from tests.lab.conftest import lab, lab_dir  # noqa: F401 (fixtures)
from tests.lab.haconfig import HaSetup
from tests.lab.hbtui_node import HbtuiNode


@contextmanager
def hbtui_pair(lab: Lab, setup: HaSetup) -> Iterator[Cluster]:  # noqa: F811 (lab: a lab, not the fixture)
    """Two hbtui nodes on ``lab`` with ``setup``, not started; every one killed after."""
    made = Cluster(lab, [HbtuiNode, HbtuiNode], setup)
    try:
        yield made
    finally:
        for member in made:
            member.crash()
