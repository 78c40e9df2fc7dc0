"""Conflict copies in the app: a sidebar entry with their count, and a window that shows a note and
its copy side by side with the differences marked, settled in one click (keep the note, keep the
copy, keep both). The logic is :mod:`clipper.core.conflicts`; this module only shows it.

:class:`ConflictCenter` keeps the list (updated for the folders the vault watcher reports, and
whole on a full refresh), owns the sidebar button and the dialog, and runs every file access on
the window's workers: reading and comparing the two versions on the *reader*, resolving on the
*writer* (the one thread that changes the vault).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QPalette, QTextCharFormat, QTextCursor, QTextFormat
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from clipper.core import conflicts as core
from clipper.core.vault import NOTE_SUFFIXES

log = logging.getLogger(__name__)

CopyRole = Qt.ItemDataRole.UserRole + 1
#: background of lines that differ: the note's side, the copy's side, and a gap
COLOURS = {"left": QColor(230, 80, 80, 70), "right": QColor(70, 180, 90, 70),
           "gap": QColor(128, 128, 128, 40)}


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


class ConflictsButton(QToolButton):
    """The sidebar entry: "Conflicts (N)", shown only while there are conflict copies."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setAutoRaise(True)
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.setAccessibleName("Conflicts")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        font = self.font()
        font.setBold(True)
        self.setFont(font)
        self.set_count(0)

    def set_count(self, n: int) -> None:
        self.count = n
        self.setText(f"⚠ Conflicts ({n})")
        self.setToolTip(f"{_plural(n, 'note has', 'notes have')} another version beside it, made by a sync "
                        "engine or the editor: compare them and keep one, the other or both")
        self.setVisible(n > 0)


class _Side(QPlainTextEdit):
    def __init__(self, name: str, parent=None):
        super().__init__(parent)
        self.setReadOnly(True)
        self.setAccessibleName(name)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)  # rows stay aligned
        font = QFont("monospace")
        font.setStyleHint(QFont.StyleHint.TypeWriter)
        self.setFont(font)

    def show_lines(self, lines: list[str | None], marks: list[str | None]) -> None:
        self.setPlainText("\n".join("" if line is None else line for line in lines))
        selections = []
        block = self.document().firstBlock()
        for mark in marks:
            if not block.isValid():
                break
            if mark:
                sel = QTextEdit.ExtraSelection()
                fmt = QTextCharFormat()
                fmt.setBackground(COLOURS[mark])
                fmt.setProperty(QTextFormat.Property.FullWidthSelection, True)
                sel.format = fmt
                sel.cursor = QTextCursor(block)
                selections.append(sel)
            block = block.next()
        self.setExtraSelections(selections)


