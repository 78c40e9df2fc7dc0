"""The Markdown editor of one note: the whole file (front matter + body) with syntax highlighting,
a live preview beside it that follows the cursor, undo/redo, save (Ctrl+S) and autosave.

Saving goes through ``save_requested`` (the window runs ``lib.save`` on the writer) with the hash
of the bytes that were loaded, so a note changed on disk meanwhile is not overwritten: the core
writes a conflict copy and the editor says where. The preview is the reader pane's own safe
view (:class:`clipper.qt.note_view.NoteView`); it is rendered off the GUI thread when the window
gives the editor a ``renderer``.
"""

from __future__ import annotations

import re

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QFontDatabase, QKeySequence, QShortcut, QTextCursor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from clipper.core.notekeys import sha256  # the one content hash (what a save is checked against)
from clipper.core.snippets import plain_text
from clipper.qt.markdown_highlighter import MarkdownHighlighter
from clipper.qt.note_view import NoteView, render
from clipper.qt.widgets import single_shot

AUTOSAVE_MS = 1500
PREVIEW_MS = 250  # the preview follows a moment after typing stops
FOLLOW_MS = 80
EDIT_LIMIT = 1_000_000  # bytes: bigger notes are not loaded into the editor (it would freeze)
HIGHLIGHT_LIMIT = 300_000  # characters: highlighting all of a bigger note would stall typing
_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n.*?\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)


