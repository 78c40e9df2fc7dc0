"""Input formats -> :class:`Page` (page HTML + its URL + saved images), before extraction.

- ``page_from_html_file(path, data)``: ``.html/.htm/.xhtml`` in any encoding; a "Web page,
  complete" ``NAME_files/`` folder gives attachments; SingleFile ``data:`` images become
  attachments; ``<!-- saved from url=(…)… -->`` gives the URL.
- ``page_from_mhtml(data)``: ``.mhtml/.mht`` (MIME multipart, read with the stdlib ``email``).
- ``page_from_clipboard(html, url)``: browser clipboard HTML, incl. Windows CF_HTML headers
  and ``<!--StartFragment-->`` markers.

Images become ``Attachment`` objects; ``Page.resources`` maps each reference as written in the
HTML (relative path, URL, ``cid:``) to the attachment's file name.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from clipper.core.decode import decode_html
from clipper.core.errors import InputError
from clipper.core.model import Attachment

MAX_IMAGE_BYTES = 25 * 1024 * 1024  # one saved image
MAX_IMAGES = 500

_IMAGE_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"GIF87a", "image/gif", "gif"),
    (b"GIF89a", "image/gif", "gif"),
    (b"BM", "image/bmp", "bmp"),
)
_SAVED_FROM = re.compile(r"<!--\s*saved from url=\(\s*\d+\s*\)\s*(\S+?)\s*-->", re.I)
# (Each starts with its first letter in either case, "ſ" as re.I reads "s": a pattern that is
# case-insensitive from its first character is tried at every character of the page, 2-4x slower.)
_SRC_ATTR = re.compile(r"""[sSſdDpP](?<=\b[sSſdDpP])(?i:(?<=s)rc|(?<=d)ata-src|(?<=d)ata-lazy-src"""
                       r"""|(?<=d)ata-original|(?<=s)rcset|(?<=d)ata-srcset|(?<=p)oster)\s*=\s*"""
                       r"""(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")
_DATA_URI_REST = r"(?i:([a-z]+/[a-z0-9.+-]+)?((?:;[a-z0-9-]+=[^;,\"']*)*)(;base64)?,([^\"'\s)>]*))"
_DATA_URI = re.compile(r"[dD][aA][tT][aA]:" + _DATA_URI_REST)
# The same URIs found from their colon (a literal the search skips to; a pattern that starts with
# a choice of letters is tried at every character of the page, five times slower): each match
# is the part after "data", which the look-behind makes sure is there.
_DATA_URI_COLON = re.compile(r":(?<=[dD][aA][tT][aA]:)" + _DATA_URI_REST)


@dataclass
class Page:
    html: str
    url: str = ""
    kind: str = "html"
    resources: dict[str, str] = field(default_factory=dict)  # reference -> attachment name
    attachments: dict[str, Attachment] = field(default_factory=dict)  # name -> attachment
    warnings: list[str] = field(default_factory=list)
    encoding: str = ""
    fragment: bool = False  # a clipboard selection rather than a whole page

    def add_image(self, ref: str, data: bytes, hint_name: str = "", mime: str = "") -> str | None:
        """Record an image for ``ref``; returns its attachment name (deduplicated by content)."""
        kind = image_type(data, mime)
        if kind is None or len(data) > MAX_IMAGE_BYTES:
            return None
        if ref in self.resources:
            return self.resources[ref]
        digest = hashlib.sha1(data).hexdigest()[:10]
        for name, att in self.attachments.items():
            if len(att.data) == len(data) and att.data == data:
                self.resources[ref] = name
                return name
        if len(self.attachments) >= MAX_IMAGES:
            return None
        mime, ext = kind
        stem = _safe_stem(hint_name) or f"image-{digest}"
        name = f"{stem}.{ext}"
        if name in self.attachments:
            name = f"{stem}-{digest}.{ext}"
        self.attachments[name] = Attachment(name=name, data=data, mime=mime)
        self.resources[ref] = name
        return name


def image_type(data: bytes, mime: str = ""):
    """(mime, extension) for raster image bytes, or None (SVG and non-images are not kept)."""
    for magic, m, ext in _IMAGE_MAGIC:
        if data.startswith(magic):
            return m, ext
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp", "webp"
    if data[4:12] in (b"ftypavif", b"ftypavis"):
        return "image/avif", "avif"
    return None


def _safe_stem(name: str) -> str:
    name = unquote(name or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    name = name.split("?")[0].split("#")[0]
    stem = name.rsplit(".", 1)[0] if "." in name else name
    stem = re.sub(r"[^\w.-]+", "-", stem, flags=re.UNICODE).strip(".-_")
    return stem[:60]


# --- data: URIs (SingleFile) ------------------------------------------------------------------

def pull_data_uris(page: Page) -> None:
    """Replace ``data:`` images by references to attachments; drop other large data: URIs."""
    counter = [0]

    def repl(m: re.Match, whole: str) -> str:
        mime = (m.group(1) or "").lower()
        payload = m.group(4)
        if not mime.startswith("image/"):
            return "data:," if len(payload) > 100 else whole
        if m.group(3):
            try:
                data = base64.b64decode(re.sub(r"\s+|%0[aAdD]|&#1[03];", "", payload) + "==", validate=False)
            except (binascii.Error, ValueError):
                return "data:,"
        else:
            data = unquote(payload).encode("latin-1", "replace")
        counter[0] += 1
        ref = f"clipper-data-{counter[0]}"
        name = page.add_image(ref, data, hint_name="")
        return ref if name else "data:,"

    if "data:" in page.html:
        page.html = _replace_data_uris(page.html, repl)


def _replace_data_uris(html: str, repl) -> str:
    """``_DATA_URI.sub``, each match given to ``repl(match, its text)``: found from its colon."""
    found = list(_DATA_URI_COLON.finditer(html))
    if not found:
        return html
    if any(m.start() - 4 < prev.end() for prev, m in zip(found, found[1:])):
        # (cannot happen: "data" holds none of the characters that end a URI)
        return _DATA_URI.sub(lambda m: repl(m, m.group(0)), html)
    out, last = [], 0
    for m in found:
        start = m.start() - 4
        out.append(html[last:start])
        out.append(repl(m, html[start:m.end()]))
        last = m.end()
    out.append(html[last:])
    return "".join(out)


# --- saved pages ----------------------------------------------------------------------------

_SINGLEFILE_URL = re.compile(r"<!--\s*Page saved with SingleFile\s+url:\s*(\S+)", re.I)


def saved_from_url(html: str) -> str:
    """The URL a browser ("saved from url=") or SingleFile ("url: …") noted in the page."""
    head = html[:4096]
    m = _SAVED_FROM.search(head) or _SINGLEFILE_URL.search(head)
    if m and urlsplit(m.group(1)).scheme in ("http", "https"):
        return m.group(1)
    return ""


_INTERNAL_DTD = re.compile(r"(<!DOCTYPE\s[^\[>]*)\[.*?\]\s*>", re.I | re.S)


def drop_internal_dtd(html: str) -> str:
    """``<!DOCTYPE html [ <!ENTITY …> ]>`` -> ``<!DOCTYPE html >``: an HTML parser ends the
    doctype at the first ``>`` and shows the rest (``]>``) as text; its entities are never
    expanded either way (no XML entity bombs)."""
    head = html[:4096]
    if "[" not in head or not re.search(r"(?i)<!DOCTYPE", head):
        return html
    m = _INTERNAL_DTD.search(html, 0, 1_000_000)
    if m is None or m.start() > 4096:
        return html
    return html[:m.start()] + m.group(1).rstrip() + ">" + html[m.end():]


def page_from_html_file(path: Path, data: bytes) -> Page:
    text, enc = decode_html(data)
    text = drop_internal_dtd(text)
    page = Page(html=text, url=saved_from_url(text), kind="html", encoding=enc)
    pull_data_uris(page)
    _collect_local_images(page, path)
    return page


def _collect_local_images(page: Page, path: Path) -> None:
    """Images referenced by relative paths that exist beside the page (e.g. ``NAME_files/``)."""
    try:
        folder = path.resolve().parent
    except OSError:
        return
    if not _has_neighbours(folder, path.name):
        return
    seen = set()
    for m in _SRC_ATTR.finditer(page.html):
        raw = m.group(1) or m.group(2) or m.group(3) or ""
        for ref in [part.strip().split(" ")[0] for part in raw.split(",")] if "," in raw else [raw.strip()]:
            if not ref or ref in seen or ref in page.resources or len(seen) > 5 * MAX_IMAGES:
                continue
            seen.add(ref)
            if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", ref) and not ref.lower().startswith("file:"):
                continue  # http:, data:, clipper-data-, ...
            local = ref[5:].lstrip("/") if ref.lower().startswith("file:") else ref
            if ref.lower().startswith("file:") or local.startswith("/"):
                continue  # absolute paths on the machine that saved the page: never read them
            local = unquote(local.split("?")[0].split("#")[0]).replace("\\", "/")
            try:
                candidate = (folder / local).resolve()
            except (OSError, ValueError):
                continue
            if folder not in candidate.parents or not candidate.is_file():
                continue
            try:
                if candidate.stat().st_size > MAX_IMAGE_BYTES:
                    continue
                data = candidate.read_bytes()
            except OSError:
                continue
            page.add_image(ref, data, hint_name=candidate.name)


_IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".bmp")


def _has_neighbours(folder: Path, own_name: str) -> bool:
    """True if the page's folder holds a subfolder or an image (else no need to look further)."""
    import os

    try:
        with os.scandir(folder) as it:
            for n, entry in enumerate(it):
                if n > 20000:
                    return True
                if entry.name == own_name:
                    continue
                if entry.is_dir() or entry.name.lower().endswith(_IMAGE_SUFFIXES):
                    return True
    except OSError:
        return False
    return False


# --- MHTML ----------------------------------------------------------------------------------

def page_from_mhtml(data: bytes) -> Page:
    import email
    from email import policy

    if not data.strip():
        raise InputError("the file is empty")
    try:
        msg = email.message_from_bytes(data, policy=policy.compat32)
    except Exception as exc:  # noqa: BLE001 -- the email parser is lenient; anything odd is bad input
        raise InputError(f"cannot read this MHTML file: {exc}") from exc
    snapshot = (msg.get("Snapshot-Content-Location") or "").strip()
    parts = [p for p in msg.walk() if not p.is_multipart()]
    if not parts:
        raise InputError("this MHTML file holds no parts")
    html_part = None
    for part in parts:
        if part.get_content_type() in ("text/html", "application/xhtml+xml"):
            loc = (part.get("Content-Location") or "").strip()
            if html_part is None or (snapshot and loc == snapshot):
                html_part = part
    if html_part is None:
        raise InputError("this MHTML file holds no HTML page")
    payload = html_part.get_payload(decode=True) or b""
    text, enc = decode_html(payload, declared=html_part.get_content_charset())
    text = drop_internal_dtd(text)
    url = snapshot or (html_part.get("Content-Location") or "").strip()
    if urlsplit(url).scheme not in ("http", "https"):
        url = ""
    page = Page(html=text, url=url, kind="mhtml", encoding=enc)
    for part in parts:
        if part is html_part or not part.get_content_type().startswith("image/"):
            continue
        body = part.get_payload(decode=True) or b""
        loc = (part.get("Content-Location") or "").strip()
        cid = (part.get("Content-ID") or "").strip().strip("<>")
        refs = [r for r in (loc, f"cid:{cid}" if cid else "") if r]
        for ref in refs:
            page.add_image(ref, body, hint_name=urlsplit(loc).path if loc else cid)
    pull_data_uris(page)
    return page


# --- clipboard ------------------------------------------------------------------------------

def parse_cf_html(raw: str) -> tuple[str, str]:
    """Windows CF_HTML (``Version:0.9 StartHTML:… SourceURL:…``) -> (html, source url)."""
    if not raw.lstrip().startswith("Version:"):
        return raw, ""
    header_end = raw.find("<")
    header = raw[:header_end if header_end > 0 else len(raw)]
    fields = {}
    for line in header.splitlines():
        key, sep, value = line.partition(":")
        if sep:
            fields[key.strip().lower()] = value.strip()
    url = fields.get("sourceurl", "")
    data = raw.encode("utf-8")
    html = raw[header_end:] if header_end > 0 else ""
    try:
        start, end = int(fields.get("starthtml", "-1")), int(fields.get("endhtml", "-1"))
        if 0 <= start < end <= len(data) + 2:
            html = data[start:end].decode("utf-8", "replace")
    except ValueError:
        pass
    if urlsplit(url).scheme not in ("http", "https"):
        url = ""
    return html, url


def page_from_clipboard(html: str, url: str | None = None) -> Page:
    html = html.replace("\x00", "")
    html, cf_url = parse_cf_html(html)
    html = drop_internal_dtd(html)
    fragment = False
    start = re.search(r"<!--\s*StartFragment\s*-->", html, re.I)
    end = re.search(r"<!--\s*EndFragment\s*-->", html, re.I)
    if start and end and end.start() > start.end():
        inner = html[start.end():end.start()]
        head = re.search(r"<head\b.*?</head>", html[:start.start()], re.I | re.S)
        html = (head.group(0) if head else "") + "<body>" + inner + "</body>"
        fragment = True
    url = url or cf_url or saved_from_url(html)
    page = Page(html=html, url=url or "", kind="clipboard-html", fragment=fragment)
    pull_data_uris(page)
    return page
