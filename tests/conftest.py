"""Shared test set-up: headless Qt, and user folders (data, cache, config) in a temp dir."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _private_user_dirs(tmp_path_factory, monkeypatch):
    """Never touch the real user's vault, index cache or settings."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("CLIPPER_CACHE_DIR", str(home / "cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache-xdg"))
    monkeypatch.delenv("CLIPPER_VAULT", raising=False)
