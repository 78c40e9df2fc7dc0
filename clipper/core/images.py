"""A note's web images downloaded as its attachments, only when the user allowed it.

``download_images(clip) -> Clip`` fetches each ``![alt](http(s)://…)`` of the note's Markdown
and, when what came back is a picture, adds it to ``clip.attachments`` and points the Markdown at
``attachments/NAME``. Limits: http(s) only (also after redirects), no cookies and no credentials
sent, a time limit per image (however slowly the server sends), a size limit per image and in
all, a number of images per note; a picture only when the server says ``image/…`` *and* its first
bytes are a known raster format (PNG, JPEG, GIF, WebP, BMP, ICO, AVIF: never SVG, which can hold
scripts and links). An image that fails keeps its web link; one warning line says why.
"""

from __future__ import annotations

import http.client
import re
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import replace

from clipper.core.fetch import SCHEMES, read_limited
from clipper.core.inputs import image_type
from clipper.core.model import Attachment, Clip

TIMEOUT = 15.0  # seconds for one image, from the request to its last byte
MAX_IMAGE = 15 * 1024 * 1024
MAX_TOTAL = 60 * 1024 * 1024  # all of one note's images
MAX_IMAGES = 200

# ![alt](url) or ![alt](<url>) with an optional "title"; the alt may hold escaped brackets.
_IMAGE = re.compile(r"!\[((?:\\.|[^\]\\])*)\]\(\s*(<[^>\n]+>|[^\s()]+)(\s+\"[^\"\n]*\")?\s*\)")

_ICO = b"\x00\x00\x01\x00"  # a favicon-style icon: kept here, not among a saved page's images


class _Refused(Exception):
    """An image left as a web link, with the reason (one short phrase)."""


def sniff(data: bytes) -> tuple[str, str] | None:
    """(extension, MIME type) when ``data`` starts like a raster picture, else None: the
    pictures a saved page's images may be (:func:`inputs.image_type`), and icons."""
    found = image_type(data)
    if found is not None:
        return found[1], found[0]
    return ("ico", "image/x-icon") if data.startswith(_ICO) else None


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if urllib.parse.urlsplit(newurl).scheme.lower() not in SCHEMES:
            raise _Refused("redirected away from the web")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _opener():
    # build_opener adds no cookie processor: no cookie is kept or sent; no proxy credentials either
    return urllib.request.build_opener(_HttpOnlyRedirects)


