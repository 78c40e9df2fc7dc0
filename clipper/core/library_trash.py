"""The trash and conflict copies of the library: :class:`TrashMixin` (the
:class:`clipper.core.library.Library`'s delete, restore and conflict resolution). The files
move (:mod:`clipper.core.vault`, :mod:`clipper.core.conflicts`); the index follows at once.

The mixin uses the Library's ``_vault``, ``catalog``, ``_writing()``, ``get()`` and ``_sync()``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
from pathlib import Path

from clipper.core import conflicts
from clipper.core.errors import VaultError
from clipper.core.library_values import Note
from clipper.core.vault import NOTE_SUFFIXES, TrashEntry


class TrashMixin:
    """Trash and conflict copies of :class:`clipper.core.library.Library`."""

    def delete(self, note_id) -> TrashEntry:
        with self._writing():
            row = self.catalog.by_id(str(note_id))
            if row is None:
                raise KeyError(note_id)
            entry = self._vault.move_to_trash(row["path"], row["id"], row["title"])
            self._sync(only=[row["path"]])
            return entry

    def delete_many(self, note_ids) -> list[TrashEntry]:
        """Move the notes to the trash under one hold of the write lock, with one index update;
        their trash entries, in order. Ids that are not (or no longer) notes of the vault, and
        notes whose file is gone meanwhile, are skipped. A note that cannot be moved stops the
        batch with a VaultError, once the notes moved before it are out of the index."""
        entries: list[TrashEntry] = []
        rels: list[str] = []
        moved: set[str] = set()  # the catalog still lists them until the index update
        with self._writing():
            try:
                for note_id in note_ids:
                    row = self.catalog.by_id(str(note_id))
                    if row is None or row["path"] in moved:
                        continue
                    try:
                        entries.append(self._vault.move_to_trash(row["path"], row["id"], row["title"]))
                    except VaultError:
                        if os.path.lexists(self._vault.abs(row["path"])):
                            raise
                        # gone meanwhile (another program): only the index has to follow
                    rels.append(row["path"])
                    moved.add(row["path"])
            finally:
                if rels:
                    self._sync(only=rels)
        return entries

    def trash(self) -> list[TrashEntry]:
        return self._vault.trash_entries()

    def restore(self, note_id_or_trash_entry) -> Note:
        with self._writing():
            [(rel, note)] = self._restore([note_id_or_trash_entry])
            if note is None:
                raise VaultError(f"{Path(rel).name} is back in the vault as a conflict copy; its note is "
                                 "not there")
            return note

    def restore_many(self, entries) -> list[Note]:
        """Bring trashed notes back (:class:`TrashEntry` objects or note ids, as :meth:`restore`)
        under one hold of the write lock, with one index update; their notes, in order (one back
        only as a conflict copy of a note not in the vault is in :meth:`conflicts` instead). An id
        not in the trash (KeyError) or an entry that cannot be restored (VaultError) stops the
        batch, once the notes restored before it are indexed."""
        with self._writing():
            return [note for _rel, note in self._restore(entries) if note is not None]

    def _restore(self, entries) -> list[tuple[str, Note | None]]:
        """(vault-relative path, the note or None when it came back as a conflict copy) of each."""
        rels: list[str] = []
        trashed = None  # the trash, listed once for the ids among ``entries``
        try:
            for entry in entries:
                if not isinstance(entry, TrashEntry):
                    if trashed is None:
                        trashed = self._vault.trash_entries()
                    matches = [e for e in trashed if e.id == str(entry)]
                    if not matches:
                        raise KeyError(entry)
                    entry = matches[-1]
                    trashed.remove(entry)
                with contextlib.suppress(VaultError):
                    found = conflicts.copy_of(self._vault.rel(entry.original_path))
                    if found is not None and not self._vault.abs(found.note).exists():
                        # a conflict copy given up earlier, and its note is gone since: it comes
                        # back as the note (a copy of nothing would be hidden)
                        entry = dataclasses.replace(entry, original_path=self._vault.abs(found.note))
                rels.append(self._vault.restore_from_trash(entry))
        finally:
            if rels:
                self._sync(only=rels)
        out = []
        for rel in rels:
            found = conflicts.copy_of(rel)
            if found is not None:  # a conflict copy given up when a conflict was resolved
                rel = found.note
            row = self.catalog.by_path(rel)
            out.append((rel, None if row is None else self.get(row["id"])))
        return out

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
