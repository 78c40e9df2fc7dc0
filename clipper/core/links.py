"""Which link targets a note may hold: the one check for pages, clipboard HTML and plain text.

Kept apart from :mod:`clipper.core.convert` so that plain text (which needs no HTML library)
can use it without importing markdownify and BeautifulSoup."""

from __future__ import annotations

import re
from urllib.parse import quote, urljoin, urlsplit

SAFE_SCHEMES = ("http", "https", "mailto")


def safe_url(href: str, base_url: str = "") -> str:
    """A link target a note may hold for ``href``, or "" if unsafe or useless: an absolute
    http(s)/mailto URL (relative ones resolved against ``base_url``), ``attachments/…``, an in-note
    ``#anchor``, or, when no page URL is known, a relative path as written (``ch02.html``,
    ``../ref/x.html``: it names no scheme and no host, so it cannot run anything; the note viewer
    only follows http(s)/mailto links). A site-root path (``/x``) without a host is dropped: a
    Markdown app would read it as a local file."""
    href = (href or "").strip()
    href = re.sub(r"[\x00-\x1f\x7f]+", "", href)  # browsers drop tabs and newlines inside URLs
    if not href or href == "#":
        return ""
    if href.startswith("#"):
        return "#" + quote(href[1:], safe="/:?#[]@!$&'*+,;=%~-._")
    if href.startswith("attachments/"):
        return href if ".." not in href else ""
    try:
        if base_url:
            href = urljoin(base_url, href)
        parts = urlsplit(href)
    except ValueError:
        return ""
    if not parts.scheme and not base_url:
        if parts.netloc:
            href, parts = "https:" + href, urlsplit("https:" + href)
        elif "\\" in href or ":" in href.split("/")[0] or href.startswith("/"):
            return ""  # '\\host' is a network path to browsers, 'x:y' a scheme, '/x' a local file
        else:
            return quote(href, safe="/:?#[]@!$&'*+,;=%~-._")
    if parts.scheme.lower() not in SAFE_SCHEMES:
        return ""
    if parts.scheme.lower() != "mailto" and not parts.netloc:
        return ""
    return quote(href, safe="/:?#[]@!$&'*+,;=%~-._")  # keeps the URL, encodes spaces and ( )
