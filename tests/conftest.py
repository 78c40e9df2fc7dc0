"""Shared test set-up: headless Qt, and user folders (data, cache, config) in a temp dir."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402


def pytest_collection_modifyitems(config, items):
    """Tests marked ``slow`` run with CLIPPER_SLOW=1 or when ``-m`` selects them; else skipped.
    (CLIPPER_SLOW=1 also lengthens the robustness runs: more seeds, trials and seconds.)"""
    if os.environ.get("CLIPPER_SLOW") or "slow" in (config.getoption("markexpr") or ""):
        return
    skip = pytest.mark.skip(reason="slow: set CLIPPER_SLOW=1 or run with -m slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _private_user_dirs(tmp_path_factory, monkeypatch):
    """Never touch the real user's vault, index cache or settings."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("CLIPPER_CACHE_DIR", str(home / "cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache-xdg"))
    monkeypatch.delenv("CLIPPER_VAULT", raising=False)


@pytest.fixture
def sb(tmp_path):
    """An attack sandbox (:class:`tests.robustness.attacks.Sandbox`): a vault and its index, bait
    files beside it and a temp folder, for the attack tests of the core and of the app."""
    from tests.robustness import attacks

    box = attacks.Sandbox.create(tmp_path / "box")
    try:
        yield box
    finally:
        box.close()

@pytest.fixture(autouse=True)
def _no_spare_workers():
    """Each test starts its import workers afresh: a worker kept idle for the next call
    (limits.SPARE_SECONDS) was forked with an earlier test's environment and patches."""
    import sys

    yield
    limits = sys.modules.get("clipper.core.limits")
    if limits is not None:
        limits.stop_spares()
