"""wordfreq's word lists, read without loading them: ``frequency(lang, word)`` in microseconds,
``shared_part(lang, word)`` (the longest start, or end, a word shares with the list's words).

Loading one of wordfreq's long lists takes a second or more (a dictionary of 700,000 words),
and every worker process would pay it again. Here each list is written once per machine (at
first use, into the user cache) as a file of ``word<TAB>centibels`` lines sorted by their
UTF-8 bytes (for ends, a second file of the words spelled backwards), then looked up by binary
search in a memory map: nothing is loaded, and the pages read are shared by all processes
through the OS cache. ``cached(name, build)`` keeps a table
derived from the lists the same way (marshal), built once per machine (building does not count
against an import's time limit). Every file is written
atomically and checked when opened (a list by its closing line, a table by its checksum): a
damaged one is built again. Without a writable cache, or without wordfreq, everything still
works from memory (slower), or finds nothing. Folders of other wordfreq installs that no
process used for a month are removed.
"""

from __future__ import annotations

import bisect
import hashlib
import marshal
import mmap
import os
import shutil
import time
from pathlib import Path

_FORMAT = 2
# The last line of a list file: b"\xff" sorts after every UTF-8 word, so the binary search is
# unaffected; it holds the size of the lines before it (a cut or grown file is rebuilt).
_END = b"\xffend\t%d\n"
_MAGIC = b"CLW2"  # a table file: magic, sha256 of the marshal data (16 bytes), the data
_STALE = 30 * 86400
_MAPS: dict[tuple[str, str], mmap.mmap | dict[str, int] | None] = {}
_CACHED: dict[str, object] = {}


def _folder() -> Path | None:
    """The cache folder for the installed wordfreq (told by where its data folder is and when
    it was last changed: importing wordfreq takes half a second, asking its version a tenth).
    The data folder, not the module's file: a bundled app has no such file."""
    global _VERSION
    if _VERSION is None:
        try:
            from importlib.util import find_spec

            data = os.path.join(os.path.dirname(find_spec("wordfreq").origin), "data")
            stamp = f"{data}:{os.stat(data).st_mtime_ns}"
            _VERSION = hashlib.sha256(stamp.encode("utf-8", "surrogateescape")).hexdigest()[:12]
        except Exception:  # noqa: BLE001 - no wordfreq: no lists
            _VERSION = ""
    if not _VERSION:
        return None
    from clipper.core.paths import cache_root

    folder = cache_root() / "wordlists" / f"wordfreq-{_VERSION}-{_FORMAT}"
    if not _TOUCHED:
        _TOUCHED.append(True)
        try:
            os.utime(folder)  # in use: not stale for other installs' processes
        except OSError:
            pass
    return folder


_TOUCHED: list[bool] = []


def _prune(folder: Path) -> None:
    """Remove the folders of other wordfreq installs (or formats) unused for a month."""
    try:
        for other in folder.parent.iterdir():
            if other != folder and other.name.startswith("wordfreq-") and other.is_dir() \
                    and time.time() - other.stat().st_mtime > _STALE:
                shutil.rmtree(other, ignore_errors=True)
    except OSError:
        pass


_VERSION: str | None = None


def _untimed():
    """Writing a file of the cache is done once per machine: it does not count against the
    time limit of the import it happens in (:func:`limits.untimed`)."""
    from clipper.core.limits import untimed

    return untimed()


def _buckets(lang: str, size: str) -> list[list[str]]:
    """wordfreq's list: words grouped by frequency, bucket i holding words of 10^(-i/100)."""
    try:
        import wordfreq

        available = wordfreq.available_languages(size)
        if lang not in available:
            # wordfreq offers the nearest language's list: taken only if written in the same
            # script (Croatian gets Serbo-Croatian's; Serbian, written in Cyrillic, does not)
            import langcodes

            near, _ = langcodes.closest_match(lang, list(available))
            script = langcodes.get(lang).maximize().script
            if near == "und" or langcodes.get(near).maximize().script != script:
                return []
        return wordfreq.get_frequency_list(lang, size)
    except Exception:  # noqa: BLE001 - no such list
        return []


