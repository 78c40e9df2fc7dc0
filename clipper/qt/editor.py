"""The Markdown editor of one note: the whole file (front matter + body), save (Ctrl+S) and autosave.

Saving goes through ``save_requested`` (the window runs ``lib.save`` on the writer) with the hash
of the bytes that were loaded, so a note changed on disk meanwhile is not overwritten: the core
writes a conflict copy and the editor says where.
"""

from __future__ import annotations

import hashlib

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFont, QFontDatabase, QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

AUTOSAVE_MS = 1500


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class MarkdownEdit(QPlainTextEdit):
    """Text drops go into the text; dropped files and links are imports (handed to the window)."""

    import_dropped = Signal(object)  # QMimeData

    def _is_import(self, event) -> bool:
        return event.mimeData().hasUrls()

    def dragEnterEvent(self, event):  # noqa: N802
        if self._is_import(event):
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event):  # noqa: N802
        if self._is_import(event):
            event.acceptProposedAction()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event):  # noqa: N802
        if self._is_import(event):
            event.acceptProposedAction()
            self.import_dropped.emit(event.mimeData())
        else:
            super().dropEvent(event)


class NoteEditor(QWidget):
    save_requested = Signal(object, str, str)  # note id, text, base hash
    modified_changed = Signal(bool)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.note_id = None
        self.base_hash: str | None = None
        self.autosave = True
        self._saving = False
        self._resave = False

        self.text = MarkdownEdit(self)
        self.text.setAccessibleName("Note text (Markdown)")
        self.text.setTabChangesFocus(False)
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setStyleHint(QFont.StyleHint.Monospace)
        self.text.setFont(font)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.text.document().modificationChanged.connect(self._on_modified)
        self.text.textChanged.connect(self._on_text_changed)

        self.status = QLabel(self)
        self.status.setTextFormat(Qt.TextFormat.PlainText)  # error messages can hold file names
        self.status.setAccessibleName("Editor status")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.save_button = QPushButton("&Save", self)
        self.save_button.setToolTip("Save the note (Ctrl+S); changes are also saved as you pause")
        self.save_button.clicked.connect(self.save)

        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self.status, 1)
        bar.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.text, 1)
        layout.addLayout(bar)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(AUTOSAVE_MS)
        self._timer.timeout.connect(self._autosave)
        shortcut = QShortcut(QKeySequence.StandardKey.Save, self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(self.save)

    # -- loading -----------------------------------------------------------------------------
    def load(self, note_id, data: bytes) -> None:
        """Show the file's bytes; ``base_hash`` is their sha256 (what a save is checked against)."""
        self._timer.stop()
        new_hash = sha256(data)
        same = note_id is not None and note_id == self.note_id
        if same and new_hash == self.base_hash and not self.is_modified():
            return  # what is shown is what is on disk (e.g. our own save came back)
        cursor, scroll = self.text.textCursor().position(), self.text.verticalScrollBar().value()
        self.note_id = note_id
        self.base_hash = new_hash
        self.text.setPlainText(data.decode("utf-8", "replace"))
        self.text.document().setModified(False)
        if same:  # reloaded after a change on disk: stay where the user was
            c = self.text.textCursor()
            c.setPosition(min(cursor, len(self.text.toPlainText())))
            self.text.setTextCursor(c)
            self.text.verticalScrollBar().setValue(scroll)
        self.status.setText("")

    def is_modified(self) -> bool:
        return self.note_id is not None and self.text.document().isModified()

    # -- saving ------------------------------------------------------------------------------
    def save(self) -> bool:
        """Ask the window to save now (if there is anything to save)."""
        self._timer.stop()
        if not self.is_modified():
            return False
        if self._saving:
            self._resave = True  # save again once the running save is done
            return True
        self._saving = True
        self.status.setText("Saving…")
        self.text.document().setModified(False)
        self.save_requested.emit(self.note_id, self.text.toPlainText(), self.base_hash or "")
        return True

    def saved(self, note_id, new_hash: str, conflict_path=None) -> None:
        """The window reports a finished save."""
        self._saving = False
        if note_id != self.note_id:
            return
        if conflict_path:
            self.status.setText(
                "This note was changed on disk by another program. Your version was saved as "
                f"“{conflict_path.name}” next to it; the note itself was not overwritten.")
        else:
            self.base_hash = new_hash
            self.status.setText("Saved.")
        if self._resave:
            self._resave = False
            if self.is_modified():
                self.save()

    def save_failed(self, message: str) -> None:
        self._saving = False
        self._resave = False
        self.text.document().setModified(True)
        self.status.setText(f"Not saved: {message}")

    def _on_text_changed(self) -> None:
        if self.autosave and self.is_modified():
            self._timer.start()

    def _autosave(self) -> None:
        if self.autosave:
            self.save()

    def _on_modified(self, modified: bool) -> None:
        if modified and not self._saving:
            self.status.setText("Edited")
        self.modified_changed.emit(modified)
