"""Bringing the index and catalog up to date with the note files: :class:`SyncMixin` (the
:class:`clipper.core.library.Library`'s sync, refresh and reindex) and the first build of a
large vault in segments, here and in a helper process (:class:`_BulkBuild`).

The mixin uses the Library's ``vault``, ``_vault``, ``_index``, ``catalog``, ``_writing()`` (the
write lock), ``_reset_index()`` and ``_catalog_version``.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from operator import itemgetter
from pathlib import Path

from clipper.core.catalog import Catalog
from clipper.core.errors import VaultError
from clipper.core.gcpause import collector_paused
from clipper.core.index import MAX_INDEXED_CHARS, SegmentBuilder, discard_build, discard_stale_builds
from clipper.core.library_read import Parsed, catalog_row, index_doc, read_note
from clipper.core.library_values import Changes
from clipper.core.notekeys import SKETCH_TEXT, GramKeys, path_id, text_sketch, valid_id, visible_spans
from clipper.core.vault import ATTACHMENTS

log = logging.getLogger(__name__)

#: a first build writes segments of up to this many notes. Each process holds one segment's
#: postings in memory while it builds it: at 10,000 notes Clipper's processes together peaked
#: at ~640 MB (PSS) in a 100,000-note first build, at 5,000 at ~460 MB. The query cost of twice
#: as many segments: each kind's p95 at 100,000 notes 3-8 ms higher (at most 20 ms). Not
#: below MERGE_TIERS' biggest limit (index.py): the segments of a first build are never merged.
BULK_CHUNK = 5_000


class SyncMixin:
    """File-to-index sync of :class:`clipper.core.library.Library`."""

    def _sync(self, progress=None, cancel=None, only: list[str] | None = None,
              first_chunk: int | None = None, pause=None) -> Changes:
        """Bring the index up to date with the files (all of them, or the paths in ``only``).

        A first build (empty catalog) is :meth:`_sync_bulk`. ``pause``: see :meth:`Vault.stats`.
        """
        changes = Changes()
        with self._writing():
            if only is None:
                files = self._vault.stats(pause)
                if self.catalog.same_file_stats(files):  # nothing changed (a reopen)
                    return changes
                listed, _saved = self.catalog.file_stats()
                if files == listed:  # nothing changed either, listed in another order
                    self.catalog.keep_file_stats(files)  # as scanned: the next open compares bytes
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
                    self.catalog.keep_file_stats(scanned=files)  # for the next open's comparison
                return changes
        # a first build: the write lock is taken for each segment's commit only
        self._sync_bulk(changed, changes, progress, cancel, first_chunk)
        if cancel is None or not cancel.is_set():
            with self._writing():
                self.catalog.keep_file_stats(scanned=files)
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
        with self._writing():
            self.catalog.drop_sketch_lookup()
        try:
            _BulkBuild(self, changed, changes, progress, cancel, first_chunk).run()
        finally:
            try:
                with self._writing():
                    self.catalog.ensure_indexes()
            except Exception as exc:  # noqa: BLE001 -- the next open makes it (Catalog())
                log.warning("the catalog's sketch index was not made again (%s)", exc)
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
                    p = read_note(self.vault, rel, whole=False)
                except OSError:
                    continue
                old = known.get(rel)
                if old is not None and old[3] == p.hash:
                    stat_only.append((rel, p.size, p.mtime_ns))
                    continue
                note_id = resolve_id(p, old, ids_in_use, gone_by_hash, changes)
                row = catalog_row(p, note_id)
                rows.append(row)
                doc = index_doc(row, p.body)
                if old is not None and old[0] != note_id and ids_in_use.get(old[0], rel) == rel:
                    # the file's id changed: the catalog replaces the path's row, and the index
                    # drops the old id's document with it (else it stays, unseen until a note
                    # gets that id again, found then by the old text's words); not when another
                    # file holds that id now (a note moved away keeps it: its document stays)
                    doc["_replaces"] = old[0]
                elif (old is None and note_id not in deletes
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

    def _sync_names(self) -> Changes:
        """Index the notes whose names the catalog does not list and drop those listed that
        are gone (added, deleted or renamed by other programs), from one listing of each
        folder's names: no stat call for the notes whose names stay (see
        :data:`clipper.core.library.CHECK_IN_BACKGROUND_AT`; :meth:`_sync` compares those).
        The same names in the same order as the listing saved last need nothing more."""
        with self._writing():
            names = self._vault.note_names()
            if self.catalog.same_names(names):
                return Changes()
            listed, saved = self.catalog.file_stats()
            differ = set(names).symmetric_difference(listed)
            if not differ:
                if saved:  # the next reopen compares these names with the string only
                    self.catalog.keep_names(names)
                return Changes()
            return self._sync(only=sorted(differ))

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
        with collector_paused():  # (the folder's notes on disk and in the catalog: see gcpause)
            disk, disk_dirs = self._vault.folder_stats(rel, recursive=False)
            known, known_dirs = self.catalog.folder(prefix)
            # only what differs goes on to _sync (which looks again, under the lock): a folder of
            # 10,000 notes where one arrived is one note to index, not 10,000 to compare twice
            # (set operations of the dicts' views: C loops; a comprehension over 100,000 notes
            # takes the GIL from the window for its turns over a second)
            out = set(map(itemgetter(0), disk.items() - known.items()))  # new or changed
            out |= known.keys() - disk.keys()  # gone
            for name in disk_dirs - known_dirs:  # a folder that arrived (moved in, synced)
                out |= set(self._vault.folder_stats(prefix + name)[0])
            for name in known_dirs - disk_dirs:  # a folder that went
                out |= set(self.catalog.stats_under(prefix + name + "/"))
            del disk, known  # (freed here, while the collector is paused)
        return out

    def watch_folders(self, limit: int = 100_000) -> list[Path]:
        """The folders a file watcher should watch to see notes arrive, change names or go."""
        return self._vault.note_folders(limit)

    def reindex(self, progress=None, cancel=None) -> None:
        """Rebuild the index and catalog from the files."""
        with self._writing():
            self._reset_index()
            self._sync(progress=progress, cancel=cancel)


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


def resolve_id(p: Parsed, old, ids_in_use: dict, gone_by_hash: dict, changes: Changes) -> str:
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


def _build_notes(vault: str, index_folder: str, rels: list[str], poll=None):
    """Read the notes ``rels`` and write them into a new segment (:class:`SegmentBuilder`),
    here or in a helper process. Returns (BuiltSegment or None, catalog rows in document
    order); ids are unique among these notes (the caller checks them against the others).
    ``poll(done)`` is called every 50 notes: it may shorten ``rels`` (work taken over by
    the helper), and a true result stops the build early (what is done is kept)."""
    builder = SegmentBuilder(index_folder)
    rows: list[dict] = []
    ids: dict = {}
    keys = GramKeys()
    try:
        i = 0
        while i < len(rels):
            if poll is not None and i % 50 == 0 and i and poll(i):
                break
            rel = rels[i]
            i += 1
            try:
                p = read_note(Path(vault), rel)
            except OSError:
                continue
            linked = visible_spans(p.body[:SKETCH_TEXT])  # before the index tokenizes the text
            row = catalog_row(p, resolve_id(p, None, ids, {}, Changes()), sketch=False)
            builder.add_document(**index_doc(row, p.body))
            row["sketch"] = _bulk_sketch(builder, keys, p.body, linked)
            rows.append(row)
        built = builder.finish()
        _trim_memory()  # the segment's posting pool is freed: hand it back before the next one
        return built, rows
    except BaseException:
        builder.cancel()
        raise


def _bulk_sketch(builder: SegmentBuilder, keys: GramKeys, body: str, linked) -> list[int]:
    """:func:`text_sketch` of the note just added to ``builder``, from the word ids the builder
    holds of its text (the sketch's tokens: :func:`body_value` keeps as many characters as the
    sketch reads); ``linked``: :func:`visible_spans` of the text, which leave out the tokens of
    link targets."""
    tail = builder.body_tokens() if SKETCH_TEXT == MAX_INDEXED_CHARS else None
    if tail is not None:
        ids, words = tail
        if linked is None:
            return keys.sketch(ids, words)
        if len(linked[0]) == len(ids):
            return keys.sketch(ids, words, linked[1])
    return text_sketch(body)


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


def helper_share(mine: float | None, helper: float | None) -> float:
    """The part of the last notes the helper should build so that both processes finish
    together, from their speeds (notes per second; None: not known yet). This process is the
    slower one (it also commits each segment), often by half: an even split left the helper
    idle, and each time it took half of what this process had left it made one more, smaller
    segment (a 100k first build ended in five of 5,000 down to 600 notes), and every segment
    costs each query a little."""
    if not mine or not helper:
        return 0.5
    return min(0.8, max(0.2, helper / (mine + helper)))


def end_size(left: int, mine_left: int, share: float) -> int:
    """How many of the ``left`` notes no one has yet the helper takes near the end (fewer than
    two chunks left), this process having ``mine_left`` still to build: its share of all that
    remains, so that this process's last chunk and the helper's end together; all of ``left``
    rather than a last chunk too small to be worth one."""
    size = max(MIN_HELP, min(BULK_CHUNK, round((left + mine_left) * share)))
    return left if left - size < MIN_HELP else min(size, left)


class _BulkBuild:
    """The scheduling of :meth:`SyncMixin._sync_bulk`: ranges of ``changed`` are built here
    or by the helper and committed in order."""

    def __init__(self, lib: SyncMixin, changed, changes, progress, cancel, first_chunk):
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
        self._mine_started = 0.0  # when this process started self.mine
        self._sent_at = 0.0  # when the helper was given self.busy
        self._rates: list = [None, None]  # notes per second: this process's, the helper's

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
                self._mine_started = time.monotonic()
                self._feed()
                try:
                    result = _build_notes(str(self.lib.vault), str(self.lib._index.folder), rels, self._poll)
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
        mine_left = len(self.mine[1]) - self._mine_done if self.mine is not None else 0
        share = helper_share(*self._rates)
        if left:
            size = BULK_CHUNK if left >= 2 * BULK_CHUNK else end_size(left, mine_left, share)
            start, end = self._take(size)
        elif mine_left >= 2 * MIN_HELP:
            first, rels = self.mine
            keep = len(rels) - max(MIN_HELP, min(mine_left - MIN_HELP, round(mine_left * share)))
            start, end = first + keep, first + len(rels)
            del rels[keep:]
        else:
            return
        if self.helper.send(_build_notes, str(self.lib.vault), str(self.lib._index.folder),
                            self.changed[start:end]):
            self.busy = (start, end)
            self._sent_at = time.monotonic()
        else:
            self._drop_helper(None)
            self.redo.append((start, end))

    def _poll(self, done: int) -> bool:
        self._mine_done = done
        spent = time.monotonic() - self._mine_started
        if spent > 0:
            self._rates[0] = done / spent
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
            spent = time.monotonic() - self._sent_at
            if spent > 0:
                self._rates[1] = (end - start) / spent
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
