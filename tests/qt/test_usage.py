"""The app as people use it (issue 18's rough edges, one test each, as a user meets them): the
first paste, a list that follows the vault, snippets, the tag field and dialogs, links, failures
told in the window, images not shown, file dialogs, an empty search, another vault, settings,
tag suggestions."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, Qt, QUrl
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QMessageBox

from clipper.core.model import Clip
from clipper.qt import note_view as note_view_module
from clipper.qt.results_model import SnippetHtmlRole
from tests.qt.conftest import drop, file_mime, import_by, titles, wait_idle, wait_titles
from tests.qt.pages import write_page

DATA = Path(__file__).resolve().parent.parent / "data" / "text"
ARTICLE = (DATA / "pasted-article.txt").read_text("utf-8")
ARTICLE_TITLE = "Harbour Town Will Rebuild Its Old Sea Wall, Mayor Says After Winter Storms"

NOTES = [
    ("The Quiet Orchard", "Pruning old apple trees takes patience and a sharp blade.", ["garden"]),
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


def notes_on_disk(win) -> list[Path]:
    return sorted(Path(win.lib.vault).glob("*.md"))


def ctrl_v(qtbot, widget) -> None:
    qtbot.keyClick(widget, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)


# --- 1. the first Ctrl+V ----------------------------------------------------------------------


def test_1_an_article_pasted_into_the_search_box_becomes_a_note(qtbot, window):
    assert window.search_box.hasFocus()  # where the focus is when the window opens
    QApplication.clipboard().setText(ARTICLE)
    outcome = import_by(qtbot, window, lambda: ctrl_v(qtbot, window.search_box))
    assert [n.title for n in outcome.created] == [ARTICLE_TITLE]
    assert window.search_box.text() == ""  # nothing typed into the search
    assert window.note_title.text() == ARTICLE_TITLE
    assert "Brandt" in notes_on_disk(window)[0].read_text("utf-8")


def test_1_html_only_copy_pasted_into_the_search_box_becomes_a_note(qtbot, window):
    """Some programs put only HTML on the clipboard (no plain text): that is a page, not words."""
    mime = QMimeData()
    mime.setHtml("<h1>Orchard Ledger</h1><p>The old orchard gave four crates of apples this year, "
                 "and the cider press ran for two whole days.</p><ul><li>Bramley</li><li>Cox</li></ul>")
    assert not mime.hasText()
    QApplication.clipboard().setMimeData(mime)
    window.search_box.setFocus()
    outcome = import_by(qtbot, window, lambda: ctrl_v(qtbot, window.search_box))
    assert [n.title for n in outcome.created] == ["Orchard Ledger"]
    assert window.search_box.text() == ""
    assert "- Cox" in notes_on_disk(window)[0].read_text("utf-8")


def test_1_words_pasted_into_the_search_box_are_a_search(qtbot, window):
    QApplication.clipboard().setText("sea wall")
    window.search_box.setFocus()
    ctrl_v(qtbot, window.search_box)
    assert window.search_box.text() == "sea wall"
    wait_idle(qtbot, window)
    assert notes_on_disk(window) == [] and not window.importing


def test_1_an_article_pasted_into_the_tag_line_is_imported_but_the_editor_pastes(qtbot, filled):
    win = filled
    line = win.tag_editor.line
    line.setFocus()
    QApplication.clipboard().setText(ARTICLE)
    outcome = import_by(qtbot, win, lambda: ctrl_v(qtbot, line))
    assert outcome.created and "Brandt" not in line.text()
    win.set_editing(True)
    editor = win.editor.text
    before = len(notes_on_disk(win))
    editor.moveCursor(editor.textCursor().MoveOperation.End)
    ctrl_v(qtbot, editor)  # editing a note: an ordinary paste
    assert "Elena Brandt" in editor.toPlainText()
    wait_idle(qtbot, win)
    assert len(notes_on_disk(win)) == before


# --- 2. an import keeps the search ------------------------------------------------------------


def test_2_an_import_keeps_the_search_the_user_typed(qtbot, filled, tmp_path):
    win = filled
    assert set(type_query(qtbot, win, "orchard")) == {"The Quiet Orchard", "Bees and Borders"}
    page = write_page(tmp_path, "lighthouse.html", "Keeping the Lighthouse", "lighthouse")
    import_by(qtbot, win, lambda: drop(win, file_mime(page)))
    assert win.search_box.text() == "orchard"
    assert set(titles(win)) == {"The Quiet Orchard", "Bees and Borders"}  # the results stay
    assert win.note_title.text() == "Keeping the Lighthouse"  # the new note is shown all the same
    assert "does not match the search" in win.statusBar().currentMessage()
    # a new note that matches the search joins the list
    page = write_page(tmp_path, "cider.html", "Cider from the Old Orchard", "orchard")
    import_by(qtbot, win, lambda: drop(win, file_mime(page)))
    assert win.search_box.text() == "orchard"
    assert "Cider from the Old Orchard" in titles(win)


# --- 3. the list follows the vault ------------------------------------------------------------


def test_3_a_note_written_by_another_program_appears_without_f5(qtbot, filled):
    win = filled
    assert win.count_label.text() == "3 notes"
    note = Path(win.lib.vault) / "written-elsewhere.md"
    note.write_text("---\ntitle: Written Elsewhere\ntags: [outside]\n---\n\nA note from another editor.\n",
                    "utf-8")
    wait_titles(qtbot, win, lambda t: "Written Elsewhere" in t, timeout=10000)
    qtbot.waitUntil(lambda: win.count_label.text() == "4 notes", timeout=5000)
    qtbot.waitUntil(lambda: win.tag_tree.item_for("outside") is not None, timeout=5000)
    sub = Path(win.lib.vault) / "from-sync" / "deeper"
    sub.mkdir(parents=True)
    (sub / "synced.md").write_text("# Synced Over\n\nArrived from the other laptop.\n", "utf-8")
    wait_titles(qtbot, win, lambda t: "Synced Over" in t, timeout=10000)
    note.unlink()
    wait_titles(qtbot, win, lambda t: "Written Elsewhere" not in t, timeout=10000)


def test_3_notes_imported_by_the_cli_appear(qtbot, filled, tmp_path):
    """The CLI updates the shared index itself: the window still learns of it."""
    win = filled
    page = write_page(tmp_path, "cli.html", "Imported on the Command Line", "terminal")
    command = [sys.executable, "-m", "clipper", "import", str(page), "--vault", str(win.lib.vault)]
    proc = subprocess.run(command, capture_output=True, text=True, env=dict(os.environ), timeout=120)
    assert proc.returncode == 0, proc.stderr
    wait_titles(qtbot, win, lambda t: "Imported on the Command Line" in t, timeout=10000)
    qtbot.waitUntil(lambda: win.count_label.text() == "4 notes", timeout=5000)


def test_3_a_burst_of_a_thousand_files_is_one_reindex(qtbot, filled, monkeypatch):
    """A sync engine delivering 1,000 notes: the watcher hands them on together and the
    window makes one ``sync_changed`` call of them, not 1,000."""
    win = filled
    calls = []
    real = win.lib.sync_changed
    monkeypatch.setattr(win.lib, "sync_changed", lambda paths=None: calls.append(paths) or real(paths))
    folder = Path(win.lib.vault) / "burst"
    folder.mkdir()
    for i in range(1000):  # written without returning to the event loop, as fast as a sync engine
        (folder / f"n{i:04d}.md").write_text(f"---\ntitle: Burst {i}\n---\n\nArrival {i}.\n", "utf-8")
    qtbot.waitUntil(lambda: win.count_label.text() == "200+ notes", timeout=30000)
    wait_idle(qtbot, win)
    assert len(win.lib.search("arrival", limit=2000)) == 1000
    assert len(calls) == 1, calls


def test_3_folders_beyond_the_watch_limit_are_polled(qtbot, tmp_path):
    from clipper.qt.vault_watcher import VaultWatcher

    root = tmp_path / "vault"
    (root / "a").mkdir(parents=True)
    (root / "b").mkdir()
    watcher = VaultWatcher(lambda: [root, root / "a", root / "b"], max_watched=1, poll_ms=100, quiet_ms=50)
    try:
        watcher.start()
        qtbot.waitUntil(lambda: len(watcher.watched()) == 1 and len(watcher.polled()) == 2, timeout=5000)
        qtbot.wait(300)  # the first times are taken
        seen = []
        watcher.changed.connect(lambda paths: seen.extend(paths))
        (root / "b" / "new.md").write_text("# New\n", "utf-8")
        stamp = os.stat(root / "b").st_mtime_ns + 2_000_000_000
        os.utime(root / "b", ns=(stamp, stamp))
        qtbot.waitUntil(lambda: str(root / "b") in seen, timeout=10000)  # found by polling
    finally:
        watcher.stop()


# --- 4. snippets ------------------------------------------------------------------------------


def test_4_snippets_show_no_markdown_escapes(qtbot, window, lib):
    markdown = ("We saw \\<The Palace of Fine Arts\\> at dusk.\n\n| Room | Price \\| tax |\n"
                "| --- | --- |\n| Grand hall | 3 |\n")
    lib.import_clip(Clip(markdown=markdown, title="Palace Visit"))
    type_query(qtbot, window, "palace")
    snippet = window.results_model.data(window.results_model.index(0), SnippetHtmlRole)
    assert "\\" not in snippet and "---" not in snippet
    assert "&lt;The <b>Palace</b> of Fine Arts&gt;" in snippet


# --- 5. the tags field ------------------------------------------------------------------------


def test_5_the_tags_field_keeps_its_width_beside_suggestions(qtbot, filled):
    win = filled
    win.tag_editor.set_suggestions(["photosynthesis", "international-relations", "new-york",
                                    "attorney-general", "investigations"])
    qtbot.waitUntil(lambda: win.tag_editor.suggestions.isVisible())
    assert win.tag_editor.line.width() >= 240
    assert len(win.tag_editor.suggestion_buttons) == 5


# --- 6. rename or merge from the menu ---------------------------------------------------------


def test_6_rename_from_the_menu_picks_the_tag_in_a_dialog(qtbot, filled, monkeypatch):
    from clipper.qt.tag_dialogs import RenameTagDialog

    win = filled
    assert win.tag_tree.selected_tags() == []  # nothing selected in the sidebar
    seen = {}

    def answer(dialog):
        seen["choices"] = [dialog.old.itemText(i) for i in range(dialog.old.count())]
        seen["completes"] = dialog.old.completer().model().rowCount()
        dialog.old.setEditText("bees")
        dialog.new.setText("garden")  # an existing tag: a merge
        seen["hint"] = dialog.hint.text()
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(RenameTagDialog, "exec", answer)
    with qtbot.waitSignal(win.vault_changed, timeout=20000):
        win.act_rename_tag.trigger()
    wait_idle(qtbot, win)
    assert seen["choices"] == ["bees", "garden", "sea"] and seen["completes"] == 3
    assert "merged into the existing tag “garden”" in seen["hint"]
    assert win.tag_tree.item_for("bees") is None
    assert "merged into “garden”" in win.statusBar().currentMessage()


def test_6_the_rename_dialog_refuses_what_cannot_be_done():
    from PySide6.QtWidgets import QDialogButtonBox

    from clipper.qt.tag_dialogs import DeleteTagDialog, RenameTagDialog

    dialog = RenameTagDialog({"bees": 2, "garden/fruit": 1}, "")
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled()
    dialog.old.setEditText("nosuchtag")
    dialog.new.setText("x")
    assert not ok.isEnabled() and "Pick a tag that notes have" in dialog.hint.text()
    dialog.old.setEditText("garden")  # a parent of a nested tag
    assert ok.isEnabled()
    delete = DeleteTagDialog({"bees": 2}, "bees")
    assert delete.delete_button.isEnabled() and "removed from 2 notes" in delete.hint.text()


# --- 7. a dropped link -------------------------------------------------------------------------


def test_7_the_link_question_shows_the_link_and_no_is_not_an_error(qtbot, window, monkeypatch):
    asked = []

    def answer(box):
        asked.append(box.text())
        box.clickedButton = lambda: None  # "Don't fetch"
        return 0

    warnings = []
    monkeypatch.setattr(QMessageBox, "exec", answer)
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: warnings.append(a))
    url = "https://news.example.org/harbour-wall"
    mime = QMimeData()
    mime.setUrls([QUrl(url)])
    assert drop(window, mime)
    qtbot.waitUntil(lambda: bool(asked), timeout=5000)
    wait_idle(qtbot, window)
    assert len(asked) == 1 and url in asked[0]
    assert window.last_report is None and warnings == []  # one question, no second report
    assert window.statusBar().currentMessage() == f"Not fetched (as you asked): {url}"
    assert window.settings.get("fetch_links") == "no"


# --- 8. failures are told in the window -------------------------------------------------------


def test_8_no_web_browser_is_told_in_the_window(qtbot, window, lib, monkeypatch):
    monkeypatch.setattr(note_view_module, "system_open", lambda url: False)
    monkeypatch.setattr("clipper.qt.window_note.system_open", lambda url: False)
    lib.import_clip(Clip(markdown="Body [a link](https://example.org/other).", title="Sourced",
                         source="https://example.org/sourced"))
    window.run_search()
    qtbot.waitUntil(lambda: window.note_title.text() == "Sourced", timeout=20000)
    window.act_open_source.trigger()
    bar = window.message_bar
    assert bar.isVisible() and "No web browser could be started for https://example.org/sourced" in bar.text()
    qtbot.mouseClick(bar.button, Qt.MouseButton.LeftButton)  # "Copy link"
    assert QApplication.clipboard().text() == "https://example.org/sourced"
    window.note_view.anchorClicked.emit(QUrl("https://example.org/other"))
    assert "https://example.org/other" in bar.text()
    window.act_show_folder.trigger()
    assert "No file manager could be started" in bar.text()


# --- 9. images that are not shown -------------------------------------------------------------


def test_9_images_not_shown_are_their_alt_text_with_a_way_to_load_them(qtbot, window, lib):
    lib.import_clip(Clip(markdown="Before.\n\n![A red kite over the hills](https://img.example.org/kite.jpg)\n\n"
                                  "![The missing map](attachments/none.png)\n\nAfter.", title="Kites"))
    window.run_search()
    qtbot.waitUntil(lambda: window.note_title.text() == "Kites", timeout=20000)
    wait_idle(qtbot, window)
    view = window.note_view
    assert view.rendered.images["https://img.example.org/kite.jpg"] == "A red kite over the hills"
    assert "1 image from the web is not shown. Show them" in view.toPlainText()
    image = QTextDocument.ResourceType.ImageResource
    for url in ("https://img.example.org/kite.jpg", "attachments/none.png"):
        placeholder = view.loadResource(image, QUrl(url))
        assert placeholder.width() > 100  # a box with the alt text, not a broken-image icon
    with qtbot.waitSignal(view.remote_image_wanted, timeout=10000) as wanted:
        view.anchorClicked.emit(QUrl(note_view_module.LOAD_IMAGES))  # "Show them": this note only
    assert wanted.args[0].toString() == "https://img.example.org/kite.jpg"
    wait_idle(qtbot, window)
    assert "not shown" not in view.toPlainText()
    assert window.settings.get("remote_images") is False


# --- 10. file dialogs -------------------------------------------------------------------------


def test_10_file_dialogs_open_at_home_then_where_the_user_was(qtbot, window, tmp_path, monkeypatch):
    asked = []
    (tmp_path / "downloads").mkdir()
    page = write_page(tmp_path / "downloads", "page.html", "A Downloaded Page", "download")
    answers = iter([[str(page)], []])
    monkeypatch.setattr(QFileDialog, "getOpenFileNames",
                        lambda parent, title, folder, filters: asked.append(folder) or (next(answers), ""))
    with qtbot.waitSignal(window.import_finished, timeout=30000):
        window.act_import_files.trigger()
    window.act_import_files.trigger()
    assert asked == [str(Path.home()), str(tmp_path / "downloads")]  # never the app's own folder


# --- 11. an empty search ----------------------------------------------------------------------


def test_11_a_search_without_hits_says_so_in_the_note_pane(qtbot, filled):
    win = filled
    assert type_query(qtbot, win, "zeppelin") == []
    text = win.placeholder.text()
    assert "Nothing matches “zeppelin”" in text and "Drop articles here" not in text
    assert type_query(qtbot, win, "orchrd") == []
    qtbot.waitUntil(lambda: "Did you mean" in win.placeholder.text(), timeout=10000)
    assert 'href="orchard"' in win.placeholder.text()
    win.placeholder.linkActivated.emit("orchard")
    wait_idle(qtbot, win)
    assert set(titles(win)) == {"The Quiet Orchard", "Bees and Borders"}


def test_11_an_empty_vault_invites_a_drop(qtbot, window):
    assert "Drop articles here" in window.placeholder.text()
    assert window.note_stack.currentWidget() is window.placeholder


# --- 13. another vault folder -----------------------------------------------------------------


def test_13_another_vault_is_opened_at_once(qtbot, filled, tmp_path, monkeypatch):
    from clipper import Library
    from clipper.qt.settings_dialog import SettingsDialog

    win = filled
    other = tmp_path / "other-vault"
    with Library.open(other) as lib2:
        lib2.import_clip(Clip(markdown="Kept in the second vault.", title="Second Vault Note"))
    old = win.lib

    def answer(dialog):
        dialog.vault.setText(str(other))
        return True

    monkeypatch.setattr(SettingsDialog, "exec", answer)
    win.act_settings.trigger()
    wait_titles(qtbot, win, lambda t: t == ["Second Vault Note"], timeout=20000)
    assert win.lib is not old and Path(win.lib.vault) == other.absolute()
    assert win.settings.get("vault") == str(other)
    assert win.isVisible()  # the same window
    qtbot.waitUntil(lambda: old._closed, timeout=20000)
    # changes in the new vault are watched
    (other / "arrived.md").write_text("# Arrived Later\n\ntext\n", "utf-8")
    wait_titles(qtbot, win, lambda t: "Arrived Later" in t, timeout=10000)


def test_13_a_vault_that_cannot_be_opened_keeps_the_old_one(qtbot, filled, tmp_path, monkeypatch):
    from clipper.qt.settings_dialog import SettingsDialog

    win = filled
    not_a_folder = tmp_path / "a-file"
    not_a_folder.write_text("x")
    old = win.lib
    monkeypatch.setattr(SettingsDialog, "exec", lambda d: d.vault.setText(str(not_a_folder)) or True)
    win.act_settings.trigger()
    qtbot.waitUntil(lambda: win.message_bar.isVisible(), timeout=20000)
    assert "Could not open the vault folder" in win.message_bar.text()
    assert win.lib is old and len(titles(win)) == 3
    assert win.settings.get("vault") != str(not_a_folder)


# --- 14. the settings dialog ------------------------------------------------------------------


def test_14_the_settings_dialog_shows_the_whole_vault_path(qtbot, window):
    from PySide6.QtGui import QFontMetrics

    from clipper.qt.settings_dialog import SettingsDialog

    path = "/home/someone/Documents/Notes and clippings/Research/2024 reading list/Clipper vault"
    dialog = SettingsDialog(window.settings, path, window)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    need = QFontMetrics(dialog.vault.font()).horizontalAdvance(path)
    assert dialog.vault.width() >= need
    assert dialog.appearance.currentData() == "system"


# --- 15. tag suggestions ----------------------------------------------------------------------


def test_15_the_welcome_note_suggests_topics_not_interface_words(qtbot, window):
    window.create_welcome_note()
    qtbot.waitUntil(lambda: window.note_title.text() == "Welcome to Clipper", timeout=20000)
    qtbot.waitUntil(lambda: bool(window.tag_editor.suggestion_buttons), timeout=20000)
    offered = [b.text() for b in window.tag_editor.suggestion_buttons]
    assert offered[0] == "+markdown"
    assert not {"+ctrl", "+file", "+shift"} & set(offered)


def test_alt_letters_do_not_collide_with_the_menus(qtbot, filled):
    """Alt+T opens the Tags menu, not the tag line; each Alt+letter does one thing."""
    from PySide6.QtWidgets import QAbstractButton, QLabel

    win = filled
    win.set_editing(True)  # header, editor and its buttons all on screen

    def letter(text: str) -> str:
        i = text.replace("&&", "").find("&")
        return text.replace("&&", "")[i + 1].lower() if i >= 0 else ""

    letters = [letter(a.text()) for a in win.menuBar().actions()]
    for widget in win.findChildren(QAbstractButton) + win.findChildren(QLabel):
        if widget.isVisible() and "&" in widget.text() and widget.window() is win:
            letters.append(letter(widget.text()))
    letters = [c for c in letters if c]
    assert len(letters) == len(set(letters)), sorted(letters)