class ConflictDialog(QDialog):
    """The list of conflicts on top; the selected one's note (left) and copy (right) below."""

    load_requested = Signal(object)  # Conflict: read and compare its two versions
    resolve_requested = Signal(object, str)  # Conflict, "note" | "copy" | "both"
    versions_shown = Signal(object)  # Conflict now shown side by side

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Conflicts — Clipper")
        self.setAccessibleName("Conflicts")
        self.resize(1100, 680)
        self.current: core.Conflict | None = None
        self._busy = False

        self.list = QListWidget(self)
        self.list.setAccessibleName("Conflict copies")
        self.list.setMaximumHeight(130)
        self.list.currentItemChanged.connect(self._on_current)
        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        self.left_title, self.right_title = QLabel(self), QLabel(self)
        for label in (self.left_title, self.right_title):
            label.setTextFormat(Qt.TextFormat.PlainText)  # file names are data
            label.setWordWrap(True)
        self.left, self.right = _Side("The note", self), _Side("The conflict copy", self)
        # one scroll for both: the rows stay side by side
        self.left.verticalScrollBar().valueChanged.connect(self.right.verticalScrollBar().setValue)
        self.right.verticalScrollBar().valueChanged.connect(self.left.verticalScrollBar().setValue)
        self.summary = QLabel(self)
        self.summary.setAccessibleName("Differences")

        panes = QSplitter(Qt.Orientation.Horizontal, self)
        for title, view in ((self.left_title, self.left), (self.right_title, self.right)):
            box = QWidget(panes)
            lay = QVBoxLayout(box)
            lay.setContentsMargins(0, 0, 0, 0)
            lay.addWidget(title)
            lay.addWidget(view, 1)
            panes.addWidget(box)

        self.keep_note = QPushButton("Keep the &note", self)
        self.keep_note.setToolTip("The note stays as it is (left); the copy goes to the vault's trash")
        self.keep_copy = QPushButton("Keep the &copy", self)
        self.keep_copy.setToolTip("The copy's text (right) becomes the note; "
                                  "the note's text goes to the trash")
        self.keep_both = QPushButton("Keep &both", self)
        self.keep_both.setToolTip("The copy becomes a note of its own, “… (other version)”, beside the note")
        for button, keep in ((self.keep_note, "note"), (self.keep_copy, "copy"), (self.keep_both, "both")):
            button.clicked.connect(lambda _c=False, k=keep: self._resolve(k))
        buttons = QHBoxLayout()
        buttons.addWidget(self.summary, 1)
        for button in (self.keep_note, self.keep_copy, self.keep_both):
            buttons.addWidget(button)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        buttons.addWidget(close)

        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.list)
        layout.addWidget(panes, 1)
        layout.addLayout(buttons)
        self._set_enabled(False)

    # -- content -------------------------------------------------------------------------------
    def set_conflicts(self, found: list[core.Conflict], select: str | None = None) -> None:
        """Show ``found`` (keeping the selection, or selecting the copy ``select``)."""
        keep = select or (self.current.copy if self.current else None)
        self.list.blockSignals(True)
        self.list.clear()
        for c in found:
            note = Path(c.note).name if c.note_exists else f"{Path(c.note).name} (gone)"
            item = QListWidgetItem(f"{note}  ←  {Path(c.copy).name}   ·   {c.describe()}", self.list)
            item.setData(CopyRole, c)
            item.setToolTip(c.copy)
        self.list.blockSignals(False)
        n = len(found)
        self.intro.setText(
            f"{_plural(n, 'note has', 'notes have')} another version beside it. "
            "Compare the two and keep one, "
            "the other or both; what you give up goes to the vault's trash." if n else
            "No conflicts left: every note has one version.")
        rows = [i for i in range(self.list.count()) if self.list.item(i).data(CopyRole).copy == keep]
        if rows or self.list.count():
            self.list.setCurrentRow(rows[0] if rows else 0)
        else:
            self.current = None
            self._clear()

    def _clear(self) -> None:
        for view in (self.left, self.right):
            view.show_lines([], [])
        self.left_title.setText("")
        self.right_title.setText("")
        self.summary.setText("")
        self._set_enabled(False)

    def _on_current(self, item, _previous=None) -> None:
        conflict = item.data(CopyRole) if item is not None else None
        if conflict is None:
            return
        if self.current is not None and conflict == self.current and self.left.toPlainText():
            return
        self.current = conflict
        self.summary.setText("Reading…")
        self._set_enabled(False)
        self.load_requested.emit(conflict)

    def show_versions(self, conflict: core.Conflict, sbs: core.SideBySide) -> None:
        if conflict != self.current:
            return  # another one was chosen meanwhile
        self.left_title.setText(f"The note: {conflict.note}" if conflict.note_exists else
                                f"The note {conflict.note} is gone (deleted or renamed)")
        self.right_title.setText(f"The copy: {conflict.copy} — {conflict.describe()}")
        marks = {"same": (None, None), "changed": ("left", "right"), "removed": ("left", "gap"),
                 "added": ("gap", "right")}
        self.left.show_lines(sbs.left, [marks[k][0] for k in sbs.kinds])
        self.right.show_lines(sbs.right, [marks[k][1] for k in sbs.kinds])
        n = sbs.changes
        text = _plural(n, "place differs", "places differ") if n else "The two versions have the same text."
        if sbs.truncated:
            text += f" (the first {core.MAX_DIFF_LINES:,} lines compared)"
        self.summary.setText(text)
        self._busy = False
        self._set_enabled(True)
        self.keep_note.setEnabled(conflict.note_exists)
        first = next((i for i, k in enumerate(sbs.kinds) if k != "same"), 0)
        block = self.left.document().findBlockByNumber(max(0, first - 3))
        self.left.verticalScrollBar().setValue(block.firstLineNumber() if block.isValid() else 0)
        self.versions_shown.emit(conflict)

    def show_error(self, message: str) -> None:
        self._busy = False
        self.summary.setText(message)
        self._set_enabled(self.current is not None)

    def _set_enabled(self, on: bool) -> None:
        for button in (self.keep_note, self.keep_copy, self.keep_both):
            button.setEnabled(on and not self._busy)

    def _resolve(self, keep: str) -> None:
        if self.current is None or self._busy:
            return
        self._busy = True
        self._set_enabled(False)
        self.summary.setText("Saving…")
        self.resolve_requested.emit(self.current, keep)


