"""Crash-safe file writes: temp file in the same folder, fsync, rename, fsync the folder."""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from pathlib import Path

from clipper.core.errors import VaultError

#: Temp files start with this prefix and end with TEMP_SUFFIX; the vault scanner ignores them
#: (and recovers their content if the target is missing, see vault.py).
TEMP_PREFIX = ".clipper-tmp-"
TEMP_SUFFIX = ".tmp"


def fsync_dir(path: Path) -> None:
    """Make a rename or create inside ``path`` durable (no-op where folders cannot be opened)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _vault_error(exc: OSError, path: Path) -> VaultError:
    if exc.errno == errno.ENOSPC:
        return VaultError(f"The disk is full: could not write {path.name}")
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return VaultError(f"Cannot write to {path.parent} (read-only or no permission)")
    return VaultError(f"Could not write {path.name}: {exc.strerror or exc}")


def atomic_write_bytes(path: Path, data: bytes, *, exclusive: bool = False) -> None:
    """Write ``data`` to ``path`` so that a crash leaves the old or the new content, never a mix.

    With ``exclusive`` the write fails with FileExistsError if ``path`` already exists
    (checked atomically with a hard link, so two writers cannot both create it).
    """
    path = Path(path)
    folder = path.parent
    try:
        fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX, dir=folder)
    except OSError as exc:
        raise _vault_error(exc, path) from exc
    try:
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            if exclusive:
                os.link(tmp, path)  # atomic create-if-absent; raises FileExistsError
                os.unlink(tmp)
            else:
                os.replace(tmp, path)
        except FileExistsError:
            raise
        except OSError as exc:
            raise _vault_error(exc, path) from exc
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    fsync_dir(folder)


def atomic_write_text(path: Path, text: str, *, exclusive: bool = False) -> None:
    atomic_write_bytes(path, text.encode("utf-8"), exclusive=exclusive)


def is_temp_name(name: str) -> bool:
    return name.startswith(TEMP_PREFIX) and name.endswith(TEMP_SUFFIX)