def fetch_image(url: str, *, timeout: float = TIMEOUT, max_bytes: int = MAX_IMAGE, cancel=None,
                opener=None) -> tuple[bytes, str, str]:
    """(data, extension, MIME type) of the picture at ``url``; raises _Refused."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme.lower() not in SCHEMES or not parts.netloc:
        raise _Refused("not a web link")
    if parts.username or parts.password:
        raise _Refused("the link holds a password")
    deadline = time.monotonic() + timeout
    request = urllib.request.Request(url, headers={"User-Agent": "Clipper (offline notes)",
                                                   "Accept": "image/*"})
    try:
        with (opener or _opener()).open(request, timeout=timeout) as response:
            kind = (response.headers.get_content_type() or "").lower()
            if not kind.startswith("image/"):
                raise _Refused(f"not an image ({kind or 'no type'})")
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise _Refused(f"larger than {_mb(max_bytes)}")
            why = {"late": f"not complete within {timeout:g} s", "cancelled": "cancelled",
                   "large": f"larger than {_mb(max_bytes)}"}
            data = read_limited(response, max_bytes, cancel=cancel, deadline=deadline,
                                stop=lambda reason: _Refused(why[reason]))
    except _Refused:
        raise
    except urllib.error.HTTPError as exc:
        raise _Refused(f"the server answered {exc.code}") from exc
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, _Refused):
            raise reason from exc
        if isinstance(reason, (TimeoutError, socket.timeout)):
            raise _Refused(f"no answer within {timeout:g} s") from exc
        raise _Refused(f"cannot reach the site ({reason})") from exc
    except TimeoutError as exc:
        raise _Refused(f"not complete within {timeout:g} s") from exc
    except (OSError, http.client.HTTPException, ValueError) as exc:
        raise _Refused(type(exc).__name__) from exc
    found = sniff(data)
    if found is None:
        raise _Refused("not a picture Clipper keeps (by its content)")
    return data, found[0], found[1]


def _mb(n: int) -> str:
    return f"{n / 2**20:g} MB"


def _name_for(url: str, ext: str, taken: set[str]) -> str:
    stem = urllib.parse.unquote(urllib.parse.urlsplit(url).path.rsplit("/", 1)[-1])
    stem = re.sub(r"\.[A-Za-z0-9]{1,5}$", "", stem)
    stem = re.sub(r"[^\w-]+", "-", stem).strip("-_")[:60] or "image"
    name, n = f"{stem}.{ext}", 2
    while name.lower() in taken:
        name, n = f"{stem}-{n}.{ext}", n + 1
    taken.add(name.lower())
    return name


def download_images(clip: Clip, *, timeout: float = TIMEOUT, max_image: int = MAX_IMAGE,
                    max_total: int = MAX_TOTAL, max_images: int = MAX_IMAGES, cancel=None,
                    opener=None) -> Clip:
    """The clip with its web images as attachments (see the module's notes); never raises."""
    urls: list[str] = []
    for m in _IMAGE.finditer(clip.markdown):
        url = m.group(2).strip("<>")
        if urllib.parse.urlsplit(url).scheme.lower() in SCHEMES and url not in urls:
            urls.append(url)
    if not urls:
        return clip
    taken = {a.name.lower() for a in clip.attachments}
    local: dict[str, str] = {}
    attachments = list(clip.attachments)
    failed: list[str] = []
    total = 0
    for i, url in enumerate(urls):
        if i >= max_images:
            failed.append(f"{len(urls) - max_images} more than the {max_images} images kept per note")
            break
        if cancel is not None and cancel.is_set():
            failed.append(f"{len(urls) - i} not fetched (cancelled)")
            break
        try:
            data, ext, mime = fetch_image(url, timeout=timeout, max_bytes=min(max_image, max_total - total),
                                          cancel=cancel, opener=opener)
        except _Refused as why:
            if str(why).startswith("larger than") and max_total - total < max_image:
                why = _Refused(f"over the {_mb(max_total)} kept per note")
            failed.append(f"{_short(url)}: {why}")
            continue
        total += len(data)
        name = _name_for(url, ext, taken)
        attachments.append(Attachment(name=name, data=data, mime=mime))
        local[url] = f"attachments/{name}"

    def relink(m: re.Match) -> str:
        url = m.group(2).strip("<>")
        if url not in local:
            return m.group(0)
        return f"![{m.group(1)}]({local[url]}{m.group(3) or ''})"

    markdown = _IMAGE.sub(relink, clip.markdown) if local else clip.markdown
    warnings = list(clip.warnings)
    if failed:
        shown = "; ".join(failed[:3]) + (f"; and {len(failed) - 3} more" if len(failed) > 3 else "")
        what = "1 image kept as a web link" if len(failed) == 1 else f"{len(failed)} images kept as web links"
        warnings.append(f"{what}: {shown}")
    image = clip.image
    if image in local:
        image = local[image]
    return replace(clip, markdown=markdown, attachments=attachments, warnings=warnings, image=image)


def has_web_images(markdown: str) -> bool:
    """Whether the Markdown shows any image from the web (what :func:`download_images` fetches)."""
    return any(urllib.parse.urlsplit(m.group(2).strip("<>")).scheme.lower() in SCHEMES
               for m in _IMAGE.finditer(markdown))


def _short(url: str) -> str:
    return url if len(url) <= 70 else url[:67] + "..."