class ConflictCenter(QObject):
    """The conflicts of the open vault: the sidebar button, the dialog, and keeping the list."""

    changed = Signal(int)  # how many conflict copies there are now
    resolved = Signal(object)  # a Resolution, once the index follows it

    def __init__(self, window, lib_getter, reader, writer):
        super().__init__(window)
        self.window = window
        self._lib = lib_getter
        self.reader = reader
        self.writer = writer
        self.found: dict[str, core.Conflict] = {}
        self.button = ConflictsButton(window)
        self.button.clicked.connect(lambda: self.show_dialog())
        self.dialog: ConflictDialog | None = None
        self._pending: set | None = None  # folders waiting while a listing runs
        self._listing = False

    # -- the list ------------------------------------------------------------------------------
    def refresh(self, paths=None) -> None:
        """Look again at the folders of ``paths`` (absolute, as the watcher gives them), or at
        the whole vault (None). Runs on the reader; one listing at a time."""
        if self._listing:
            if paths is None or self._pending == "all":
                self._pending = "all"
            else:
                self._pending = (self._pending or set()) | set(paths)
            return
        lib = self._lib()
        if lib is None:
            return
        self._listing = True
        arg = None if paths is None else sorted(paths)
        task = self.reader.submit(lib.conflicts, arg, label="conflicts",
                                  done=lambda found: self._take(lib, arg, found), failed=self._failed)
        if task is None:
            self._listing = False

    def _folders(self, lib, paths) -> set[str]:
        out = set()
        for path in paths:
            p = str(path)
            if p.lower().endswith(NOTE_SUFFIXES) and not os.path.isdir(p):
                p = os.path.dirname(p)
            try:
                rel = os.path.relpath(p, lib.vault).replace(os.sep, "/")
            except ValueError:
                continue
            out.add("" if rel == "." else rel)
        return out

    def _take(self, lib, paths, found) -> None:
        self._listing = False
        if lib is not self._lib():
            return  # another vault was opened meanwhile
        if paths is None:
            self.found = {c.copy: c for c in found}
        else:
            folders = self._folders(lib, paths)
            self.found = {k: c for k, c in self.found.items() if k.rpartition("/")[0] not in folders}
            self.found.update({c.copy: c for c in found})
        self._show()
        pending, self._pending = self._pending, None
        if pending is not None:
            self.refresh(None if pending == "all" else pending)

    def _failed(self, exc) -> None:
        self._listing = False
        log.warning("listing conflict copies failed: %s", exc)

    def conflicts(self) -> list[core.Conflict]:
        return sorted(self.found.values(), key=lambda c: (c.note.casefold(), c.copy.casefold()))

    def _show(self) -> None:
        self.button.set_count(len(self.found))
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.set_conflicts(self.conflicts())
        self.changed.emit(len(self.found))

    def reset(self) -> None:
        """Another vault is open: forget this one's list and look at the new one."""
        self.found = {}
        self._show()
        self.refresh()

    # -- the dialog ----------------------------------------------------------------------------
    def show_dialog(self, select: str | None = None) -> ConflictDialog:
        if self.dialog is None:
            self.dialog = ConflictDialog(self.window)
            self.dialog.load_requested.connect(self._load)
            self.dialog.resolve_requested.connect(self._resolve)
        self.dialog.set_conflicts(self.conflicts(), select=select)
        self.dialog.show()
        self.dialog.raise_()
        self.dialog.activateWindow()
        return self.dialog

    def _load(self, conflict) -> None:
        lib = self._lib()

        def work():
            note_text, copy_text = lib.conflict_versions(conflict)
            return core.side_by_side(note_text, copy_text)

        self.reader.submit(work, label="compare", done=lambda sbs: self.dialog.show_versions(conflict, sbs),
                           failed=lambda exc: self.dialog.show_error(f"Cannot read the two versions: {exc}"))

    def _resolve(self, conflict, keep: str) -> None:
        lib = self._lib()

        def done(result):
            self.found.pop(conflict.copy, None)
            self._show()
            self.refresh([lib.vault / conflict.copy])
            names = {"note": f"Kept {Path(result.note).name}",
                     "copy": f"{Path(result.note).name} now holds the other version",
                     "both": f"Kept both: {Path(result.note).name} and {Path(result.new_note or '').name}"}
            self.window.statusBar().showMessage(names[keep] + "; the other text is in the vault's trash."
                                                if keep != "both" else names[keep] + ".", 8000)
            if self.dialog is not None:
                self.dialog._busy = False
                if not self.found:
                    self.dialog.set_conflicts([])
                    QTimer.singleShot(900, self.dialog.accept)  # all settled: the view closes
            self.resolved.emit(result)

        def failed(exc):
            if self.dialog is not None:
                self.dialog.show_error(f"Not resolved: {exc}")
            self.refresh()

        self.writer.submit(lib.resolve_conflict, conflict, keep, label="resolve", done=done, failed=failed)


