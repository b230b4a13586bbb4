"""Shared fixtures: every test gets its own store, never the user's real one."""

from __future__ import annotations

import pytest

from score_cli.services.setup import init_store
from score_cli.store.db import Store


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path_factory, monkeypatch):
    """Keep tests away from the user's data directory and their SCORE_* settings."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    for name in ("SCORE_DB", "SCORE_USER", "SCORE_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def store_url(tmp_path) -> str:
    """A fresh store (schema at head, shipped chapters loaded)."""
    url = "sqlite:///" + str(tmp_path / "score.db")
    init_store(url)
    return url


@pytest.fixture
def store(store_url):
    s = Store(store_url)
    yield s
    s.close()


@pytest.fixture
def world(store, store_url):
    """The small organisation of tests/world.py, in a fresh store."""
    from tests.world import build

    return build(store, store_url)
