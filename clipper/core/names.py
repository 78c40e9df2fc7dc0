"""Safe, unique file names made from note titles (Linux, macOS and Windows).

The real title lives in the front matter; the file name is only a readable handle. Rules
(what the three systems and sync tools refuse or confuse): NFC, no control/format characters, no
``<>:"/\\|?*``, no leading dots/dashes, no trailing dots/spaces, Windows device names
prefixed, at most ~120 UTF-8 bytes, unique ignoring case, created with O_EXCL, and the real
path must stay inside the target folder.
"""

from __future__ import annotations

import os
import re
import threading
import unicodedata
from pathlib import Path

from clipper.core import fsutil
from clipper.core.errors import VaultError

MAX_NAME_BYTES = 120
_BAD = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
_SPACES = re.compile(r"\s+")
_WINDOWS_DEVICES = {"con", "prn", "aux", "nul", "conin$", "conout$"} | {
    f"{p}{i}" for p in ("com", "lpt") for i in list("123456789") + ["¹", "²", "³"]
}


def _cap_bytes(text: str, limit: int) -> str:
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[:limit].decode("utf-8", "ignore")


def safe_stem(title: str, *, max_bytes: int = MAX_NAME_BYTES, default: str = "Untitled") -> str:
    """A file-name stem (no extension) for ``title`` that is valid on every common OS."""
    text = unicodedata.normalize("NFC", str(title or ""))
    # drop control (Cc) and format (Cf: bidi overrides, zero-width) characters
    text = "".join(" " if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c
                   for c in text if unicodedata.category(c) not in ("Cf", "Cs", "Co", "Cn"))
    text = _BAD.sub(" ", text)
    text = _SPACES.sub(" ", text).strip()
    text = text.lstrip(".-_ ")
    text = _cap_bytes(text, max_bytes)
    text = text.rstrip(". ")
    if not text:
        text = default
    if text.split(".")[0].strip().lower() in _WINDOWS_DEVICES:
        text = "_" + text
    return text


def safe_file_name(name: str, *, max_bytes: int = MAX_NAME_BYTES, default: str = "file") -> str:
    """A safe name for an attachment, keeping a short extension."""
    base, dot, ext = str(name or "").rpartition(".")
    if not dot or not base or len(ext) > 10 or not ext.isalnum():
        base, ext = str(name or ""), ""
    ext = re.sub(r"[^A-Za-z0-9]", "", ext).lower()
    stem = safe_stem(base, max_bytes=max_bytes - len(ext) - 1, default=default)
    return f"{stem}.{ext}" if ext else stem


def _inside(folder: Path, path: Path) -> bool:
    real_folder = os.path.realpath(folder)
    real = os.path.realpath(path)
    return os.path.dirname(real) == real_folder


def candidates(stem: str, ext: str):
    yield f"{stem}{ext}"
    for n in range(2, 10_000):
        yield f"{stem} {n}{ext}"


# Folder listings of big folders, reused while the folder's mtime is unchanged (listing a
# 100,000-note vault and case-folding every name took ~90 ms per new note). A name that
# another program adds in the same mtime tick can be missed; the exclusive create still
# never overwrites, so the worst case is two names that differ only in case.
_LISTINGS: dict[str, tuple[int, set[str]]] = {}
_LISTINGS_LOCK = threading.Lock()
_CACHE_FROM = 2000  # entries


def _fold(name: str) -> str:
    return unicodedata.normalize("NFC", name).casefold()


def _taken(folder: Path) -> tuple[str, int | None, set[str]]:
    """(cache key, the folder mtime the cached listing is for or None if not cached, the
    folded names in the folder)."""
    key = os.path.realpath(folder)
    mtime = os.stat(key).st_mtime_ns
    with _LISTINGS_LOCK:
        cached = _LISTINGS.get(key)
        if cached is not None and cached[0] == mtime:
            return key, mtime, set(cached[1])
    taken = {_fold(n) for n in os.listdir(folder)}
    if len(taken) < _CACHE_FROM:
        return key, None, taken
    with _LISTINGS_LOCK:
        _LISTINGS[key] = (mtime, taken)
    return key, mtime, set(taken)


def _remember(key: str, before: int, name: str) -> None:
    """Record our own new file in the cached listing if nothing else changed the folder."""
    with _LISTINGS_LOCK:
        cached = _LISTINGS.get(key)
        if cached is None:
            return
        try:
            mtime = os.stat(key).st_mtime_ns
        except OSError:
            _LISTINGS.pop(key, None)
            return
        if cached[0] == before:
            cached[1].add(_fold(name))
            _LISTINGS[key] = (mtime, cached[1])
        else:
            _LISTINGS.pop(key, None)


def create_unique(folder: Path, stem: str, ext: str, data: bytes) -> Path:
    """Write ``data`` to a new file ``<stem>[ N]<ext>`` in ``folder``; never overwrites.

    Uniqueness is checked ignoring case and Unicode normalisation (two names that differ only
    in case would collide on Windows/macOS or after a sync), and the file is created atomically
    with an exclusive link so that two writers cannot take the same name.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    try:
        key, before, taken = _taken(folder)
    except OSError as exc:
        raise VaultError(f"Cannot read the folder {folder}: {exc.strerror or exc}") from exc
    for name in candidates(stem, ext):
        if _fold(name) in taken:
            continue
        path = folder / name
        if not _inside(folder, path):
            continue
        try:
            fsutil.atomic_write_bytes(path, data, exclusive=True)
        except FileExistsError:
            taken.add(_fold(name))
            continue
        if before is not None:
            _remember(key, before, name)
        return path
    raise VaultError(f"Could not find a free file name for {stem!r}")