def palette_ok(widget: QWidget) -> bool:
    """The window's palette reads as dark (the diff colours are translucent either way)."""
    return widget.palette().color(QPalette.ColorRole.Base).lightness() < 128


def install(window) -> ConflictCenter:
    """Give the main window its conflicts: the sidebar entry above the tag tree, kept up to date
    from the vault watcher (the folders it reports: a copy is a new file, so its folder changes),
    F5 (the whole vault), a switch of vault, and the editor's own conflict copies; a resolution
    refreshes the window's results like any other change. Not on the 30 s timer: listing a
    100,000-note vault takes about a second of the reader. Called once, by the window."""
    center = ConflictCenter(window, lambda: window.lib, window.reader, window.writer)
    splitter = window.splitter
    index = splitter.indexOf(window.tag_tree)
    sidebar = QWidget(window)
    sidebar.setObjectName("sidebar")
    layout = QVBoxLayout(sidebar)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(2)
    splitter.replaceWidget(index, sidebar)  # the tag tree moves into the sidebar, same place
    layout.addWidget(center.button)
    layout.addWidget(window.tag_tree, 1)
    window.watcher.changed.connect(center.refresh)
    window.act_refresh.triggered.connect(lambda: center.refresh())
    window.vault_switched.connect(lambda _path: center.reset())
    window.saved.connect(lambda result: center.refresh([result.conflict_path])
                         if getattr(result, "conflict_path", None) else None)
    center.resolved.connect(lambda _result: window._after_change())
    # the first listing of the whole vault waits for the first results: queued on the reader
    # before the first search, it held the window's first list up by 1.5 s at 100,000 notes
    window.results_shown.connect(lambda: center.refresh(), Qt.ConnectionType.SingleShotConnection)
    return center
