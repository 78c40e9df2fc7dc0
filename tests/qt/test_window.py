"""Searching, tags, editing, delete/undo, the safe preview and start-up, as a user sees them."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt, QUrl
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QMessageBox

from clipper.core.model import Clip
from clipper.qt import note_view as note_view_module
from clipper.qt.results_model import ResultsModel, SnippetHtmlRole
from clipper.qt.search_box import SearchController
from tests.qt.conftest import drop, file_mime, import_by, titles, wait_idle, wait_titles
from tests.qt.pages import PNG, write_hostile

NOTES = [
    ("The Quiet Orchard", "Pruning old apple trees takes patience and a sharp blade.",
     ["garden", "garden/fruit"]),
    ("Bees and Borders", "A hive at the edge of the orchard helps the apple blossom.", ["garden", "bees"]),
    ("Harbour Tides", "The harbour empties twice a day and the boats lean on the mud.", ["sea"]),
]


@pytest.fixture
def filled(qtbot, window, lib):
    for title, body, tags in NOTES:
        lib.import_clip(Clip(markdown=body + "\n\nMore text about " + title.lower() + ".", title=title,
                             site="example.org", tags=list(tags)))
    window.reload_tags()
    window.run_search()
    wait_titles(qtbot, window, lambda t: len(t) == 3)
    return window


def type_query(qtbot, win, text: str) -> list[str]:
    win.search_box.setFocus()
    win.search_box.selectAll()
    with qtbot.waitSignal(win.results_shown, timeout=20000):
        qtbot.keyClicks(win.search_box, text)
    wait_idle(qtbot, win)
    return titles(win)


def test_typing_a_query_lists_hits_with_highlighted_snippets(qtbot, filled):
    win = filled
    got = type_query(qtbot, win, "orchard")
    assert set(got) == {"The Quiet Orchard", "Bees and Borders"}
    snippets = [win.results_model.data(win.results_model.index(i), SnippetHtmlRole) for i in range(len(got))]
    assert any("<b>orchard</b>" in s.lower() for s in snippets)
    assert win.count_label.text() == "2 notes"
    # the top hit is shown in the note pane
    assert win.note_title.text() in got


def test_a_query_without_hits_says_so(qtbot, filled):
    assert type_query(qtbot, filled, "zeppelin") == []
    assert filled.results_stack.currentWidget() is filled.empty_label
    assert "No notes match “zeppelin”" in filled.empty_label.text()


def test_clicking_a_tag_filters_and_ctrl_click_combines(qtbot, filled):
    win = filled
    tree = win.tag_tree
    wait_idle(qtbot, win)
    garden = tree.item_for("garden")
    assert garden.text(0) == "garden  (2)"
    assert tree.item_for("garden/fruit").parent() is garden

    def click(item, modifier=Qt.KeyboardModifier.NoModifier):
        rect = tree.visualItemRect(item)
        with qtbot.waitSignal(win.results_shown, timeout=20000):
            qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, modifier, rect.center())
        wait_idle(qtbot, win)

    click(garden)
    assert set(titles(win)) == {"The Quiet Orchard", "Bees and Borders"}
    click(tree.item_for("bees"), Qt.KeyboardModifier.ControlModifier)
    assert titles(win) == ["Bees and Borders"]
    click(tree.item_for(""))  # "All notes"
    assert len(titles(win)) == 3


def test_tags_of_selected_notes_are_edited_and_renamed(qtbot, filled):
    win = filled
    type_query(qtbot, win, "harbour")
    assert win.note_title.text() == "Harbour Tides"
    line = win.tag_editor.line
    line.setFocus()
    line.setText("sea, boats")
    with qtbot.waitSignal(win.vault_changed, timeout=20000):
        qtbot.keyClick(line, Qt.Key.Key_Return)
    wait_idle(qtbot, win)
    assert win.current_note.tags == ["sea", "boats"]
    assert win.tag_tree.item_for("boats") is not None
    with qtbot.waitSignal(win.vault_changed, timeout=20000):
        win.rename_tag_to("boats", "sea")  # merge
    wait_idle(qtbot, win)
    assert win.tag_tree.item_for("boats") is None
    assert win.current_note.tags == ["sea"]
    with qtbot.waitSignal(win.vault_changed, timeout=20000):
        win.delete_tag_now("sea")
    wait_idle(qtbot, win)
    assert win.tag_tree.item_for("sea") is None


def test_editing_and_saving_a_note_then_finding_the_new_text(qtbot, filled):
    win = filled
    type_query(qtbot, win, "harbour")
    qtbot.keyClick(win, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert win.note_stack.currentWidget() is win.editor
    editor = win.editor.text
    assert "title: Harbour Tides" in editor.toPlainText()
    editor.moveCursor(editor.textCursor().MoveOperation.End)
    with qtbot.waitSignal(win.saved, timeout=20000):
        qtbot.keyClick(editor, Qt.Key.Key_Return)
        qtbot.keyClicks(editor, "Cormorants dry their wings on the pier.")
        qtbot.keyClick(editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, win)
    assert win.editor.status.text() == "Saved."
    assert "Cormorants dry their wings" in Path(win.current_note.path).read_text("utf-8")
    qtbot.keyClick(win, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert "Cormorants dry their wings" in win.note_view.toPlainText()
    assert type_query(qtbot, win, "cormorants") == ["Harbour Tides"]


def test_a_note_changed_on_disk_while_editing_is_not_overwritten(qtbot, filled, monkeypatch):
    win = filled
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: warnings.append(a[2]))
    type_query(qtbot, win, "harbour")
    win.set_editing(True)
    path = Path(win.current_note.path)
    path.write_text(path.read_text("utf-8") + "\nChanged by another program.\n", "utf-8")
    win.editor.text.appendPlainText("My own edit.")
    with qtbot.waitSignal(win.saved, timeout=20000):
        win.editor.save()
    assert "Changed by another program." in path.read_text("utf-8")
    assert "My own edit." not in path.read_text("utf-8")
    assert "changed on disk" in win.editor.status.text()
    assert warnings and "saved as" in warnings[0]


def test_delete_moves_to_trash_and_undo_brings_it_back(qtbot, filled):
    win = filled
    type_query(qtbot, win, "orchard")
    win.search_box.clear()
    with qtbot.waitSignal(win.results_shown, timeout=20000):
        win.run_search()
    wait_idle(qtbot, win)
    row = titles(win).index("Bees and Borders")
    win.results.setCurrentIndex(win.results_model.index(row))
    wait_idle(qtbot, win)
    path = Path(win.current_note.path)
    win.results.setFocus()
    with qtbot.waitSignal(win.vault_changed, timeout=20000):
        qtbot.keyClick(win.results, Qt.Key.Key_Delete)
    wait_idle(qtbot, win)
    assert "Bees and Borders" not in titles(win)
    assert not path.exists()
    assert win.undo_bar.isVisible() and "Moved 1 note to the trash" in win.undo_label.text()
    with qtbot.waitSignal(win.vault_changed, timeout=20000):
        qtbot.keyClick(win.results, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, win)
    assert "Bees and Borders" in titles(win)
    assert path.exists()
    assert not win.undo_bar.isVisible()
    # the undo bar's button works too
    win.results.setCurrentIndex(win.results_model.index(titles(win).index("Harbour Tides")))
    wait_idle(qtbot, win)
    with qtbot.waitSignal(win.vault_changed, timeout=20000):
        win.act_delete.trigger()
    wait_idle(qtbot, win)
    assert "Harbour Tides" not in titles(win)
    with qtbot.waitSignal(win.vault_changed, timeout=20000):
        qtbot.mouseClick(win.undo_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, win)
    assert "Harbour Tides" in titles(win)


def test_deleting_several_notes_is_one_core_call_and_one_undo(qtbot, filled, monkeypatch):
    win = filled
    calls = []
    for name in ("delete", "delete_many", "restore", "restore_many"):
        real = getattr(win.lib, name)
        monkeypatch.setattr(win.lib, name, lambda *a, _n=name, _f=real, **k: calls.append(_n) or _f(*a, **k))
    paths = {Path(h.path) for h in win.lib.search("")}
    win.results.selectAll()
    wait_idle(qtbot, win)
    with qtbot.waitSignal(win.vault_changed, timeout=20000):
        win.act_delete.trigger()
    wait_idle(qtbot, win)
    assert calls == ["delete_many"]
    assert titles(win) == [] and not any(p.exists() for p in paths)
    assert "Moved 3 notes to the trash" in win.undo_label.text()
    with qtbot.waitSignal(win.vault_changed, timeout=20000):
        qtbot.mouseClick(win.undo_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, win)
    assert calls == ["delete_many", "restore_many"]
    assert sorted(titles(win)) == sorted(t for t, _b, _tags in NOTES)
    assert all(p.exists() for p in paths)
    assert "Restored 3 notes" in win.statusBar().currentMessage()


def test_a_hostile_page_runs_nothing_and_its_links_do_nothing(qtbot, window, tmp_path, monkeypatch):
    opened = []
    monkeypatch.setattr(note_view_module, "system_open", lambda url: opened.append(url.toString()) or True)
    page = write_hostile(tmp_path)
    outcome = import_by(qtbot, window, lambda: drop(window, file_mime(page)))
    assert outcome.created
    view = window.note_view
    shown = view.toPlainText()
    assert "clever link" in shown
    assert window.windowTitle() == "Clipper"
    # No local file was read for an image, nothing remote was fetched.
    markdown = window.current_note.body
    assert "root:" not in shown
    for link in ("javascript:alert(document.cookie)", "file:///etc/passwd"):
        view.anchorClicked.emit(QUrl(link))
    assert opened == []
    assert view.toPlainText() == shown  # still the same note: nothing was navigated to
    view.anchorClicked.emit(QUrl("https://example.org/safe"))
    assert opened == ["https://example.org/safe"]
    # Text that looked like a tag on the page is shown as text; the page's own script is gone.
    assert "<script>alert('escaped')</script>" in shown
    assert "pwned" not in markdown and "evil.example" not in markdown


def test_the_preview_loads_only_the_vaults_images(qtbot, window, lib, tmp_path):
    view = window.note_view
    attachments = Path(lib.vault) / "attachments"
    attachments.mkdir(exist_ok=True)
    (attachments / "pic.png").write_bytes(PNG)
    outside = tmp_path / "outside.png"
    outside.write_bytes(PNG)
    image = QTextDocument.ResourceType.ImageResource
    view.base_dir = Path(lib.vault)

    def is_the_png(value) -> bool:  # the 1x1 file itself, not a placeholder drawn in its place
        return value is not None and not value.isNull() and value.width() == 1

    assert is_the_png(view.loadResource(image, QUrl("attachments/pic.png")))
    # A refusal is a placeholder, never None: with None, QTextDocument reads the file itself.
    for refused in (QUrl.fromLocalFile(str(outside)), QUrl("../outside.png"), QUrl("file:///etc/passwd"),
                    QUrl("https://tracker.example/pixel.gif")):
        got = view.loadResource(image, refused)
        assert got is not None and not is_the_png(got), refused
    css = QTextDocument.ResourceType.StyleSheetResource
    assert view.loadResource(css, QUrl("attachments/pic.png")) == ""
    # What the document ends up holding, after layout, is never the outside file.
    view.show_markdown(f"![outside]({outside}) ![inside](attachments/pic.png)", Path(lib.vault))
    window.note_stack.setCurrentWidget(view)
    qtbot.waitUntil(lambda: view.document().resource(image, QUrl("attachments/pic.png")) is not None)
    held = view.document().resource(image, QUrl(str(outside)))
    assert held is not None and not is_the_png(held)
    # Clicking a file: link in a rendered note shows nothing new.
    view.show_markdown("[secret](file:///etc/passwd)\n\n![x](file:///etc/hostname)", Path(lib.vault))
    before = view.toPlainText()
    view.anchorClicked.emit(QUrl("file:///etc/passwd"))
    assert view.toPlainText() == before
    assert view.source() == QUrl()


def test_window_state_sort_and_last_search_are_restored(qtbot, filled, lib, settings):
    from clipper.qt.main_window import MainWindow

    win = filled
    win.set_sort("newest")
    win.search_box.setText("orchard")
    win.splitter.setSizes([111, 400, 500])
    sizes = win.splitter.sizes()
    win.close()
    again = MainWindow(lib, settings)
    qtbot.addWidget(again)
    again.show()
    wait_idle(qtbot, again)
    assert again.current_sort() == "newest"
    assert again.search_box.text() == "orchard"
    assert again.splitter.sizes()[0] == sizes[0]
    assert set(titles(again)) == {"The Quiet Orchard", "Bees and Borders"}
    again.close()


def test_stale_search_results_are_dropped():
    """Two searches in flight: only the newest answer reaches the list (no threads needed)."""

    class Runner:
        def __init__(self):
            self.calls = []

        def submit(self, fn, *args, done=None, failed=None, **kwargs):
            self.calls.append((fn, done))

    class Lib:
        def search(self, query, **kwargs):
            return [query]

    runner = Runner()
    ctl = SearchController(runner, Lib)
    shown = []
    ctl.results_ready.connect(lambda req, hits: shown.append(hits))
    ctl.request("orc")
    ctl.request("orchard")
    (old_fn, old_done), (new_fn, new_done) = runner.calls
    new_done(new_fn())
    old_done(old_fn())  # arrives late
    assert shown == [["orchard"]]


def test_results_model_is_a_well_behaved_model(qtmodeltester, lib):
    lib.import_clip(Clip(markdown="Body text here.", title="One"))
    model = ResultsModel()
    model.set_hits(lib.search(""))
    qtmodeltester.check(model)
    assert model.rowCount(QModelIndex()) == 1


def test_first_start_shows_the_welcome_note(qtbot, tmp_path):
    from clipper.qt import app as app_module

    _app, win, lib = app_module.start(["--vault", str(tmp_path / "new-vault"),
                                       "--settings", str(tmp_path / "s.ini")])
    qtbot.addWidget(win)
    try:
        qtbot.waitUntil(lambda: win.note_title.text() == "Welcome to Clipper", timeout=20000)
        qtbot.waitUntil(lambda: "Drop" in win.note_view.toPlainText(), timeout=20000)
        assert (tmp_path / "new-vault").is_dir()
    finally:
        win.close()
        lib.close()
    # the second start does not add it again
    _app, win, lib = app_module.start(["--vault", str(tmp_path / "new-vault"),
                                       "--settings", str(tmp_path / "s.ini")])
    qtbot.addWidget(win)
    try:
        wait_idle(qtbot, win)
        assert titles(win) == ["Welcome to Clipper"]
    finally:
        win.close()
        lib.close()


def test_files_given_on_the_command_line_are_imported(qtbot, tmp_path):
    from clipper.qt import app as app_module
    from tests.qt.pages import write_page

    page = write_page(tmp_path, "orchard.html", "The Quiet Orchard", "orchard")
    settings = tmp_path / "s.ini"
    settings.write_text("[General]\nwelcomed=true\ndownload_images=no\n")
    _app, win, lib = app_module.start(["--vault", str(tmp_path / "v"), "--settings", str(settings),
                                       str(page)])
    qtbot.addWidget(win)
    try:
        qtbot.waitUntil(lambda: win.note_title.text() == "The Quiet Orchard", timeout=20000)
    finally:
        win.close()
        lib.close()


def test_a_second_launch_hands_its_files_to_the_running_window(qtbot, tmp_path):
    """ "Open with Clipper" while Clipper runs on the vault: the open window imports the file and
    the second process exits at once instead of opening a second window."""
    import os
    import subprocess
    import sys

    from clipper.qt import app as app_module
    from tests.qt.pages import write_page

    page = write_page(tmp_path, "tides.html", "Harbour Tides", "harbour")
    settings = tmp_path / "s.ini"
    settings.write_text("[General]\nwelcomed=true\ndownload_images=no\n")
    vault = tmp_path / "v"
    _app, win, lib = app_module.start(["--vault", str(vault), "--settings", str(settings)])
    qtbot.addWidget(win)
    try:
        assert win.instance_server is not None and win.instance_server.listening
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
        launch = "import sys; from clipper.qt.app import main; sys.exit(main(sys.argv[1:]))"
        proc = subprocess.Popen(
            [sys.executable, "-c", launch, "--vault", str(vault), "--settings", str(settings), str(page)],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        qtbot.waitUntil(lambda: proc.poll() is not None, timeout=30000)
        assert proc.returncode == 0 and "handed 1 file" in proc.stderr.read()
        qtbot.waitUntil(lambda: win.note_title.text() == "Harbour Tides", timeout=20000)
        assert [n.title for n in (lib.get(h.id) for h in lib.search("harbour"))] == ["Harbour Tides"]
    finally:
        win.close()
        lib.close()
    assert not win.instance_server.listening  # a closed window takes no more files


def test_a_start_up_failure_shows_a_dialog_not_a_traceback(qtbot, tmp_path, monkeypatch, capsys):
    from clipper.qt import app as app_module

    shown = []
    monkeypatch.setattr(QMessageBox, "exec", lambda self: shown.append(self.text()) or 0)
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("x")
    code = app_module.main(["--vault", str(not_a_folder), "--settings", str(tmp_path / "s.ini")])
    assert code == 1
    assert shown and shown[0].startswith("Clipper could not start")
    assert "Traceback" not in capsys.readouterr().err


def test_tags_are_added_to_all_selected_notes(qtbot, filled):
    from PySide6.QtCore import QItemSelectionModel

    win = filled
    sel = win.results.selectionModel()
    for row in range(2):
        sel.select(win.results_model.index(row), QItemSelectionModel.SelectionFlag.Select)
    wait_idle(qtbot, win)
    chosen = {titles(win)[0], titles(win)[1]}
    line = win.tag_editor.line
    line.setText(line.text() + ", reading-list" if line.text() else "reading-list")
    with qtbot.waitSignal(win.vault_changed, timeout=20000):
        line.editingFinished.emit()
    wait_idle(qtbot, win)
    assert win.tag_tree.counts().get("reading-list") == 2
    hits = {h.title: h.tags for h in win.lib.search("tag:reading-list")}
    assert set(hits) == chosen


def test_edits_are_saved_automatically(qtbot, filled, monkeypatch):
    win = filled
    win.editor._timer.setInterval(200)
    type_query(qtbot, win, "harbour")
    win.set_editing(True)
    editor = win.editor.text
    editor.moveCursor(editor.textCursor().MoveOperation.End)
    with qtbot.waitSignal(win.saved, timeout=20000):
        qtbot.keyClicks(editor, " Gulls everywhere.")
    assert "Gulls everywhere." in Path(win.current_note.path).read_text("utf-8")


def test_every_control_has_an_accessible_name(window):
    from PySide6.QtWidgets import (
        QAbstractButton,
        QAbstractItemView,
        QComboBox,
        QLineEdit,
        QPlainTextEdit,
        QProgressBar,
        QTextEdit,
    )

    kinds = (QAbstractButton, QAbstractItemView, QComboBox, QLineEdit, QPlainTextEdit, QTextEdit,
             QProgressBar)
    widgets = {w for kind in kinds for w in window.findChildren(kind)}
    unnamed = []
    for widget in widgets:
        internal = isinstance(widget.parent(), (QComboBox, QAbstractItemView))
        if internal or widget.objectName().startswith("qt_"):
            continue  # Qt's own internals (combo popups, scroll-area corners)
        text = widget.text() if isinstance(widget, QAbstractButton) else ""
        if not (widget.accessibleName() or text.replace("&", "").strip()):
            unnamed.append(f"{type(widget).__name__} in {type(widget.parent()).__name__}")
    assert unnamed == []


def test_every_menu_action_can_be_reached_from_the_keyboard(window):
    menus = [a.menu() for a in window.menuBar().actions()]
    assert all("&" in a.text() for a in window.menuBar().actions())
    for menu in menus:
        for action in menu.actions():
            if not action.isSeparator():
                assert "&" in action.text() or not action.shortcut().isEmpty(), action.text()
    assert window.act_find.shortcuts()[0].toString() == "Ctrl+F"
    assert window.act_import_clipboard.shortcut().toString() == "Ctrl+Shift+V"


def test_the_settings_dialog_stores_the_choices(qtbot, window):
    from clipper.qt.settings_dialog import SettingsDialog

    dialog = SettingsDialog(window.settings, str(window.lib.vault), window)
    qtbot.addWidget(dialog)
    assert dialog.remote_images.isChecked() is False  # remote images are off by default
    dialog.fetch.setCurrentIndex(dialog.fetch.findData("no"))
    dialog.remote_images.setChecked(True)
    dialog.apply()
    assert window.settings.get("fetch_links") == "no"
    assert window.settings.get("remote_images") is True


def test_a_keyboard_only_session(qtbot, filled):
    win = filled
    win.results.setFocus()
    qtbot.keyClick(win.results, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert win.search_box.hasFocus()
    with qtbot.waitSignal(win.results_shown, timeout=20000):
        qtbot.keyClicks(win.search_box, "tides")
    wait_idle(qtbot, win)
    qtbot.keyClick(win.search_box, Qt.Key.Key_Down)
    assert win.results.hasFocus()
    qtbot.keyClick(win.results, Qt.Key.Key_Up)
    assert win.search_box.hasFocus()
    qtbot.keyClick(win.search_box, Qt.Key.Key_Down)
    qtbot.keyClick(win.results, Qt.Key.Key_Return)
    assert win.note_view.hasFocus()
    assert win.note_title.text() == "Harbour Tides"
    qtbot.keyClick(win.note_view, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert win.editor.text.hasFocus()
    qtbot.keyClick(win.editor.text, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert win.note_view.hasFocus()
    qtbot.keyClick(win.note_view, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert win.tag_tree.hasFocus()
    qtbot.keyClick(win.tag_tree, Qt.Key.Key_Escape)
    qtbot.keyClick(win.tag_tree, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    assert win.tag_editor.line.hasFocus()


def test_tags_are_renamed_and_deleted_from_the_sidebar(qtbot, filled, monkeypatch):
    from PySide6.QtWidgets import QDialog

    from clipper.qt.tag_dialogs import DeleteTagDialog, RenameTagDialog

    win = filled
    tree = win.tag_tree
    picked = []

    def rename(dialog):
        picked.append(dialog.old_tag())
        dialog.new.setText("insects")
        return QDialog.DialogCode.Accepted

    def delete(dialog):
        picked.append(dialog.chosen())
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(RenameTagDialog, "exec", rename)
    monkeypatch.setattr(DeleteTagDialog, "exec", delete)
    tree.setFocus()
    tree.setCurrentItem(tree.item_for("bees"))
    wait_idle(qtbot, win)
    with qtbot.waitSignal(win.vault_changed, timeout=20000):
        qtbot.keyClick(tree, Qt.Key.Key_F2)
    wait_idle(qtbot, win)
    assert tree.item_for("bees") is None and tree.item_for("insects") is not None
    assert "renamed to “insects”" in win.statusBar().currentMessage()
    tree.setCurrentItem(tree.item_for("insects"))
    wait_idle(qtbot, win)
    with qtbot.waitSignal(win.vault_changed, timeout=20000):
        qtbot.keyClick(tree, Qt.Key.Key_Delete)
    wait_idle(qtbot, win)
    assert tree.item_for("insects") is None
    assert len(titles(win)) == 3  # the notes themselves are kept
    assert picked == ["bees", "insects"]  # each dialog started from the sidebar's tag


def test_closing_while_a_search_waits_for_the_typing_pause(qtbot, filled):
    from clipper.qt.search_box import DEBOUNCE_MS

    win = filled
    shown = titles(win)
    win.search_box.setText("orch")
    win.search_box.textEdited.emit("orch")  # as a keystroke: the search waits for the pause
    win.search_box.clear()
    win.close()
    qtbot.wait(DEBOUNCE_MS * 3)  # nothing is submitted to the stopped reader
    # what the user saw stays as it was: the window gone, the full list, no error anywhere
    assert not win.isVisible()
    assert titles(win) == shown and len(shown) == 3
    assert not win.message_bar.error and not win.message_bar.isVisible()
    assert win.statusBar().currentMessage() == ""


def test_start_up_objects_leave_the_collectors_view(qtbot, lib, settings, monkeypatch):
    """Full garbage collections pass over every object the collector tracks, holding the GIL:
    what start-up made is frozen once the window is built and again once the first results
    are listed (once a process), so that later collections do not stall the window passing
    over it all again."""
    from clipper.qt import main_window

    frozen = []
    monkeypatch.setattr(main_window, "_frozen_at", set())
    monkeypatch.setattr(main_window.gc, "freeze", lambda: frozen.append(True))
    win = main_window.MainWindow(lib, settings)
    qtbot.addWidget(win)
    assert frozen == [True]
    win.show()
    wait_idle(qtbot, win)
    assert frozen == [True, True]
    win.run_search()
    wait_idle(qtbot, win)
    second = main_window.MainWindow(lib, settings)
    qtbot.addWidget(second)
    wait_idle(qtbot, second)
    assert frozen == [True, True]
    second.close()
    win.close()
