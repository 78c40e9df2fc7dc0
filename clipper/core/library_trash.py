"""The trash and conflict copies of the library: :class:`TrashMixin` (the
:class:`clipper.core.library.Library`'s delete, restore and conflict resolution). The files
move (:mod:`clipper.core.vault`, :mod:`clipper.core.conflicts`); the index follows at once.

The mixin uses the Library's ``_vault``, ``catalog``, ``_writing()``, ``get()`` and ``_sync()``.
"""

from __future__ import annotations

import contextlib
import dataclasses
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
