"""Importing as a user does it: dropping files, folders, links, HTML and text; pasting; duplicates."""

from __future__ import annotations

import http.server
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, Qt, QUrl
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QApplication

from tests.qt.conftest import drop, file_mime, import_by, titles, wait_idle, wait_titles
from tests.qt.pages import article_html, write_mhtml, write_page


def shown_text(win) -> str:
    return win.note_view.toPlainText()


def test_drop_a_saved_page_shows_the_new_note(qtbot, window, tmp_path):
    page = write_page(tmp_path, "orchard.html", "The Quiet Orchard", "orchard")
    outcome = import_by(qtbot, window, lambda: drop(window, file_mime(page)))
    assert not outcome.errors
    assert window.note_title.text() == "The Quiet Orchard"
    assert "pruning" in shown_text(window)
    assert "All rights reserved" not in shown_text(window)  # site chrome left out
    assert "The Quiet Orchard" in wait_titles(qtbot, window, lambda t: "The Quiet Orchard" in t)
    assert window.results_model.data(window.results.currentIndex()) == "The Quiet Orchard"
    assert "Imported 1 note" in window.statusBar().currentMessage()


def test_drop_an_mhtml_file(qtbot, window, tmp_path):
    page = write_mhtml(tmp_path, "lighthouse.mhtml", "Keeping the Lighthouse", "lighthouse")
    outcome = import_by(qtbot, window, lambda: drop(window, file_mime(page)))
    assert not outcome.errors, outcome.errors
    assert window.note_title.text() == "Keeping the Lighthouse"
    assert "lighthouse" in shown_text(window)
    # The page's picture was saved in the vault and is shown from there.
    assert "](attachments/" in window.current_note.body
    image = QTextDocument.ResourceType.ImageResource
    name = QUrl(window.current_note.body.split("](", 1)[1].split(")", 1)[0])
    qtbot.waitUntil(lambda: window.note_view.document().resource(image, name) is not None, timeout=10000)
    assert window.note_view.blocked_resources == []


def test_drop_a_folder_imports_its_pages_with_progress(qtbot, window, tmp_path):
    folder = tmp_path / "saved"
    (folder / "sub").mkdir(parents=True)
    write_page(folder, "a.html", "Apples in Winter", "apple store")
    write_page(folder, "b.htm", "Bees and Borders", "bee hive")
    write_page(folder / "sub", "c.html", "Cider Presses", "cider press")
    (folder / "picture.png").write_bytes(b"\x89PNG\r\n\x1a\n")  # not a page: skipped in folders
    (folder / ".hidden.html").write_text("<p>hidden</p>")
    progress = []
    window.writer.progress.connect(lambda *a: progress.append(a))
    outcome = import_by(qtbot, window, lambda: drop(window, file_mime(folder)))
    assert sorted(n.title for n in outcome.created) == [
        "Apples in Winter", "Bees and Borders", "Cider Presses"]
    assert not outcome.errors
    assert progress and progress[-1][1:3] == (3, 3)
    assert not window.progress.isVisible()
    got = wait_titles(qtbot, window, lambda t: len(t) == 3)
    assert set(got) == {"Apples in Winter", "Bees and Borders", "Cider Presses"}


def test_bad_files_are_listed_together_in_one_report(qtbot, window, tmp_path):
    good = write_page(tmp_path, "good.html", "A Good Page", "meadow")
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"")
    binary = tmp_path / "binary.txt"
    binary.write_bytes(bytes(range(256)) * 40)
    outcome = import_by(qtbot, window, lambda: drop(window, file_mime(empty, good, binary)))
    assert [n.title for n in outcome.created] == ["A Good Page"]
    lines = window.report_text()
    assert len(lines) == 2
    assert lines[0].startswith("empty.html: ") and lines[1].startswith("binary.txt: ")
    assert window.last_report.isVisible()
    assert "2 could not be imported" in window.statusBar().currentMessage()


