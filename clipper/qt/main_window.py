"""The main window: search box, tag sidebar, result list and note pane, wired to the library.

Every change to the vault runs on ``self.writer`` (one thread: imports, saves, tags, delete,
restore, picking up changes on disk); searches and note loading run on ``self.reader``; notes are
rendered for display on ``self.renderer``. The GUI thread only builds widgets and shows results.
Each action is one library call plus what the user sees of it (a message in the window when it
fails, never only a line on stderr).
"""

from __future__ import annotations

import html
import logging
import threading
from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, QSize, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QActionGroup, QImage, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDialog,
    QFileDialog,
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

from clipper.core import limits
from clipper.qt import fetch, icons, importer
from clipper.qt.editor import sha256
from clipper.qt.message_bar import MessageBar
from clipper.qt.note_pane import EMPTY_VAULT, NotePane
from clipper.qt.note_view import FIRST_PART, open_external, render, system_open
from clipper.qt.report_dialog import ImportReportDialog
from clipper.qt.results_model import IdRole, ResultDelegate, ResultsModel, hit_date
from clipper.qt.search_box import SEARCH_HELP, SearchBox, SearchController
from clipper.qt.tag_tree import TagTree
from clipper.qt.vault_watcher import VaultWatcher
from clipper.qt.workers import TaskRunner

log = logging.getLogger(__name__)

SORTS = [("relevance", "Relevance"), ("newest", "Newest first"), ("oldest", "Oldest first")]
SORT_MENU = {"relevance": "Sort by Rele&vance", "newest": "Ne&west First", "oldest": "O&ldest First"}
REFRESH_INTERVAL_MS = 30_000  # a full comparison now and then: files edited in place, missed events
UNDO_BAR_MS = 15_000
MAX_REMOTE_IMAGE = 8 * 1024 * 1024
PREWARM_MS = 1500
_WHOLE_VAULT = object()  # a pending sync of everything (F5, the periodic refresh)

WELCOME_TITLE = "Welcome to Clipper"
WELCOME_MARKDOWN = """Clipper keeps web articles as clean Markdown notes in a folder on your computer \
and finds them again as you type.

## Add articles

- **Drop** saved pages (`.html`, `.mhtml`), Markdown or text files, or whole folders onto this window.
- **Drag** a selection or a link from your browser onto the window.
- **Paste** with **Ctrl+V**: an article copied from anywhere becomes a note, even while the search \
box has the cursor. *File → Import from clipboard* (**Ctrl+Shift+V**) does the same; \
*Import clipboard as plain text* keeps the text as copied (broken characters repaired).
- *File → Import files…* (**Ctrl+O**) picks files.

## Find them

- Type in the **search box** (**Ctrl+L**): `"exact phrase"`, `word OR other`, `-leave_out`, `prefix*`, \
`tag:name`. The words you searched for are marked in the open note.
- **Ctrl+F** in a note finds words in that note (**F3** for the next one).
- Click a **tag** on the left to filter; **Ctrl+click** combines tags.
- **Ctrl+E** edits the selected note as Markdown, with a live preview beside it; **Delete** moves \
it to the trash (**Ctrl+Z** undoes).

Every note is a plain `.md` file in your vault folder: open it with any editor, sync it, back it up.
You can delete this note once you have read it.
"""


def _is_text_input(widget) -> bool:
    if isinstance(widget, QLineEdit):
        return not widget.isReadOnly()
    if isinstance(widget, (QPlainTextEdit, QTextEdit)):
        return not widget.isReadOnly()
    return False


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