def _write(path: Path, data: bytes) -> bool:
    from clipper.core.fsutil import atomic_write_bytes

    try:
        if not path.parent.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            _prune(path.parent)
        atomic_write_bytes(path, data)
        return True
    except Exception:  # noqa: BLE001 - a read-only or full cache: work from memory
        return False


def _table(lang: str, size: str, reverse: bool = False) -> mmap.mmap | dict[str, int] | None:
    """The list as a mapped file (or a dict), its words spelled backwards when ``reverse``."""
    key = (lang, size + ".rev" * reverse)
    if key in _MAPS:
        return _MAPS[key]
    table: mmap.mmap | dict[str, int] | None = None
    folder = _folder()
    path = folder / f"{size}_{lang}{'.rev' * reverse}.tsv" if folder else None
    if path is not None:
        table = _open(path)
        if table is None:  # not built yet, or damaged: (re)build it
            with _untimed():
                buckets = _buckets(lang, size)
                best: dict[str, int] = {}
                for i, bucket in enumerate(buckets):
                    for w in bucket:
                        if reverse:
                            w = w[::-1]
                        if w not in best:
                            best[w] = i
                keyed = {w.encode("utf-8"): i for w, i in best.items() if "\n" not in w and "\t" not in w}
                tails = [b"\t%d\n" % i for i in range(len(buckets))]
                lines = b"".join([w + tails[keyed[w]] for w in sorted(keyed)])
                if _write(path, lines + _END % len(lines)):
                    table = _open(path)
            if table is None:
                table = best
    _MAPS[key] = table
    return table


def _open(path: Path) -> mmap.mmap | None:
    """The list file mapped in memory, or None when missing or not whole."""
    try:
        with open(path, "rb") as fh:
            table = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError):  # missing, or empty (an empty file cannot be mapped)
        return None
    tail = table[-40:]
    nl = tail.rfind(b"\n", 0, len(tail) - 1)
    if tail[nl + 1:] != _END % (len(table) - len(tail) + nl + 1):
        table.close()
        return None
    return table


def _bucket(lang: str, word: str, size: str) -> int | None:
    table = _table(lang, size)
    if table is None:
        return None
    if isinstance(table, dict):
        return table.get(word)
    key = word.encode("utf-8")
    lo, hi = _window(table, key)
    if hi == 0:  # the first line, or none
        start = 0 if table[:len(key) + 1] == key + b"\t" else -1
    else:  # the word's line starts after lo, at hi at the latest
        start = table.find(b"\n" + key + b"\t", lo, hi + len(key) + 1)
        start = start + 1 if start >= 0 else -1
    if start < 0:
        return None
    stop = table.find(b"\n", start)
    try:
        return int(table[start + len(key) + 1:stop if stop >= 0 else len(table)])
    except ValueError:  # a damaged line: as if the word were not there
        return None


# A lookup first narrows the search with two small indexes of a file's words, read when first
# needed: the word at every _COARSE bytes, then (for the stretch between two of those) at every
# _FINE bytes; the binary search then probes a stretch of _FINE bytes (a few dozen lines), not
# the whole file (a Russian page asks 40,000 words, each 20 probes of a 16 MB file).
_COARSE = 1 << 16
_FINE = 1 << 10
_INDEXES: dict[int, tuple[list[bytes], list[int], dict]] = {}  # id(table) -> (words, offsets, fine)


def _samples(table: mmap.mmap, lo: int, hi: int, step: int) -> tuple[list[bytes], list[int]]:
    """The words and offsets of the lines that start first at or after lo, lo + step, ... < hi."""
    words: list[bytes] = []
    offsets: list[int] = []
    for p in range(lo, hi, step):
        start = p if p == lo else table.find(b"\n", p - 1, hi) + 1  # lo is a line's start
        if (p != lo and start == 0) or start >= hi or (offsets and start == offsets[-1]):
            continue
        stop = table.find(b"\n", start)
        words.append(table[start:stop if stop >= 0 else len(table)].partition(b"\t")[0])
        offsets.append(start)
    return words, offsets