def test_a_duplicate_says_which_note_holds_it(qtbot, window, tmp_path):
    page = write_page(tmp_path, "orchard.html", "The Quiet Orchard", "orchard")
    import_by(qtbot, window, lambda: drop(window, file_mime(page)))
    copy = tmp_path / "orchard-again.html"
    copy.write_bytes(page.read_bytes())
    outcome = import_by(qtbot, window, lambda: drop(window, file_mime(copy)))
    assert not outcome.created and len(outcome.duplicates) == 1
    assert "Already in your vault: “The Quiet Orchard”" in window.statusBar().currentMessage()
    assert window.note_title.text() == "The Quiet Orchard"
    assert titles(window).count("The Quiet Orchard") == 1


class _Pages(http.server.BaseHTTPRequestHandler):
    pages: dict = {}

    def do_GET(self):  # noqa: N802
        body = self.pages.get(self.path)
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def local_site():
    _Pages.pages = {"/harbour.html": article_html("Life in the Harbour", "harbour").encode("utf-8")}
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def link_mime(url: str) -> QMimeData:
    mime = QMimeData()
    mime.setUrls([QUrl(url)])
    mime.setText(url)
    mime.setHtml(f'<a href="{url}">Life in the Harbour</a>')
    return mime


def test_a_dropped_link_is_fetched_when_allowed(qtbot, window, local_site):
    window.settings.set("fetch_links", "yes")
    url = f"{local_site}/harbour.html"
    outcome = import_by(qtbot, window, lambda: drop(window, link_mime(url)))
    assert not outcome.errors, outcome.errors
    assert window.note_title.text() == "Life in the Harbour"
    assert window.current_note.source.startswith(local_site)
    assert "harbour" in shown_text(window)


def test_a_dropped_link_is_not_fetched_when_fetching_is_off(qtbot, window, local_site):
    """Fetching is off: the window says so once (no import report, no dialog: not an error)."""
    window.settings.set("fetch_links", "no")
    url = f"{local_site}/harbour.html"
    assert drop(window, link_mime(url))
    qtbot.waitUntil(lambda: window.statusBar().currentMessage().startswith("Not fetched"), timeout=5000)
    wait_idle(qtbot, window)
    assert window.last_report is None and not window.importing
    message = window.statusBar().currentMessage()
    assert message.startswith("Not fetched (fetching links is off in Settings)") and url in message
    assert not list(Path(window.lib.vault).glob("*.md"))


def test_fetch_errors_are_reported(qtbot, window, local_site):
    window.settings.set("fetch_links", "yes")
    outcome = import_by(qtbot, window, lambda: drop(window, link_mime(f"{local_site}/missing.html")))
    assert not outcome.created
    assert "404" in window.report_text()[0]


SELECTION_HTML = """<meta charset="utf-8"><h2>Notes on Tidal Pools</h2>
<p>Tidal pools hold <b>anemones</b>, small crabs and sea stars between the tides. Visiting at low tide
is the best way to see them without disturbing the rocks.</p>
<p>Step only on bare rock, never lift stones, and leave every creature where you found it.</p>"""


def test_drop_html_selected_in_a_browser(qtbot, window):
    mime = QMimeData()
    mime.setHtml(SELECTION_HTML)
    mime.setText("Notes on Tidal Pools\nTidal pools hold anemones ...")
    outcome = import_by(qtbot, window, lambda: drop(window, mime))
    assert len(outcome.created) == 1
    assert "anemones" in shown_text(window)


def test_drop_plain_text(qtbot, window):
    mime = QMimeData()
    mime.setText("Bread starter diary\n\nDay one: flour and water, left on the counter overnight.\n"
                 "Day two: bubbles, and a smell like yoghurt.")
    outcome = import_by(qtbot, window, lambda: drop(window, mime))
    assert len(outcome.created) == 1
    assert "bubbles" in shown_text(window)


def test_ctrl_v_outside_text_fields_imports_the_clipboard(qtbot, window):
    clipboard = QApplication.clipboard()
    mime = QMimeData()
    mime.setHtml(SELECTION_HTML)
    mime.setText("Notes on Tidal Pools")
    clipboard.setMimeData(mime)
    window.tag_tree.setFocus()
    outcome = import_by(qtbot, window, lambda: qtbot.keyClick(window.tag_tree, Qt.Key.Key_V,
                                                              Qt.KeyboardModifier.ControlModifier))
    assert len(outcome.created) == 1
    assert "anemones" in shown_text(window)


