"""wordfreq's word lists, read without loading them: ``frequency(lang, word)`` in microseconds.

Loading one of wordfreq's long lists takes a second or more (a dictionary of 700,000 words),
and every worker process would pay it again. Here each list is written once per machine (at
first use, into the user cache) as a file of ``word<TAB>centibels`` lines sorted by their
UTF-8 bytes, then looked up by binary search in a memory map: nothing is loaded, and the pages
read are shared by all processes through the OS cache. ``cached(name, build)`` keeps a table
derived from the lists the same way (marshal), built once per machine. Without a writable
cache, or without wordfreq, everything still works from memory (slower), or finds nothing.
"""

from __future__ import annotations

import marshal
import mmap
import os
from pathlib import Path

_FORMAT = 1
_MAPS: dict[tuple[str, str], mmap.mmap | dict[str, int] | None] = {}
_CACHED: dict[str, object] = {}


def _folder() -> Path | None:
    """The cache folder for the installed wordfreq (told by where it is and when it was
    installed: importing it takes half a second, asking its version a tenth)."""
    global _VERSION
    if _VERSION is None:
        try:
            import hashlib
            from importlib.util import find_spec

            origin = find_spec("wordfreq").origin
            stamp = f"{origin}:{os.stat(origin).st_mtime_ns}"
            _VERSION = hashlib.sha256(stamp.encode("utf-8", "surrogateescape")).hexdigest()[:12]
        except Exception:  # noqa: BLE001 - no wordfreq: no lists
            _VERSION = ""
    if not _VERSION:
        return None
    from clipper.core.paths import cache_root

    return cache_root() / "wordlists" / f"wordfreq-{_VERSION}-{_FORMAT}"


_VERSION: str | None = None


def _buckets(lang: str, size: str) -> list[list[str]]:
    """wordfreq's list: words grouped by frequency, bucket i holding words of 10^(-i/100)."""
    try:
        import wordfreq

        return wordfreq.get_frequency_list(lang, size)
    except Exception:  # noqa: BLE001 - no such list
        return []


def _write(path: Path, data: bytes) -> bool:
    from clipper.core.fsutil import atomic_write_bytes

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(path, data)
        return True
    except Exception:  # noqa: BLE001 - a read-only or full cache: work from memory
        return False


def _table(lang: str, size: str) -> mmap.mmap | dict[str, int] | None:
    key = (lang, size)
    if key in _MAPS:
        return _MAPS[key]
    table: mmap.mmap | dict[str, int] | None = None
    folder = _folder()
    path = folder / f"{size}_{lang}.tsv" if folder else None
    if path is not None and not path.exists():
        best: dict[bytes, int] = {}
        for i, bucket in enumerate(_buckets(lang, size)):
            for w in bucket:
                best.setdefault(w.encode("utf-8"), i)
        lines = b"".join(b"%s\t%d\n" % (w, i) for w, i in sorted(best.items()) if b"\n" not in w)
        if not _write(path, lines or b"\n"):
            table = {w.decode("utf-8"): i for w, i in best.items()}
    if table is None and path is not None and path.exists():
        try:
            with open(path, "rb") as fh:
                table = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        except (OSError, ValueError):
            table = {w: i for i, bucket in enumerate(_buckets(lang, size)) for w in bucket}
    _MAPS[key] = table
    return table


def _bucket(lang: str, word: str, size: str) -> int | None:
    table = _table(lang, size)
    if table is None:
        return None
    if isinstance(table, dict):
        return table.get(word)
    key = word.encode("utf-8")
    lo, hi = 0, len(table)
    while lo < hi:  # lo is always the start of a line
        mid = (lo + hi) // 2
        nl = table.rfind(b"\n", lo, mid)
        start = nl + 1 if nl >= 0 else lo
        end = table.find(b"\n", start)
        if end < 0:
            end = len(table)
        w, _, b = table[start:end].partition(b"\t")
        if w == key:
            return int(b) if b else None
        if w < key:
            lo = end + 1
        else:
            hi = start
    return None


def frequency(lang: str, word: str, size: str = "small") -> float:
    """How often ``word`` is used in ``lang`` per wordfreq's list ("small" or "large"): 0.0
    for a word the list does not have (or no such list)."""
    b = _bucket(lang, word, size)
    return 10.0 ** (-b / 100) if b is not None else 0.0


def has_list(lang: str, size: str = "small") -> bool:
    table = _table(lang, size)
    return bool(table) and len(table) > 1


def words(lang: str, size: str = "small"):
    """Every (word, frequency) of a list, read from its file (or from wordfreq)."""
    table = _table(lang, size)
    if isinstance(table, mmap.mmap):
        for line in table[:].decode("utf-8").split("\n"):
            w, _, b = line.partition("\t")
            if b:
                yield w, 10.0 ** (-int(b) / 100)
    elif table:
        for w, b in table.items():
            yield w, 10.0 ** (-b / 100)


def cached(name: str, build):
    """``build()``'s result (plain data: dicts, lists, str, float), built once per machine and
    kept in the user cache; once per process in memory."""
    if name in _CACHED:
        return _CACHED[name]
    folder = _folder()
    path = folder / f"{name}.marshal" if folder else None
    value = None
    if path is not None:
        try:
            value = marshal.loads(path.read_bytes())
        except (OSError, EOFError, ValueError, TypeError):
            value = None
    if value is None:
        value = build()
        if path is not None:
            _write(path, marshal.dumps(value))
    _CACHED[name] = value
    return value


def _reset() -> None:
    """Forget the open tables (tests: a new cache folder)."""
    for table in _MAPS.values():
        if isinstance(table, mmap.mmap):
            table.close()
    _MAPS.clear()
    _CACHED.clear()

