"""The main window: search box, tag sidebar, result list and note pane, wired to the library.

Every change to the vault runs on ``self.writer`` (one thread: imports, saves, tags, delete,
restore, picking up changes on disk); searches and note loading run on ``self.reader``; notes are
rendered for display on ``self.renderer``. The GUI thread only builds widgets and shows results.
Each action is one library call plus what the user sees of it (a message in the window when it
fails, never only a line on stderr).

This module builds the window and wires it; each concern is a mixin in a module of its own:
``window_actions`` (the action and menu table), ``window_search`` (query, sort, results),
``window_tags`` (tag actions), ``window_note`` (the note pane), ``window_undo`` (undo, delete and
the undo bar), ``window_import`` (drop, paste, dialogs, the batch import); ``window_common``
holds what they share and ``welcome`` the first note's text.
"""

from __future__ import annotations

import gc
import html
import logging
import threading
import time
from pathlib import Path

from PySide6.QtCore import QSize, Qt, QTimer, QUrl, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QLabel,
    QListView,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from clipper.core import limits
from clipper.qt import conflict_view, icons, importer
from clipper.qt.message_bar import MessageBar
from clipper.qt.note_pane import NotePane
from clipper.qt.report_dialog import ImportReportDialog
from clipper.qt.results_model import ResultDelegate, ResultsModel
from clipper.qt.search_box import SEARCH_HELP, SearchBox, SearchController
from clipper.qt.snippet_filler import SnippetFiller
from clipper.qt.tag_tree import TagTree
from clipper.qt.vault_watcher import VaultWatcher
from clipper.qt.window_actions import ActionTable
from clipper.qt.window_common import (
    PREWARM_MS,
    REFRESH_INTERVAL_MS,
    SORTS,
    WHOLE_VAULT,
    refresh_interval_ms,
    refused_text,
)
from clipper.qt.window_import import ImportActions
from clipper.qt.window_note import NoteActions
from clipper.qt.window_search import SearchActions
from clipper.qt.window_tags import TagActions
from clipper.qt.window_undo import UndoActions
from clipper.qt.workers import TaskRunner

log = logging.getLogger(__name__)


_frozen_at: set[str] = set()  # the start-up milestones whose objects were frozen already


def freeze_startup_objects(milestone: str) -> None:
    """At a milestone of start-up ("window built": the widgets, the library open; "results
    listed": the searcher and what the first search read), move every object alive so far out
    of the cyclic collector's view (``gc.freeze``), once a process: they live as long as the
    app. Each full (generation 2) collection otherwise passed over all of them again (~60,000),
    holding the GIL: on a 100,000-note vault the longest GUI stalls while typing during an
    import (100-200 ms on a busy machine) were such collections, run by a worker thread, and
    none of them found anything to free."""
    if milestone not in _frozen_at:
        _frozen_at.add(milestone)
        gc.freeze()


class MainWindow(ActionTable, SearchActions, TagActions, NoteActions, UndoActions, ImportActions,
                 QMainWindow):
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
        self._sync_pending = None  # paths (a set) or WHOLE_VAULT waiting for the running sync
        self._full_sync_began: float | None = None  # time.monotonic() of the running full comparison
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
        self.results_shown.connect(lambda: freeze_startup_objects("results listed"))
        self._indexing_timer = QTimer(self)
        self._indexing_timer.setInterval(400)
        self._indexing_timer.timeout.connect(self._check_indexing)
        self._check_indexing()

        self.conflicts = conflict_view.install(self)  # sidebar entry, dialog (qt/conflict_view.py)
        self.run_search()
        self.reload_tags()
        # Load the import pipeline in the background once the window is up, so the first drop
        # does not stall the window while Python imports it.
        QTimer.singleShot(PREWARM_MS, self._prewarm)
        freeze_startup_objects("window built")

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
        self.snippets = SnippetFiller(self.results_model, self.reader, lambda: self.lib, self)
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

    # ------------------------------------------------------------------ writing
    def _write(self, fn, *args, message=None, after=None, **kwargs) -> None:
        """Run a change on the writer, then refresh what the window shows."""
        def done(result):
            if message:
                text = (message(result) if callable(message) else message) + refused_text(result)
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
        self._sync_paths(WHOLE_VAULT)

    def _files_changed(self, paths) -> None:
        """The vault watcher saw folders or the open note change (debounced)."""
        self._sync_paths(set(paths))

    def _sync_paths(self, paths) -> None:
        """One ``lib.sync_changed`` at a time: what changes meanwhile waits and goes together."""
        if self._closing:
            return
        if self._sync_running:
            if paths is WHOLE_VAULT or self._sync_pending is WHOLE_VAULT:
                self._sync_pending = WHOLE_VAULT
            else:
                self._sync_pending = (self._sync_pending or set()) | paths
            return
        self._sync_running = True
        lib = self.lib
        arg = None if paths is WHOLE_VAULT else sorted(paths)
        self._full_sync_began = time.monotonic() if arg is None else None
        self.writer.submit(lib.sync_changed, arg, label="sync", done=self._synced,
                           failed=self._sync_failed)

    def _sync_ended(self) -> None:
        self._sync_running = False
        if self._full_sync_began is not None:  # the next periodic one: see refresh_interval_ms
            self._periodic.setInterval(refresh_interval_ms(time.monotonic() - self._full_sync_began))
            self._full_sync_began = None

    def _synced(self, changes) -> None:
        self._sync_ended()
        if changes:
            self._after_change()
        self._next_sync()

    def _sync_failed(self, exc) -> None:
        self._sync_ended()
        self.notify(f"Could not pick up the changes in the vault folder: {exc}", error=True)
        self._next_sync()

    def _next_sync(self) -> None:
        pending, self._sync_pending = self._sync_pending, None
        if pending is not None:
            self._sync_paths(pending)

    def _check_indexing(self) -> None:
        indexing = self.lib.indexing
        was = self.indexing_label.isVisible()
        self.indexing_label.setVisible(indexing)
        if indexing and not self._indexing_timer.isActive():
            self._indexing_timer.start()
        elif not indexing:
            self._indexing_timer.stop()
            if was:
                self._after_change(reload_note=False)

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
