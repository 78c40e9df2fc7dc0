"""Dialogs of the Tags menu: rename or merge a tag, delete a tag. Each picks the tag from the
tags in use (an editable list with completion), starting from the one selected in the sidebar."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
)

from clipper.core.tags import is_under, normalize_tag
from clipper.qt.widgets import dialog_layout


def _completer(tags, parent) -> QCompleter:
    completer = QCompleter(sorted(tags, key=str.casefold), parent)
    completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    completer.setFilterMode(Qt.MatchFlag.MatchContains)
    completer.popup().setAccessibleName("Matching tags")
    return completer


def _hint(parent) -> QLabel:
    hint = QLabel(parent)
    hint.setTextFormat(Qt.TextFormat.PlainText)
    hint.setWordWrap(True)
    return hint


def _layout(dialog, rows, hint, buttons) -> None:
    """The form's rows ``(label text, field)``, the hint below, then the buttons."""
    form = QFormLayout()
    for text, field in rows:
        label = QLabel(text, dialog)
        label.setBuddy(field)
        form.addRow(label, field)
    dialog_layout(dialog, form, hint, buttons)


def _picker(parent, tags: dict[str, int], current: str, name: str) -> QComboBox:
    box = QComboBox(parent)
    box.setEditable(True)
    box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    box.setAccessibleName(name)
    for tag in sorted(tags, key=str.casefold):
        box.addItem(tag, tag)
    box.setCompleter(_completer(tags, box))
    box.setCurrentIndex(box.findData(current) if current in tags else -1)
    if current not in tags:
        box.setEditText(current)
    box.setMinimumContentsLength(24)
    return box


def _count(tags: dict[str, int], name: str) -> int:
    """Notes tagged ``name`` or below it (an upper bound when both are on a note)."""
    return sum(n for tag, n in tags.items() if is_under(tag, name))


class _TagDialog(QDialog):
    """A tag picked among the tags in use (``picker``), a hint below saying what the change will
    do (kept up to date by ``_update``), then the buttons."""

    def __init__(self, title: str, tags: dict[str, int], current: str, picker_name: str, parent=None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.tags = dict(tags)
        self.picker = _picker(self, self.tags, current, picker_name)
        self.hint = _hint(self)
        self.picker.currentTextChanged.connect(lambda _t: self._update())

    def _finish(self, rows, buttons: QDialogButtonBox) -> None:
        self.buttons = buttons
        _layout(self, rows, self.hint, buttons)
        self._update()

    def _update(self) -> None:
        raise NotImplementedError


class RenameTagDialog(_TagDialog):
    """Rename a tag in every note; an existing name merges the two."""

    def __init__(self, tags: dict[str, int], current: str = "", parent=None):
        super().__init__("Rename or Merge Tag", tags, current, "Tag to rename", parent)
        self.old = self.picker
        self.new = QLineEdit(current, self)
        self.new.setAccessibleName("New name")
        self.new.setPlaceholderText("new name, or an existing tag to merge into")
        self.new.setCompleter(_completer(self.tags, self.new))
        self.new.setMinimumWidth(280)
        self.new.textChanged.connect(lambda _t: self._update())
        self._finish([("&Tag:", self.old), ("&New name:", self.new)],
                     QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                      | QDialogButtonBox.StandardButton.Cancel, self))
        (self.new if current in self.tags else self.old).setFocus()
        if current in self.tags:
            self.new.selectAll()

    def old_tag(self) -> str:
        return normalize_tag(self.old.currentText())

    def new_tag(self) -> str:
        return normalize_tag(self.new.text())

    def _update(self) -> None:
        old, new = self.old_tag(), self.new_tag()
        ok = bool(old and new and old != new and _count(self.tags, old))
        if not old or not _count(self.tags, old):
            self.hint.setText("Pick a tag that notes have." if old else "Pick the tag to rename.")
        elif not new or new == old:
            self.hint.setText("Type the new name.")
        elif new in self.tags:
            self.hint.setText(f"“{old}” will be merged into the existing tag “{new}”.")
        else:
            n = _count(self.tags, old)
            self.hint.setText(f"“{old}” will be renamed to “{new}” on {n} note{'s' if n != 1 else ''}"
                              " (tags nested below it follow).")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)


class DeleteTagDialog(_TagDialog):
    """Remove a tag (and the tags nested below it) from every note; the notes stay."""

    def __init__(self, tags: dict[str, int], current: str = "", parent=None):
        super().__init__("Delete Tag", tags, current, "Tag to delete", parent)
        self.tag = self.picker
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.delete_button = buttons.addButton("&Delete Tag", QDialogButtonBox.ButtonRole.AcceptRole)
        self._finish([("&Tag:", self.tag)], buttons)
        self.tag.setFocus()

    def chosen(self) -> str:
        return normalize_tag(self.tag.currentText())

    def _update(self) -> None:
        tag = self.chosen()
        n = _count(self.tags, tag) if tag else 0
        if n:
            self.hint.setText(f"“{tag}” will be removed from {n} note{'s' if n != 1 else ''}; "
                              "the notes themselves are kept.")
        else:
            self.hint.setText("Pick a tag that notes have." if tag else "Pick the tag to delete.")
        self.delete_button.setEnabled(bool(n))
