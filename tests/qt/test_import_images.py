"""Web images of an imported page: asked once, then downloaded as attachments or left as links."""

from __future__ import annotations

import threading
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.core.test_images import PNG, Handler, html_only_page
from tests.qt.conftest import drop, file_mime, import_by


@pytest.fixture
def image_site():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    srv.requests = []
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield srv, f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()


def test_asked_once_then_images_are_attachments(qtbot, window, tmp_path, image_site, monkeypatch):
    srv, base = image_site
    window.settings.set("download_images", "ask")
    asked = []
    monkeypatch.setattr(window, "ask_images_permission", lambda: asked.append(1) or True)
    first = tmp_path / "one"
    first.mkdir()
    page = html_only_page(first, base, ["pic/harbour.png"])
    outcome = import_by(qtbot, window, lambda: drop(window, file_mime(page)))
    assert not outcome.errors, outcome.errors
    body = window.current_note.body
    assert "![picture 0](attachments/" in body and base not in body
    name = body.split("](attachments/", 1)[1].split(")", 1)[0]
    assert (Path(window.current_note.path).parent / "attachments" / name).read_bytes() == PNG
    assert window.settings.get("download_images") == "yes"
    second = tmp_path / "two"
    second.mkdir()
    other = html_only_page(second, base, ["pic/boats.png"]).read_text("utf-8").replace("Harbour", "Boats")
    (second / "story.html").write_text(other, encoding="utf-8")
    import_by(qtbot, window, lambda: drop(window, file_mime(second / "story.html")))
    assert asked == [1]  # asked once: the answer is the setting


def test_refused_images_stay_web_links_shown_as_placeholders(qtbot, window, tmp_path, image_site,
                                                              monkeypatch):
    srv, base = image_site
    window.settings.set("download_images", "ask")
    monkeypatch.setattr(window, "ask_images_permission", lambda: False)
    page = html_only_page(tmp_path, base, ["pic/harbour.png"])
    outcome = import_by(qtbot, window, lambda: drop(window, file_mime(page)))
    assert not outcome.errors, outcome.errors
    assert f"![picture 0]({base}/pic/harbour.png)" in window.current_note.body
    assert srv.requests == []  # nothing fetched
    assert window.settings.get("download_images") == "no"
    shown = window.note_view.toPlainText()
    assert "1 image from the web is not shown" in shown  # a placeholder, never a broken icon


def test_pages_are_looked_into_off_the_window_thread(qtbot, window, tmp_path, image_site, monkeypatch):
    """Whether to ask reads up to 200 pages: never on the thread that paints the window."""
    from clipper.core import imports

    _srv, base = image_site
    window.settings.set("download_images", "ask")
    threads, real = [], imports.images_question_needed
    monkeypatch.setattr(imports, "images_question_needed",
                        lambda *a: threads.append(threading.current_thread()) or real(*a))
    monkeypatch.setattr(window, "ask_images_permission", lambda: False)
    page = html_only_page(tmp_path, base, ["pic/harbour.png"])
    outcome = import_by(qtbot, window, lambda: drop(window, file_mime(page)))
    assert not outcome.errors and outcome.created
    assert threads and threading.main_thread() not in threads
    assert window.settings.get("download_images") == "no"
