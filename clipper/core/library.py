"""The note library: the vault of Markdown files plus its search index (the public Python API).

    from clipper import Library
    with Library.open("~/Notes") as lib:
        lib.import_file("article.html", tags=["reading"])
        for hit in lib.search('climate "sea level" tag:science'):
            print(hit.title, hit.snippet)

Files are the truth. The index (Whoosh) and the catalog (SQLite) live in a per-machine cache
folder (:func:`clipper.core.paths.index_dir_for`) and are rebuilt from the files whenever they
are missing, from another schema version, or fail to open. Opening compares the files with the
catalog (one walk of the folders: size + mtime, then a content hash) and updates only what
changed; :meth:`Library.refresh` does the same while the library is open. A big vault
(:data:`CHECK_IN_BACKGROUND_AT`) is compared by name before ``open`` returns and by size and
mtime in the background right after.

One writer at a time: a thread lock plus an inter-process ``flock`` on a file in the index
folder (:mod:`clipper.core.library_lock`), so the CLI and the app can run at once. Searches,
``tags()``, ``notes()`` and ``trash()`` never wait for it; ``get()`` and ``note_for_path()`` wait
for it only when the file changed on disk since it was indexed, or is not indexed yet (they
index it first, so that what they return and what a search finds agree).

This module is the door: :class:`Library` and the values it hands out
(:mod:`clipper.core.library_values`); its parts are mixins in ``library_*.py``.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from pathlib import Path

from clipper.core import catalog as catalogmod
from clipper.core import frontmatter, paths
from clipper.core import tags as tagmod
from clipper.core.catalog import Catalog
from clipper.core.errors import VaultError
from clipper.core.index import SCHEMA_VERSION, SearchIndex, discard_stale_builds
from clipper.core.library_lock import ProcessLock
from clipper.core.library_read import clean, clean_clip, first_heading, note_of, read_note
from clipper.core.library_search import SearchMixin
from clipper.core.library_sync import SyncMixin
from clipper.core.library_tags import TagsMixin
from clipper.core.library_trash import TrashMixin
from clipper.core.library_values import Changes, Hit, ImportResult, Note, SaveResult, TagsChanged
from clipper.core.model import Clip
from clipper.core.notekeys import (
    new_id,
    normalize_url,
    same_article,
    sha256,
    shingles,
    text_hash,
    text_sketch,
)
from clipper.core.textclean import is_site_home
from clipper.core.vault import TrashEntry, Vault, now_iso

log = logging.getLogger(__name__)

__all__ = ["Library", "Note", "Hit", "ImportResult", "SaveResult", "Changes", "TrashEntry", "TagsChanged"]

_SCHEMA_TAG = f"{SCHEMA_VERSION}.{catalogmod.VERSION}"  # index and catalog layouts

#: From this many notes on, ``open(wait=True)`` of an indexed vault compares the files' names
#: with the catalog before it returns (notes added, deleted or renamed while closed are
#: searchable at once) and their sizes and dates after, in the background (notes edited in
#: place are indexed within about a second): a stat call for each of 100,000 files was 0.7 s of
#: a 0.9 s reopen. Smaller vaults are compared in full before ``open`` returns.
CHECK_IN_BACKGROUND_AT = 20_000
#: a background comparison waits for a pause of this long in searches (seconds) ...
SEARCH_QUIET = 0.1
#: ... for this long at most after it began
DEFER_MAX = 10.0


class Library(SyncMixin, SearchMixin, TagsMixin, TrashMixin):
    """A vault plus its index. Use :meth:`open`; also a context manager.

    Its parts: :mod:`~clipper.core.library_sync` (refresh, sync_changed, reindex, watch_folders),
    :mod:`~clipper.core.library_search` (search, suggest, match_spans),
    :mod:`~clipper.core.library_tags` (tags, set_tags, rename_tag, delete_tag, suggest_tags),
    :mod:`~clipper.core.library_trash` (delete, restore, trash, conflicts, resolve_conflict);
    here: opening, reading, saving and importing notes.
    """

    def __init__(self, vault: Path, index_dir: Path):
        self.vault = Path(vault).expanduser().absolute()
        self.index_dir = Path(index_dir)
        self._vault = Vault(self.vault)
        self._lock = threading.RLock()
        self._search_lock = threading.RLock()
        self._searching = 0  # searches running now (see _after_searches)
        self._searching_lock = threading.Lock()
        self._no_search = threading.Event()  # set while _searching is 0
        self._no_search.set()
        self._last_search = 0.0  # time.monotonic() when the last search ended
        self._defer_until = 0.0  # a background comparison yields to searches until then
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
        a background thread (``indexing`` is True until done; search works meanwhile). For an
        indexed vault of :data:`CHECK_IN_BACKGROUND_AT` notes or more, ``wait`` returns once
        notes added or gone are indexed; notes edited in place follow in the background
        (``indexing`` is True until then, :meth:`wait_until_indexed` waits for it).
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
        notes = lib._open_index()
        if wait and notes >= CHECK_IN_BACKGROUND_AT:
            try:
                lib._sync_names()
            except Exception:  # noqa: BLE001 -- the full comparison that follows does it all
                log.exception("comparing the vault's file names with the catalog failed")
            wait = False
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
        self._defer_until = time.monotonic() + DEFER_MAX
        try:
            # in the background, a small first chunk makes the first notes searchable at once
            self._sync(progress=progress, cancel=self._cancel, first_chunk=1000 if background else None,
                       pause=self._after_searches if background else None)
        except Exception as exc:  # the app keeps working with what is indexed
            log.exception("indexing the vault failed")
            self.last_error = str(exc)
        finally:
            self._indexed.set()

    def _after_searches(self) -> None:
        """Called by a comparison of every file in the background, every 256 files: it waits
        while searches run and until none has run for :data:`SEARCH_QUIET` (searches come in
        bursts: as-you-type keystrokes, a list of queries), but only :data:`DEFER_MAX` after it
        began in all, so that notes edited in place are still indexed within seconds. The
        comparison shares the GIL with searches: without waiting, the searches in the seconds
        after a big vault's reopen took twice as long."""
        while True:
            now = time.monotonic()
            if now >= self._defer_until:
                return
            if self._searching:
                self._no_search.wait(min(0.05, self._defer_until - now))
                continue
            quiet = now - self._last_search
            if quiet >= SEARCH_QUIET:
                return
            time.sleep(min(SEARCH_QUIET - quiet, self._defer_until - now))

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

    def _open_index(self) -> int:
        """Open (or reset) index and catalog; the number of notes they hold."""
        with self._writing():
            discard_stale_builds(self._index.folder)  # of a build killed midway
            self.catalog = self._open_catalog()
            ok = False
            notes = 0
            try:
                if self.catalog.get_meta("schema") == _SCHEMA_TAG:
                    self._index.open()
                    notes = self.catalog.count()
                    ok = self._index.doc_count() == notes
            except Exception as exc:
                log.warning("the search index cannot be opened (%s); rebuilding it", exc)
            if not ok:
                self._reset_index()
                notes = 0
            self._catalog_version = self.catalog.data_version()
            return notes

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

    # --- notes ---------------------------------------------------------------------------
    def get(self, note_id) -> Note:
        row = self.catalog.by_id(str(note_id))
        if row is None:
            raise KeyError(note_id)
        try:
            p = read_note(self.vault, row["path"])
        except OSError:
            raise KeyError(note_id) from None
        if p.hash != row["hash"]:
            self._sync(only=[row["path"]])
            row = self.catalog.by_path(p.rel) or row
        return note_of(self._vault, p, row)

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

    def save(self, note_id, text: str, *, base_hash: str | None = None) -> SaveResult:
        """Save an edited note (whole text). If the file changed on disk since ``base_hash``,
        a conflict copy is written instead and ``conflict_path`` says where."""
        text = clean(text)
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
        clip = clean_clip(clip)
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
            title = clip.title or first_heading(body) or "Untitled"
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
