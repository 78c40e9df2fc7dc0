"""What a drop or a paste holds: :func:`items_from_mime` turns QMimeData into the core's plain
:class:`~clipper.core.imports.ImportItem` values (files, folders walked, web links, HTML, text),
which ``clipper.core.imports.run_import`` imports on the writer thread."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QMimeData

from clipper.core import fetch
from clipper.core.imports import ImportItem, file_url_items


def _names_only(text: str, paths: list[Path], urls: list[str]) -> bool:
    """True if ``text`` is empty or only names the files the URLs name (one per line, as a file
    manager puts them beside the URLs on a copy): then the clipboard holds nothing else."""
    known = set(urls) | {str(p) for p in paths} | {p.name for p in paths}
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    return all(ln in known or ln.rstrip("/") in known for ln in lines)


def _visible_text_length(html: str) -> int:
    text = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", html)
    text = re.sub(r"(?s)<[^>]*>", " ", text)
    return len(" ".join(text.split()))


def items_from_mime(mime: QMimeData, *, plain: bool = False, raw: bool = False,
                    exclude=None) -> list[ImportItem]:
    """What a drop or a paste holds, best flavour first. ``plain``: the text only, kept verbatim
    (encoding repaired); ``raw``: the text exactly as it is, not even repaired."""
    text = mime.text() if mime.hasText() else ""
    if plain or raw:
        mode = "raw" if raw else "verbatim"
        return [ImportItem("clipboard", text=text, mode=mode)] if text.strip() else []
    html = mime.html() if mime.hasHtml() else ""
    urls = [u for u in mime.urls()] if mime.hasUrls() else []
    local = [Path(u.toLocalFile()) for u in urls if u.isLocalFile()]
    web = [u.toString() for u in urls if u.scheme().lower() in fetch.SCHEMES]
    # File URLs count only when nothing else is there (a copy in a file manager): a web page can
    # put "file:///home/u/.ssh/…" on the clipboard beside the HTML and text it copies.
    if local and not html.strip() and not web and _names_only(
            text, local, [u.toString() for u in urls] + [u.toEncoded().data().decode() for u in urls]):
        return file_url_items(local, exclude=exclude)
    # A browser selection comes as HTML (+ text); a dragged link as a URL whose HTML is just <a>.
    if html.strip() and (not web or _visible_text_length(html) > max(200, 2 * len(web[0]))):
        return [ImportItem("clipboard", html=html, text=text or None, url=web[0] if web else None)]
    if web:
        return [ImportItem("url", url=u) for u in dict.fromkeys(web)]
    if text.strip():
        lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
        if lines and all(fetch.is_web_link(ln) for ln in lines):
            return [ImportItem("url", url=u) for u in dict.fromkeys(lines)]
        return [ImportItem("clipboard", text=text)]
    return []


def prewarm() -> None:
    """Load the extraction libraries (a tiny extraction that saves nothing) so that the first
    real import does not pay for Python importing them."""
    from clipper.core import pipeline

    sample = "<article><h1>Warm up</h1>" + "<p>A short paragraph of text to extract.</p>" * 5 + "</article>"
    try:
        pipeline.extract_clipboard(html=sample)
    except Exception:  # only a warm-up
        pass