def body_of(text: str) -> str:
    """The note's text without its front matter (what the preview shows)."""
    m = _FRONT_MATTER.match(text)
    return text[m.end():] if m else text


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
    preview_shown = Signal()  # the preview shows the text as it is now

    def __init__(self, parent=None):
        super().__init__(parent)
        self.note_id = None
        self.base_hash: str | None = None
        self.autosave = True
        self.renderer = None  # a TaskRunner for the preview (the window's); None: render here
        self.vault = None
        self.base_dir = None
        self._saving = False
        self._resave = False
        self._preview_token = 0
        self.too_large = False

        self.text = MarkdownEdit(self)
        self.text.setAccessibleName("Note text (Markdown)")
        self.text.setTabChangesFocus(False)
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setStyleHint(QFont.StyleHint.Monospace)
        self.text.setFont(font)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.text.document().modificationChanged.connect(self._on_modified)
        self.text.textChanged.connect(self._on_text_changed)
        self.text.cursorPositionChanged.connect(lambda: self._follow_timer.start())
        self.highlighter = MarkdownHighlighter(self.text.document(), self.text.palette())

        self.preview = NoteView(self)
        self.preview.setAccessibleName("Live preview")
        self.preview.setAcceptDrops(False)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("editor_splitter")
        self.splitter.addWidget(self.text)
        self.splitter.addWidget(self.preview)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([500, 500])

        self.status = QLabel(self)
        self.status.setTextFormat(Qt.TextFormat.PlainText)  # error messages can hold file names
        self.status.setAccessibleName("Editor status")
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.preview_button = QPushButton("&Preview", self)
        self.preview_button.setCheckable(True)
        self.preview_button.setChecked(True)
        self.preview_button.setToolTip("Show the rendered note beside the Markdown (Ctrl+Shift+E)")
        self.preview_button.setAccessibleName("Live preview beside the editor")
        self.preview_button.toggled.connect(self.set_preview_visible)
        self.save_button = QPushButton("&Save", self)
        self.save_button.setToolTip("Save the note (Ctrl+S); changes are also saved as you pause")
        self.save_button.clicked.connect(self.save)

        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self.status, 1)
        bar.addWidget(self.preview_button)
        bar.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter, 1)
        layout.addLayout(bar)

        self._timer = single_shot(self, AUTOSAVE_MS, self._autosave)
        self._preview_timer = single_shot(self, PREVIEW_MS, self.update_preview)
        self._follow_timer = single_shot(self, FOLLOW_MS, self.follow_cursor)
        shortcut = QShortcut(QKeySequence.StandardKey.Save, self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(self.save)
        toggle = QShortcut(QKeySequence("Ctrl+Shift+E"), self)
        toggle.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        toggle.activated.connect(self.preview_button.toggle)

    # -- loading -----------------------------------------------------------------------------
    @staticmethod
    def can_edit(size: int) -> bool:
        return size <= EDIT_LIMIT

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
        self.too_large = not self.can_edit(len(data))
        text = "" if self.too_large else data.decode("utf-8", "replace")
        # highlighting a very long note at once would hold the window up
        self.highlighter.setDocument(self.text.document() if len(text) <= HIGHLIGHT_LIMIT else None)
        self.text.setPlainText(text)
        self.text.setReadOnly(self.too_large)  # nothing typed here may replace the real note
        self.text.document().setModified(False)
        if same:  # reloaded after a change on disk: stay where the user was
            c = self.text.textCursor()
            c.setPosition(min(cursor, len(self.text.toPlainText())))
            self.text.setTextCursor(c)
            self.text.verticalScrollBar().setValue(scroll)
        self.status.setText(f"This note is too large to edit here ({len(data) // 2**20} MB); open it with "
                            "another editor (Note → Show in Folder)." if self.too_large else "")
        self.update_preview()

    def is_modified(self) -> bool:
        return self.note_id is not None and self.text.document().isModified()

    # -- preview -----------------------------------------------------------------------------
    def set_preview_visible(self, on: bool) -> None:
        self.preview.setVisible(on)
        for widget in (self.preview_button,):
            widget.blockSignals(True)
            widget.setChecked(on)
            widget.blockSignals(False)
        if on:
            self.update_preview()

    @property
    def preview_visible(self) -> bool:
        return self.preview_button.isChecked()

    def update_preview(self) -> None:
        """Render the text as it is now (off the GUI thread when there is a renderer)."""
        self._preview_timer.stop()
        if not self.preview_visible or self.note_id is None:
            return
        self._preview_token += 1
        token = self._preview_token
        body = body_of(self.text.toPlainText())
        self.preview.vault, self.preview.base_dir = self.vault, self.base_dir
        kwargs = dict(base_dir=self.base_dir, font=self.preview.reading_font(),
                      remote_images=self.preview.remote_images)

        def show(rendered):
            if token == self._preview_token:
                scroll = self.preview.verticalScrollBar().value()
                self.preview.show_rendered(rendered, self.base_dir)
                self.preview.verticalScrollBar().setValue(scroll)
                self.follow_cursor()
                self.preview_shown.emit()

        if self.renderer is None:
            show(render(body, **kwargs))
        elif self.renderer.closed:
            return  # the window is closing
        else:
            self.renderer.submit(render, body, label="preview", done=show, failed=lambda _exc: None, **kwargs)

    def follow_cursor(self) -> None:
        """Scroll the preview to what the cursor's line shows (the nearest match of its words
        to where that line sits in the note)."""
        if not self.preview_visible or self.preview.rendered is None:
            return
        block = self.text.textCursor().block()
        needle = ""
        while block.isValid() and not needle:
            needle = plain_text(block.text())[:60].strip()
            block = block.previous()
        doc = self.preview.document()
        total = max(1, self.text.document().blockCount())
        line = self.text.textCursor().blockNumber()
        bar = self.preview.verticalScrollBar()
        if line <= 0 or not needle:
            target = None
        else:
            guess = int(doc.characterCount() * line / total)
            after = doc.find(needle, max(0, guess - 2000))
            before = doc.find(needle, guess, doc.FindFlag.FindBackward) if guess else QTextCursor()
            options = [c for c in (after, before) if not c.isNull()]
            if not options:
                options = [c for c in (doc.find(needle),) if not c.isNull()]
            target = min(options, key=lambda c: abs(c.position() - guess)) if options else None
        if target is None:
            bar.setValue(int(bar.maximum() * line / total) if line > 0 else 0)
            return
        rect = self.preview.cursorRect(target)
        bar.setValue(bar.value() + rect.top() - self.preview.viewport().height() // 3)

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
        if self.preview_visible:
            self._preview_timer.start()

    def _autosave(self) -> None:
        if self.autosave:
            self.save()

    def _on_modified(self, modified: bool) -> None:
        if modified and not self._saving:
            self.status.setText("Edited")
        self.modified_changed.emit(modified)

    def changeEvent(self, event):  # noqa: N802
        if event.type() in (event.Type.PaletteChange, event.Type.ApplicationPaletteChange):
            self.highlighter.set_palette(self.text.palette())
        super().changeEvent(event)
