"""Crash-safe file writes: temp file in the same folder, fsync, rename, fsync the folder.

A write goes through two temp names so that a later start can tell a finished temp from a
half-written one::

    .clipper-tmp-<token>-w.<target>.tmp   being written (may be partial)
    .clipper-tmp-<token>-c.<target>.tmp   complete and fsynced, about to replace <target>

The writer holds an exclusive ``flock`` on the temp file from creation until the final
rename, so :func:`recover_temp_files` (run by the vault scanner) never touches the temp of a
writer that is still alive, in this process or another. Temps of a writer that died are
handled so that nothing is lost: a partial one is removed (the target still holds the old
version), a complete one replaces its target if the target is missing or was last changed before
the temp was complete, and is kept as a ``(recovered …)`` copy if the target changed after it.

Every file operation here is a plain ``os.*`` call (``os.write``, ``os.fsync``, ``os.rename``,
``os.replace``, ``os.link``, ``os.unlink``) looked up on the ``os`` module at call time, so the
fault-injection tests can count them, fail them (ENOSPC, EROFS) or die right after one.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import time
from pathlib import Path

from clipper.core.errors import VaultError

try:  # POSIX; on Windows recovery falls back to the age of the temp file
    import fcntl
except ImportError:  # pragma: no cover - not on the platforms we test
    fcntl = None

#: Temp files start with this prefix and end with TEMP_SUFFIX; the vault scanner ignores them
#: (and recovers their content, see :func:`recover_temp_files`).
TEMP_PREFIX = ".clipper-tmp-"
TEMP_SUFFIX = ".tmp"

_TEMP_RE = re.compile(r"\A\.clipper-tmp-([0-9a-f]{8})-([wc])(?:\.(.+))?\.tmp\Z", re.S)
#: Longest temp name we create; longer targets get a temp name without the target in it.
_MAX_NAME_BYTES = 250
#: Without fcntl we cannot see whether a writer is alive: only temps older than this are touched.
_STALE_SECONDS = 3600


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


def vault_error(exc: OSError, path: Path) -> VaultError:
    """The one message for a failed write in the vault (disk full, no permission, other)."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return VaultError(f"The disk is full: could not write {path.name}")
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return VaultError(f"Cannot write to {path.parent} (read-only or no permission)")
    return VaultError(f"Could not write {path.name}: {exc.strerror or exc}")


def _temp_name(token: str, state: str, target: str) -> str:
    name = f"{TEMP_PREFIX}{token}-{state}.{target}{TEMP_SUFFIX}"
    if len(name.encode("utf-8", "surrogateescape")) > _MAX_NAME_BYTES:
        name = f"{TEMP_PREFIX}{token}-{state}{TEMP_SUFFIX}"
    return name


