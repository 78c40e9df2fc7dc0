"""The window's undo: Edit → Undo/Redo, deleting the selected notes and the undo bar that restores them
(each one core call: ``delete_many``, ``restore_many``)."""

from __future__ import annotations

from clipper.qt.window_common import UNDO_BAR_MS, plural


class UndoActions:
    """Mixin of :class:`clipper.qt.main_window.MainWindow`."""

    def undo(self) -> None:
        """Edit → Undo: typing in the editor when it has the focus, else the last delete."""
        if self.pane.editing and (self.editor.text.hasFocus() or not self._undo_stack):
            self.editor.text.undo()
        else:
            self.undo_delete()

    def redo(self) -> None:
        if self.pane.editing:
            self.editor.text.redo()

    def _update_undo(self) -> None:
        editor = self.pane.editing and self.editor.text.document().isUndoAvailable()
        self.act_undo.setEnabled(bool(self._undo_stack) or editor)
        self.act_redo.setEnabled(self.pane.editing and self.editor.text.document().isRedoAvailable())

    def delete_selected(self) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        for note_id in ids:
            self.results_model.remove_id(note_id)
        if self.current_note is not None and self.current_note.id in ids:
            self.editor.load(None, b"")
            self.show_note(None)
        lib = self.lib

        def done(entries):
            if not entries:  # gone meanwhile (another program): nothing to undo
                self._after_change()
                return
            self._undo_stack.append(list(entries))
            self._update_undo()
            self.undo_bar.show_message(f"Moved {plural(len(entries), 'note')} to the trash.",
                                       ("&Undo", self.undo_delete), timeout_ms=UNDO_BAR_MS)
            self.undo_button.setAccessibleName("Undo delete")
            self._after_change(reload_note=False)

        def failed(exc):
            self.notify(f"Could not delete: {exc}", error=True)
            self._after_change()

        self.writer.submit(lambda: lib.delete_many(ids), label="delete", done=done, failed=failed)

    def undo_delete(self) -> None:
        if not self._undo_stack:
            return
        entries = self._undo_stack.pop()
        self._update_undo()
        self.undo_bar.hide()
        lib = self.lib

        def done(notes):
            if notes:
                self._pending_select = notes[-1].id
            self.statusBar().showMessage(f"Restored {plural(len(notes), 'note')}.", 5000)
            self._after_change(reload_note=False)

        self.writer.submit(lambda: lib.restore_many(entries), label="restore", done=done,
                           failed=lambda exc: self.notify(f"Could not restore: {exc}", error=True))
