"""The note pane (right side of the window): the open note's header (title, details, tags,
actions), its rendered text or the editor, find in note, and what shows when no note is open.

Widgets only: the window loads notes, renders them (off the GUI thread) and saves them. Every
label showing note data is plain text; the details line is rich text built from escaped values.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from clipper.qt import icons
from clipper.qt.editor import NoteEditor
from clipper.qt.find_bar import FindBar
from clipper.qt.note_view import NoteView
from clipper.qt.tag_editor import TagEditor

EMPTY_VAULT = ("<p style='font-size:large'><b>Drop articles here</b></p>"
               "<p>Saved pages, .mhtml files, folders, links or a selection from your browser.<br>"
               "Or paste with <b>Ctrl+V</b>, and search with <b>Ctrl+F</b>.</p>")


class NotePane(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.title = QLabel(self)
        self.title.setTextFormat(Qt.TextFormat.PlainText)  # a title is note data: never markup
        self.title.setWordWrap(True)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.title.setAccessibleName("Note title")
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.45)
        font.setBold(True)
        self.title.setFont(font)
        self.meta = QLabel(self)
        self.meta.setWordWrap(True)
        self.meta.setTextFormat(Qt.TextFormat.RichText)  # escaped values and one link (see _meta_html)
        self.meta.setOpenExternalLinks(False)
        self.meta.setAccessibleName("Note details")
        self.tag_editor = TagEditor(self)
        self.tag_editor.line.setAcceptDrops(False)
        self.edit_button = icons.attach(QPushButton("E&dit", self), "edit")
        self.edit_button.setCheckable(True)
        self.edit_button.setToolTip("Edit the note's Markdown (Ctrl+E)")
        self.edit_button.setAccessibleName("Edit note")
        self.source_button = icons.attach(QPushButton("Open sou&rce", self), "open-source")
        self.source_button.setAccessibleName("Open the original web page")
        self.source_button.setToolTip("Open the page the note was clipped from in your web browser "
                                      "(Ctrl+Shift+B)")
        self.folder_button = icons.attach(QPushButton("Show in f&older", self), "folder")
        self.folder_button.setAccessibleName("Show the note's file in its folder")
        self.folder_button.setToolTip("Show the note's file in the file manager (Ctrl+Shift+F)")
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.edit_button)
        buttons.addWidget(self.source_button)
        buttons.addWidget(self.folder_button)
        buttons.addStretch(1)

        self.view = NoteView(self)
        self.view.setAcceptDrops(False)
        self.editor = NoteEditor(self)
        self.placeholder = QLabel(EMPTY_VAULT, self)
        self.placeholder.setAccessibleName("No note open")
        self.placeholder.setTextFormat(Qt.TextFormat.RichText)  # our own text; a query in it is escaped
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.placeholder.setMargin(24)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.placeholder)
        self.stack.addWidget(self.view)
        self.stack.addWidget(self.editor)
        self.find_bar = FindBar(self)

        self.header = QWidget(self)
        header = QVBoxLayout(self.header)
        header.setContentsMargins(4, 4, 4, 0)
        header.addWidget(self.title)
        header.addWidget(self.meta)
        header.addWidget(self.tag_editor)
        header.addLayout(buttons)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.header)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.find_bar)
        self.header.setVisible(False)

    # -- what is shown -----------------------------------------------------------------------
    @property
    def editing(self) -> bool:
        return self.stack.currentWidget() is self.editor

    def text_widget(self):
        """The widget holding the note's text now: the editor's text, or the preview."""
        return self.editor.text if self.editing else self.view

    def contains_focus(self, widget) -> bool:
        while widget is not None:
            if widget is self:
                return True
            widget = widget.parentWidget()
        return False

    # -- find in note ------------------------------------------------------------------------
    def open_find(self) -> None:
        target = self.text_widget()
        if target is self.view:
            mark = self.view.set_found
        else:
            mark = target.setExtraSelections
        self.find_bar.open_for(target, mark)

    def find_next(self, backward: bool = False) -> None:
        if not self.find_bar.isVisible() or self.find_bar.target is not self.text_widget():
            self.open_find()
            return
        (self.find_bar.find_previous if backward else self.find_bar.find_next)()

    def refresh_find(self) -> None:
        """The note's text changed: find again what the bar looks for."""
        if self.find_bar.isVisible():
            if self.find_bar.target is not self.text_widget():
                self.open_find()
            else:
                self.find_bar.update_matches(keep_position=True)