def _create_temp(folder: Path, target: str) -> tuple[int, str, Path]:
    """Create and lock a fresh temp file for ``target``; returns (fd, token, path)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    while True:
        token = secrets.token_hex(4)
        tmp = folder / _temp_name(token, "w", target)
        fd = os.open(tmp, flags, 0o666)
        if fcntl is None:
            return fd, token, tmp
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            if os.fstat(fd).st_nlink > 0:
                return fd, token, tmp
        except OSError:
            os.close(fd)
            raise
        # A recovery pass grabbed the file between our create and our lock, and removed it.
        os.close(fd)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def atomic_write_bytes(path: Path, data: bytes, *, exclusive: bool = False) -> None:
    """Write ``data`` to ``path`` so that a crash leaves the old or the new content, never a mix.

    With ``exclusive`` the write fails with FileExistsError if ``path`` already exists
    (checked atomically with a hard link, so two writers cannot both create it).
    OS errors become :class:`VaultError` with a clear message; nothing is left half-written.
    """
    path = Path(path)
    folder = path.parent
    try:
        fd, token, tmp = _create_temp(folder, path.name)
    except OSError as exc:
        raise vault_error(exc, path) from exc
    pending: Path | None = tmp
    try:
        try:
            _write_all(fd, data)
            os.fsync(fd)
            done = folder / _temp_name(token, "c", path.name)
            os.rename(tmp, done)
            pending = done
            if exclusive:
                os.link(done, path)  # atomic create-if-absent; raises FileExistsError
                pending = None
                with contextlib.suppress(OSError):
                    os.unlink(done)
            else:
                os.replace(done, path)
                pending = None
        except FileExistsError:
            raise
        except OSError as exc:
            raise vault_error(exc, path) from exc
    except BaseException:
        if pending is not None:
            with contextlib.suppress(OSError):
                os.unlink(pending)
        raise
    finally:
        os.close(fd)  # releases the flock
    fsync_dir(folder)


def atomic_write_text(path: Path, text: str, *, exclusive: bool = False) -> None:
    atomic_write_bytes(path, text.encode("utf-8"), exclusive=exclusive)


def is_temp_name(name: str) -> bool:
    return name.startswith(TEMP_PREFIX) and name.endswith(TEMP_SUFFIX)


def _recovered_name(folder: Path, target: str) -> Path:
    stem, dot, suffix = target.rpartition(".")
    if not dot or not stem:
        stem, suffix = target, ""
    else:
        suffix = "." + suffix
    stamp = time.strftime("%Y-%m-%d %H%M%S")
    for n in range(1, 1000):
        extra = f" (recovered {stamp})" if n == 1 else f" (recovered {stamp} {n})"
        candidate = folder / f"{stem[:100]}{extra}{suffix}"
        if not os.path.lexists(candidate):
            return candidate
    raise FileExistsError(target)


def _same_content(a: Path, b: Path) -> bool:
    try:
        if os.path.getsize(a) != os.path.getsize(b):
            return False
        with open(a, "rb") as fa, open(b, "rb") as fb:
            return fa.read() == fb.read()
    except OSError:
        return False


def recover_temp_files(folder: Path) -> list[Path]:
    """Clean up the temp files that dead writers left in ``folder``; never loses a finished text.

    Returns the note files that changed (restored or created from a temp) so the caller can
    re-index them. Temps of live writers are left alone. Errors are swallowed: recovery must
    never stop the vault from opening (a read-only vault simply keeps its temps).
    """
    folder = Path(folder)
    changed: list[Path] = []
    try:
        entries = [e.name for e in os.scandir(folder) if is_temp_name(e.name)]
    except OSError:
        return changed
    for name in entries:
        m = _TEMP_RE.match(name)
        if not m:
            continue  # not ours (or an older format): leave it, it never shows as a note
        _token, state, target = m.groups()
        tmp = folder / name
        try:
            fd = os.open(tmp, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        except OSError:
            continue
        try:
            if fcntl is not None:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError:
                    continue  # a live writer holds it
                try:
                    st = os.stat(tmp)
                except OSError:
                    continue
                if not os.path.samestat(st, os.fstat(fd)):
                    continue  # renamed away and replaced meanwhile
            else:
                st = os.fstat(fd)
                if time.time() - st.st_mtime < _STALE_SECONDS:
                    continue
            result = _recover_one(folder, tmp, state, target)
            if result is not None:
                changed.append(result)
        except OSError:
            continue
        finally:
            os.close(fd)
    if changed or entries:
        fsync_dir(folder)
    return changed


def _recover_one(folder: Path, tmp: Path, state: str, target: str | None) -> Path | None:
    if state == "w":
        # Killed while writing: the content may be partial; the target still has the old text.
        os.unlink(tmp)
        return None
    if not target:
        dest = _recovered_name(folder, "note.md")
        os.link(tmp, dest)
        os.unlink(tmp)
        return dest
    dest = folder / target
    if not os.path.lexists(dest):
        try:
            os.link(tmp, dest)
        except FileExistsError:
            pass
        else:
            os.unlink(tmp)
            return dest
    if _same_content(tmp, dest):
        os.unlink(tmp)
        return None
    # ctime, not mtime: the temp's ctime is when it became complete (its rename), and a sync tool
    # or editor that changes the note afterwards moves the note's ctime on (utime cannot set it).
    if os.stat(tmp).st_ctime_ns >= os.stat(dest).st_ctime_ns:
        os.replace(tmp, dest)  # the newest text that did not land
        return dest
    copy = _recovered_name(folder, target)  # the target changed after: keep both
    os.link(tmp, copy)
    os.unlink(tmp)
    return copy
