"""The names sync engines (and Clipper) give conflict copies: which file is a copy, of which note.

When the same file changes on two machines before they sync, the engine keeps one version under
the file's name and the other beside it, under a name that says so:

- Syncthing: ``NAME.sync-conflict-YYYYMMDD-HHMMSS-DEVICE.md`` (DEVICE: 7 characters of the id
  of the device that made the losing change);
- Nextcloud / ownCloud: ``NAME (conflicted copy YYYY-MM-DD HHMMSS).md`` (older clients:
  ``NAME_conflict-YYYYMMDD-HHMMSS.md``);
- Dropbox: ``NAME (Person's conflicted copy YYYY-MM-DD).md``, maybe with ``(1)`` inside;
- Clipper's editor: ``NAME (conflict YYYY-MM-DD HHMMSS).md`` (your edit, when the note changed
  on disk while you edited it).

A copy of a copy (two conflicts in a row) belongs to the same note. :func:`parse` only reads the
name; it touches no file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_EXT = r"(?P<ext>\.[A-Za-z0-9]{1,12})"
#: a copy's name may get " 2" from a unique-name helper, or "(1)" from Dropbox
_N = r"(?: \d{1,4})?"

_SYNCTHING = re.compile(
    r"\A(?P<stem>.+?)\.sync-conflict-(?P<date>\d{8})-(?P<time>\d{6})-(?P<by>[A-Za-z0-9]{7})" + _EXT + r"?\Z")
_CLIPPER = re.compile(
    r"\A(?P<stem>.+?) \(conflict (?P<when>\d{4}-\d{2}-\d{2} \d{6})\)" + _N + _EXT + r"\Z")
_CONFLICTED = re.compile(  # Nextcloud, ownCloud and Dropbox
    r"\A(?P<stem>.+?) \((?:(?P<by>[^()]*?)['’]s )?conflicted copy(?: (?P<when>[^()]*?))?"
    r"(?: \(\d{1,4}\))?\)" + _N + _EXT + r"\Z", re.I)
_OWNCLOUD_OLD = re.compile(r"\A(?P<stem>.+?)_conflict-(?P<date>\d{8})-(?P<time>\d{6})" + _EXT + r"\Z")


@dataclass(frozen=True)
class ConflictName:
    original: str  # the file name of the note it is a copy of
    kind: str  # "syncthing" | "nextcloud" | "dropbox" | "owncloud" | "clipper"
    when: str = ""  # when the copy was made, as far as the name says ("2026-12-01 12:34:56")
    by: str = ""  # the device (Syncthing) or person (Dropbox) the name gives


def _stamp(date: str, time: str = "") -> str:
    out = f"{date[:4]}-{date[4:6]}-{date[6:8]}"
    return out + (f" {time[:2]}:{time[2:4]}:{time[4:6]}" if time else "")


def _parse_one(name: str) -> ConflictName | None:
    if "conflict" not in name.lower():
        # every pattern has the word; the scan asks this of every note's name, and the patterns'
        # open-ended stems cost ~20 µs a name (2 s for a 100,000-note vault) without the test
        return None
    m = _SYNCTHING.match(name)
    if m:
        return ConflictName(m["stem"] + (m["ext"] or ""), "syncthing", _stamp(m["date"], m["time"]), m["by"])
    m = _CLIPPER.match(name)
    if m:
        when = m["when"]
        when = f"{when[:10]} {when[11:13]}:{when[13:15]}:{when[15:]}"
        return ConflictName(m["stem"] + m["ext"], "clipper", when)
    m = _CONFLICTED.match(name)
    if m:
        when = (m["when"] or "").strip()
        t = re.fullmatch(r"(\d{4}-\d{2}-\d{2}) (\d{2})(\d{2})(\d{2})", when)
        if t:
            when = f"{t[1]} {t[2]}:{t[3]}:{t[4]}"
        kind = "dropbox" if m["by"] else "nextcloud"
        return ConflictName(m["stem"] + m["ext"], kind, when, (m["by"] or "").strip())
    m = _OWNCLOUD_OLD.match(name)
    if m:
        return ConflictName(m["stem"] + m["ext"], "owncloud", _stamp(m["date"], m["time"]))
    return None


def parse(name: str) -> ConflictName | None:
    """What the file name ``name`` (no folder) says if it is a conflict copy, else None. The
    ``original`` is the note's own name, also for a copy of a copy; ``when``/``by`` are those of
    the outermost copy."""
    first = _parse_one(name)
    if first is None:
        return None
    original = first.original
    for _ in range(8):  # "a.sync-conflict-X.sync-conflict-Y.md" -> "a.md"
        inner = _parse_one(original)
        if inner is None:
            break
        original = inner.original
    return ConflictName(original, first.kind, first.when, first.by)


def is_conflict_copy(name: str) -> bool:
    return parse(name) is not None