def _window(table: mmap.mmap, key: bytes) -> tuple[int, int]:
    """(lo, hi): lo the start of a line whose word sorts before ``key`` (or 0) and hi the start of
    one whose word sorts at or after it (or the file's end), at most _FINE bytes apart (or one line)."""
    index = _INDEXES.get(id(table))
    if index is None:
        index = _INDEXES[id(table)] = (*_samples(table, 0, len(table), _COARSE), {})
    words, offsets, fine = index
    i = bisect.bisect_left(words, key)
    if i == 0:
        return 0, 0
    lo = offsets[i - 1]
    hi = offsets[i] if i < len(offsets) else len(table)
    if i - 1 not in fine:
        fine[i - 1] = _samples(table, lo, hi, _FINE)
    words, offsets = fine[i - 1]
    j = bisect.bisect_left(words, key)  # words[0] (at lo) sorts before key: j >= 1
    return offsets[j - 1], offsets[j] if j < len(offsets) else hi


def _lower_bound(table: mmap.mmap, key: bytes) -> tuple[int, int]:
    """(start, end) of the first line of the sorted ``table`` whose word sorts at or after
    ``key`` (start == end == len(table) when none does)."""
    lo, hi = _window(table, key)
    while lo < hi:  # lo is always the start of a line
        mid = (lo + hi) // 2
        nl = table.rfind(b"\n", lo, mid)
        start = nl + 1 if nl >= 0 else lo
        stop = table.find(b"\n", start)
        if stop < 0:
            stop = len(table)
        if table[start:stop].partition(b"\t")[0] < key:
            lo = stop + 1
        else:
            hi = start
    stop = table.find(b"\n", lo)
    return lo, (stop if stop >= 0 else len(table))


def shared_part(lang: str, word: str, size: str = "small", end: bool = False) -> int:
    """How many letters ``word`` shares at its start (its end, with ``end``) with the list's
    word that shares most: the stem, or the ending, that the language has (0 without a list)."""
    table = _table(lang, size, reverse=end)
    if not isinstance(table, mmap.mmap) or not word:
        return 0
    if end:
        word = word[::-1]
    lo, _stop = _lower_bound(table, word.encode("utf-8"))
    # the words sharing the longest start with ``word`` sort right before or after it
    best = 0
    for start in (table.rfind(b"\n", 0, max(0, lo - 1)) + 1 if lo else -1, lo):
        if 0 <= start < len(table):
            stop = table.find(b"\n", start)
            other = table[start:stop if stop >= 0 else len(table)].partition(b"\t")[0]
            other = other.decode("utf-8", "replace")
            n = 0
            while n < len(word) and n < len(other) and word[n] == other[n]:
                n += 1
            best = max(best, n)
    return best


def frequency(lang: str, word: str, size: str = "small") -> float:
    """How often ``word`` is used in ``lang`` per wordfreq's list ("small" or "large"): 0.0
    for a word the list does not have (or no such list)."""
    b = _bucket(lang, word, size)
    return 10.0 ** (-b / 100) if b is not None else 0.0


def has_list(lang: str, size: str = "small") -> bool:
    table = _table(lang, size)
    if isinstance(table, mmap.mmap):
        return not table[:1].startswith(b"\xff")  # more than the closing line
    return bool(table)


def words(lang: str, size: str = "small"):
    """Every (word, frequency) of a list, read from its file (or from wordfreq)."""
    table = _table(lang, size)
    if isinstance(table, mmap.mmap):
        end = table.rfind(b"\n\xff") + 1  # the closing line is not a word
        for line in table[:end].decode("utf-8", "replace").split("\n"):
            w, _, b = line.partition("\t")
            if b.isdigit():
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
            data = path.read_bytes()
            if data[:4] == _MAGIC and hashlib.sha256(data[20:]).digest()[:16] == data[4:20]:
                value = marshal.loads(data[20:])
        except (OSError, EOFError, ValueError, TypeError):
            value = None  # missing or damaged: built again
    if value is None:
        with _untimed():
            value = build()
            if path is not None:
                data = marshal.dumps(value)
                _write(path, _MAGIC + hashlib.sha256(data).digest()[:16] + data)
    _CACHED[name] = value
    return value


def _reset() -> None:
    """Forget the open tables (tests: a new cache folder)."""
    for table in _MAPS.values():
        if isinstance(table, mmap.mmap):
            table.close()
    _MAPS.clear()
    _INDEXES.clear()
    _CACHED.clear()
    _TOUCHED.clear()

