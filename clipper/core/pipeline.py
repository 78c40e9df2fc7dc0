"""The import pipeline: any input (file, clipboard) -> :class:`Clip`. Saves nothing.

Public entry points (used by the CLI, the Library and the GUI):

- ``extract_file(path, url=None, mode="article") -> Clip``
- ``extract_clipboard(text=None, html=None, url=None, mode="article") -> Clip``

``mode`` is ``"article"`` (extract the article), ``"page"`` (keep the whole page/text, only
cleaned and converted) or ``"verbatim"`` (text kept exactly as given, encoding repaired).
Errors are raised as :class:`clipper.core.errors.InputError` with a one-line message.
"""

from __future__ import annotations

from pathlib import Path

from clipper.core import frontmatter
from clipper.core.errors import InputError
from clipper.core.model import Clip

MODES = ("article", "page", "verbatim")


def extract_file(path, url: str | None = None, mode: str = "article") -> Clip:
    path = Path(path)
    if path.is_dir():
        raise InputError(f"{path.name} is a folder: import its files instead")
    suffix = path.suffix.lower()
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"Cannot read {path.name}: {exc.strerror or exc}") from exc
    if suffix in (".md", ".markdown"):
        return _from_markdown(data.decode("utf-8", "replace"))
    raise InputError(f"{path.name}: unsupported file type")


def extract_clipboard(text: str | None = None, html: str | None = None, url: str | None = None,
                      mode: str = "article") -> Clip:
    raise InputError("the clipboard holds nothing Clipper can import")


def _from_markdown(text: str) -> Clip:
    meta, body, error = frontmatter.split(text)
    tags = meta.get("tags") or []
    if isinstance(tags, str):
        tags = [t.strip() for t in tags.replace(",", " ").split() if t.strip()]
    clip = Clip(markdown=body.strip("\n"), kind="markdown", tags=[str(t) for t in tags])
    for key in ("title", "author", "published", "site", "source", "language", "description"):
        value = meta.get(key)
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        if value:
            setattr(clip, key, str(value))
    if error:
        clip.warnings.append(error)
    return clip
