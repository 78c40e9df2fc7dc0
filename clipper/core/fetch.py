"""Fetching a dropped link (only when the user allowed it): http(s) only, a timeout, a size limit.

Plain functions with no Qt: they run on a worker thread. ``fetch(url)`` returns the bytes and
what the server said about them; :func:`import_url` hands the page to the library.
"""

from __future__ import annotations

import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from clipper import __version__
from clipper.core.errors import InputError, TooLargeError

TIMEOUT = 20.0  # seconds for connecting and for each read
MAX_BYTES = 15 * 1024 * 1024
CHUNK = 64 * 1024
SCHEMES = ("http", "https")


@dataclass
class Fetched:
    url: str  # the final URL after redirects
    content_type: str  # e.g. "text/html"
    charset: str  # "" if the server did not say
    data: bytes


class _SafeRedirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects to http(s) only (never to file:, ftp: and the like)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if urllib.parse.urlsplit(newurl).scheme.lower() not in SCHEMES:
            raise InputError(f"the page redirects to a link Clipper does not follow: {newurl[:80]}")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def is_web_link(text: str) -> bool:
    text = text.strip()
    if not text or any(c.isspace() for c in text):
        return False
    parts = urllib.parse.urlsplit(text)
    return parts.scheme.lower() in SCHEMES and bool(parts.netloc)


def read_limited(response, max_bytes: int, *, stop, cancel=None, deadline: float | None = None) -> bytes:
    """The body of an HTTP ``response``, read a chunk at a time; raises ``stop(why)`` once it
    is over ``max_bytes`` (``"large"``), ``cancel`` is set (``"cancelled"``) or the
    ``time.monotonic()`` ``deadline`` has passed (``"late"``). With a deadline each read returns
    what has arrived and waits at most until the deadline, so a slow server cannot hold it."""
    chunks, size = [], 0
    read = response.read if deadline is None else getattr(response, "read1", response.read)
    while True:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise stop("late")
        if cancel is not None and cancel.is_set():
            raise stop("cancelled")
        if deadline is not None:
            _set_timeout(response, left)
        chunk = read(CHUNK)
        if not chunk:
            break
        size += len(chunk)
        if size > max_bytes:
            raise stop("large")
        chunks.append(chunk)
    return b"".join(chunks)


def _set_timeout(response, seconds: float) -> None:
    sock = getattr(getattr(getattr(response, "fp", None), "raw", None), "_sock", None)
    if sock is not None:
        try:
            sock.settimeout(max(0.05, seconds))
        except OSError:
            pass


def fetch(url: str, *, timeout: float = TIMEOUT, max_bytes: int = MAX_BYTES, cancel=None) -> Fetched:
    """Download ``url``; raises InputError (one-line message) for every failure."""
    if not is_web_link(url):
        raise InputError(f"not a web link: {url[:80]}")
    opener = urllib.request.build_opener(_SafeRedirects)
    request = urllib.request.Request(url, headers={
        "User-Agent": f"Clipper/{__version__} (+offline notes)",
        "Accept": "text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.5",
    })
    try:
        with opener.open(request, timeout=timeout) as response:
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise TooLargeError(f"{_short(url)}: the page is larger than {max_bytes // 2**20} MB")
            data = read_limited(response, max_bytes, cancel=cancel, stop=lambda why: (
                TooLargeError(f"{_short(url)}: the page is larger than {max_bytes // 2**20} MB")
                if why == "large" else InputError(f"{_short(url)}: cancelled")))
            content_type = response.headers.get_content_type() or ""
            charset = response.headers.get_content_charset() or ""
            return Fetched(response.geturl(), content_type, charset, data)
    except InputError:
        raise
    except urllib.error.HTTPError as exc:
        raise InputError(f"{_short(url)}: the server answered {exc.code} {exc.reason}") from exc
    except urllib.error.URLError as exc:
        raise InputError(f"{_short(url)}: cannot reach the site ({exc.reason})") from exc
    except TimeoutError as exc:
        raise InputError(f"{_short(url)}: no answer within {timeout:g} s") from exc
    except OSError as exc:
        raise InputError(f"{_short(url)}: {exc}") from exc


def import_url(lib, url: str, *, tags=(), cancel=None, timeout: float = TIMEOUT, max_bytes: int = MAX_BYTES,
               images: bool = False):
    """Fetch ``url`` and import it as an article (runs on the writer thread); with ``images``
    its web images become attachments."""
    page = fetch(url, timeout=timeout, max_bytes=max_bytes, cancel=cancel)
    kind = page.content_type.lower()
    if kind in ("text/html", "application/xhtml+xml") or (not kind and page.data.lstrip()[:1] == b"<"):
        suffix = ".html"
    elif kind in ("text/plain", "text/markdown"):
        suffix = ".md" if kind == "text/markdown" else ".txt"
    else:
        raise InputError(f"{_short(url)}: Clipper cannot import {kind or 'this kind of file'}")
    # The file goes through the same decoding as a saved page (charset from <meta> or guessed).
    # It is alone in a private folder: the importer looks beside a saved page for its images
    # ("NAME_files/"), and a fetched page's relative references must resolve against its URL,
    # never against whatever the temp folder holds.
    with tempfile.TemporaryDirectory(prefix="clipper-fetch-") as folder:
        path = Path(folder) / f"page{suffix}"
        with open(path, "xb") as out:
            if page.charset and suffix == ".html" and b"charset" not in page.data[:2048].lower():
                out.write(f'<meta charset="{page.charset}">'.encode("ascii", "ignore"))
            out.write(page.data)
        if not images:
            return lib.import_file(path, url=page.url, tags=tags)
        from clipper.core import pipeline
        from clipper.core.images import download_images

        clip = pipeline.extract_file(path, url=page.url)
    return lib.import_clip(download_images(clip, cancel=cancel), tags=tags)


def _short(url: str) -> str:
    return url if len(url) <= 80 else url[:77] + "..."
