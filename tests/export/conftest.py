"""Export tests need no database: they build VersionDocument objects by hand (builders.py)."""

from __future__ import annotations

import pytest


@pytest.fixture
def cache_dir(tmp_path):
    """An empty export cache folder."""
    path = tmp_path / "cache"
    path.mkdir()
    return path