def test_ctrl_v_in_the_search_box_pastes_normally(qtbot, window):
    QApplication.clipboard().setText("anemones")
    window.search_box.setFocus()
    qtbot.keyClick(window.search_box, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert window.search_box.text() == "anemones"
    wait_idle(qtbot, window)
    assert not window.importing and window.last_report is None


def test_import_from_clipboard_shortcut_works_in_a_text_field(qtbot, window):
    QApplication.clipboard().setText("Kettle descaling\n\nVinegar and water, boil, rinse twice.")
    window.search_box.setFocus()
    outcome = import_by(qtbot, window, lambda: qtbot.keyClick(
        window.search_box, Qt.Key.Key_V,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier))
    assert len(outcome.created) == 1
    assert window.search_box.text() == ""
    assert "Vinegar" in shown_text(window)


def test_a_mojibake_paste_is_repaired(qtbot, window):
    QApplication.clipboard().setText(
        "â€œHelloâ€\x9d, said the gardener â€” and then she explained the cafÃ© menu.\n\n"
        "It is a long story about tomatoes and the neighbourâ€™s fence.")
    window.tag_tree.setFocus()
    import_by(qtbot, window, lambda: qtbot.keyClick(window.tag_tree, Qt.Key.Key_V,
                                                    Qt.KeyboardModifier.ControlModifier))
    text = shown_text(window)
    assert "“Hello”" in text and "café" in text and "neighbour’s" in text
    assert "â€" not in text


def test_a_paste_with_no_article_says_so_in_the_status_bar(qtbot, window):
    menus = ["Subscribe", "LOGIN", "Contact us", "Jobs", "OUR PRODUCTS", "Archive", "EXTRAS",
             "All topics", "LEGAL", "Cookie policy", "Privacy notice", "User policies"]
    QApplication.clipboard().setText("\n".join(menus * 2))
    window.tag_tree.setFocus()
    outcome = import_by(qtbot, window, lambda: qtbot.keyClick(window.tag_tree, Qt.Key.Key_V,
                                                              Qt.KeyboardModifier.ControlModifier))
    assert len(outcome.created) == 1
    message = window.statusBar().currentMessage()
    assert "Imported 1 note." in message and "No article found in the text" in message
    assert "Cookie policy" in shown_text(window)  # nothing of the user's text is lost


def test_paste_as_plain_text_keeps_the_text_verbatim(qtbot, window):
    verbatim = "Shopping list\n\n* eggs\n* 2 <b>lemons</b>\n\nnot   *emphasis*"
    QApplication.clipboard().setText(verbatim)
    outcome = import_by(qtbot, window, window.act_import_plain.trigger)
    note = outcome.created[0]
    assert note.body.strip("\n") == verbatim
    assert window.note_title.text() == "Shopping list"


def test_fetching_is_asked_once_and_remembered(qtbot, window, local_site, monkeypatch):
    asked = []
    monkeypatch.setattr(window, "ask_fetch_permission", lambda links=(): asked.append(list(links)) or True)
    url = f"{local_site}/harbour.html"
    import_by(qtbot, window, lambda: drop(window, link_mime(url)))
    assert window.note_title.text() == "Life in the Harbour"
    assert window.settings.get("fetch_links") == "yes"
    import_by(qtbot, window, lambda: drop(window, link_mime(url)))
    assert asked == [[url]]  # the question names the link


def test_a_file_dropped_on_the_editor_is_imported_not_pasted_as_a_path(qtbot, window, tmp_path):
    first = write_page(tmp_path, "one.html", "The First Page", "meadow")
    import_by(qtbot, window, lambda: drop(window, file_mime(first)))
    window.set_editing(True)
    before = window.editor.text.toPlainText()
    second = write_page(tmp_path, "two.html", "The Second Page", "harbour")
    viewport = window.editor.text.viewport()
    outcome = import_by(qtbot, window, lambda: drop(window, file_mime(second), widget=viewport))
    assert [n.title for n in outcome.created] == ["The Second Page"]
    assert str(second) not in before and str(second) not in window.editor.text.toPlainText()
