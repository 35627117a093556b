"""Fixtures for the wire tests."""

from __future__ import annotations

import pytest
from wirevec import make_keys

from hbtui.config.model import AuthKeys


@pytest.fixture
def keys() -> AuthKeys:
    """The HOWTO authkeys: ``auth 1`` / ``1 sha1 PutYourSuperSecretKeyHere``."""
    return make_keys()
