"""Web images of an imported page become attachments only when allowed, within limits."""

import base64
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from clipper.core.images import download_images, has_web_images, sniff
from clipper.core.library import Library
from clipper.core.pipeline import extract_file

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def _send(self, kind, data, length=True):
        self.send_response(200)
        self.send_header("Content-Type", kind)
        if length:
            self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self.server.requests.append((self.path, self.headers.get("Cookie")))
        if self.path.startswith("/pic"):
            self._send("image/png", PNG)
        elif self.path == "/fake.png":
            self._send("image/png", b"<html>not a picture</html>")
        elif self.path == "/drawing.png":
            self._send("image/svg+xml", SVG)
        elif self.path == "/stall.png":  # a header, then a byte now and then: never finished
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()
            self.wfile.write(PNG[:8])
            try:
                for _ in range(200):
                    time.sleep(0.05)
                    self.wfile.write(b"\0")
                    self.wfile.flush()
            except OSError:
                pass
        elif self.path == "/huge.png":  # 1 GB with no length said
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()
            block = PNG + b"\0" * (1 << 20)
            try:
                for _ in range(1024):
                    self.wfile.write(block)
            except OSError:
                pass
        else:
            self.send_error(404)


@pytest.fixture
def server():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    srv.requests = []
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv, f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()


def html_only_page(tmp_path, base, pictures):
    imgs = "".join(f'<p><img src="{base}/{p}" alt="picture {i}"></p>' for i, p in enumerate(pictures))
    paragraphs = "".join(f"<p>Paragraph {i} of the story about the harbour and its boats, long enough "
                         "to be the article that the extractor keeps.</p>" for i in range(6))
    page = tmp_path / "story.html"  # an "HTML only" save: no _files folder beside it
    page.write_text(f"<html><head><title>Harbour</title></head><body><article><h1>Harbour</h1>{paragraphs}"
                    f"{imgs}<p>The end of the story about the harbour, its boats and the people.</p>"
                    "</article></body></html>", encoding="utf-8")
    return page


def test_allowed_images_become_attachments(tmp_path, server):
    srv, base = server
    clip = extract_file(html_only_page(tmp_path, base, ["pic/a.png", "pic/b.png", "pic/a.png"]))
    assert has_web_images(clip.markdown)
    out = download_images(clip)
    assert "![picture 0](attachments/a.png)" in out.markdown
    assert "![picture 1](attachments/b.png)" in out.markdown
    assert [a.name for a in out.attachments] == ["a.png", "b.png"]
    assert out.attachments[0].data == PNG and out.attachments[0].mime == "image/png"
    assert not out.warnings and base not in out.markdown
    assert all(cookie is None for _, cookie in srv.requests)
    assert len(srv.requests) == 2  # one request per distinct image
    # saved into the vault as files of the note
    lib = Library.open(tmp_path / "vault", index_dir=tmp_path / "index")
    try:
        note = lib.import_clip(out).note
        assert (note.path.parent / "attachments").is_dir() or "attachments/" in note.body
    finally:
        lib.close()


def test_without_permission_the_web_links_stay(tmp_path, server):
    srv, base = server
    clip = extract_file(html_only_page(tmp_path, base, ["pic/a.png"]))
    assert f"![picture 0]({base}/pic/a.png)" in clip.markdown
    assert not clip.attachments and srv.requests == []  # nothing is fetched unless asked


def test_not_pictures_are_refused(tmp_path, server):
    _, base = server
    clip = extract_file(html_only_page(tmp_path, base, ["fake.png", "drawing.png", "missing.png"]))
    out = download_images(clip)
    assert not out.attachments
    assert f"{base}/drawing.png" in out.markdown and f"{base}/fake.png" in out.markdown
    assert "3 images kept as web links" in out.warnings[-1]
    assert "not a picture" in out.warnings[-1] and "404" in out.warnings[-1]


def test_a_stalling_or_endless_server_is_cut_off(tmp_path, server):
    _, base = server
    clip = extract_file(html_only_page(tmp_path, base, ["stall.png", "huge.png", "pic/ok.png"]))
    t0 = time.monotonic()
    out = download_images(clip, timeout=1.0, max_image=2 * 1024 * 1024)
    assert time.monotonic() - t0 < 8
    assert [a.name for a in out.attachments] == ["ok.png"]
    warning = out.warnings[-1]
    assert "2 images kept as web links" in warning
    assert "not complete within 1 s" in warning and "larger than 2 MB" in warning


def test_total_limit_per_note(tmp_path, server):
    _, base = server
    clip = extract_file(html_only_page(tmp_path, base, ["pic/a.png", "pic/b.png"]))
    out = download_images(clip, max_total=len(PNG) + 10)
    assert [a.name for a in out.attachments] == ["a.png"]
    assert "kept per note" in out.warnings[-1]


def test_sniffing():
    assert sniff(PNG) == ("png", "image/png")
    assert sniff(b"\xff\xd8\xff\xe0rest") == ("jpg", "image/jpeg")
    assert sniff(b"RIFF\0\0\0\0WEBPVP8 ") == ("webp", "image/webp")
    assert sniff(SVG) is None and sniff(b"") is None


def test_the_cli_import_downloads_images_only_with_images(tmp_path, server):
    from clipper.cli import main

    srv, base = server
    page = html_only_page(tmp_path, base, ["pic/a.png"])
    vault = tmp_path / "vault"
    assert main(["import", str(page), "--vault", str(vault)]) == 0
    assert not srv.requests  # nothing fetched unless asked
    (tmp_path / "second").mkdir()
    page2 = html_only_page(tmp_path / "second", base, ["pic/b.png"])
    assert main(["import", str(page2), "--images", "--on-duplicate", "new", "--vault", str(vault)]) == 0
    assert len(srv.requests) == 1
    assert list(vault.rglob("attachments/b.png"))
