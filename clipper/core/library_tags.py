"""Tags of the library's notes: :class:`TagsMixin` (the :class:`clipper.core.library.Library`'s
tag counts, add/remove, rename, delete and suggestions). Only the tags lines of a note's header
are ever rewritten (:func:`clipper.core.notefile.set_key`).

The mixin uses the Library's ``_vault``, ``_index``, ``catalog``, ``_search_lock``,
``_writing()``, ``get()`` and ``_sync()``.
"""

from __future__ import annotations

import logging
from pathlib import Path

from clipper.core import notefile
from clipper.core import tags as tagmod
from clipper.core.library_values import TagsChanged
from clipper.core.notekeys import sha256

log = logging.getLogger(__name__)


class TagsMixin:
    """Tag changes of :class:`clipper.core.library.Library`."""

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

    def suggest_tags(self, text, limit: int = 5, current=(), title: str = "",
                     language: str = "") -> list[str]:
        """Tags for a note: tags in use that its words match, then its own telling words."""
        def doc_freq(word: str) -> int:
            with self._search_lock:
                return self._index.doc_frequency("body", word)

        try:
            count = self.catalog.count()
        except Exception:  # noqa: BLE001 -- suggestions are a nicety
            count = 0
        return tagmod.suggest(text or "", self.tags(), current=current, limit=limit, title=title,
                              doc_freq=doc_freq, doc_count=count, language=language)
