"""The window's tag actions: the sidebar, the tag line of the selected notes, rename, merge and delete;
each one core call plus feedback."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
)

from clipper.qt.results_model import IdRole
from clipper.qt.window_common import plural


class TagActions:
    """Mixin of :class:`clipper.qt.main_window.MainWindow`."""

    def reload_tags(self) -> None:
        lib = self.lib
        self.reader.submit(lib.tags, label="tags", done=self._show_tags,
                           failed=lambda exc: self.notify(f"Could not read the tags: {exc}", error=True))

    def _show_tags(self, counts) -> None:
        self.tag_tree.set_tags(counts)
        self.tag_editor.set_known_tags(counts.keys())

    def selected_ids(self) -> list:
        ids = [i.data(IdRole) for i in self.results.selectionModel().selectedRows()]
        if not ids and self.current_note is not None:
            ids = [self.current_note.id]
        return ids

    def _update_tag_editor(self) -> None:
        rows = self.results.selectionModel().selectedRows()
        hits = [self.results_model.hits()[i.row()] for i in rows]
        if not hits:
            return
        common = list(hits[0].tags or [])
        for hit in hits[1:]:
            common = [t for t in common if t in (hit.tags or [])]
        self.tag_editor.set_tags(common)

    def edit_tags(self, add, remove) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        self._write(self.lib.set_tags, ids, add=tuple(add), remove=tuple(remove),
                    message=f"Tags updated on {plural(len(ids), 'note')}.")

    def _sidebar_tag(self) -> str:
        tags = self.tag_tree.selected_tags()
        return tags[0] if tags else ""

    def _rename_selected_tag(self) -> None:
        self.rename_tag(self._sidebar_tag())

    def _delete_selected_tag(self) -> None:
        self.delete_tag(self._sidebar_tag())

    def rename_tag(self, old: str = "") -> None:
        """The rename dialog: the tag is picked from the tags in use (``old`` to start with)."""
        from clipper.qt.tag_dialogs import RenameTagDialog

        dialog = RenameTagDialog(self.tag_tree.counts(), old, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            old, new = dialog.old_tag(), dialog.new_tag()
            if old and new and old != new:
                self.rename_tag_to(old, new)

    def rename_tag_to(self, old: str, new: str) -> None:
        merged = new in self.tag_tree.counts()
        verb = "merged into" if merged else "renamed to"
        self._write(self.lib.rename_tag, old, new,
                    message=lambda n: f"Tag “{old}” {verb} “{new}” ({plural(n, 'note')}).",
                    after=lambda _n: self.tag_tree.select_tags([new]) if old in self.tag_tree.selected_tags()
                    else None)

    def delete_tag(self, tag: str = "") -> None:
        from clipper.qt.tag_dialogs import DeleteTagDialog

        dialog = DeleteTagDialog(self.tag_tree.counts(), tag, self)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.chosen():
            self.delete_tag_now(dialog.chosen())

    def delete_tag_now(self, tag: str) -> None:
        self._write(self.lib.delete_tag, tag,
                    message=lambda n: f"Tag “{tag}” removed from {plural(n, 'note')}.")
