"""Reading a note file for the library: the file parsed (:class:`Parsed`), the catalog row and
the index document made of it, and :func:`clean`, which makes any text fit to save and index."""

from __future__ import annotations

import dataclasses
import datetime as _dt
import os
import re
from dataclasses import dataclass
from pathlib import Path

from clipper.core import confine, notefile
from clipper.core import query as qlang
from clipper.core import tags as tagmod
from clipper.core.index import body_value
from clipper.core.library_values import Note
from clipper.core.model import Clip
from clipper.core.notekeys import normalize_url, sha256, text_hash, text_hash_chunks, text_sketch
from clipper.core.vault import Vault, split_note

#: Indexing decodes at most this much of a note (the index keeps its first MAX_INDEXED_CHARS
#: anyway); the rest is only hashed, in chunks, so a note of any size costs bounded memory.
INDEX_READ_BYTES = 8 * 1024 * 1024

_UNSAFE_CHARS = re.compile("[\x00-\x08\x0b-\x1f\ud800-\udfff]")


def clean(value):
    """Text fit to save and index: no NUL or other C0 controls (tab and newline kept, CR folded
    into newline) and no lone surrogates (U+FFFD); lists and dicts are cleaned value by value."""
    if isinstance(value, str):
        # searched a slice at a time: one regex call over a long note holds the GIL throughout
        if any(_UNSAFE_CHARS.search(value, i, i + (1 << 20)) for i in range(0, len(value), 1 << 20)):
            value = value.replace("\r\n", "\n").replace("\r", "\n")
            value = _UNSAFE_CHARS.sub(lambda m: "\ufffd" if m.group() >= "\ud800" else "", value)
        return value
    if isinstance(value, list):
        return [clean(v) for v in value]
    if isinstance(value, dict):
        return {clean(str(k)): clean(v) for k, v in value.items()}
    return value


def clean_clip(clip: Clip) -> Clip:
    changes = {name: clean(getattr(clip, name)) for name in (
        "markdown", "title", "author", "published", "site", "site_url", "source", "language", "description",
        "image", "tags")}
    return dataclasses.replace(clip, **changes)


def _str(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value if v is not None)
    if isinstance(value, dict):
        return ""
    return str(value)


def first_heading(body: str) -> str:
    for line in body.split("\n", 40)[:40]:  # not the whole of a long note's lines
        s = line.strip()
        if s.startswith("#"):
            return s.lstrip("#").strip()
    return ""


@dataclass
class Parsed:
    rel: str
    raw: str
    meta: dict
    body: str
    error: str | None
    hash: str
    size: int
    mtime_ns: int
    body_hash: str | None = None  # text_hash of the whole body, when ``body`` is only its start
    partial: bool = False


def _iso_from_ns(ns: int) -> str:
    return _dt.datetime.fromtimestamp(ns / 1e9, _dt.timezone.utc).replace(microsecond=0).isoformat().replace(
        "+00:00", "Z")


def read_note(vault: Path, rel: str, whole: bool = True) -> Parsed:
    """Read and parse the note ``rel`` of the vault folder ``vault`` (never through a symlink out
    of the vault: OSError). Without ``whole``, a note over INDEX_READ_BYTES is decoded only that
    far (for the index)."""
    with confine.open_in(vault, rel) as fh:
        st = os.fstat(fh.fileno())
        if not whole and st.st_size > INDEX_READ_BYTES:
            head = notefile.read_head(fh, INDEX_READ_BYTES, clean, text_hash_chunks)
            raw, digest, body_hash, partial = head.text, head.hash, head.body_hash, True
        else:
            data = fh.read()
            raw, digest, body_hash, partial = clean(notefile.decode(data)), sha256(data), None, False
            del data
    meta, body, error = split_note(raw)
    meta = clean(meta)  # YAML escapes ("\\0", "\\uD800") decode to unsafe characters too
    return Parsed(rel, raw, meta, body, error, digest, st.st_size, st.st_mtime_ns, body_hash, partial)


def catalog_row(p: Parsed, note_id: str, sketch: bool = True) -> dict:
    """The catalog row of a parsed note (without ``sketch``: its "sketch" left for the caller
    to set, see :func:`clipper.core.library_sync._build_notes`)."""
    meta = p.meta
    title = _str(meta.get("title")).strip() or first_heading(p.body) or Path(p.rel).stem
    tags = tagmod.tags_from_meta(meta.get("tags"))
    created = _str(meta.get("created")) or _str(meta.get("date")) or _iso_from_ns(p.mtime_ns)
    warnings = [p.error] if p.error else []
    source = _str(meta.get("source") or meta.get("url"))
    return {
        "id": note_id, "path": p.rel, "size": p.size, "mtime_ns": p.mtime_ns, "hash": p.hash,
        "text_hash": p.body_hash if p.partial else text_hash(p.body),
        "source_key": normalize_url(source), "title": title,
        "author": _str(meta.get("author")), "site": _str(meta.get("site")), "source": source,
        "published": _str(meta.get("published")), "created": created,
        "created_num": qlang.date_number(created) or 0, "language": _str(meta.get("language")),
        "tags": tags, "warnings": warnings, "sketch": text_sketch(p.body) if sketch else None,
    }


def index_doc(row: dict, body: str) -> dict:
    """The index document of a note's catalog row and body."""
    doc = {
        "id": row["id"], "path": row["path"], "title": row["title"],
        "body": body_value(row["title"], body),
        "tags": " ".join(tagmod.with_ancestors(row["tags"])),
        "author": row["author"], "site": row["site"], "source": row["source"],
        "language": row["language"],
    }
    created = qlang.date_number(row["created"])
    published = qlang.date_number(row["published"])
    if created is not None:
        doc["created"] = created
    if published is not None:
        doc["published"] = published
    return doc


def note_of(vault: Vault, p: Parsed, row: dict) -> Note:
    """The :class:`Note` of a parsed file and its catalog row."""
    return Note(
        id=row["id"], path=vault.abs(p.rel), title=row["title"], body=p.body, meta=dict(p.meta),
        tags=list(row["tags"]), author=row["author"], site=row["site"], source=row["source"],
        published=row["published"], created=row["created"], content_hash=p.hash,
        warnings=list(row["warnings"]), raw=p.raw,
    )
