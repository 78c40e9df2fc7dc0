"""The plain parts under the window: what a drop holds, the batch import (cancel, progress),
fetching limits, remote images only when allowed, and picking up changes made outside the app."""

from __future__ import annotations

import http.server
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QUrl
from PySide6.QtGui import QTextDocument

from clipper.core import fetch, imports
from clipper.core.errors import InputError, TooLargeError
from clipper.qt import importer
from tests.qt.conftest import titles, wait_idle, wait_titles
from tests.qt.pages import PNG, write_page


def test_what_a_drop_holds():
    link = QMimeData()
    link.setUrls([QUrl("https://example.org/a")])
    link.setHtml('<a href="https://example.org/a">A title</a>')
    assert [(i.kind, i.url) for i in importer.items_from_mime(link)] == [("url", "https://example.org/a")]

    selection = QMimeData()
    selection.setUrls([QUrl("https://example.org/a")])
    selection.setHtml("<p>" + "A long selected paragraph of an article. " * 20 + "</p>")
    [item] = importer.items_from_mime(selection)
    assert item.kind == "clipboard" and item.html and item.url == "https://example.org/a"

    text_link = QMimeData()
    text_link.setText("https://example.org/b\nhttps://example.org/c\n")
    assert [i.url for i in importer.items_from_mime(text_link)] == ["https://example.org/b",
                                                                   "https://example.org/c"]
    text = QMimeData()
    text.setText("see https://example.org/b for more")
    assert importer.items_from_mime(text)[0].kind == "clipboard"
    assert importer.items_from_mime(text, plain=True)[0].mode == "verbatim"
    assert importer.items_from_mime(text, raw=True)[0].mode == "raw"
    assert importer.items_from_mime(QMimeData()) == []
    assert not fetch.is_web_link("javascript:alert(1)") and not fetch.is_web_link("file:///etc/passwd")


def test_a_batch_import_stops_when_cancelled(lib, tmp_path):
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(6):
        write_page(folder, f"p{i}.html", f"Page number {i}", f"word{i}")
    cancel = threading.Event()
    seen = []

    def progress(done, total, message):
        seen.append((done, total))
        if done == 2:
            cancel.set()

    outcome = imports.run_import(lib, imports.expand_paths([folder]), progress=progress, cancel=cancel)
    assert outcome.cancelled
    assert len(outcome.created) == 2
    assert seen[0] == (0, 6)


class _Big(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        if self.path == "/pic.png":
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()
            self.wfile.write(PNG)
            type(self).image_requests += 1
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(b"<p>" + b"x" * (2 * 1024 * 1024) + b"</p>")

    image_requests = 0

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    _Big.image_requests = 0
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Big)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()


def test_fetching_has_a_size_limit_and_web_links_only(server):
    with pytest.raises(TooLargeError):
        fetch.fetch(f"{server}/big", max_bytes=1024 * 1024)
    with pytest.raises(InputError):
        fetch.fetch("file:///etc/passwd")
    with pytest.raises(InputError, match="cannot reach|answered"):
        fetch.fetch("http://127.0.0.1:9/nothing", timeout=2)


def test_remote_images_load_only_when_allowed(qtbot, window, server):
    view = window.note_view
    window.note_stack.setCurrentWidget(view)
    image = QTextDocument.ResourceType.ImageResource
    url = QUrl(f"{server}/pic.png")
    view.remote_images = False
    view.show_markdown(f"![pic]({server}/pic.png)", Path(window.lib.vault))
    wait_idle(qtbot, window)
    assert _Big.image_requests == 0
    view.remote_images = True
    with qtbot.waitSignal(view.remote_image_wanted, timeout=5000):
        view.show_markdown(f"![pic]({server}/pic.png)\n\nwith remote images", Path(window.lib.vault))
    def fetched():  # the image itself, not the placeholder shown while it loads
        got = view.document().resource(image, url)
        return got is not None and got.width() == 1

    qtbot.waitUntil(fetched, timeout=20000)
    assert _Big.image_requests == 1


def test_notes_added_outside_the_app_appear(qtbot, window, lib):
    note = Path(lib.vault) / "written-elsewhere.md"
    note.write_text("---\ntitle: Written Elsewhere\ntags: [outside]\n---\n\nA note from another editor.\n",
                    "utf-8")
    window.refresh_from_disk()  # what the folder watcher and the timer call
    assert wait_titles(qtbot, window, lambda t: "Written Elsewhere" in t) == ["Written Elsewhere"]
    qtbot.waitUntil(lambda: window.tag_tree.item_for("outside") is not None, timeout=20000)
    note.unlink()
    window.refresh_from_disk()
    wait_titles(qtbot, window, lambda t: t == [])
    assert titles(window) == []


