"""Plain values passed between the stages: bytes -> text -> article -> Markdown -> Clip -> note."""

from __future__ import annotations

from dataclasses import dataclass, field

#: what an import keeps: the article; the whole page/text, cleaned and converted; the text
#: exactly as given (encoding repaired); the text as is, not even repaired
MODES = ("article", "page", "verbatim", "raw")


def check_mode(mode: str) -> None:
    """Raise ValueError for a mode that is not one of :data:`MODES`."""
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; use one of {', '.join(MODES)}")


@dataclass
class Attachment:
    """A file that belongs to a note (an image from a saved page), stored in ``attachments/``.

    ``name`` is the file name the Markdown refers to as ``attachments/<name>``; the vault may
    rename it on save to keep it unique and rewrites the Markdown accordingly.
    """

    name: str
    data: bytes
    mime: str = ""


@dataclass
class Clip:
    """An extracted article, ready to become a note. Nothing here is saved yet."""

    markdown: str
    title: str = ""
    author: str = ""
    published: str = ""  # ISO 8601 date or datetime, "" if unknown
    site: str = ""
    source: str = ""  # canonical source URL: the article's own address, never a site's home page
    site_url: str = ""  # the site's home page when that is the only address known (as found)
    language: str = ""
    description: str = ""
    image: str = ""  # lead image URL (or attachments/<name>)
    tags: list[str] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    kind: str = ""  # html, mhtml, clipboard-html, text, markdown

    def metadata(self) -> dict:
        """The front-matter fields of the clip that have a value (order is the note's order)."""
        out = {}
        for key in ("title", "author", "published", "site", "site_url", "source", "language", "description"):
            value = getattr(self, key)
            if value:
                out[key] = value
        out["tags"] = list(self.tags)
        return out
