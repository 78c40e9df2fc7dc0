"""Where things live: the default vault (user data folder) and the per-machine index cache."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import platformdirs

APP_NAME = "Clipper"


def default_vault() -> Path:
    """The vault used when none is given: ``$CLIPPER_VAULT`` or ``<user data>/Clipper/Vault``."""
    env = os.environ.get("CLIPPER_VAULT")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "Vault"


def cache_root() -> Path:
    env = os.environ.get("CLIPPER_CACHE_DIR")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def index_dir_for(vault: Path) -> Path:
    """The per-machine index folder of ``vault``: in the user cache, never inside the vault."""
    real = os.path.realpath(vault)
    digest = hashlib.sha256(real.encode("utf-8", "surrogateescape")).hexdigest()[:16]
    name = "".join(c if c.isalnum() else "-" for c in Path(real).name)[:40] or "vault"
    return cache_root() / "indexes" / f"{name}-{digest}"
