"""The main window: search box, tag sidebar, result list and note pane, wired to the library.

Every change to the vault runs on ``self.writer`` (one thread: imports, saves, tags, delete,
restore, refresh); searches and note loading run on ``self.reader``. The GUI thread only builds
widgets and shows results.
"""

from __future__ import annotations

import html
import logging
from pathlib import Path

from PySide6.QtCore import QFileSystemWatcher, QItemSelectionModel, QSize, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QActionGroup, QImage, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListView,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTextEdit,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from clipper.qt import fetch, importer
from clipper.qt.editor import NoteEditor, sha256
from clipper.qt.note_view import NoteView, open_external, system_open
from clipper.qt.report_dialog import ImportReportDialog
from clipper.qt.results_model import IdRole, ResultDelegate, ResultsModel, hit_date
from clipper.qt.search_box import SEARCH_HELP, SearchBox, SearchController
from clipper.qt.tag_editor import TagEditor
from clipper.qt.tag_tree import TagTree
from clipper.qt.workers import TaskRunner

log = logging.getLogger(__name__)

SORTS = [("relevance", "Relevance"), ("newest", "Newest first"), ("oldest", "Oldest first")]
SORT_MENU = {"relevance": "Sort by Rele&vance", "newest": "Ne&west First", "oldest": "O&ldest First"}
REFRESH_INTERVAL_MS = 30_000
UNDO_BAR_MS = 15_000
MAX_REMOTE_IMAGE = 8 * 1024 * 1024
PREWARM_MS = 1500

WELCOME_TITLE = "Welcome to Clipper"
WELCOME_MARKDOWN = """Clipper keeps web articles as clean Markdown notes in a folder on your computer \
and finds them again as you type.

## Add articles

- **Drop** saved pages (`.html`, `.mhtml`), Markdown or text files, or whole folders onto this window.
- **Drag** a selection or a link from your browser onto the window.
- **Paste** with **Ctrl+V** anywhere outside a text field, or use *File → Import from clipboard* \
(**Ctrl+Shift+V**). *Import clipboard as plain text* keeps the text as copied (broken characters repaired).
- *File → Import files…* (**Ctrl+O**) picks files.

## Find them

- Type in the **search box** (**Ctrl+F**): `"exact phrase"`, `word OR other`, `-leave_out`, `prefix*`, \
`tag:name`.
- Click a **tag** on the left to filter; **Ctrl+click** combines tags.
- **Ctrl+E** edits the selected note as Markdown; **Delete** moves it to the trash (**Ctrl+Z** undoes).

Every note is a plain `.md` file in your vault folder: open it with any editor, sync it, back it up.
You can delete this note once you have read it.
"""


def _is_text_input(widget) -> bool:
    if isinstance(widget, QLineEdit):
        return not widget.isReadOnly()
    if isinstance(widget, (QPlainTextEdit, QTextEdit)):
        return not widget.isReadOnly()
    return False


def _change_count(changes) -> int:
    """How many things a ``lib.refresh()`` result reports (its exact type belongs to the core)."""
    if changes is None:
        return 0
    if isinstance(changes, (int, bool)):
        return int(changes)
    try:
        return len(changes)
    except TypeError:
        pass
    total = 0
    for name in ("added", "changed", "updated", "modified", "removed", "deleted", "renamed", "moved"):
        value = getattr(changes, name, None)
        if value:
            total += len(value) if hasattr(value, "__len__") else int(bool(value))
    return total