class MainWindow(QMainWindow):
    results_shown = Signal()  # the result list shows the answer to the newest search
    note_shown = Signal(object)  # note id now in the note pane (its text rendered)
    import_finished = Signal(object)  # ImportOutcome
    vault_changed = Signal()  # a change (import, save, tags, delete, restore, refresh) was applied
    vault_switched = Signal(object)  # the Path of the vault now open (Settings chose another)
    saved = Signal(object)  # SaveResult

    def __init__(self, lib, settings, parent=None):
        super().__init__(parent)
        limits.set_native_threads()  # the window's threads (Qt's among them): the core must not fork
        self.lib = lib
        self.settings = settings
        self.writer = TaskRunner("writer", self)
        self.reader = TaskRunner("reader", self, reads_only=True)
        self.renderer = TaskRunner("render", self, reads_only=True)
        self.search = SearchController(self.reader, lambda: self.lib, self)
        self.current_note = None  # the Note in the note pane
        self._note_data = b""  # its file's bytes (what the editor loads)
        self._pending_select = None  # note id to select when the next results arrive
        self._load_token = 0  # rises with each note load; older loads are dropped
        self._render_token = 0
        self._whole_note: str | None = None  # id of the note the user asked to see whole
        self._images_allowed: set[str] = set()  # notes whose web images the user asked for
        self._shown_request: tuple | None = None  # (query, tags, sort) of the results shown
        self._undo_stack: list[list] = []  # lists of TrashEntry, newest last
        self._imports: dict[int, object] = {}  # running or queued import tasks by id
        self._sync_running = False
        self._sync_pending = None  # paths (a set) or _WHOLE_VAULT waiting for the running sync
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

        self._periodic = QTimer(self)
        self._periodic.setInterval(REFRESH_INTERVAL_MS)
        self._periodic.timeout.connect(self.refresh_from_disk)
        self._periodic.start()
        self.watcher = VaultWatcher(lambda: self.lib.watch_folders(), self)
        self.watcher.changed.connect(self._files_changed)
        # listing a big vault's folders competes with start-up: it begins once the first
        # results are shown (what changed before is what opening the library compares)
        self._watch_started = False
        self.results_shown.connect(self._start_watching)
        self._indexing_timer = QTimer(self)
        self._indexing_timer.setInterval(400)
        self._indexing_timer.timeout.connect(self._check_indexing)
        self._check_indexing()

        self.run_search()
        self.reload_tags()
        # Load the import pipeline in the background once the window is up, so the first drop
        # does not stall the window while Python imports it.
        QTimer.singleShot(PREWARM_MS, self._prewarm)

    def _start_watching(self) -> None:
        if not self._watch_started and not self._closing:
            self._watch_started = True
            QTimer.singleShot(0, self.watcher.start)

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
        search_icon = QLabel(self)
        search_icon.setPixmap(icons.icon("find").pixmap(16, 16))
        search_icon.setContentsMargins(4, 0, 2, 0)
        self._search_icon = search_icon
        toolbar.addWidget(search_icon)
        toolbar.addWidget(self.search_box)
        help_button = QToolButton(self)
        help_button.setText("?")
        help_button.setToolTip(SEARCH_HELP)
        help_button.setAccessibleName("Search help")
        help_button.clicked.connect(self.show_search_help)
        toolbar.addWidget(help_button)
        toolbar.addWidget(self.sort_box)
        self.import_button = icons.attach(QToolButton(self), "import")
        self.import_button.setText("Import…")
        self.import_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
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
        self.empty_label.setTextFormat(Qt.TextFormat.RichText)  # our text; the query in it is escaped
        self.results_stack = QStackedWidget(self)
        self.results_stack.addWidget(self.results)
        self.results_stack.addWidget(self.empty_label)

        # Right: the note
        self.pane = NotePane(self)
        pane = self.pane
        self.note_title, self.note_meta, self.tag_editor = pane.title, pane.meta, pane.tag_editor
        self.edit_button, self.source_button, self.folder_button = (pane.edit_button, pane.source_button,
                                                                    pane.folder_button)
        self.note_view, self.editor, self.placeholder = pane.view, pane.editor, pane.placeholder
        self.note_stack, self.note_header, self.find_bar = pane.stack, pane.header, pane.find_bar
        self.note_view.vault = Path(self.lib.vault)
        self.note_view.remote_images = self.settings.get("remote_images")
        self.editor.autosave = self.settings.get("autosave")
        self.editor.renderer = self.renderer
        self.editor.vault = Path(self.lib.vault)
        self.editor.preview.remote_images = self.settings.get("remote_images")
        self.editor.set_preview_visible(self.settings.get("editor_preview"))

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("main_splitter")
        self.splitter.addWidget(self.tag_tree)
        self.splitter.addWidget(self.results_stack)
        self.splitter.addWidget(pane)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setStretchFactor(2, 2)
        self.splitter.setSizes([170, 360, 560])
        self.splitter.setChildrenCollapsible(False)

        # Message bars: what just happened (with Undo after a delete), what went wrong
        self.undo_bar = MessageBar("Undo bar", self)
        self.undo_label, self.undo_button = self.undo_bar.label, self.undo_bar.button
        self.message_bar = MessageBar("Message bar", self)

        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(4, 0, 4, 0)
        layout.setSpacing(4)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.message_bar)
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

    def _action(self, text, slot, shortcut=None, tip="", context=None, icon=None) -> QAction:
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
        if icon:
            icons.attach(action, icon)
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        a = self._action
        self.act_import_files = a("&Import Files…", self.import_files_dialog, QKeySequence.StandardKey.Open,
                                  "Import saved pages, .mhtml, Markdown or text files", icon="import")
        self.act_import_folder = a("Import &Folder…", self.import_folder_dialog, "Ctrl+Shift+O",
                                   "Import every page in a folder", icon="folder")
        self.act_paste = a("&Paste (Import)", self.paste, QKeySequence.StandardKey.Paste,
                           "Import the clipboard (in a text field: normal paste)", icon="paste")
        self.act_import_clipboard = a("Import from &Clipboard", self.import_clipboard, "Ctrl+Shift+V",
                                      "Import what the clipboard holds (HTML first, then text)", icon="paste")
        self.act_import_plain = a("Import Clipboard as &Plain Text",
                                  lambda: self.import_clipboard(plain=True),
                                  "Ctrl+Alt+Shift+V",
                                  "Import the clipboard's text as it is (broken characters repaired)")
        self.act_import_raw = a("Import Clipboard &Unchanged", lambda: self.import_clipboard(raw=True), None,
                                "Import the clipboard's text exactly as it is, without repairing characters")
        self.act_settings = a("&Settings…", self.show_settings, QKeySequence.StandardKey.Preferences,
                              icon="settings")
        if self.act_settings.shortcut().isEmpty():
            self.act_settings.setShortcut(QKeySequence("Ctrl+,"))
        self.act_quit = a("&Quit", self.close, QKeySequence.StandardKey.Quit)
        if self.act_quit.shortcut().isEmpty():
            self.act_quit.setShortcut(QKeySequence("Ctrl+Q"))

        # Ctrl+F finds in the note when the note has the focus, else it goes to the search box;
        # Ctrl+L and Ctrl+K always go to the search box.
        self.act_find = a("&Find", self.find, "Ctrl+F", "Find in the open note, or go to the search box",
                          icon="find")
        self.act_search = a("&Search Notes", self.focus_search, ["Ctrl+L", "Ctrl+K"], "Go to the search box")
        self.act_find_next = a("Find &Next", lambda: self.pane.find_next(), "F3",
                               "The next match in the note")
        self.act_find_previous = a("Find Pre&vious", lambda: self.pane.find_next(backward=True), "Shift+F3",
                                   "The previous match in the note")
        self.act_results = a("Go to Res&ults", lambda: self.results.setFocus(), "Ctrl+2")
        self.act_tags = a("Go to &Tags", lambda: self.tag_tree.setFocus(), "Ctrl+1")
        self.act_note = a("Go to &Note", self.focus_note, "Ctrl+3")
        self.act_edit = a("&Edit Note", self.toggle_edit, "Ctrl+E", "Edit the note's Markdown", icon="edit")
        self.act_edit.setCheckable(True)
        self.act_save = a("&Save Note", self.editor.save, None, "Save the note being edited (Ctrl+S)",
                          icon="save")
        self.act_preview = a("Live &Preview in the Editor", lambda: self.editor.preview_button.toggle(), None,
                             "Show the rendered note beside the Markdown editor (Ctrl+Shift+E)",
                             icon="preview")
        self.act_preview.setCheckable(True)
        self.act_preview.setChecked(self.editor.preview_visible)
        self.act_tag_edit = a("Edit &Tags of Selected Notes", self.focus_tag_editor, "Ctrl+T", icon="tag")
        self.act_delete = a("&Delete Note", self.delete_selected, QKeySequence.StandardKey.Delete,
                            "Move the selected notes to the vault's trash",
                            Qt.ShortcutContext.WidgetWithChildrenShortcut, icon="delete")
        self.results.addAction(self.act_delete)
        self.removeAction(self.act_delete)
        # Ctrl+Z in the editor undoes typing (the editor takes the key); elsewhere it undoes a delete
        self.act_undo = a("&Undo", self.undo, QKeySequence.StandardKey.Undo,
                          "Undo typing in the editor, else the last delete", icon="undo")
        self.act_undo.setEnabled(False)
        self.act_redo = a("&Redo", self.redo, QKeySequence.StandardKey.Redo, "Redo typing in the editor")
        self.act_open_source = a("Open &Source in Browser", self.open_source, "Ctrl+Shift+B",
                                 icon="open-source")
        self.act_show_folder = a("Show in &Folder", self.show_in_folder, "Ctrl+Shift+F", icon="folder")
        self.act_refresh = a("&Refresh", self.refresh_from_disk, QKeySequence.StandardKey.Refresh,
                             "Pick up notes changed outside Clipper", icon="refresh")
        if self.act_refresh.shortcut().isEmpty():
            self.act_refresh.setShortcut(QKeySequence("F5"))
        self.act_search_help = a("Search &Help", self.show_search_help, QKeySequence.StandardKey.HelpContents)
        self.act_about = a("&About Clipper", self.show_about)
        self.act_rename_tag = a("&Rename or Merge Tag…", self._rename_selected_tag, None,
                                "Rename a tag in every note (an existing name merges the two)")
        self.act_delete_tag = a("Delete T&ag…", self._delete_selected_tag, None,
                                "Remove a tag from every note (the notes are kept)")

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
        for act in (self.act_undo, self.act_redo, None, self.act_paste, None, self.act_edit, self.act_save,
                    self.act_preview, self.act_tag_edit, None, self.act_find, self.act_find_next,
                    self.act_find_previous, None, self.act_delete):
            m.addSeparator() if act is None else m.addAction(act)
        m.aboutToShow.connect(self._update_undo)
        m = bar.addMenu("&View")
        for act in (self.act_search, self.act_tags, self.act_results, self.act_note, None):
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
        self.search_box.article_pasted.connect(self.import_clipboard)
        self.tag_editor.line.article_pasted.connect(self.import_clipboard)
        self.empty_label.linkActivated.connect(self._use_suggestion)
        self.placeholder.linkActivated.connect(self._use_suggestion)
        self.search_box.focus_results.connect(self._focus_first_result)
        self.sort_box.currentIndexChanged.connect(lambda _i: self.set_sort(self.sort_box.currentData()))
        self.search.results_ready.connect(self._show_results)
        self.search.search_failed.connect(lambda msg: self.notify(f"Search failed: {msg}", error=True))
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
        self.note_meta.linkActivated.connect(lambda link: self._open_link(QUrl(link)))
        self.editor.save_requested.connect(self._save_note)
        self.editor.preview_button.toggled.connect(self._preview_toggled)
        self.editor.text.undoAvailable.connect(lambda _a: self._update_undo())
        self.tag_editor.tags_edited.connect(self.edit_tags)
        self.undo_bar.action_triggered.connect(lambda: None)
        self.cancel_button.clicked.connect(self.cancel_import)
        self.writer.progress.connect(self._on_progress)
        for view in (self.note_view, self.editor.preview):
            view.remote_image_wanted.connect(lambda url, v=view: self._fetch_remote_image(url, v))
            view.link_blocked.connect(self._link_blocked)
            view.link_failed.connect(self._link_failed)
        self.note_view.show_all_requested.connect(self._show_whole_note)
        self.note_view.load_images_requested.connect(self._load_note_images)
        self.editor.text.import_dropped.connect(self._import_mime)
        self.editor.text.textChanged.connect(lambda: self.pane.refresh_find() if self.pane.editing else None)

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
        editor = self.settings.window_state("editor_splitter")
        if editor is not None:
            self.editor.splitter.restoreState(editor)
        sort = self.settings.get("sort")
        self._set_sort_widgets(sort if sort in dict(SORTS) else "relevance")
        self.search_box.setText(self.settings.get("last_search"))

    def save_state(self) -> None:
        self.settings.set_window_state("geometry", self.saveGeometry())
        self.settings.set_window_state("state", self.saveState())
        self.settings.set_window_state("splitter", self.splitter.saveState())
        self.settings.set_window_state("editor_splitter", self.editor.splitter.saveState())
        self.settings.set("sort", self.current_sort())
        self.settings.set("last_search", self.search_box.text())
        self.settings.set("editor_preview", self.editor.preview_visible)
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
            self.watcher.stop()
            self.search_box.cancel_pending()
            self.reader.shutdown(wait=True)
            self.renderer.shutdown(wait=False)
            if self._images is not None:
                self._images.shutdown(wait=False)
            self.writer.shutdown(wait=True)  # the writer finishes the queued saves first
        super().closeEvent(event)

    # ------------------------------------------------------------------ telling the user
    def notify(self, text: str, *, error: bool = False, action=None) -> None:
        """A message in the window (errors stay until read or closed); also logged."""
        (log.warning if error else log.info)("%s", text)
        self.message_bar.show_message(text, action, error=error)

    def _copy_action(self, label: str, text: str):
        return (label, lambda: QApplication.clipboard().setText(text))

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
                offer = f'<br><br>Did you mean <a href="{link}">{html.escape(fixed)}</a>?'
                self.empty_label.setText(self.empty_label.text() + offer)
                if self.current_note is None:
                    self.placeholder.setText(self.placeholder.text() + offer)

        self.reader.submit(suggest, req["query"], label="suggest", done=show, failed=lambda _e: None)

    def _use_suggestion(self, query: str) -> None:
        self.search_box.setText(query)
        self.run_search()

    def _show_results(self, req, hits) -> None:
        keep = self._pending_select
        if keep is None and self.current_note is not None:
            keep = self.current_note.id
        imported = self._pending_select
        self._pending_select = None
        request = (req["query"].strip(), tuple(req["tags"]), req["sort"])
        new_request = request != self._shown_request
        self._shown_request = request
        self.results_model.set_hits(hits)
        n = len(hits)
        more = "+" if n >= req["limit"] else ""
        self.count_label.setText(f"{n}{more} note{'s' if n != 1 else ''}")
        filtered = bool(req["query"].strip() or req["tags"])
        if not hits:
            if filtered:
                what = html.escape(req["query"].strip())
                self.empty_label.setText(f"No notes match “{what}”"
                                         + (" with the selected tags." if req["tags"] else "."))
                self._offer_suggestion(req)
            else:
                self.empty_label.setText("No notes yet.<br><br>Drop saved pages, links or text here, "
                                         "or paste with Ctrl+V.")
            self.results_stack.setCurrentWidget(self.empty_label)
        else:
            self.results_stack.setCurrentWidget(self.results)
        self._set_placeholder(req, hits)
        row = self.results_model.row_of(keep) if keep is not None else -1
        if row < 0 and hits and not self.editor.is_modified() and (new_request or self.current_note is None):
            row = 0  # a new search: its best hit is shown
        if row >= 0:
            index = self.results_model.index(row)
            self.results.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
            self.results.scrollTo(index)
        elif self.current_note is not None and not new_request:
            # the open note is not in the list (e.g. a new note that does not match the search):
            # it stays open, and the list says why it is not there
            self.results.selectionModel().clearSelection()
            if imported is not None and imported == self.current_note.id and filtered:
                self.statusBar().showMessage(
                    f"“{self.current_note.title}” was imported; it is not listed because it does not "
                    "match the search.", 10000)
        elif not hits and not self.editor.is_modified():
            self.show_note(None)
        if self.current_note is not None and new_request and row >= 0 \
                and self.results_model.row_of(self.current_note.id) == row:
            self._mark_search_words()  # the same note, another search: mark its words
        self.results_shown.emit()

    def _set_placeholder(self, req, hits) -> None:
        """What the note pane says when no note is open: an empty vault invites a drop; a
        search that finds nothing says so."""
        if hits or not (req["query"].strip() or req["tags"]):
            self.placeholder.setText(EMPTY_VAULT)
            return
        what = html.escape(req["query"].strip())
        text = f"<p style='font-size:large'><b>Nothing matches “{what}”</b></p>" if what else \
            "<p style='font-size:large'><b>No note has all the selected tags</b></p>"
        if req["tags"]:
            text += "<p>Only notes with the selected tags are searched; <i>All notes</i> in the sidebar " \
                    "searches every note.</p>"
        self.placeholder.setText(text)

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

    def find(self) -> None:
        """Ctrl+F: find in the note when the note pane has the focus, else the search box."""
        focus = QApplication.focusWidget()
        if self.current_note is not None and self.pane.contains_focus(focus):
            self.pane.open_find()
        else:
            self.focus_search()

    def focus_note(self) -> None:
        self.pane.text_widget().setFocus()

    def focus_tag_editor(self) -> None:
        if self.note_header.isVisible():
            self.tag_editor.line.setFocus()

    # ------------------------------------------------------------------ tags
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
                    message=f"Tags updated on {_plural(len(ids), 'note')}.")

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
                    message=lambda n: f"Tag “{old}” {verb} “{new}” ({_plural(n, 'note')}).",
                    after=lambda _n: self.tag_tree.select_tags([new]) if old in self.tag_tree.selected_tags()
                    else None)

    def delete_tag(self, tag: str = "") -> None:
        from clipper.qt.tag_dialogs import DeleteTagDialog

        dialog = DeleteTagDialog(self.tag_tree.counts(), tag, self)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.chosen():
            self.delete_tag_now(dialog.chosen())

    def delete_tag_now(self, tag: str) -> None:
        self._write(self.lib.delete_tag, tag,
                    message=lambda n: f"Tag “{tag}” removed from {_plural(n, 'note')}.")

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
            self.notify(f"Failed: {exc or type(exc).__name__}", error=True)
            self._after_change()

        self.writer.submit(fn, *args, done=done, failed=failed, **kwargs)

    def _after_change(self, reload_note: bool = True) -> None:
        if self._closing:  # a save finished while closing: the readers are gone
            return
        self.run_search()
        self.reload_tags()
        if reload_note and self.current_note is not None and not self.editor.is_modified():
            self._load_note(self.current_note.id, keep_scroll=True)
        self.vault_changed.emit()

    # ------------------------------------------------------------------ changes on disk
    def refresh_from_disk(self) -> None:
        """F5 and now and then: compare the whole vault with the index."""
        self._sync_paths(_WHOLE_VAULT)

    def _files_changed(self, paths) -> None:
        """The vault watcher saw folders or the open note change (debounced)."""
        self._sync_paths(set(paths))

    def _sync_paths(self, paths) -> None:
        """One ``lib.sync_changed`` at a time: what changes meanwhile waits and goes together."""
        if self._closing:
            return
        if self._sync_running:
            if paths is _WHOLE_VAULT or self._sync_pending is _WHOLE_VAULT:
                self._sync_pending = _WHOLE_VAULT
            else:
                self._sync_pending = (self._sync_pending or set()) | paths
            return
        self._sync_running = True
        lib = self.lib
        arg = None if paths is _WHOLE_VAULT else sorted(paths)
        self.writer.submit(lib.sync_changed, arg, label="sync", done=self._synced,
                           failed=self._sync_failed)

    def _synced(self, changes) -> None:
        self._sync_running = False
        if changes:
            self._after_change()
        self._next_sync()

    def _sync_failed(self, exc) -> None:
        self._sync_running = False
        self.notify(f"Could not pick up the changes in the vault folder: {exc}", error=True)
        self._next_sync()

    def _next_sync(self) -> None:
        pending, self._sync_pending = self._sync_pending, None
        if pending is not None:
            self._sync_paths(pending)

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
            self._note_data = b""
            self._render_token += 1
            self.note_header.setVisible(False)
            self.note_stack.setCurrentWidget(self.placeholder)
            self.edit_button.setChecked(False)
            self.find_bar.close_bar() if self.find_bar.isVisible() else None
            self.watcher.watch_file(None)
            return
        if data is None:
            data = Path(note.path).read_bytes()
        self._display_note(note, data, 0)

    def _display_note(self, note, data: bytes, scroll: int = 0) -> None:
        if self.editor.is_modified() and self.editor.note_id != note.id:
            self.editor.save()
        same = self.current_note is not None and self.current_note.id == note.id
        if not same:
            self._whole_note = None
        self.current_note = note
        self._note_data = data
        self.note_title.setText(note.title or "(untitled)")
        self.note_meta.setText(self._meta_html(note))
        self.source_button.setEnabled(bool(note.source))
        editable = self.editor.can_edit(len(data))
        for widget in (self.edit_button, self.act_edit):
            widget.setEnabled(editable)
        self.edit_button.setToolTip("Edit the note's Markdown (Ctrl+E)" if editable else
                                    f"This note is too large to edit here ({len(data) // 2**20} MB)")
        if self.pane.editing and editable and not (same and self.editor.is_modified()):
            self._load_editor(note, data)
        elif self.pane.editing and not editable:
            self.set_editing(False)
        self._render_note(note, scroll)
        self.note_header.setVisible(True)
        if self.note_stack.currentWidget() is self.placeholder:
            self.note_stack.setCurrentWidget(self.note_view)
        if len(self.results.selectionModel().selectedRows()) <= 1:
            self.tag_editor.set_tags(list(note.tags or []))
        if not same:
            self.tag_editor.set_suggestions([])
            self._suggest_tags(note)
        self.watcher.watch_file(Path(note.path))
        warnings = list(getattr(note, "warnings", None) or [])
        if warnings:
            self.statusBar().showMessage("Note: " + "; ".join(warnings), 8000)

    def _query_shown(self) -> str:
        req = self.search.last_request
        return (req or {}).get("query", "") or ""

    def _render_note(self, note, scroll: int = 0) -> None:
        """Render the note off the GUI thread (its first part, or all of it when asked), with
        the search's words marked."""
        if self._closing:
            return
        self._render_token += 1
        token = self._render_token
        query = self._query_shown()
        marks_for = (lambda text: self.lib.match_spans(query, text)) if query.strip() else None
        whole = self._whole_note == note.id
        base_dir = Path(note.path).parent
        self.note_view.remote_images = self.settings.get("remote_images") or note.id in self._images_allowed

        def done(rendered):
            if token != self._render_token or self.current_note is None or self.current_note.id != note.id:
                return
            self.note_view.show_rendered(rendered, base_dir)
            bar = self.note_view.verticalScrollBar()
            if scroll:
                QTimer.singleShot(0, lambda: bar.setValue(scroll))
            elif rendered.marks:
                self._scroll_to_mark(rendered.marks[0])
            self.pane.refresh_find()
            self.note_shown.emit(note.id)

        def failed(exc):
            if token == self._render_token:
                self.notify(f"Cannot show the note: {exc or type(exc).__name__}", error=True)

        self.renderer.submit(render, note.body, limit=None if whole else FIRST_PART, base_dir=base_dir,
                             font=self.note_view.reading_font(), remote_images=self.note_view.remote_images,
                             marks_for=marks_for, label="render", done=done, failed=failed)

    def _scroll_to_mark(self, span) -> None:
        from PySide6.QtGui import QTextCursor

        cursor = QTextCursor(self.note_view.document())
        cursor.setPosition(min(span[0], self.note_view.document().characterCount() - 1))
        rect = self.note_view.cursorRect(cursor)
        if rect.bottom() > self.note_view.viewport().height():
            bar = self.note_view.verticalScrollBar()
            bar.setValue(bar.value() + rect.top() - self.note_view.viewport().height() // 3)

    def _mark_search_words(self) -> None:
        """Mark the words of the search now shown in the open note (on the renderer)."""
        rendered = self.note_view.rendered
        if rendered is None or self._closing:
            return
        query, text, token = self._query_shown(), rendered.text, self._render_token
        lib = self.lib

        def done(spans):
            if token == self._render_token and self.note_view.rendered is rendered:
                self.note_view.set_marks(spans)

        self.renderer.submit(lambda: lib.match_spans(query, text) if query.strip() else [], label="marks",
                             done=done, failed=lambda _e: None)

    def _show_whole_note(self) -> None:
        if self.current_note is not None:
            self._whole_note = self.current_note.id
            self.statusBar().showMessage("Showing the whole note…", 5000)
            self._render_note(self.current_note, self.note_view.verticalScrollBar().value())

    def _load_note_images(self) -> None:
        if self.current_note is not None:
            self._images_allowed.add(self.current_note.id)
            self._render_note(self.current_note, self.note_view.verticalScrollBar().value())

    def changeEvent(self, event):  # noqa: N802
        # Rich text keeps the colours it was laid out with: redo it when the system palette changes.
        kinds = (event.Type.PaletteChange, event.Type.ApplicationPaletteChange)
        if event.type() in kinds and not self._closing:
            icons.refresh(self)
            self._search_icon.setPixmap(icons.icon("find").pixmap(16, 16))
            if self.current_note is not None:
                self.note_meta.setText(self._meta_html(self.current_note))
                self._render_note(self.current_note, self.note_view.verticalScrollBar().value())
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

    def _fetch_remote_image(self, url: QUrl, view=None) -> None:
        """Only when the user allowed remote images: fetched on a worker of its own (a slow site
        must not hold up searches), once per URL."""
        view = view or self.note_view
        key = url.toString()
        if key in self._remote_images:
            return
        self._remote_images.add(key)
        if self._images is None:
            self._images = TaskRunner("images", self)

        def failed(exc):
            self._remote_images.discard(key)
            log.info("image not loaded: %s", exc)

        self._images.submit(fetch.fetch, key, timeout=15, max_bytes=MAX_REMOTE_IMAGE, label="image",
                            done=lambda page: self._show_remote_image(url, page.data, view), failed=failed)

    def _show_remote_image(self, url: QUrl, data: bytes, view) -> None:
        image = QImage.fromData(data)
        if not image.isNull() and view.remote_images:
            view.add_remote_image(url, image)

    def _open_link(self, url: QUrl) -> None:
        if not open_external(url):
            self._link_failed(url)

    def _link_blocked(self, url: QUrl) -> None:
        self.statusBar().showMessage(f"Clipper does not open {url.scheme() or 'local'}: links "
                                     "(only web and mail links open, in your browser).", 8000)

    def _link_failed(self, url: QUrl) -> None:
        text = url.toString()
        self.notify(f"No web browser could be started for {text}. Set a default browser in your "
                    "system settings, or copy the link.", error=True,
                    action=self._copy_action("&Copy Link", text))

    def toggle_edit(self) -> None:
        self.set_editing(not self.pane.editing)

    def set_editing(self, on: bool) -> None:
        if self.current_note is None or not self.editor.can_edit(len(self._note_data)):
            on = False
        if not on and self.editor.is_modified():
            self.editor.save()
        for widget in (self.edit_button, self.act_edit):
            widget.blockSignals(True)
            widget.setChecked(on)
            widget.blockSignals(False)
        if self.current_note is None:
            return
        if on:
            self._load_editor(self.current_note, self._note_data)
        self.note_stack.setCurrentWidget(self.editor if on else self.note_view)
        self.pane.refresh_find()
        (self.editor.text if on else self.note_view).setFocus()
        self._update_undo()

    def _load_editor(self, note, data: bytes) -> None:
        self.editor.base_dir = Path(note.path).parent
        self.editor.vault = Path(self.lib.vault)
        self.editor.preview.vault = Path(self.lib.vault)
        self.editor.preview.remote_images = self.note_view.remote_images
        self.editor.load(note.id, data)

    def _preview_toggled(self, on: bool) -> None:
        self.act_preview.setChecked(on)
        self.settings.set("editor_preview", on)

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
                if not result.conflict_path:
                    self._note_data = text.encode("utf-8")
                self.note_title.setText(result.note.title or "(untitled)")
                self.note_meta.setText(self._meta_html(result.note))
                if not self.pane.editing or not self.editor.is_modified():
                    self._render_note(result.note, self.note_view.verticalScrollBar().value())
            self.saved.emit(result)
            self._after_change(reload_note=False)

        def failed(exc):
            message = str(exc) or type(exc).__name__
            self.editor.save_failed(message)
            self.notify(f"The note was not saved: {message}", error=True)

        self.writer.submit(work, label="save", done=done, failed=failed)

    def open_source(self) -> None:
        note = self.current_note
        if note is None:
            return
        if not note.source:
            self.statusBar().showMessage("This note has no source link.", 5000)
            return
        url = QUrl(note.source)
        if url.scheme().lower() not in ("http", "https") or not url.host():
            self.statusBar().showMessage("The source is not a web link.", 5000)
        elif not open_external(url):
            self._link_failed(url)

    def show_in_folder(self) -> None:
        if self.current_note is None:
            return
        folder = str(Path(self.current_note.path).parent)
        if not system_open(QUrl.fromLocalFile(folder)):
            self.notify(f"No file manager could be started to show {folder}.", error=True,
                        action=self._copy_action("&Copy Path", str(self.current_note.path)))

    # ------------------------------------------------------------------ undo
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
            self._update_undo()
            self.undo_bar.show_message(f"Moved {_plural(len(entries), 'note')} to the trash.",
                                       ("&Undo", self.undo_delete), timeout_ms=UNDO_BAR_MS)
            self.undo_button.setAccessibleName("Undo delete")
            self._after_change(reload_note=False)

        def failed(exc):
            self.notify(f"Could not delete: {exc}", error=True)
            self._after_change()

        self.writer.submit(work, label="delete", done=done, failed=failed)

    def undo_delete(self) -> None:
        if not self._undo_stack:
            return
        entries = self._undo_stack.pop()
        self._update_undo()
        self.undo_bar.hide()
        lib = self.lib

        def work():
            return [lib.restore(entry) for entry in entries]

        def done(notes):
            if notes:
                self._pending_select = notes[-1].id
            self.statusBar().showMessage(f"Restored {_plural(len(notes), 'note')}.", 5000)
            self._after_change(reload_note=False)

        self.writer.submit(work, label="restore", done=done,
                           failed=lambda exc: self.notify(f"Could not restore: {exc}", error=True))

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
        # after the drop is over: asking about a link must not hold the other program's drag
        QTimer.singleShot(0, lambda: self.import_items(items))
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

    def _start_folder(self) -> str:
        """Where a file dialog opens: where the user last was, else the home folder (never the
        folder the app was started from)."""
        last = self.settings.get("last_folder")
        return last if last and Path(last).is_dir() else str(Path.home())

    def _remember_folder(self, folder) -> None:
        self.settings.set("last_folder", str(folder))
        self.settings.sync()

    def import_files_dialog(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(
            self, "Import files", self._start_folder(),
            "Pages and notes (*.html *.htm *.mhtml *.mht *.md *.markdown *.txt);;All files (*)")
        if files:
            self._remember_folder(Path(files[0]).parent)
            self.import_paths(files)

    def import_folder_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Import a folder", self._start_folder())
        if folder:
            self._remember_folder(Path(folder).parent)
            self.import_paths([folder])

    def import_paths(self, paths) -> None:
        self.import_items(importer.expand_paths(paths, exclude=self.lib.vault))

    def _allow_fetch(self, items) -> tuple[bool, bool]:
        """(fetch the links, the user was just asked and said no)."""
        links = [item.url for item in items if item.kind == "url"]
        if not links:
            return False, False
        choice = self.settings.get("fetch_links")
        if choice == "ask":  # asked once; the answer is a setting from then on
            choice = "yes" if self.ask_fetch_permission(links) else "no"
            self.settings.set("fetch_links", choice)
            self.settings.sync()
            return choice == "yes", choice == "no"
        return choice == "yes", False

    def ask_fetch_permission(self, links=()) -> bool:
        links = list(links)
        shown = "\n".join(links[:5]) + (f"\n… and {len(links) - 5} more" if len(links) > 5 else "")
        box = QMessageBox(QMessageBox.Icon.Question, "Fetch dropped links?",
                          f"You dropped {'a link' if len(links) == 1 else _plural(len(links), 'link')}:\n\n"
                          f"{shown}\n\nMay Clipper download the page from the web to import it?\n\n"
                          "Your answer is remembered; change it in Settings.", parent=self)
        box.setTextFormat(Qt.TextFormat.PlainText)  # a link is shown as it is, never as markup
        fetch_button = box.addButton("&Fetch pages", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("&Don't fetch", QMessageBox.ButtonRole.RejectRole)
        box.exec()
        return box.clickedButton() is fetch_button

    def import_items(self, items) -> None:
        """Import in the background; the new (or already existing) note is selected and shown."""
        if not items:
            return
        allow_fetch, refused = self._allow_fetch(items)
        if not allow_fetch:
            links = [item.url for item in items if item.kind == "url"]
            items = [item for item in items if item.kind != "url"]
            if links:
                # a refusal is an answer, not an error: said once, in the window
                why = "as you asked" if refused else "fetching links is off in Settings"
                self.statusBar().showMessage(
                    f"Not fetched ({why}): {links[0]}" + (f" and {len(links) - 1} more" if len(links) > 1
                                                          else ""), 10000)
            if not items:
                return
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
            parts.append(f"Imported {_plural(created, 'note')}.")
        if dups == 1 and not created:
            label, note = outcome.duplicates[0]
            parts.append(f"Already in your vault: “{note.title}”.")
        elif dups:
            parts.append(f"{dups} already in your vault.")
        if errors:
            parts.append(f"{errors} could not be imported.")
        if outcome.skipped_links:
            parts.append("Links were not fetched.")
        if outcome.cancelled:
            parts.append("Cancelled.")
        self.statusBar().showMessage(" ".join(parts) or "Nothing imported.", 10000)
        # One list of what went wrong (not a dialog per file); a lone duplicate is just the message.
        if errors or dups > 1 or (dups and created):
            self.last_report = ImportReportDialog(outcome, self)
            self.last_report.setModal(False)
            self.last_report.show()
        else:
            self.last_report = None
        note = outcome.last_note
        if note is not None:
            # the new note is shown (read on the reader: it may be big); the search the user
            # typed stays (the list follows it)
            self._pending_select = note.id
            self._load_note(note.id)
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

    # ------------------------------------------------------------------ another vault
    def switch_vault(self, folder) -> None:
        """Open another vault in this window at once: close this library, open that one."""
        from clipper import Library

        path = Path(folder).expanduser()
        if not str(folder).strip() or path.absolute() == Path(self.lib.vault).absolute():
            return
        self.editor.save()  # queued on the writer before the switch
        old = self.lib
        self.statusBar().showMessage(f"Opening {path}…")

        def done(new):
            self.lib = new
            self.settings.set("vault", str(path))
            self.settings.sync()
            for view in (self.note_view, self.editor.preview):
                view.vault = Path(new.vault)
            self.editor.load(None, b"")
            self.show_note(None)
            self._pending_select = None
            self._shown_request = None
            self._undo_stack.clear()
            self._update_undo()
            self.undo_bar.hide()
            self._images_allowed.clear()
            self.tag_tree.select_tags([])
            self.watcher.start()  # the new vault's folders replace the old ones
            self._check_indexing()
            self.run_search()
            self.reload_tags()
            self.statusBar().showMessage(f"Opened the vault {new.vault}.", 8000)
            self.vault_switched.emit(Path(new.vault))
            # closed once the reader has finished what it was doing with it
            self.reader.submit(lambda: threading.Thread(target=old.close, name="clipper-close",
                                                        daemon=True).start(), label="close old vault")

        def failed(exc):
            self.statusBar().clearMessage()
            self.notify(f"Could not open the vault folder {path}: {exc}. The vault {old.vault} stays open.",
                        error=True)

        self.writer.submit(Library.open, path, wait=False, label="open vault", done=done, failed=failed)

    # ------------------------------------------------------------------ dialogs
    def show_settings(self) -> None:
        from clipper.qt import theme
        from clipper.qt.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.settings, str(self.lib.vault), self)
        if dialog.exec():
            dialog.apply()
            remote = self.settings.get("remote_images")
            self.note_view.remote_images = remote
            self.editor.preview.remote_images = remote
            self.editor.autosave = self.settings.get("autosave")
            app = QApplication.instance()
            if app is not None:
                theme.apply(app, self.settings.get("appearance"))
            if self.current_note is not None:
                self._load_note(self.current_note.id, keep_scroll=True)
            self.switch_vault(dialog.vault_folder())

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
