"""Tags of the selected notes: a comma-separated line with completion of the tag being typed, and
buttons for the suggested tags. Emits what to add and remove; the window applies it on the writer."""

from __future__ import annotations

from PySide6.QtCore import QStringListModel, Qt, Signal
from PySide6.QtWidgets import QCompleter, QHBoxLayout, QLabel, QLineEdit, QToolButton, QVBoxLayout, QWidget

from clipper.qt.search_box import ArticlePaste


def parse_tags(text: str) -> list[str]:
    out = []
    for raw in text.replace(";", ",").split(","):
        tag = raw.strip().lstrip("#").strip()
        if tag and tag not in out:
            out.append(tag)
    return out


class TagLine(ArticlePaste, QLineEdit):
    """A line edit whose completer completes only the tag after the last comma."""

    article_pasted = Signal()  # Ctrl+V of an article: the window imports it

    def __init__(self, parent=None):
        super().__init__(parent)
        self._model = QStringListModel(self)
        self.completer_ = QCompleter(self._model, self)
        self.completer_.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer_.setFilterMode(Qt.MatchFlag.MatchContains)
        self.completer_.setWidget(self)
        self.completer_.popup().setAccessibleName("Matching tags")
        self.completer_.activated.connect(self._insert_completion)
        self.textEdited.connect(self._update_completion)

    def set_known_tags(self, tags) -> None:
        self._model.setStringList(sorted(tags, key=str.casefold))

    def _current_prefix(self) -> str:
        return self.text()[: self.cursorPosition()].rsplit(",", 1)[-1].strip()

    def _update_completion(self, _text: str) -> None:
        prefix = self._current_prefix()
        if not prefix:
            self.completer_.popup().hide()
            return
        self.completer_.setCompletionPrefix(prefix)
        if self.completer_.completionCount():
            self.completer_.complete()
        else:
            self.completer_.popup().hide()

    def _insert_completion(self, tag: str) -> None:
        self.completer_.popup().hide()
        before = self.text()[: self.cursorPosition()]
        after = self.text()[self.cursorPosition():]
        head = before.rsplit(",", 1)[0] + ", " if "," in before else ""
        self.setText(f"{head}{tag}, {after.lstrip(', ')}".rstrip())
        self.setCursorPosition(len(head) + len(tag) + 2)

    def keyPressEvent(self, event):  # noqa: N802
        if self.completer_.popup().isVisible() and event.key() in (
                Qt.Key.Key_Enter, Qt.Key.Key_Return, Qt.Key.Key_Escape, Qt.Key.Key_Tab):
            event.ignore()  # the completer's popup handles these
            return
        super().keyPressEvent(event)


class TagEditor(QWidget):
    tags_edited = Signal(list, list)  # add, remove

    def __init__(self, parent=None):
        super().__init__(parent)
        self.label = QLabel("Ta&gs:", self)
        self.line = TagLine(self)
        self.line.setPlaceholderText("add tags, separated by commas")
        self.line.setAccessibleName("Tags of the selected notes")
        self.line.setToolTip("Tags of the selected notes, separated by commas; Enter applies")
        self.label.setBuddy(self.line)
        self.line.editingFinished.connect(self.apply)
        self.line.setMinimumWidth(240)
        self.suggest_label = QLabel("Suggested:", self)
        # the suggestions get a row of their own: beside the line they squeezed it unreadable
        self.suggestions = QWidget(self)
        self._suggest_box = QHBoxLayout(self.suggestions)
        self._suggest_box.setContentsMargins(0, 0, 0, 0)
        self._suggest_box.setSpacing(2)
        self._suggest_box.addWidget(self.suggest_label)
        self._suggest_box.addStretch(1)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.label)
        row.addWidget(self.line, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(row)
        layout.addWidget(self.suggestions)
        self._common: list[str] = []
        self.suggestion_buttons: list[QToolButton] = []
        self.set_suggestions([])

    def set_tags(self, common: list[str]) -> None:
        """The tags all selected notes share."""
        self._common = list(common)
        self.line.setText(", ".join(common))
        self.line.setModified(False)

    def current_tags(self) -> list[str]:
        return list(self._common)

    def set_known_tags(self, tags) -> None:
        self.line.set_known_tags(tags)

    def set_suggestions(self, tags) -> None:
        for button in self.suggestion_buttons:
            button.deleteLater()
        self.suggestion_buttons = []
        for tag in [t for t in tags if t not in self._common][:5]:
            button = QToolButton(self)
            button.setText(f"+{tag}")
            button.setAccessibleName(f"Add suggested tag {tag}")
            button.setToolTip(f"Add the tag “{tag}”")
            button.setAutoRaise(True)
            button.clicked.connect(lambda _=False, t=tag: self._add_suggestion(t))
            self._suggest_box.insertWidget(self._suggest_box.count() - 1, button)
            self.suggestion_buttons.append(button)
        self.suggestions.setVisible(bool(self.suggestion_buttons))

    def _add_suggestion(self, tag: str) -> None:
        if tag not in self._common:
            self.tags_edited.emit([tag], [])

    def apply(self) -> None:
        if self.line.completer_.popup().isVisible():
            return
        wanted = parse_tags(self.line.text())
        add = [t for t in wanted if t not in self._common]
        remove = [t for t in self._common if t not in wanted]
        if add or remove:
            self._common = wanted
            self.tags_edited.emit(add, remove)
