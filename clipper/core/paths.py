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


def check_outside(index_dir: Path, vault: Path) -> None:
    """Refuse an index folder inside the vault: a sync engine would copy it to other machines
    (and the index's table of contents is a pickle: whoever writes it runs code in the app).
    Raises VaultError with what to do."""
    from clipper.core.errors import VaultError

    real_index = os.path.realpath(index_dir)
    real_vault = os.path.realpath(vault)
    if real_index == real_vault or real_index.startswith(real_vault.rstrip(os.sep) + os.sep):
        raise VaultError(f"The index folder {index_dir} is inside the vault {vault}, which may be synced to "
                         "other machines. Choose a vault folder that does not hold your cache folder, or set "
                         "CLIPPER_CACHE_DIR to a folder outside the vault.")
