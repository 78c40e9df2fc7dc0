"""Find in the open note: a bar under the note (Ctrl+F there, F3 / Shift+F3 next and previous,
Escape closes) that marks every match in the preview or the editor and moves to one at a time."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QPalette, QTextCursor, QTextDocument
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QTextEdit, QToolButton, QWidget

MAX_FOUND = 2000  # matches marked at once (a one-letter search in a long note)


class FindBar(QWidget):
    """Finds in ``target`` (a QTextEdit or QPlainTextEdit); the matches are handed to
    ``mark(selections)`` so that the target can show them with its own marks."""

    closed = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setAccessibleName("Find in note")
        self.line = QLineEdit(self)
        self.line.setPlaceholderText("Find in note")
        self.line.setAccessibleName("Find in note")
        self.line.setClearButtonEnabled(True)
        for button in self.line.findChildren(QToolButton):  # the clear button
            button.setAccessibleName("Clear the text to find")
        self.count = QLabel(self)
        self.count.setAccessibleName("Matches in the note")
        self.count.setMinimumWidth(80)
        self.prev_button = QToolButton(self)
        self.prev_button.setText("↑")
        self.prev_button.setToolTip("Previous match (Shift+F3)")
        self.prev_button.setAccessibleName("Previous match")
        self.next_button = QToolButton(self)
        self.next_button.setText("↓")
        self.next_button.setToolTip("Next match (F3, Enter)")
        self.next_button.setAccessibleName("Next match")
        close = QToolButton(self)
        close.setText("✕")
        close.setAutoRaise(True)
        close.setAccessibleName("Close find")
        close.setToolTip("Close (Escape)")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.addWidget(QLabel("Find:", self))
        layout.addWidget(self.line, 1)
        layout.addWidget(self.count)
        layout.addWidget(self.prev_button)
        layout.addWidget(self.next_button)
        layout.addWidget(close)
        self.line.textChanged.connect(lambda _t: self.update_matches())
        self.line.returnPressed.connect(self.find_next)
        self.next_button.clicked.connect(self.find_next)
        self.prev_button.clicked.connect(self.find_previous)
        close.clicked.connect(self.close_bar)
        self.target = None
        self.mark = None  # callable(list of ExtraSelection)
        self._found: list[QTextCursor] = []
        self._current = -1
        self.hide()

    # -- opening and closing -----------------------------------------------------------------
    def open_for(self, target, mark) -> None:
        """Show the bar for ``target``; the target's selected text (one line) is the search."""
        if self.target is not None and self.target is not target and self.mark is not None:
            self.mark([])
        self.target, self.mark = target, mark
        picked = target.textCursor().selectedText()
        if picked and "\u2029" not in picked and len(picked) < 200:
            self.line.setText(picked)
        self.show()
        self.line.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.line.selectAll()
        self.update_matches()

    def close_bar(self) -> None:
        if self.mark is not None:
            self.mark([])
        self._found, self._current = [], -1
        self.hide()
        if self.target is not None:
            self.target.setFocus(Qt.FocusReason.OtherFocusReason)
        self.closed.emit()

    def keyPressEvent(self, event):  # noqa: N802
        if event.key() == Qt.Key.Key_Escape:
            self.close_bar()
            return
        super().keyPressEvent(event)

    # -- finding -----------------------------------------------------------------------------
    def update_matches(self, keep_position: bool = False) -> None:
        """Find every match again (the text or the note changed)."""
        if self.target is None:
            return
        needle = self.line.text()
        doc: QTextDocument = self.target.document()
        found: list[QTextCursor] = []
        if needle:
            cursor = QTextCursor(doc)
            while len(found) < MAX_FOUND:
                cursor = doc.find(needle, cursor)
                if cursor.isNull():
                    break
                found.append(cursor)
        here = self.target.textCursor().selectionStart() if keep_position or found else 0
        self._found = found
        after = (i for i, c in enumerate(found) if c.selectionStart() >= here)
        self._current = next(after, 0) if found else -1
        self._show_current()

    def find_next(self) -> None:
        self._step(1)

    def find_previous(self) -> None:
        self._step(-1)

    def _step(self, delta: int) -> None:
        if not self._found:
            self.update_matches()
            if not self._found:
                return
        else:
            self._current = (self._current + delta) % len(self._found)
        self._show_current()

    def _show_current(self) -> None:
        n = len(self._found)
        if not self.line.text():
            self.count.setText("")
        elif not n:
            self.count.setText("No match")
        else:
            more = "+" if n >= MAX_FOUND else ""
            self.count.setText(f"{self._current + 1} of {n}{more}")
        if self.mark is None:
            return
        pal = self.target.palette()
        every = QColor(pal.color(QPalette.ColorRole.Highlight))
        every.setAlpha(60)
        selections = []
        for i, cursor in enumerate(self._found):
            sel = QTextEdit.ExtraSelection()
            sel.cursor = cursor
            if i == self._current:
                sel.format.setBackground(pal.color(QPalette.ColorRole.Highlight))
                sel.format.setForeground(pal.color(QPalette.ColorRole.HighlightedText))
            else:
                sel.format.setBackground(every)
            selections.append(sel)
        self.mark(selections)
        if 0 <= self._current < n:
            cursor = QTextCursor(self._found[self._current])
            self.target.setTextCursor(cursor)
            self.target.ensureCursorVisible()

    def matches(self) -> int:
        return len(self._found)

    def current_text(self) -> str:
        if 0 <= self._current < len(self._found):
            return self._found[self._current].selectedText()
        return ""