class MainWindow(QMainWindow):
    results_shown = Signal()  # the result list shows the answer to the newest search
    note_shown = Signal(object)  # note id now in the note pane
    import_finished = Signal(object)  # ImportOutcome
    vault_changed = Signal()  # a change (import, save, tags, delete, restore, refresh) was applied
    saved = Signal(object)  # SaveResult

    def __init__(self, lib, settings, parent=None):
        super().__init__(parent)
        self.lib = lib
        self.settings = settings
        self.writer = TaskRunner("writer", self)
        self.reader = TaskRunner("reader", self)
        self.search = SearchController(self.reader, lambda: self.lib, self)
        self.current_note = None  # the Note in the note pane
        self._pending_select = None  # note id to select when the next results arrive
        self._load_token = 0  # rises with each note load; older loads are dropped
        self._undo_stack: list[list] = []  # lists of TrashEntry, newest last
        self._imports: dict[int, object] = {}  # running or queued import tasks by id
        self.last_report: ImportReportDialog | None = None
        self._closing = False
        self.instance_server = None  # set by the app: later launches on this vault hand over to it
        self._images: TaskRunner | None = None  # fetches remote images, made when first needed
        self._remote_images: set[str] = set()

        self.setWindowTitle("Clipper")
        self.setAcceptDrops(True)
        self._build_widgets()
        self._build_actions()
        self._build_menus()
        self._connect()
        self._restore_state()

        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(800)
        self._refresh_timer.timeout.connect(self.refresh_from_disk)
        self._periodic = QTimer(self)
        self._periodic.setInterval(REFRESH_INTERVAL_MS)
        self._periodic.timeout.connect(self.refresh_from_disk)
        self._periodic.start()
        self._watcher = QFileSystemWatcher(self)
        self._watch_vault()
        self._watcher.directoryChanged.connect(lambda _p: self._refresh_timer.start())
        self._indexing_timer = QTimer(self)
        self._indexing_timer.setInterval(400)
        self._indexing_timer.timeout.connect(self._check_indexing)
        self._check_indexing()

        self.run_search()
        self.reload_tags()
        # Load the import pipeline in the background once the window is up, so the first drop
        # does not stall the window while Python imports it.
        QTimer.singleShot(PREWARM_MS, self._prewarm)

    def _prewarm(self) -> None:
        if not self._closing:
            self.writer.submit(importer.prewarm, label="prewarm",
                               failed=lambda exc: log.info("pipeline not preloaded: %s", exc))

    # ------------------------------------------------------------------ building
    def _build_widgets(self) -> None:
        self.search_box = SearchBox(self)
        self.search_box.setAcceptDrops(False)  # a drop anywhere on the window imports
        self.sort_box = QComboBox(self)
        self.sort_box.setAccessibleName("Sort results")
        self.sort_box.setToolTip("Sort the results")
        self.sort_box.view().setAccessibleName("Sort choices")
        for key, text in SORTS:
            self.sort_box.addItem(text, key)

        toolbar = QToolBar("Search", self)
        toolbar.setObjectName("search_toolbar")
        toolbar.setMovable(False)
        toolbar.setFloatable(False)
        toolbar.setIconSize(QSize(16, 16))
        toolbar.addWidget(self.search_box)
        help_button = QToolButton(self)
        help_button.setText("?")
        help_button.setToolTip(SEARCH_HELP)
        help_button.setAccessibleName("Search help")
        help_button.clicked.connect(self.show_search_help)
        toolbar.addWidget(help_button)
        toolbar.addWidget(self.sort_box)
        self.import_button = QToolButton(self)
        self.import_button.setText("Import…")
        self.import_button.setAccessibleName("Import files")
        self.import_button.setToolTip("Import saved pages, Markdown or text files (Ctrl+O); "
                                      "the arrow offers folders and the clipboard")
        self.import_button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        toolbar.addWidget(self.import_button)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, toolbar)
        self.toolbar = toolbar

        # Left: tags
        self.tag_tree = TagTree(self)
        self.tag_tree.setAcceptDrops(False)
        self.tag_tree.setMinimumWidth(120)

        # Middle: results (or a line saying there are none)
        self.results_model = ResultsModel(self)
        self.results = QListView(self)
        self.results.setModel(self.results_model)
        self.results.setItemDelegate(ResultDelegate(self.results))
        self.results.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.results.setUniformItemSizes(True)
        self.results.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.results.setAcceptDrops(False)
        self.results.setAccessibleName("Search results")
        self.results.setMinimumWidth(220)
        self.results.installEventFilter(self)
        self.empty_label = QLabel(self)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.empty_label.setAccessibleName("No results")
        self.empty_label.setMargin(16)
        self.empty_label.setTextFormat(Qt.TextFormat.RichText)
        self.results_stack = QStackedWidget(self)
        self.results_stack.addWidget(self.results)
        self.results_stack.addWidget(self.empty_label)

        # Right: the note
        self.note_title = QLabel(self)
        self.note_title.setTextFormat(Qt.TextFormat.PlainText)  # a title is data, never markup
        self.note_title.setWordWrap(True)
        self.note_title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.note_title.setAccessibleName("Note title")
        font = self.note_title.font()
        font.setPointSizeF(font.pointSizeF() * 1.45)
        font.setBold(True)
        self.note_title.setFont(font)
        self.note_meta = QLabel(self)
        self.note_meta.setWordWrap(True)
        self.note_meta.setTextFormat(Qt.TextFormat.RichText)
        self.note_meta.setOpenExternalLinks(False)
        self.note_meta.setAccessibleName("Note details")
        self.note_meta.setForegroundRole(self.note_meta.foregroundRole())
        self.tag_editor = TagEditor(self)
        self.tag_editor.line.setAcceptDrops(False)
        self.edit_button = QPushButton("&Edit", self)
        self.edit_button.setCheckable(True)
        self.edit_button.setToolTip("Edit the note's Markdown (Ctrl+E)")
        self.edit_button.setAccessibleName("Edit note")
        self.folder_button = QPushButton("Show in &folder", self)
        self.folder_button.setAccessibleName("Show the note's file in its folder")
        self.source_button = QPushButton("Open &source", self)
        self.source_button.setAccessibleName("Open the original web page")
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.edit_button)
        buttons.addWidget(self.source_button)
        buttons.addWidget(self.folder_button)
        buttons.addStretch(1)

        self.note_view = NoteView(self)
        self.note_view.setAcceptDrops(False)
        self.note_view.vault = Path(self.lib.vault)
        self.note_view.remote_images = self.settings.get("remote_images")
        self.editor = NoteEditor(self)
        self.editor.autosave = self.settings.get("autosave")
        self.placeholder = QLabel(
            "<p style='font-size:large'><b>Drop articles here</b></p>"
            "<p>Saved pages, .mhtml files, folders, links or a selection from your browser.<br>"
            "Or paste with <b>Ctrl+V</b>, and search with <b>Ctrl+F</b>.</p>", self)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.note_stack = QStackedWidget(self)
        self.note_stack.addWidget(self.placeholder)
        self.note_stack.addWidget(self.note_view)
        self.note_stack.addWidget(self.editor)

        self.note_header = QWidget(self)
        header = QVBoxLayout(self.note_header)
        header.setContentsMargins(4, 4, 4, 0)
        header.addWidget(self.note_title)
        header.addWidget(self.note_meta)
        header.addWidget(self.tag_editor)
        header.addLayout(buttons)
        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.note_header)
        right_layout.addWidget(self.note_stack, 1)
        self.note_header.setVisible(False)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("main_splitter")
        self.splitter.addWidget(self.tag_tree)
        self.splitter.addWidget(self.results_stack)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setStretchFactor(2, 2)
        self.splitter.setSizes([170, 360, 560])
        self.splitter.setChildrenCollapsible(False)

        # Undo bar (after a delete)
        self.undo_bar = QFrame(self)
        self.undo_bar.setFrameShape(QFrame.Shape.StyledPanel)
        self.undo_bar.setAccessibleName("Undo bar")
        self.undo_label = QLabel(self.undo_bar)
        self.undo_button = QPushButton("&Undo", self.undo_bar)
        self.undo_button.setAccessibleName("Undo delete")
        undo_close = QToolButton(self.undo_bar)
        undo_close.setText("✕")
        undo_close.setAccessibleName("Close the undo bar")
        undo_close.setAutoRaise(True)
        undo_close.clicked.connect(lambda: self.undo_bar.hide())
        bar = QHBoxLayout(self.undo_bar)
        bar.setContentsMargins(8, 2, 4, 2)
        bar.addWidget(self.undo_label, 1)
        bar.addWidget(self.undo_button)
        bar.addWidget(undo_close)
        self.undo_bar.hide()
        self._undo_timer = QTimer(self)
        self._undo_timer.setSingleShot(True)
        self._undo_timer.setInterval(UNDO_BAR_MS)
        self._undo_timer.timeout.connect(self.undo_bar.hide)

        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(4, 0, 4, 0)
        layout.setSpacing(4)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.undo_bar)
        self.setCentralWidget(central)

        # Status bar: messages, result count, indexing, progress + cancel
        status = self.statusBar()
        self.count_label = QLabel(self)
        self.count_label.setAccessibleName("Number of results")
        self.indexing_label = QLabel("Indexing…", self)
        self.indexing_label.setToolTip("Clipper is bringing its search index up to date; "
                                       "results may be incomplete for a moment")
        self.indexing_label.hide()
        self.progress = QProgressBar(self)
        self.progress.setAccessibleName("Import progress")
        self.progress.setMaximumWidth(220)
        self.progress.setTextVisible(True)
        self.progress.hide()
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setAccessibleName("Cancel the import")
        self.cancel_button.hide()
        status.addPermanentWidget(self.indexing_label)
        status.addPermanentWidget(self.progress)
        status.addPermanentWidget(self.cancel_button)
        status.addPermanentWidget(self.count_label)
        self.resize(1180, 760)

    def _action(self, text, slot, shortcut=None, tip="", context=None) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            if isinstance(shortcut, (list, tuple)):
                action.setShortcuts([QKeySequence(s) for s in shortcut])
            else:
                action.setShortcut(QKeySequence(shortcut))
        if context is not None:
            action.setShortcutContext(context)
        if tip:
            action.setStatusTip(tip)
            action.setToolTip(tip)
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        a = self._action
        self.act_import_files = a("&Import Files…", self.import_files_dialog, QKeySequence.StandardKey.Open,
                                  "Import saved pages, .mhtml, Markdown or text files")
        self.act_import_folder = a("Import &Folder…", self.import_folder_dialog, "Ctrl+Shift+O",
                                   "Import every page in a folder")
        self.act_paste = a("&Paste (Import)", self.paste, QKeySequence.StandardKey.Paste,
                           "Import the clipboard (in a text field: normal paste)")
        self.act_import_clipboard = a("Import from &Clipboard", self.import_clipboard, "Ctrl+Shift+V",
                                      "Import what the clipboard holds (HTML first, then text)")
        self.act_import_plain = a("Import Clipboard as &Plain Text",
                                  lambda: self.import_clipboard(plain=True),
                                  "Ctrl+Alt+Shift+V",
                                  "Import the clipboard's text as it is (broken characters repaired)")
        self.act_import_raw = a("Import Clipboard &Unchanged", lambda: self.import_clipboard(raw=True), None,
                                "Import the clipboard's text exactly as it is, without repairing characters")
        self.act_settings = a("&Settings…", self.show_settings, QKeySequence.StandardKey.Preferences)
        if self.act_settings.shortcut().isEmpty():
            self.act_settings.setShortcut(QKeySequence("Ctrl+,"))
        self.act_quit = a("&Quit", self.close, QKeySequence.StandardKey.Quit)
        if self.act_quit.shortcut().isEmpty():
            self.act_quit.setShortcut(QKeySequence("Ctrl+Q"))

        self.act_find = a("&Find", self.focus_search, ["Ctrl+F", "Ctrl+L"], "Go to the search box")
        self.act_results = a("Go to Res&ults", lambda: self.results.setFocus(), "Ctrl+2")
        self.act_tags = a("Go to &Tags", lambda: self.tag_tree.setFocus(), "Ctrl+1")
        self.act_note = a("Go to &Note", self.focus_note, "Ctrl+3")
        self.act_edit = a("&Edit Note", self.toggle_edit, "Ctrl+E", "Edit the note's Markdown")
        self.act_edit.setCheckable(True)
        self.act_save = a("&Save Note", self.editor.save, None, "Save the note being edited (Ctrl+S)")
        self.act_tag_edit = a("Edit &Tags of Selected Notes", self.focus_tag_editor, "Ctrl+T")
        self.act_delete = a("&Delete Note", self.delete_selected, QKeySequence.StandardKey.Delete,
                            "Move the selected notes to the vault's trash",
                            Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.results.addAction(self.act_delete)
        self.removeAction(self.act_delete)
        self.act_undo = a("&Undo Delete", self.undo_delete, QKeySequence.StandardKey.Undo)
        self.act_undo.setEnabled(False)
        self.act_open_source = a("Open &Source in Browser", self.open_source, "Ctrl+Shift+B")
        self.act_show_folder = a("Show in &Folder", self.show_in_folder, "Ctrl+Shift+F")
        self.act_refresh = a("&Refresh", self.refresh_from_disk, QKeySequence.StandardKey.Refresh,
                             "Pick up notes changed outside Clipper")
        if self.act_refresh.shortcut().isEmpty():
            self.act_refresh.setShortcut(QKeySequence("F5"))
        self.act_search_help = a("Search &Help", self.show_search_help, QKeySequence.StandardKey.HelpContents)
        self.act_about = a("&About Clipper", self.show_about)
        self.act_rename_tag = a("&Rename or Merge Tag…", self._rename_selected_tag, None,
                                "Rename the tag selected in the sidebar (an existing name merges)")
        self.act_delete_tag = a("Delete T&ag…", self._delete_selected_tag, None,
                                "Remove the tag selected in the sidebar from its notes")

        self.sort_group = QActionGroup(self)
        self.sort_actions = {}
        for key in SORT_MENU:
            act = QAction(SORT_MENU[key], self)
            act.setCheckable(True)
            act.triggered.connect(lambda _c=False, k=key: self.set_sort(k))
            self.sort_group.addAction(act)
            self.sort_actions[key] = act

    def _build_menus(self) -> None:
        import_menu = QMenu(self.import_button)
        for act in (self.act_import_files, self.act_import_folder, self.act_import_clipboard,
                    self.act_import_plain, self.act_import_raw):
            import_menu.addAction(act)
        self.import_button.setMenu(import_menu)
        bar = self.menuBar()
        m = bar.addMenu("&File")
        for act in (self.act_import_files, self.act_import_folder, None, self.act_import_clipboard,
                    self.act_import_plain, self.act_import_raw, None, self.act_settings, None,
                    self.act_quit):
            m.addSeparator() if act is None else m.addAction(act)
        m = bar.addMenu("&Edit")
        for act in (self.act_undo, None, self.act_paste, None, self.act_edit, self.act_save,
                    self.act_tag_edit, None, self.act_delete):
            m.addSeparator() if act is None else m.addAction(act)
        m = bar.addMenu("&View")
        for act in (self.act_find, self.act_tags, self.act_results, self.act_note, None):
            m.addSeparator() if act is None else m.addAction(act)
        for act in self.sort_actions.values():
            m.addAction(act)
        m.addSeparator()
        m.addAction(self.act_refresh)
        m = bar.addMenu("&Note")
        m.addAction(self.act_open_source)
        m.addAction(self.act_show_folder)
        m = bar.addMenu("&Tags")
        m.addAction(self.act_tag_edit)
        m.addSeparator()
        m.addAction(self.act_rename_tag)
        m.addAction(self.act_delete_tag)
        m = bar.addMenu("&Help")
        m.addAction(self.act_search_help)
        m.addAction(self.act_about)

    def _connect(self) -> None:
        self.search_box.query_changed.connect(lambda _q: self.run_search(as_you_type=True))
        self.empty_label.linkActivated.connect(self._use_suggestion)
        self.search_box.focus_results.connect(self._focus_first_result)
        self.sort_box.currentIndexChanged.connect(lambda _i: self.set_sort(self.sort_box.currentData()))
        self.search.results_ready.connect(self._show_results)
        self.search.search_failed.connect(lambda msg: self.statusBar().showMessage(f"Search failed: {msg}",
                                                                                    8000))
        self.tag_tree.tags_selected.connect(lambda _tags: self.run_search())
        self.tag_tree.rename_requested.connect(self.rename_tag)
        self.tag_tree.delete_requested.connect(self.delete_tag)
        sel = self.results.selectionModel()
        sel.currentChanged.connect(lambda cur, _prev: self._on_current_changed(cur))
        sel.selectionChanged.connect(lambda *_: self._update_tag_editor())
        self.results.activated.connect(lambda _i: self.focus_note())
        self.import_button.clicked.connect(self.import_files_dialog)
        self.edit_button.toggled.connect(self.set_editing)
        self.folder_button.clicked.connect(self.show_in_folder)
        self.source_button.clicked.connect(self.open_source)
        self.note_meta.linkActivated.connect(lambda link: open_external(QUrl(link)))
        self.editor.save_requested.connect(self._save_note)
        self.tag_editor.tags_edited.connect(self.edit_tags)
        self.undo_button.clicked.connect(self.undo_delete)
        self.cancel_button.clicked.connect(self.cancel_import)
        self.writer.progress.connect(self._on_progress)
        self.note_view.remote_image_wanted.connect(self._fetch_remote_image)
        self.editor.text.import_dropped.connect(self._import_mime)

    # ------------------------------------------------------------------ state
    def _restore_state(self) -> None:
        geometry = self.settings.window_state("geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = self.settings.window_state("state")
        if state is not None:
            self.restoreState(state)
        splitter = self.settings.window_state("splitter")
        if splitter is not None:
            self.splitter.restoreState(splitter)
        sort = self.settings.get("sort")
        self._set_sort_widgets(sort if sort in dict(SORTS) else "relevance")
        self.search_box.setText(self.settings.get("last_search"))

    def save_state(self) -> None:
        self.settings.set_window_state("geometry", self.saveGeometry())
        self.settings.set_window_state("state", self.saveState())
        self.settings.set_window_state("splitter", self.splitter.saveState())
        self.settings.set("sort", self.current_sort())
        self.settings.set("last_search", self.search_box.text())
        self.settings.sync()

    def closeEvent(self, event):  # noqa: N802
        if not self._closing:
            self._closing = True
            if self.instance_server is not None:  # a later launch starts its own window now
                self.instance_server.close()
            self.editor.save()
            self.save_state()
            for task in self._imports.values():
                task.cancel.set()
            self._periodic.stop()
            self._refresh_timer.stop()
            self.search_box.cancel_pending()
            self.reader.shutdown(wait=True)
            if self._images is not None:
                self._images.shutdown(wait=False)
            self.writer.shutdown(wait=True)  # the writer finishes the queued saves first
        super().closeEvent(event)

    # ------------------------------------------------------------------ search
    def current_sort(self) -> str:
        return self.sort_box.currentData() or "relevance"

    def _set_sort_widgets(self, key: str) -> None:
        self.sort_box.blockSignals(True)
        self.sort_box.setCurrentIndex([k for k, _ in SORTS].index(key))
        self.sort_box.blockSignals(False)
        self.sort_actions[key].setChecked(True)

    def set_sort(self, key: str) -> None:
        if key not in dict(SORTS):
            return
        self._set_sort_widgets(key)
        self.settings.set("sort", key)
        self.run_search()

    def run_search(self, as_you_type: bool = False) -> int:
        if self._closing:  # a debounced keystroke after the window closed: the reader is gone
            return self.search.token
        return self.search.request(self.search_box.text(), sort=self.current_sort(),
                                   tags=self.tag_tree.selected_tags(), as_you_type=as_you_type)

    def _offer_suggestion(self, req) -> None:
        """No hits: ask the library for a corrected query ("did you mean")."""
        suggest = getattr(self.lib, "suggest", None)
        if suggest is None or not req["query"].strip():
            return

        def show(fixed):
            if fixed and self.search.last_request is req:
                link = html.escape(fixed, quote=True)
                self.empty_label.setText(self.empty_label.text()
                                         + f'<br><br>Did you mean <a href="{link}">{html.escape(fixed)}</a>?')

        self.reader.submit(suggest, req["query"], label="suggest", done=show, failed=lambda _e: None)

    def _use_suggestion(self, query: str) -> None:
        self.search_box.setText(query)
        self.run_search()

    def _show_results(self, req, hits) -> None:
        keep = self._pending_select
        if keep is None and self.current_note is not None:
            keep = self.current_note.id
        self._pending_select = None
        self.results_model.set_hits(hits)
        n = len(hits)
        more = "+" if n >= req["limit"] else ""
        self.count_label.setText(f"{n}{more} note{'s' if n != 1 else ''}")
        if not hits:
            if req["query"].strip() or req["tags"]:
                self.empty_label.setText(f"No notes match “{html.escape(req['query'].strip())}”"
                                         + (" with the selected tags." if req["tags"] else "."))
                self._offer_suggestion(req)
            else:
                self.empty_label.setText("No notes yet.<br><br>Drop saved pages, links or text here, "
                                         "or paste with Ctrl+V.")
            self.results_stack.setCurrentWidget(self.empty_label)
        else:
            self.results_stack.setCurrentWidget(self.results)
        row = self.results_model.row_of(keep) if keep is not None else -1
        if row < 0 and hits and not self.editor.is_modified():
            row = 0
        if row >= 0:
            index = self.results_model.index(row)
            self.results.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
            self.results.scrollTo(index)
        elif not hits and not self.editor.is_modified():
            self.show_note(None)
        self.results_shown.emit()

    def eventFilter(self, obj, event):  # noqa: N802
        # Up on the first result goes back to the search box (Down in the box came here).
        if (obj is self.results and event.type() == event.Type.KeyPress
                and event.key() == Qt.Key.Key_Up and event.modifiers() == Qt.KeyboardModifier.NoModifier
                and self.results.currentIndex().row() <= 0):
            self.focus_search()
            return True
        return super().eventFilter(obj, event)

    def _focus_first_result(self) -> None:
        self.results.setFocus()
        if self.results_model.rowCount() and not self.results.currentIndex().isValid():
            self.results.setCurrentIndex(self.results_model.index(0))

    def focus_search(self) -> None:
        self.search_box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_box.selectAll()

    def focus_note(self) -> None:
        (self.editor.text if self.note_stack.currentWidget() is self.editor else self.note_view).setFocus()

    def focus_tag_editor(self) -> None:
        if self.note_header.isVisible():
            self.tag_editor.line.setFocus()

    # ------------------------------------------------------------------ tags
    def reload_tags(self) -> None:
        lib = self.lib
        self.reader.submit(lib.tags, label="tags", done=self._show_tags)

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
        n = len(ids)
        self._write(self.lib.set_tags, ids, add=tuple(add), remove=tuple(remove),
                    message=f"Tags updated on {n} note{'s' if n != 1 else ''}.")

    def _rename_selected_tag(self) -> None:
        tags = self.tag_tree.selected_tags()
        if tags:
            self.rename_tag(tags[0])
        else:
            self.statusBar().showMessage("Select a tag in the sidebar first (Ctrl+1).", 5000)

    def _delete_selected_tag(self) -> None:
        tags = self.tag_tree.selected_tags()
        if tags:
            self.delete_tag(tags[0])
        else:
            self.statusBar().showMessage("Select a tag in the sidebar first (Ctrl+1).", 5000)

    def rename_tag(self, old: str) -> None:
        new, ok = QInputDialog.getText(self, "Rename tag", f"New name for the tag “{old}”\n"
                                       "(an existing tag's name merges the two):", text=old)
        new = new.strip().lstrip("#").strip()
        if ok and new and new != old:
            self.rename_tag_to(old, new)

    def rename_tag_to(self, old: str, new: str) -> None:
        merged = new in self.tag_tree.counts()
        verb = "merged into" if merged else "renamed to"
        self._write(self.lib.rename_tag, old, new,
                    message=lambda n: f"Tag “{old}” {verb} “{new}” ({n} note{'s' if n != 1 else ''}).",
                    after=lambda _n: self.tag_tree.select_tags([new]) if old in self.tag_tree.selected_tags()
                    else None)

    def delete_tag(self, tag: str) -> None:
        count = self.tag_tree.counts().get(tag, 0)
        answer = QMessageBox.question(
            self, "Delete tag", f"Remove the tag “{tag}” from {count} note{'s' if count != 1 else ''}?\n"
            "The notes themselves are kept.")
        if answer == QMessageBox.StandardButton.Yes:
            self.delete_tag_now(tag)

    def delete_tag_now(self, tag: str) -> None:
        self._write(self.lib.delete_tag, tag,
                    message=lambda n: f"Tag “{tag}” removed from {n} note{'s' if n != 1 else ''}.")

    # ------------------------------------------------------------------ writing
    def _write(self, fn, *args, message=None, after=None, **kwargs) -> None:
        """Run a change on the writer, then refresh what the window shows."""
        def done(result):
            if message:
                text = (message(result) if callable(message) else message) + _refused_text(result)
                self.statusBar().showMessage(text, 6000)
            if after is not None:
                after(result)
            self._after_change()

        def failed(exc):
            self.statusBar().showMessage(f"Failed: {exc}", 10000)
            QMessageBox.warning(self, "Clipper", _plain(str(exc) or type(exc).__name__))
            self._after_change()

        self.writer.submit(fn, *args, done=done, failed=failed, **kwargs)

    def _after_change(self, reload_note: bool = True) -> None:
        self.run_search()
        self.reload_tags()
        if reload_note and self.current_note is not None and not self.editor.is_modified():
            self._load_note(self.current_note.id, keep_scroll=True)
        self.vault_changed.emit()

    def refresh_from_disk(self) -> None:
        if self._closing:
            return
        self._watch_vault()
        self.writer.submit(self.lib.refresh, label="refresh", done=self._refreshed,
                           failed=lambda exc: log.warning("refresh failed: %s", exc))

    def _refreshed(self, changes) -> None:
        if _change_count(changes):
            self._after_change()

    def _watch_vault(self) -> None:
        vault = Path(self.lib.vault)
        wanted = [str(vault)]
        attachments = vault / "attachments"
        if attachments.is_dir():
            wanted.append(str(attachments))
        have = set(self._watcher.directories())
        missing = [p for p in wanted if p not in have and Path(p).is_dir()]
        if missing:
            self._watcher.addPaths(missing)

    def _check_indexing(self) -> None:
        indexing = bool(getattr(self.lib, "indexing", False))
        was = self.indexing_label.isVisible()
        self.indexing_label.setVisible(indexing)
        if indexing and not self._indexing_timer.isActive():
            self._indexing_timer.start()
        elif not indexing:
            self._indexing_timer.stop()
            if was:
                self._after_change(reload_note=False)

    # ------------------------------------------------------------------ the note pane
    def _on_current_changed(self, index) -> None:
        if not index.isValid():
            return
        note_id = index.data(IdRole)
        if self.current_note is not None and self.current_note.id == note_id:
            return
        self._load_note(note_id)

    def _load_note(self, note_id, keep_scroll: bool = False) -> None:
        """Read the note on the reader; only the newest request is shown (arrowing through the
        list queues many)."""
        lib = self.lib
        self._load_token += 1
        token = self._load_token

        def work():
            if token != self._load_token:
                return None
            note = lib.get(note_id)
            data = Path(note.path).read_bytes()
            return note, data

        def done(res):
            if res is not None and token == self._load_token:
                self._display_note(res[0], res[1], scroll)

        scroll = self.note_view.verticalScrollBar().value() if keep_scroll else 0
        self.reader.submit(work, label="load note", done=done,
                           failed=lambda exc: self._note_missing(note_id, exc))

    def _note_missing(self, note_id, exc) -> None:
        if self.current_note is not None and self.current_note.id == note_id:
            self.show_note(None)
        self.statusBar().showMessage(f"Cannot open the note: {exc}", 6000)

    def show_note(self, note, data: bytes | None = None) -> None:
        """Put ``note`` (a Note or None) into the note pane."""
        self._load_token += 1  # a load still on its way must not replace this
        if note is None:
            self.current_note = None
            self.note_header.setVisible(False)
            self.note_stack.setCurrentWidget(self.placeholder)
            self.edit_button.setChecked(False)
            return
        if data is None:
            data = Path(note.path).read_bytes()
        self._display_note(note, data, 0)

    def _display_note(self, note, data: bytes, scroll: int = 0) -> None:
        if self.editor.is_modified() and self.editor.note_id != note.id:
            self.editor.save()
        same = self.current_note is not None and self.current_note.id == note.id
        self.current_note = note
        self.note_title.setText(note.title or "(untitled)")
        self.note_meta.setText(self._meta_html(note))
        self.source_button.setEnabled(bool(note.source))
        self.note_view.show_markdown(note.body, base_dir=Path(note.path).parent)
        if scroll:
            QTimer.singleShot(0, lambda: self.note_view.verticalScrollBar().setValue(scroll))
        if not (same and self.editor.is_modified()):
            self.editor.load(note.id, data)
        self.note_header.setVisible(True)
        if self.note_stack.currentWidget() is self.placeholder:
            self.note_stack.setCurrentWidget(self.note_view)
        if len(self.results.selectionModel().selectedRows()) <= 1:
            self.tag_editor.set_tags(list(note.tags or []))
        self.tag_editor.set_suggestions([])
        if not same:
            self._suggest_tags(note)
        warnings = list(getattr(note, "warnings", None) or [])
        if warnings:
            self.statusBar().showMessage("Note: " + "; ".join(warnings), 8000)
        self.note_shown.emit(note.id)

    def changeEvent(self, event):  # noqa: N802
        # Rich text keeps the colours it was laid out with: redo it when the system palette changes.
        kinds = (event.Type.PaletteChange, event.Type.ApplicationPaletteChange)
        if event.type() in kinds and self.current_note is not None:
            self.note_meta.setText(self._meta_html(self.current_note))
        super().changeEvent(event)

    def _meta_html(self, note) -> str:
        parts = []
        for value in (note.site, note.author, str(note.published or "")[:10]):
            if value:
                parts.append(html.escape(str(value)))
        if note.source and note.source.lower().startswith(("http://", "https://")):
            link = self.palette().color(QPalette.ColorRole.Link).name()
            parts.append(f'<a style="color:{link}" href="{html.escape(note.source, quote=True)}">source</a>')
        created = str(getattr(note, "created", "") or "")[:10]
        if created:
            parts.append(f"clipped {html.escape(created)}")
        return "  ·  ".join(parts)

    def _suggest_tags(self, note) -> None:
        lib = self.lib
        note_id = note.id
        text, title, current = note.body[:20000], note.title, list(note.tags)
        self.reader.submit(lambda: lib.suggest_tags(text, limit=5, current=current, title=title),
                           label="suggest",
                           done=lambda tags: self._show_suggestions(note_id, tags),
                           failed=lambda exc: None)

    def _show_suggestions(self, note_id, tags) -> None:
        if self.current_note is not None and self.current_note.id == note_id:
            self.tag_editor.set_suggestions(tags)

    def _fetch_remote_image(self, url: QUrl) -> None:
        """Only when the user allowed remote images: fetched on a worker of its own (a slow site
        must not hold up searches), once per URL."""
        key = url.toString()
        if key in self._remote_images:
            return
        self._remote_images.add(key)
        if self._images is None:
            self._images = TaskRunner("images", self)
        self._images.submit(fetch.fetch, key, timeout=15, max_bytes=MAX_REMOTE_IMAGE, label="image",
                            done=lambda page: self._show_remote_image(url, page.data),
                            failed=lambda exc: log.info("image not loaded: %s", exc))

    def _show_remote_image(self, url: QUrl, data: bytes) -> None:
        image = QImage.fromData(data)
        if not image.isNull() and self.note_view.remote_images:
            self.note_view.add_remote_image(url, image)

    def toggle_edit(self) -> None:
        self.set_editing(self.note_stack.currentWidget() is not self.editor)

    def set_editing(self, on: bool) -> None:
        if self.current_note is None:
            on = False
        if not on and self.editor.is_modified():
            self.editor.save()
        for widget in (self.edit_button, self.act_edit):
            widget.blockSignals(True)
            widget.setChecked(on)
            widget.blockSignals(False)
        if self.current_note is None:
            return
        self.note_stack.setCurrentWidget(self.editor if on else self.note_view)
        (self.editor.text if on else self.note_view).setFocus()

    def _save_note(self, note_id, text: str, base_hash: str) -> None:
        lib = self.lib

        def work():
            result = lib.save(note_id, text, base_hash=base_hash or None)
            new_hash = sha256(Path(result.note.path).read_bytes()) if not result.conflict_path else ""
            return result, new_hash

        def done(res):
            result, new_hash = res
            self.editor.saved(note_id, new_hash, result.conflict_path)
            if result.conflict_path:
                QMessageBox.warning(self, "Note changed on disk", _plain(
                                    "Another program changed this note while you edited it.\n"
                                    f"Your version was saved as “{Path(result.conflict_path).name}”."))
            if self.current_note is not None and self.current_note.id == note_id:
                self.current_note = result.note
                self.note_title.setText(result.note.title or "(untitled)")
                self.note_meta.setText(self._meta_html(result.note))
                if self.note_stack.currentWidget() is not self.editor or not self.editor.is_modified():
                    self.note_view.show_markdown(result.note.body, base_dir=Path(result.note.path).parent)
            self.saved.emit(result)
            self._after_change(reload_note=False)

        self.writer.submit(work, label="save", done=done,
                           failed=lambda exc: self.editor.save_failed(str(exc) or type(exc).__name__))

    def open_source(self) -> None:
        note = self.current_note
        if note is not None and note.source and not open_external(QUrl(note.source)):
            self.statusBar().showMessage("The source is not a web link.", 5000)

    def show_in_folder(self) -> None:
        if self.current_note is not None:
            system_open(QUrl.fromLocalFile(str(Path(self.current_note.path).parent)))

    # ------------------------------------------------------------------ delete / undo
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

        def work():
            return [lib.delete(note_id) for note_id in ids]

        def done(entries):
            self._undo_stack.append(list(entries))
            self.act_undo.setEnabled(True)
            n = len(entries)
            self.undo_label.setText(f"Moved {n} note{'s' if n != 1 else ''} to the trash.")
            self.undo_bar.show()
            self._undo_timer.start()
            self._after_change(reload_note=False)

        def failed(exc):
            QMessageBox.warning(self, "Clipper", _plain(f"Could not delete: {exc}"))
            self._after_change()

        self.writer.submit(work, label="delete", done=done, failed=failed)

    def undo_delete(self) -> None:
        if not self._undo_stack:
            return
        entries = self._undo_stack.pop()
        self.act_undo.setEnabled(bool(self._undo_stack))
        self.undo_bar.hide()
        lib = self.lib

        def work():
            return [lib.restore(entry) for entry in entries]

        def done(notes):
            if notes:
                self._pending_select = notes[-1].id
            n = len(notes)
            self.statusBar().showMessage(f"Restored {n} note{'s' if n != 1 else ''}.", 5000)
            self._after_change(reload_note=False)

        self.writer.submit(work, label="restore", done=done,
                           failed=lambda exc: QMessageBox.warning(self, "Clipper",
                                                                  _plain(f"Could not restore: {exc}")))

    # ------------------------------------------------------------------ import
    def dragEnterEvent(self, event):  # noqa: N802
        mime = event.mimeData()
        if mime.hasUrls() or mime.hasHtml() or mime.hasText():
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event):  # noqa: N802
        self.dragEnterEvent(event)

    def dropEvent(self, event):  # noqa: N802
        if self._import_mime(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def _import_mime(self, mime) -> bool:
        items = importer.items_from_mime(mime, exclude=self.lib.vault)
        if not items:
            self.statusBar().showMessage("Nothing Clipper can import was dropped.", 5000)
            return False
        self.import_items(items)
        return True

    def paste(self) -> None:
        """Ctrl+V: normal paste in a text field, an import anywhere else."""
        focus = QApplication.focusWidget()
        if _is_text_input(focus):
            focus.paste()
            return
        self.import_clipboard()

    def import_clipboard(self, plain: bool = False, raw: bool = False) -> None:
        mime = QApplication.clipboard().mimeData()
        items = importer.items_from_mime(mime, plain=plain, raw=raw) if mime is not None else []
        if not items:
            self.statusBar().showMessage("The clipboard holds nothing Clipper can import.", 5000)
            return
        self.import_items(items)

    def import_files_dialog(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(
            self, "Import files", "",
            "Pages and notes (*.html *.htm *.mhtml *.mht *.md *.markdown *.txt);;All files (*)")
        if files:
            self.import_paths(files)

    def import_folder_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Import a folder")
        if folder:
            self.import_paths([folder])

    def import_paths(self, paths) -> None:
        self.import_items(importer.expand_paths(paths, exclude=self.lib.vault))

    def _allow_fetch(self, items) -> bool:
        if not any(item.kind == "url" for item in items):
            return False
        choice = self.settings.get("fetch_links")
        if choice == "ask":  # asked once; the answer is a setting from then on
            choice = "yes" if self.ask_fetch_permission() else "no"
            self.settings.set("fetch_links", choice)
            self.settings.sync()
        return choice == "yes"

    def ask_fetch_permission(self) -> bool:
        box = QMessageBox(QMessageBox.Icon.Question, "Fetch dropped links?",
                          "You dropped a link. May Clipper download the page from the web to "
                          "import it?\n\nYour answer is remembered; change it in Settings.",
                          parent=self)
        fetch_button = box.addButton("&Fetch pages", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("&Don't fetch", QMessageBox.ButtonRole.RejectRole)
        box.exec()
        return box.clickedButton() is fetch_button

    def import_items(self, items) -> None:
        """Import in the background; the new (or already existing) note is selected and shown."""
        if not items:
            return
        allow_fetch = self._allow_fetch(items)
        total = len(items)
        self.progress.setRange(0, total)
        self.progress.setValue(0)
        self.progress.setFormat(f"Importing %v of {total}")
        if total > 1 or any(item.kind == "url" for item in items):
            self.progress.show()
            self.cancel_button.show()
        self.statusBar().showMessage("Importing…")
        holder = {}
        task = self.writer.submit(importer.run_import, self.lib, items, allow_fetch=allow_fetch,
                                  with_progress=True, label="import",
                                  done=lambda outcome: self._import_done(outcome, holder["id"]),
                                  failed=lambda exc: self._import_failed(exc, holder["id"]))
        holder["id"] = task.id
        self._imports[task.id] = task

    @property
    def importing(self) -> bool:
        return bool(self._imports)

    def cancel_import(self) -> None:
        for task in self._imports.values():
            task.cancel.set()
        if self._imports:
            self.statusBar().showMessage("Cancelling…")

    def _on_progress(self, task_id, done, total, message) -> None:
        if task_id in self._imports:
            self.progress.setFormat(f"Importing %v of {total}")
            self.progress.setRange(0, max(total, 1))
            self.progress.setValue(done)
            if message:
                self.statusBar().showMessage(f"Importing {message}")

    def _import_finished_ui(self, task_id) -> None:
        self._imports.pop(task_id, None)
        if not self._imports:
            self.progress.hide()
            self.cancel_button.hide()

    def _import_failed(self, exc, task_id) -> None:
        self._import_finished_ui(task_id)
        self.statusBar().clearMessage()
        QMessageBox.warning(self, "Import failed", _plain(str(exc) or type(exc).__name__))

    def _import_done(self, outcome, task_id) -> None:
        self._import_finished_ui(task_id)
        created, dups, errors = len(outcome.created), len(outcome.duplicates), len(outcome.errors)
        parts = []
        if created:
            parts.append(f"Imported {created} note{'s' if created != 1 else ''}.")
        if dups == 1 and not created:
            label, note = outcome.duplicates[0]
            parts.append(f"Already in your vault: “{note.title}”.")
        elif dups:
            parts.append(f"{dups} already in your vault.")
        if errors:
            parts.append(f"{errors} could not be imported.")
        if outcome.skipped_links:
            parts.append("Links were not fetched (turned off in Settings).")
        if outcome.cancelled:
            parts.append("Cancelled.")
        self.statusBar().showMessage(" ".join(parts) or "Nothing imported.", 10000)
        # One list of what went wrong (not a dialog per file); a lone duplicate is just the message.
        if errors or dups > 1 or outcome.skipped_links or (dups and created):
            self.last_report = ImportReportDialog(outcome, self)
            self.last_report.setModal(False)
            self.last_report.show()
        else:
            self.last_report = None
        note = outcome.last_note
        if note is not None:
            self._pending_select = note.id
            self.show_note(note)
            filtered = self.search_box.text().strip() or self.tag_tree.selected_tags()
            if filtered and created:
                # Show the new note in the list: clear the search so the newest notes are listed.
                self.search_box.clear()
                self.tag_tree.select_tags([])
        self._after_change(reload_note=False)
        self.import_finished.emit(outcome)

    def report_text(self) -> list[str]:
        return self.last_report.lines() if self.last_report is not None else []

    def create_welcome_note(self) -> None:
        from clipper.core.model import Clip

        clip = Clip(markdown=WELCOME_MARKDOWN, title=WELCOME_TITLE, tags=["clipper"], kind="markdown")

        def done(result):
            self._pending_select = result.note.id
            self._after_change(reload_note=False)

        self.writer.submit(self.lib.import_clip, clip, label="welcome", done=done,
                           failed=lambda exc: log.warning("welcome note not created: %s", exc))

    # ------------------------------------------------------------------ dialogs
    def show_settings(self) -> None:
        from clipper.qt.settings_dialog import SettingsDialog

        current = self.settings.get("vault") or str(self.lib.vault)
        dialog = SettingsDialog(self.settings, current, self)
        if dialog.exec():
            old_vault = current
            dialog.apply()
            self.note_view.remote_images = self.settings.get("remote_images")
            self.editor.autosave = self.settings.get("autosave")
            if self.current_note is not None:
                self._load_note(self.current_note.id, keep_scroll=True)
            if (self.settings.get("vault") or str(self.lib.vault)) != old_vault:
                QMessageBox.information(self, "Clipper", "The new vault folder is used from the next start.")

    def show_search_help(self) -> None:
        QMessageBox.information(self, "Search help", SEARCH_HELP)

    def show_about(self) -> None:
        from clipper import __version__

        QMessageBox.about(self, "About Clipper",
                          f"<b>Clipper {__version__}</b><br>Web articles as clean Markdown notes, "
                          f"offline.<br><br>Vault: {html.escape(str(self.lib.vault))}")

    def hit_dates(self) -> list[str]:
        return [hit_date(h) for h in self.results_model.hits()]


def _refused_text(result) -> str:
    """The sentence naming the notes a tag change left as they were (and why), or ""."""
    refused = getattr(result, "refused", None) or []
    if not refused:
        return ""
    path, reason = refused[0]
    more = f" and {len(refused) - 1} more" if len(refused) > 1 else ""
    return f" Not changed: {Path(path).name}{more} ({reason})."


def _plain(text: str) -> str:
    """``text`` for a message box, shown as it is: a box renders anything that looks like HTML,
    and an error message can hold a file name or a note title (``<img src=/abs/…>``)."""
    from PySide6.QtGui import Qt as QtGuiNamespace

    return QtGuiNamespace.convertFromPlainText(text, QtGuiNamespace.WhiteSpaceMode.WhiteSpaceNormal)
