"""The note library: the vault of Markdown files plus its search index (the public Python API).

    from clipper import Library
    with Library.open("~/Notes") as lib:
        lib.import_file("article.html", tags=["reading"])
        for hit in lib.search('climate "sea level" tag:science'):
            print(hit.title, hit.snippet)

Files are the truth. The index (Whoosh) and the catalog (SQLite) live in a per-machine cache
folder (:func:`clipper.core.paths.index_dir_for`) and are rebuilt from the files whenever they
are missing, from another schema version, or fail to open. Opening compares the files with the
catalog (one ``os.scandir`` walk: size + mtime, then a content hash) and updates only what
changed; :meth:`Library.refresh` does the same while the library is open.

One writer at a time: a thread lock plus an inter-process ``flock`` on a file in the index
folder, so the CLI and the app can run at once. Reads never block on it.

Why one module of this size: the public API (``Library``) and the file-to-index sync share
one lock and one catalog transaction; splitting it (value types, the inter-process lock, sync)
waits for the catalog/vault work on the same code to land.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as _dt
import logging
import os
import re
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from clipper.core import catalog as catalogmod
from clipper.core import confine, conflicts, frontmatter, notefile, paths
from clipper.core import query as qlang
from clipper.core import tags as tagmod
from clipper.core.catalog import Catalog
from clipper.core.errors import VaultError
from clipper.core.index import (
    SCHEMA_VERSION,
    SearchIndex,
    SegmentBuilder,
    body_value,
    discard_build,
    discard_stale_builds,
)
from clipper.core.model import Clip
from clipper.core.snippets import Highlighter
from clipper.core.snippets import snippet_html as _snippet_html
from clipper.core.textclean import is_site_home
from clipper.core.vault import (
    ATTACHMENTS,
    NOTE_SUFFIXES,
    TrashEntry,
    Vault,
    new_id,
    normalize_url,
    now_iso,
    path_id,
    same_article,
    sha256,
    shingles,
    split_note,
    text_hash,
    text_hash_chunks,
    text_sketch,
    valid_id,
)

log = logging.getLogger(__name__)
_NO_TERMS = Highlighter([])

__all__ = ["Library", "Note", "Hit", "ImportResult", "SaveResult", "Changes", "TrashEntry", "TagsChanged"]

#: A query is read up to this many characters: a pasted page of 20,000 words took seconds to
#: run and minutes to spell-check. "Did you mean" looks at the first SUGGEST_WORDS distinct words.
MAX_QUERY_CHARS = 2000
SUGGEST_WORDS = 24
SUGGEST_FIXES = 8
BULK_CHUNK = 10_000
_SCHEMA_TAG = f"{SCHEMA_VERSION}.{catalogmod.VERSION}"  # index and catalog layouts
LOCK_TIMEOUT = 120.0
#: Indexing decodes at most this much of a note (the index keeps its first MAX_INDEXED_CHARS
#: anyway); the rest is only hashed, in chunks, so a note of any size costs bounded memory.
INDEX_READ_BYTES = 8 * 1024 * 1024


# --- values ------------------------------------------------------------------------------


@dataclass
class Note:
    id: str
    path: Path
    title: str
    body: str
    meta: dict
    tags: list[str]
    author: str = ""
    site: str = ""
    source: str = ""
    published: str = ""
    created: str = ""
    content_hash: str = ""
    warnings: list[str] = field(default_factory=list)
    raw: str = field(default="", repr=False)

    def text(self) -> str:
        """The whole file content (front matter + body) as last read or written."""
        return self.raw


@dataclass
class Hit:
    id: str
    path: Path
    title: str
    snippet: str
    highlights: list[tuple[int, int]]
    score: float
    tags: list[str]
    created: str = ""
    published: str = ""
    site: str = ""
    author: str = ""

    def snippet_html(self) -> str:
        """The snippet, HTML-escaped, with ``<b>…</b>`` around the matched words."""
        return _snippet_html(self.snippet, self.highlights)


@dataclass
class ImportResult:
    note: Note
    created: bool
    duplicate_of: Note | None = None
    warnings: list[str] = field(default_factory=list)


class TagsChanged(int):
    """How many notes a tag change rewrote; ``refused`` lists ``(path, reason)`` of the notes it
    left unchanged because only their tags could not be changed without touching more."""

    refused: list

    def __new__(cls, count: int, refused=()):
        obj = super().__new__(cls, count)
        obj.refused = list(refused)
        return obj


@dataclass
class SaveResult:
    note: Note
    conflict_path: Path | None = None


@dataclass
class Changes:
    added: list[str] = field(default_factory=list)  # note ids
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    renamed: list[str] = field(default_factory=list)
    #: another process (the CLI, a second window) changed the index meanwhile: lists, counts and
    #: tags shown from it may be stale even though this call found nothing to do itself
    elsewhere: bool = False

    def __bool__(self) -> bool:
        return bool(self.added or self.updated or self.removed or self.renamed or self.elsewhere)


# --- inter-process lock ------------------------------------------------------------------


class ProcessLock:
    """An exclusive ``flock`` on a file (released by the kernel if the process dies).

    The lock file itself is never deleted. Re-entrant within one process via a counter.
    """

    def __init__(self, path: Path):
        self.path = Path(path)
        self._fh = None
        self._depth = 0
        self._thread_lock = threading.RLock()

    @contextlib.contextmanager
    def hold(self, timeout: float = LOCK_TIMEOUT):
        with self._thread_lock:
            if self._depth == 0:
                self._acquire(timeout)
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
                if self._depth == 0:
                    self._release()

    def _acquire(self, timeout: float) -> None:
        try:
            import fcntl
        except ImportError:  # Windows: in-process lock only
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fh = open(self.path, "a+b")  # noqa: SIM115 - kept open while held
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError:
                if time.monotonic() > deadline:
                    fh.close()
                    raise VaultError("Another Clipper process is busy with this vault; try again") from None
                time.sleep(0.05)
        self._fh = fh

    def _release(self) -> None:
        if self._fh is not None:
            try:
                import fcntl

                fcntl.flock(self._fh.fileno(), fcntl.LOCK_UN)
            finally:
                self._fh.close()
                self._fh = None


# --- parsing a note file -----------------------------------------------------------------


_UNSAFE_CHARS = re.compile("[\x00-\x08\x0b-\x1f\ud800-\udfff]")


def _clean(value):
    """Text fit to save and index: no NUL or other C0 controls (tab and newline kept, CR folded
    into newline) and no lone surrogates (U+FFFD); lists and dicts are cleaned value by value."""
    if isinstance(value, str):
        # searched a slice at a time: one regex call over a long note holds the GIL throughout
        if any(_UNSAFE_CHARS.search(value, i, i + (1 << 20)) for i in range(0, len(value), 1 << 20)):
            value = value.replace("\r\n", "\n").replace("\r", "\n")
            value = _UNSAFE_CHARS.sub(lambda m: "\ufffd" if m.group() >= "\ud800" else "", value)
        return value
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {_clean(str(k)): _clean(v) for k, v in value.items()}
    return value


def _clean_clip(clip: Clip) -> Clip:
    changes = {name: _clean(getattr(clip, name)) for name in (
        "markdown", "title", "author", "published", "site", "site_url", "source", "language", "description",
        "image", "tags")}
    return dataclasses.replace(clip, **changes)


class _IdOwners(dict):
    """id -> path of the note holding it: local assignments first, then the catalog."""

    def __init__(self, catalog: Catalog, ignore: set[str]):
        super().__init__()
        self._catalog = catalog
        self._ignore = ignore

    def get(self, key, default=None):
        if key in self:
            return self[key]
        path = self._catalog.path_of(key)
        return default if path is None or path in self._ignore else path


def _str(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value if v is not None)
    if isinstance(value, dict):
        return ""
    return str(value)


def _first_heading(body: str) -> str:
    for line in body.split("\n", 40)[:40]:  # not the whole of a long note's lines
        s = line.strip()
        if s.startswith("#"):
            return s.lstrip("#").strip()
    return ""


@dataclass
class _Parsed:
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


# --- the library -------------------------------------------------------------------------


class Library:
    """A vault plus its index. Use :meth:`open`; also a context manager."""

    def __init__(self, vault: Path, index_dir: Path):
        self.vault = Path(vault).expanduser().absolute()
        self.index_dir = Path(index_dir)
        self._vault = Vault(self.vault)
        self._lock = threading.RLock()
        self._search_lock = threading.RLock()
        self._plock = ProcessLock(self.index_dir / "clipper.lock")
        self._index = SearchIndex(self.index_dir / "whoosh")
        self.catalog: Catalog | None = None
        self._thread: threading.Thread | None = None
        self._indexed = threading.Event()
        self._cancel = threading.Event()
        self._closed = False
        self._catalog_version = None  # the catalog's data_version when last looked at
        self.last_error: str | None = None

    # --- opening -------------------------------------------------------------------------
    @classmethod
    def open(cls, vault=None, *, index_dir=None, wait: bool = True, progress=None) -> Library:
        """Open (creating what is missing) the vault and its index.

        ``wait``: return once the index matches the notes in the folder; otherwise catch up in
        a background thread (``indexing`` is True until done; search works meanwhile).
        """
        vault = Path(vault).expanduser() if vault else paths.default_vault()
        Vault(vault).ensure()
        index_dir = Path(index_dir) if index_dir else paths.index_dir_for(vault)
        paths.check_outside(index_dir, vault)
        try:
            index_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise VaultError(f"Cannot create the index folder {index_dir}: {exc.strerror or exc}") from exc
        lib = cls(vault, index_dir)
        lib._open_index()
        if wait:
            lib._catch_up(progress)
        else:
            lib._thread = threading.Thread(target=lib._catch_up, args=(progress, True),
                                           name="clipper-index", daemon=True)
            lib._thread.start()
        return lib

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def indexing(self) -> bool:
        return not self._indexed.is_set()

    def wait_until_indexed(self, timeout: float | None = None) -> bool:
        return self._indexed.wait(timeout)

    def _catch_up(self, progress=None, background: bool = False) -> None:
        try:
            # in the background, a small first chunk makes the first notes searchable at once
            self._sync(progress=progress, cancel=self._cancel, first_chunk=1000 if background else None)
        except Exception as exc:  # the app keeps working with what is indexed
            log.exception("indexing the vault failed")
            self.last_error = str(exc)
        finally:
            self._indexed.set()

    def _open_catalog(self) -> Catalog:
        path = self.index_dir / "catalog.sqlite3"
        try:
            cat = Catalog(path)
            cat.count()
            return cat
        except Exception:
            log.warning("the note catalog is unreadable; rebuilding it")
            for suffix in ("", "-wal", "-shm"):
                with contextlib.suppress(OSError):
                    os.unlink(str(path) + suffix)
            return Catalog(path)

    def _open_index(self) -> None:
        with self._writing():
            discard_stale_builds(self._index.folder)  # of a build killed midway
            self.catalog = self._open_catalog()
            ok = False
            try:
                if self.catalog.get_meta("schema") == _SCHEMA_TAG:
                    self._index.open()
                    ok = self._index.doc_count() == self.catalog.count()
            except Exception as exc:
                log.warning("the search index cannot be opened (%s); rebuilding it", exc)
            if not ok:
                self._reset_index()
            self._catalog_version = self.catalog.data_version()

    def _reset_index(self) -> None:
        """Empty index and catalog (then :meth:`_sync` fills them from the files)."""
        self._index.clear()
        try:
            self.catalog.clear()
        except Exception:
            self.catalog.close()
            self.catalog = self._open_catalog()
            self.catalog.clear()
        self.catalog.set_meta("schema", _SCHEMA_TAG)

    @contextlib.contextmanager
    def _writing(self):
        with self._lock, self._plock.hold():
            yield

    def close(self) -> None:
        self._closed = True
        if self._thread is not None and self._thread.is_alive():
            self._cancel.set()  # stops after the current note; what is committed stays
            self._thread.join(timeout=60)
        with self._lock:
            self._index.close()
            if self.catalog is not None:
                self.catalog.close()

    # --- reading notes -------------------------------------------------------------------
    def _read(self, rel: str, whole: bool = True) -> _Parsed:
        """Read and parse a note (never through a symlink out of the vault: OSError). Without
        ``whole``, a note over INDEX_READ_BYTES is decoded only that far (for the index)."""
        with confine.open_in(self.vault, rel) as fh:
            st = os.fstat(fh.fileno())
            if not whole and st.st_size > INDEX_READ_BYTES:
                head = notefile.read_head(fh, INDEX_READ_BYTES, _clean, text_hash_chunks)
                raw, digest, body_hash, partial = head.text, head.hash, head.body_hash, True
            else:
                data = fh.read()
                raw, digest, body_hash, partial = _clean(notefile.decode(data)), sha256(data), None, False
                del data
        meta, body, error = split_note(raw)
        meta = _clean(meta)  # YAML escapes ("\\0", "\\uD800") decode to unsafe characters too
        return _Parsed(rel, raw, meta, body, error, digest, st.st_size, st.st_mtime_ns, body_hash, partial)

    def _row(self, p: _Parsed, note_id: str) -> dict:
        meta = p.meta
        title = _str(meta.get("title")).strip() or _first_heading(p.body) or Path(p.rel).stem
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
            "tags": tags, "warnings": warnings, "sketch": text_sketch(p.body),
        }

    @staticmethod
    def _doc(row: dict, body: str) -> dict:
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

    def _note(self, p: _Parsed, row: dict) -> Note:
        return Note(
            id=row["id"], path=self._vault.abs(p.rel), title=row["title"], body=p.body, meta=dict(p.meta),
            tags=list(row["tags"]), author=row["author"], site=row["site"], source=row["source"],
            published=row["published"], created=row["created"], content_hash=p.hash,
            warnings=list(row["warnings"]), raw=p.raw,
        )

    # --- syncing files -> index ----------------------------------------------------------
    def _sync(self, progress=None, cancel=None, only: list[str] | None = None,
              first_chunk: int | None = None) -> Changes:
        """Bring the index up to date with the files (all of them, or the paths in ``only``).

        A first build (empty catalog) is :meth:`_sync_bulk`.
        """
        changes = Changes()
        with self._writing():
            if only is None:
                files = self._vault.stats()
                listed, saved = self.catalog.file_stats()
                if files == listed:  # nothing changed (a reopen)
                    if not saved:
                        self.catalog.keep_file_stats(listed)
                    return changes
                known = self.catalog.stats()
                scope = set(files) | set(known)
            else:
                known = self.catalog.stats(list(only))
                files = {}
                only = [rel for rel in only if self._vault.is_note_path(rel)]
                for rel in only:
                    try:
                        st = os.stat(self._vault.abs(rel))
                        files[rel] = (st.st_size, st.st_mtime_ns)
                    except OSError:
                        pass
                scope = set(only)
            changed = sorted(r for r in files if r not in known or known[r][1:3] != files[r])
            gone = {r: known[r] for r in scope if r in known and r not in files}
            if not changed and not gone:
                return changes
            bulk = only is None and not known
            if not bulk:
                self._sync_changed(changed, gone, known, only, changes, progress, cancel)
                if only is None:
                    self.catalog.keep_file_stats()  # for the next open's comparison
                return changes
        # a first build: the write lock is taken for each segment's commit only
        self._sync_bulk(changed, changes, progress, cancel, first_chunk)
        if cancel is None or not cancel.is_set():
            with self._writing():
                self.catalog.keep_file_stats()
        return changes

    def _sync_changed(self, changed, gone, known, only, changes, progress, cancel) -> None:
        """The rest of :meth:`_sync` when the catalog is not empty: one commit."""
        gone_by_hash = {v[3]: (r, v[0]) for r, v in gone.items()}
        if only is None:
            ids_in_use = {v[0]: r for r, v in known.items() if r not in gone}
        else:  # a few paths: ask the catalog about ids instead of loading every row
            ids_in_use = _IdOwners(self.catalog, set(gone))
        deletes = [v[0] for v in gone.values()]
        total = len(changed)
        self._sync_chunk(changed, deletes, known, ids_in_use, gone_by_hash, changes, progress, cancel, 0,
                         total)
        if progress and total:
            progress(total, total, "Indexing notes")

    def _sync_bulk(self, changed: list[str], changes: Changes, progress, cancel, first_chunk) -> None:
        """A first build (the catalog is empty): the notes go into new segments of up to
        BULK_CHUNK notes, built two at a time, one here and one in a helper process (reading,
        parsing, analysing and writing a segment need nothing from another), and committed
        in path order, each under the write lock on its own: searches see the notes indexed
        so far, and other writers get their turn between segments. Near the end the helper
        takes the second half of what this process has left, so that both finish together."""
        try:
            _BulkBuild(self, changed, changes, progress, cancel, first_chunk).run()
        finally:
            _trim_memory()

    def _commit_segment(self, built, rows: list[dict], ids_in_use: dict, changes: Changes) -> int:
        """Commit a segment of :func:`_build_notes` and its catalog rows. Its ids were chosen
        among its own notes only: a note whose id an earlier note holds (or that another
        call indexed meanwhile) is left out of it and indexed the ordinary way. Returns the
        number of notes committed."""
        with self._writing():
            indexed = set()
            owners: dict = {}
            if self.catalog.count() != len(ids_in_use):  # another call wrote meanwhile
                indexed = set(self.catalog.stats([r["path"] for r in rows]))
                owners = {i: r["path"] for i, r in self.catalog.by_ids([r["id"] for r in rows]).items()}
            keep, leave, later = [], [], []
            for docnum, row in enumerate(rows):
                rel = row["path"]
                if rel in indexed:
                    leave.append((0, docnum))
                    continue
                owner = ids_in_use.get(row["id"]) or owners.get(row["id"])
                if owner is not None and owner != rel:
                    leave.append((0, docnum))
                    later.append(rel)
                    continue
                ids_in_use[row["id"]] = rel
                keep.append(row)
            self._index.add_segments([built], leave)
            if owners or indexed:
                self.catalog.apply(keep)
            else:
                self.catalog.add_new(keep)
            changes.added.extend(row["id"] for row in keep)
            if later:
                more = self._sync(only=later)
                changes.added.extend(more.added)
                ids_in_use.update((i, self.catalog.path_of(i)) for i in more.added)
            return len(keep)

    def _sync_chunk(self, batch, deletes, known, ids_in_use, gone_by_hash, changes, progress,
                    cancel, done, total) -> None:
        rows: list[dict] = []
        stat_only: list[tuple] = []

        def docs():
            nonlocal done
            for rel in batch:
                if cancel is not None and cancel.is_set():
                    return
                done += 1
                if progress and done % 50 == 0:
                    progress(done, total, "Indexing notes")
                try:
                    p = self._read(rel, whole=False)
                except OSError:
                    continue
                old = known.get(rel)
                if old is not None and old[3] == p.hash:
                    stat_only.append((rel, p.size, p.mtime_ns))
                    continue
                note_id = self._resolve_id(p, old, ids_in_use, gone_by_hash, changes)
                row = self._row(p, note_id)
                rows.append(row)
                doc = self._doc(row, p.body)
                if (old is None and note_id not in deletes
                        and self.catalog.path_of(note_id) is None):
                    doc["_new"] = True  # nothing to replace: skip Whoosh's delete look-up
                yield doc

        # deleting then re-adding an id in one writer is how renames are replaced
        self._index.write(docs(), delete_ids=deletes)
        self.catalog.apply(rows, deletes=deletes, stat_only=stat_only)
        for row in rows:
            if row["id"] not in changes.renamed:
                (changes.updated if row["path"] in known else changes.added).append(row["id"])
        changes.removed.extend(d for d in deletes if d not in changes.renamed)

    def _resolve_id(self, p: _Parsed, old, ids_in_use: dict, gone_by_hash: dict, changes: Changes) -> str:
        rel = p.rel
        fm_id = valid_id(p.meta.get("id"))
        candidate = None
        if fm_id and ids_in_use.get(fm_id, rel) == rel:
            candidate = fm_id
        elif old is not None and ids_in_use.get(old[0], rel) == rel:
            candidate = old[0]
        elif p.hash in gone_by_hash:
            _old_rel, gone_id = gone_by_hash.pop(p.hash)
            if ids_in_use.get(gone_id, rel) == rel:
                candidate = gone_id
                changes.renamed.append(gone_id)
        if candidate is None:
            candidate = path_id(rel)
            if ids_in_use.get(candidate, rel) != rel:
                candidate = path_id(rel + "#" + p.hash[:12])
        if fm_id and candidate == fm_id and p.hash in gone_by_hash and gone_by_hash[p.hash][1] == fm_id:
            gone_by_hash.pop(p.hash)
            changes.renamed.append(fm_id)
        ids_in_use[candidate] = rel
        return candidate

    def refresh(self) -> Changes:
        """Pick up notes added, edited, renamed or deleted by other programs."""
        return self.sync_changed(None)

    def sync_changed(self, paths=None) -> Changes:
        """Pick up what changed in ``paths``: folders or note files of the vault, as a file
        watcher reports them (``None``: the whole vault). However many paths and files, it is
        one update of the index. A folder is compared with the catalog on its own (its notes,
        not its sub-folders' unless a sub-folder appeared or went). ``Changes.elsewhere`` says
        another process changed the index since the last call (the CLI imported into this
        vault), so what a window lists from it is stale even when nothing was left to do here.
        """
        if paths is None:
            changes = self._sync()
        else:
            wanted: set[str] = set()
            for path in paths:
                wanted |= self._changed_under(path)
            changes = self._sync(only=sorted(wanted)) if wanted else Changes()
        try:
            version = self.catalog.data_version()
        except Exception:  # noqa: BLE001 -- a closed or rebuilt catalog: nothing to compare
            version = None
        if self._catalog_version is not None and version != self._catalog_version:
            changes.elsewhere = True
        self._catalog_version = version
        return changes

    def _changed_under(self, path) -> set[str]:
        """Vault-relative note paths to compare for one changed folder or file."""
        try:
            rel = self._vault.rel(path)
        except (VaultError, ValueError):
            return set()
        rel = "" if rel == "." else rel
        parts = rel.split("/") if rel else []
        if any(p.startswith(".") for p in parts) or parts[:1] == [ATTACHMENTS]:
            return set()  # the trash, .git, attachments/: never notes
        if rel and self._vault.is_note_path(rel) and not self._vault.abs(rel).is_dir():
            return {rel}
        prefix = rel + "/" if rel else ""
        disk, disk_dirs = self._vault.scan_folder(rel, recursive=False)
        known, known_dirs = self.catalog.folder(prefix)
        # only what differs goes on to _sync (which looks again, under the lock): a folder of
        # 10,000 notes where one arrived is one note to index, not 10,000 to compare twice
        out = {r for r, st in disk.items() if r not in known or known[r][1:3] != (st.size, st.mtime_ns)}
        out |= {r for r in known if r not in disk}
        for name in disk_dirs - known_dirs:  # a folder that arrived (moved in, synced)
            out |= set(self._vault.scan_folder(prefix + name)[0])
        for name in known_dirs - disk_dirs:  # a folder that went
            out |= set(self.catalog.stats_under(prefix + name + "/"))
        return out

    def watch_folders(self, limit: int = 100_000) -> list[Path]:
        """The folders a file watcher should watch to see notes arrive, change names or go."""
        return self._vault.note_folders(limit)

    def reindex(self, progress=None, cancel=None) -> None:
        """Rebuild the index and catalog from the files."""
        with self._writing():
            self._reset_index()
            self._sync(progress=progress, cancel=cancel)

    # --- searching -----------------------------------------------------------------------
    def search(self, query: str, limit: int = 20, *, sort: str = "relevance", tags=(),
               as_you_type: bool = False) -> list[Hit]:
        """Hits for ``query`` in the search language (see :mod:`clipper.core.query`).

        Never raises on malformed queries; an empty query lists the newest notes.
        """
        parsed = qlang.parse(_cap_query(query), as_you_type=as_you_type)
        sort = parsed.sort or sort or "relevance"
        tag_filter = tagmod.normalize_tags(tags)
        with self._search_lock:
            if parsed.is_empty():
                rows = self.catalog.newest(limit, oldest=sort == "oldest", tags=tag_filter)
                return [self._hit(row, 0.0, None) for row in rows]
            if not parsed.has_text() and sort == "relevance":
                sort = "newest"
            found = None
            for attempt in range(3):
                try:
                    found = self._index.run(parsed, limit=limit, sort=sort, tags=tag_filter)
                    break
                except Exception as exc:
                    if attempt == 0:  # maybe a stale searcher: try a fresh one
                        self._index.invalidate()
                    elif attempt == 1:  # the index is damaged: rebuild it from the files
                        if not self._lock.acquire(blocking=False):
                            return []  # a rebuild or reindex is running right now
                        try:
                            log.warning("search failed (%s); rebuilding the index", exc)
                            self._recover()
                        finally:
                            self._lock.release()
                    else:
                        log.exception("search failed again")
            if found is None:
                return []
            seen: set[str] = set()
            found = [(i, sc) for i, sc in found if not (i in seen or seen.add(i))]
            rows = self.catalog.by_ids([i for i, _ in found])
            hl = Highlighter(parsed.text_terms())
            return [self._hit(rows[i], score, hl) for i, score in found if i in rows]

    def _recover(self) -> None:
        with self._writing():
            self._reset_index()
            self._sync()

    def _hit(self, row: dict, score: float, hl: Highlighter | None) -> Hit:
        path = self._vault.abs(row["path"])
        snippet, highlights = "", []
        try:
            with confine.open_in(self.vault, row["path"]) as fh:  # a link out of the vault: no snippet
                raw = notefile.decode(fh.read(400_000))
            header = frontmatter.find_header(raw)
            body = raw[header[1]:] if header else raw
            hl = hl or _NO_TERMS
            snippet, highlights = hl.snippet_markdown(body, skip=row["title"])
        except OSError:
            pass
        return Hit(id=row["id"], path=path, title=row["title"], snippet=snippet, highlights=highlights,
                   score=score, tags=list(row["tags"]), created=row["created"] or "",
                   published=row["published"] or "", site=row["site"] or "", author=row["author"] or "")

    def suggest(self, query: str) -> str | None:
        """A corrected query ("did you mean") when some words are not in any note, else None."""
        query = _cap_query(query)
        parsed = qlang.parse(query)
        words = [t for t in parsed.text_terms() if t.kind == "word" and t.field in (None, "title", "body")]
        if not words:
            return None
        out = query
        changed = False
        fixes = 0
        with self._search_lock:
            for term in list({t.text.lower(): t for t in words}.values())[:SUGGEST_WORDS]:
                if fixes >= SUGGEST_FIXES:
                    break
                w = term.text.lower()
                try:
                    if self._index.known(w):
                        continue
                    # a beginning of indexed words ("steenb" of "steenbok") means that word,
                    # not some short word a couple of letters away ("seen")
                    fix = self._completion(w) or self._index.correct(w)
                except Exception:
                    fix = None
                if fix and fix != w:
                    out = _replace_word(out, term.text, fix)
                    changed = True
                    fixes += 1
        if not changed:
            return None
        # offered only if it finds something the query as typed did not
        before = {h.id for h in self.search(query, limit=50)}
        after = {h.id for h in self.search(out, limit=50)}
        return out if after - before else None

    @staticmethod
    def match_spans(query: str, text: str) -> list[tuple[int, int]]:
        """Where the words of ``query`` occur in ``text`` (plain text, e.g. the note as shown),
        found as the search finds them (stems, the word being typed as a prefix, phrases):
        sorted (start, end) character offsets, at most 500."""
        terms = qlang.parse(query or "", as_you_type=True).text_terms()
        if not terms or not text:
            return []
        return sorted((start, end) for start, end, _group in Highlighter(terms).matches(text))

    def _completion(self, word: str) -> str | None:
        return self._index.completion(word)

    # --- notes ---------------------------------------------------------------------------
    def get(self, note_id) -> Note:
        row = self.catalog.by_id(str(note_id))
        if row is None:
            raise KeyError(note_id)
        try:
            p = self._read(row["path"])
        except OSError:
            raise KeyError(note_id) from None
        if p.hash != row["hash"]:
            self._sync(only=[row["path"]])
            row = self.catalog.by_path(p.rel) or row
        return self._note(p, row)

    def note_for_path(self, path) -> Note | None:
        try:
            rel = self._vault.rel(path)
        except VaultError:
            return None
        row = self.catalog.by_path(rel)
        if row is None:
            if not self._vault.is_note_path(rel) or not self._vault.abs(rel).is_file():
                return None
            self._sync(only=[rel])
            row = self.catalog.by_path(rel)
            if row is None:
                return None
        try:
            return self.get(row["id"])
        except KeyError:
            return None

    def notes(self) -> list[dict]:
        """Catalog rows of every note (id, path, title, tags, dates...), newest first."""
        return self.catalog.newest(10**9)

    def _index_paths(self, rels: list[str]) -> None:
        self._sync(only=rels)

    def save(self, note_id, text: str, *, base_hash: str | None = None) -> SaveResult:
        """Save an edited note (whole text). If the file changed on disk since ``base_hash``,
        a conflict copy is written instead and ``conflict_path`` says where."""
        text = _clean(text)
        with self._writing():
            row = self.catalog.by_id(str(note_id))
            if row is None:
                raise KeyError(note_id)
            rel = row["path"]
            try:
                current = self._vault.read_bytes(rel)
            except OSError:
                current = None
            if base_hash and current is not None and sha256(current) != base_hash:
                # the note as it is on disk stays; the edit waits beside it as a conflict copy
                new_rel = self._vault.conflict_copy(rel, text)
                self._sync(only=[rel])
                row = self.catalog.by_path(rel) or row
                return SaveResult(self.get(row["id"]), self._vault.abs(new_rel))
            self._vault.write_note(rel, text)
            self._sync(only=[rel])
            row = self.catalog.by_path(rel)
            return SaveResult(self.get(row["id"]), None)

    # --- importing -----------------------------------------------------------------------
    def import_file(self, path, *, tags=(), url=None, mode: str = "article",
                    on_duplicate: str = "return") -> ImportResult:
        from clipper.core import pipeline

        clip = pipeline.extract_file(path, url=url, mode=mode)
        return self.import_clip(clip, tags=tags, on_duplicate=on_duplicate)

    def import_paths(self, paths, *, tags=(), url=None, mode: str = "article", on_duplicate: str = "return",
                     progress=None, cancel=None, jobs: int = 2) -> list[tuple[Path, object]]:
        """Import files and folders (searched recursively for supported files), ``jobs``
        extractions at a time. Returns ``(path, ImportResult or ClipperError)`` per file."""
        from clipper.core import pipeline
        from clipper.core.errors import ClipperError, InputError
        from clipper.core.imports import walk

        skipped: list[tuple[Path, str]] = []
        files = walk(paths, exclude=self.vault, skipped=skipped)
        out: list[tuple[Path, object]] = [(p, InputError(why)) for p, why in skipped]
        total = len(files)
        if progress:
            progress(0, total, "Importing")
        for i, (path, result) in enumerate(pipeline.extract_files(files, url=url, mode=mode, jobs=jobs)):
            if cancel is not None and cancel.is_set():
                break
            if not isinstance(result, BaseException):
                try:
                    result = self.import_clip(result, tags=tags, on_duplicate=on_duplicate)
                except ClipperError as exc:
                    result = exc
                except Exception as exc:  # a bug with one file must not end the batch
                    log.exception("importing %s failed", path)
                    result = ClipperError(f"{path.name}: {type(exc).__name__}: {exc}")
            out.append((path, result))
            if progress:
                progress(i + 1, total, path.name)
        return out

    def import_clipboard(self, text=None, html=None, url=None, *, tags=(), mode: str = "article",
                         on_duplicate: str = "return") -> ImportResult:
        from clipper.core import pipeline

        clip = pipeline.extract_clipboard(text=text, html=html, url=url, mode=mode)
        return self.import_clip(clip, tags=tags, on_duplicate=on_duplicate)

    def import_clip(self, clip: Clip, *, tags=(), on_duplicate: str = "return") -> ImportResult:
        if on_duplicate not in ("return", "update", "new"):
            raise ValueError(f"on_duplicate must be return, update or new, not {on_duplicate!r}")
        clip = _clean_clip(clip)
        warnings = list(clip.warnings)
        all_tags = tagmod.normalize_tags(list(clip.tags) + list(tagmod.normalize_tags(tags)))
        with self._writing():
            dup_row = None
            if on_duplicate != "new":
                dup_row = self._find_duplicate(clip)
            if dup_row is not None:
                try:
                    existing = self.get(dup_row["id"])
                except KeyError:
                    existing = None
                if existing is not None and on_duplicate == "return":
                    warnings.append(f"Already in the vault: {existing.path.name}")
                    return ImportResult(existing, False, existing, warnings)
                if existing is not None:
                    return self._update_from_clip(existing, clip, all_tags, warnings)
            meta = clip.metadata()
            meta["tags"] = all_tags
            meta["created"] = now_iso()
            meta["id"] = new_id()
            body = self._vault.save_attachments(clip.markdown, clip.attachments)
            text = frontmatter.join(meta, body)
            title = clip.title or _first_heading(body) or "Untitled"
            rel = self._vault.create_note(title, text)
            self._sync(only=[rel])
            note = self.get(meta["id"])
            return ImportResult(note, True, None, warnings)

    def _find_duplicate(self, clip: Clip) -> dict | None:
        """The note holding the same article: the same source URL when that is the article's
        own address (a site's home page says nothing of which article), or the same text, or
        nearly the same (one article imported as a saved page and again as pasted text)."""
        source = None if is_site_home(clip.source) else normalize_url(clip.source)
        row = self.catalog.find_duplicate(source, text_hash(clip.markdown))
        if row is not None:
            return row
        grams = shingles(clip.markdown)
        for note_id in self.catalog.near_candidates(text_sketch(clip.markdown, grams)):
            try:
                note = self.get(note_id)
            except KeyError:
                continue
            if same_article(grams, shingles(note.body), clip.title, note.title):
                return self.catalog.by_id(note_id)
        return None

    def _update_from_clip(self, existing: Note, clip: Clip, tags: list[str], warnings) -> ImportResult:
        meta = dict(existing.meta)
        for key, value in clip.metadata().items():
            if key != "tags" and value:
                meta[key] = value
        meta["tags"] = tagmod.normalize_tags(list(existing.tags) + tags)
        meta["id"] = existing.id
        meta.setdefault("created", existing.created or now_iso())
        meta["updated"] = now_iso()
        body = self._vault.save_attachments(clip.markdown, clip.attachments)
        if existing.warnings:  # broken front matter: never rewrite the user's file
            warnings.append("The existing note has broken front matter; it was not updated")
            return ImportResult(existing, False, existing, warnings)
        rel = self._vault.rel(existing.path)
        self._vault.write_note(rel, frontmatter.join(meta, body))
        self._sync(only=[rel])
        return ImportResult(self.get(existing.id), False, existing, warnings)

    # --- tags ----------------------------------------------------------------------------
    def tags(self) -> dict[str, int]:
        """Normalised tag -> number of notes carrying it (nested tags counted as written)."""
        return self.catalog.tag_counts()

    def _rewrite_tags(self, note_ids, change) -> TagsChanged:
        """Apply ``change(tags) -> tags`` to the front matter of the notes. Only the tags lines of
        each header change; a note that cannot be changed so (broken header, duplicate ``tags``
        keys, bytes that are not text…) is left as it is and listed in ``refused``."""
        changed_rels = []
        refused: list[tuple[Path, str]] = []
        with self._writing():
            for note_id in note_ids:
                try:
                    note = self.get(note_id)
                except KeyError:
                    continue
                new = change(list(note.tags))
                if new == note.tags:
                    continue
                rel = self._vault.rel(note.path)
                try:
                    data = self._vault.read_bytes(rel)
                    if sha256(data) != note.content_hash:
                        raise notefile.EditRefused("it changed on disk meanwhile; try again")
                    out = notefile.set_key(data, "tags", new)
                except notefile.EditRefused as exc:
                    log.warning("not changing the tags of %s: %s", note.path.name, exc)
                    refused.append((note.path, str(exc)))
                    continue
                except OSError as exc:
                    refused.append((note.path, f"cannot read it ({exc.strerror or exc})"))
                    continue
                self._vault.write_note_bytes(rel, out)
                changed_rels.append(rel)
            if changed_rels:
                self._sync(only=changed_rels)
        return TagsChanged(len(changed_rels), refused)

    def set_tags(self, note_ids, add=(), remove=()) -> TagsChanged:
        """Add and remove tags; returns the number of notes changed (``.refused``: the notes left
        unchanged, with the reason)."""
        if isinstance(note_ids, str):
            note_ids = [note_ids]
        add_n = tagmod.normalize_tags(add)
        remove_n = set(tagmod.normalize_tags(remove))
        return self._rewrite_tags(
            list(note_ids), lambda ts: tagmod.normalize_tags([t for t in ts if t not in remove_n] + add_n))

    def rename_tag(self, old, new) -> TagsChanged:
        old_n, new_n = tagmod.normalize_tag(old), tagmod.normalize_tag(new)
        if not old_n or not new_n or old_n == new_n:
            return TagsChanged(0)
        ids = self.catalog.ids_with_tag(old_n)
        return self._rewrite_tags(ids, lambda ts: tagmod.rename_in(ts, old_n, new_n))

    def delete_tag(self, name) -> TagsChanged:
        name_n = tagmod.normalize_tag(name)
        if not name_n:
            return TagsChanged(0)
        ids = self.catalog.ids_with_tag(name_n)
        return self._rewrite_tags(ids, lambda ts: tagmod.remove_in(ts, name_n))

    def suggest_tags(self, text, limit: int = 5, current=(), title: str = "") -> list[str]:
        """Tags for a note: tags in use that its words match, then its own telling words."""
        def doc_freq(word: str) -> int:
            with self._search_lock:
                return self._index.doc_frequency("body", word)

        try:
            count = self.catalog.count()
        except Exception:  # noqa: BLE001 -- suggestions are a nicety
            count = 0
        return tagmod.suggest(text or "", self.tags(), current=current, limit=limit, title=title,
                              doc_freq=doc_freq, doc_count=count)

    # --- trash ---------------------------------------------------------------------------
    def delete(self, note_id) -> TrashEntry:
        with self._writing():
            row = self.catalog.by_id(str(note_id))
            if row is None:
                raise KeyError(note_id)
            entry = self._vault.move_to_trash(row["path"], row["id"], row["title"])
            self._sync(only=[row["path"]])
            return entry

    def trash(self) -> list[TrashEntry]:
        return self._vault.trash_entries()

    def restore(self, note_id_or_trash_entry) -> Note:
        with self._writing():
            entry = note_id_or_trash_entry
            if not isinstance(entry, TrashEntry):
                matches = [e for e in self._vault.trash_entries() if e.id == str(entry)]
                if not matches:
                    raise KeyError(entry)
                entry = matches[-1]
            with contextlib.suppress(VaultError):
                found = conflicts.copy_of(self._vault.rel(entry.original_path))
                if found is not None and not self._vault.abs(found.note).exists():
                    # a conflict copy given up earlier, and its note is gone since: it comes back
                    # as the note (a copy of nothing would be hidden)
                    entry = dataclasses.replace(entry, original_path=self._vault.abs(found.note))
            rel = self._vault.restore_from_trash(entry)
            self._sync(only=[rel])
            found = conflicts.copy_of(rel)
            if found is not None:  # a conflict copy given up when a conflict was resolved
                rel = found.note
            row = self.catalog.by_path(rel)
            if row is None:
                raise VaultError(f"{Path(rel).name} is back in the vault as a conflict copy; its note is "
                                 "not there")
            return self.get(row["id"])

    # --- conflict copies -----------------------------------------------------------------
    def conflicts(self, paths=None) -> list[conflicts.Conflict]:
        """The conflict copies in the vault (``paths``: only those directly in these folders of
        the vault, a file standing for its folder), each with the note it is a version of."""
        if paths is None:
            return conflicts.find(self._vault)
        folders = set()
        for path in paths:
            try:
                rel = self._vault.rel(path)
            except (VaultError, ValueError):
                continue
            rel = "" if rel == "." else rel
            if rel and rel.lower().endswith(NOTE_SUFFIXES) and not self._vault.abs(rel).is_dir():
                rel = rel.rpartition("/")[0]  # a note file: its folder
            folders.add(rel)
        return conflicts.find(self._vault, sorted(folders))

    def conflict_versions(self, conflict: conflicts.Conflict) -> tuple[str, str]:
        """(the note's text, the copy's text) of a conflict, read through the vault's checks."""
        return conflicts.read_versions(self._vault, conflict)

    def resolve_conflict(self, copy, keep: str) -> conflicts.Resolution:
        """Settle the conflict of the copy ``copy`` (a path, or a Conflict): keep the ``"note"``,
        the ``"copy"`` or ``"both"`` (see :mod:`clipper.core.conflicts`); what is given up goes
        to the trash. The index follows at once."""
        with self._writing():
            rel = copy.copy if isinstance(copy, conflicts.Conflict) else self._vault.rel(copy)
            found = conflicts.copy_of(rel)
            if found is None:
                raise VaultError(f"{Path(rel).name} is not a conflict copy")
            result = conflicts.resolve(self._vault, found, keep)
            self._sync(only=result.changed)
            return result


def _trim_memory() -> None:
    """Hand the heap a first build freed back to the system (glibc keeps it otherwise: a
    third of the process's memory after 10,000 notes)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass


#: the least number of notes a helper process is given to build (fewer: not worth a process)
MIN_HELP = 500


def _build_notes(vault: str, index_dir: str, rels: list[str], poll=None):
    """Read the notes ``rels`` and write them into a new segment (:class:`SegmentBuilder`),
    here or in a helper process. Returns (BuiltSegment or None, catalog rows in document
    order); ids are unique among these notes (the caller checks them against the others).
    ``poll(done)`` is called every 50 notes: it may shorten ``rels`` (work taken over by
    the helper), and a true result stops the build early (what is done is kept)."""
    lib = Library(Path(vault), Path(index_dir))
    builder = SegmentBuilder(lib._index.folder)
    rows: list[dict] = []
    ids: dict = {}
    try:
        i = 0
        while i < len(rels):
            if poll is not None and i % 50 == 0 and i and poll(i):
                break
            rel = rels[i]
            i += 1
            try:
                p = lib._read(rel)
            except OSError:
                continue
            row = lib._row(p, lib._resolve_id(p, None, ids, {}, Changes()))
            builder.add_document(**lib._doc(row, p.body))
            rows.append(row)
        return builder.finish(), rows
    except BaseException:
        builder.cancel()
        raise


def _start_helper():
    """A helper process for building segments, or None (one core, in-process mode, no fork)."""
    from clipper.core import limits

    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    if cores < 2 or limits.in_process():
        return None
    try:
        return limits.Helper()
    except Exception as exc:  # noqa: BLE001 -- e.g. no process may be started here
        log.warning("no indexing helper process (%s)", exc)
        return None


class _BulkBuild:
    """The scheduling of :meth:`Library._sync_bulk`: ranges of ``changed`` are built here
    or by the helper and committed in order."""

    def __init__(self, lib: Library, changed, changes, progress, cancel, first_chunk):
        self.lib = lib
        self.changed = changed
        self.changes = changes
        self.progress = progress
        self.cancel = cancel
        self.first_chunk = first_chunk
        self.cursor = 0  # changed[cursor:] is not given to anyone yet
        self.done: dict = {}  # start -> (end, (built, rows))
        self.redo: list = []  # ranges the helper failed to build
        self.helper = None
        self.busy = None  # (start, end) the helper builds
        self.mine = None  # [start, rels] this process builds
        self.committed = 0  # changed[:committed] are committed
        self.ids_in_use: dict = {}
        self._mine_done = 0  # of self.mine

    def run(self) -> None:
        total = len(self.changed)
        if total >= 2 * MIN_HELP:
            self.helper = _start_helper()
        try:
            while True:
                self._commit_ready()
                if self._cancelled():
                    break
                if self.redo:
                    start, end = self.redo.pop(0)
                elif self.cursor < total:
                    size = BULK_CHUNK if self.cursor or not self.first_chunk else self.first_chunk
                    start, end = self._take(size)
                elif self.busy is not None:
                    self._collect(block=True)
                    continue
                else:
                    break
                rels = self.changed[start:end]
                self.mine = [start, rels]
                self._mine_done = 0
                self._feed()
                try:
                    result = _build_notes(str(self.lib.vault), str(self.lib.index_dir), rels, self._poll)
                finally:
                    self.mine = None
                self.done[start] = (start + len(rels), result)
            self._commit_ready()
        finally:
            if self.helper is not None:  # busy only if cancelled or failed: its part is dropped
                self.helper.close(kill=self.busy is not None)
                if self.busy is not None:
                    discard_stale_builds(self.lib._index.folder)
            for _end, (built, _rows) in self.done.values():  # not committed (cancelled)
                if built is not None:
                    discard_build(built.folder)
        if self.progress and total:
            self.progress(total, total, "Indexing notes")

    def _cancelled(self) -> bool:
        return self.cancel is not None and self.cancel.is_set()

    def _take(self, size: int) -> tuple[int, int]:
        start = self.cursor
        self.cursor = min(len(self.changed), start + size)
        return start, self.cursor

    def _feed(self) -> None:
        """Give the idle helper the next range: a chunk, half of what is left at the end, or
        the second half of what this process has still to build."""
        if self.helper is None or self.busy is not None or self._cancelled():
            return
        left = len(self.changed) - self.cursor
        if left:
            size = BULK_CHUNK if left >= 2 * BULK_CHUNK else max(MIN_HELP, (left + 1) // 2)
            start, end = self._take(size)
        elif self.mine is not None and len(self.mine[1]) - self._mine_done >= 2 * MIN_HELP:
            first, rels = self.mine
            keep = self._mine_done + (len(rels) - self._mine_done) // 2
            start, end = first + keep, first + len(rels)
            del rels[keep:]
        else:
            return
        if self.helper.send(_build_notes, str(self.lib.vault), str(self.lib.index_dir),
                            self.changed[start:end]):
            self.busy = (start, end)
        else:
            self._drop_helper(None)
            self.redo.append((start, end))

    def _poll(self, done: int) -> bool:
        self._mine_done = done
        self._collect(block=False)
        self._feed()
        if self.progress:
            self.progress(min(self.committed + done, len(self.changed)), len(self.changed), "Indexing notes")
        return self._cancelled()

    def _collect(self, block: bool) -> None:
        if self.busy is None or (not block and not self.helper.ready()):
            return
        start, end = self.busy
        self.busy = None
        try:
            self.done[start] = (end, self.helper.result())
        except Exception as exc:  # noqa: BLE001 -- the range is built here instead
            self._drop_helper(exc)
            self.redo.append((start, end))
            self.redo.sort()

    def _drop_helper(self, exc) -> None:
        log.warning("the indexing helper process failed (%s); going on without it", exc)
        self.helper.close()
        self.helper = None
        discard_stale_builds(self.lib._index.folder)  # what the helper left half written

    def _commit_ready(self) -> None:
        while self.committed in self.done:
            end, (built, rows) = self.done.pop(self.committed)
            try:
                self.lib._commit_segment(built, rows, self.ids_in_use, self.changes)
            except BaseException:
                if built is not None:
                    discard_build(built.folder)
                raise
            self.committed = end


def _cap_query(query) -> str:
    """``query`` cut (at a space) to MAX_QUERY_CHARS."""
    query = query or ""
    if len(query) <= MAX_QUERY_CHARS:
        return query
    cut = query.rfind(" ", 0, MAX_QUERY_CHARS + 1)
    return query[:cut if cut > 0 else MAX_QUERY_CHARS]


def _replace_word(query: str, word: str, fix: str) -> str:
    import re

    return re.sub(r"(?<!\w)" + re.escape(word) + r"(?!\w)", fix, query, count=1)