def test_the_periodic_full_comparison_backs_off_by_what_the_last_one_took(qtbot, window, monkeypatch):
    """A full comparison of a big vault takes seconds of the GIL: the timer's next one comes
    after 100 times as long (30 s at least, 10 minutes at most); a folder's sync leaves it."""
    from clipper.qt import main_window
    from clipper.qt.window_common import MAX_REFRESH_INTERVAL_MS, REFRESH_INTERVAL_MS, refresh_interval_ms

    assert refresh_interval_ms(None) == refresh_interval_ms(0.05) == REFRESH_INTERVAL_MS
    assert refresh_interval_ms(2.5) == 250_000
    assert refresh_interval_ms(3600) == MAX_REFRESH_INTERVAL_MS
    took = []
    monkeypatch.setattr(main_window, "refresh_interval_ms", lambda s: took.append(s) or 123_456)
    wait_idle(qtbot, window)
    window._files_changed({str(window.lib.vault)})  # a folder the watcher saw change
    qtbot.waitUntil(lambda: not window._sync_running, timeout=20000)
    assert took == [] and window._periodic.interval() == REFRESH_INTERVAL_MS
    window.refresh_from_disk()
    qtbot.waitUntil(lambda: not window._sync_running, timeout=20000)
    assert len(took) == 1 and 0 < took[0] < 20 and window._periodic.interval() == 123_456
    assert window._periodic.isActive()


def test_the_vault_itself_is_never_imported_into_itself(lib, tmp_path):
    note = Path(lib.vault) / "a.md"
    note.write_text("# A\n\ntext\n", "utf-8")
    assert imports.expand_paths([lib.vault], exclude=lib.vault) == []
    assert imports.expand_paths([Path(lib.vault).parent], exclude=lib.vault) == []


def test_only_web_and_mail_links_leave_the_app(monkeypatch):
    from clipper.qt import note_view

    opened = []
    monkeypatch.setattr(note_view, "system_open", lambda url: opened.append(url.toString()) or True)
    for link in ("javascript:alert(1)", "file:///etc/passwd", "data:text/html,<script>x</script>",
                 "vbscript:msgbox", "ftp://example.org/x", "http://", "attachments/x.png", "mailto:"):
        assert not note_view.open_external(QUrl(link)), link
    for link in ("https://example.org/a?b=c", "http://example.org", "mailto:ana@example.org"):
        assert note_view.open_external(QUrl(link)), link
    assert opened == ["https://example.org/a?b=c", "http://example.org", "mailto:ana@example.org"]


def test_progress_signals_are_throttled(qtbot):
    from clipper.qt.workers import TaskRunner

    runner = TaskRunner("test")
    got = []
    runner.progress.connect(lambda *a: got.append(a[1:3]))

    def work(progress, cancel):
        for i in range(5000):
            progress(i, 5000, f"file {i}")
        progress(5000, 5000, "")
        return "done"

    results = []
    with qtbot.waitSignal(runner.idle, timeout=20000):
        runner.submit(work, with_progress=True, done=results.append)
    runner.shutdown()
    assert results == ["done"]
    assert got[-1] == (5000, 5000)
    assert len(got) < 50  # not 5,000 signals


def test_a_worker_error_reaches_the_gui_thread(qtbot):
    from clipper.qt.workers import TaskRunner

    runner = TaskRunner("test")
    errors = []

    def boom():
        raise InputError("bad input")

    with qtbot.waitSignal(runner.idle, timeout=20000):
        runner.submit(boom, failed=errors.append)
    runner.shutdown()
    assert [str(e) for e in errors] == ["bad input"]


def test_tag_completion_completes_the_tag_being_typed(qtbot):
    from clipper.qt.tag_editor import TagEditor, parse_tags

    editor = TagEditor()
    qtbot.addWidget(editor)
    editor.show()
    editor.set_known_tags(["garden", "garden/fruit", "history"])
    editor.set_tags(["history"])
    line = editor.line
    line.setFocus()
    line.end(False)
    qtbot.keyClicks(line, ", gar")
    assert line.completer_.completionCount() == 2
    line.completer_.activated.emit("garden")
    assert parse_tags(line.text()) == ["history", "garden"]
    with qtbot.waitSignal(editor.tags_edited) as blocker:
        editor.apply()
    assert blocker.args == [["garden"], []]
    editor.set_suggestions(["garden", "bees"])
    assert [b.text() for b in editor.suggestion_buttons] == ["+bees"]
