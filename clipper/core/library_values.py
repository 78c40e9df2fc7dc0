"""The values the library hands out: a note, a search hit, the result of an import, a save or a
tag change, and what a sync changed (plain dataclasses; no I/O)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from clipper.core.snippets import snippet_html as _snippet_html

__all__ = ["Note", "Hit", "ImportResult", "TagsChanged", "SaveResult", "Changes"]


@dataclass
class Note:
    id: str
    path: Path
    title: str
    body: str
    meta: dict
    tags: list[str]
    author: str = ""
    site: str = ""
    source: str = ""
    published: str = ""
    created: str = ""
    content_hash: str = ""
    warnings: list[str] = field(default_factory=list)
    raw: str = field(default="", repr=False)

    def text(self) -> str:
        """The whole file content (front matter + body) as last read or written."""
        return self.raw


@dataclass
class Hit:
    id: str
    path: Path
    title: str
    snippet: str
    highlights: list[tuple[int, int]]
    score: float
    tags: list[str]
    created: str = ""
    published: str = ""
    site: str = ""
    author: str = ""

    def snippet_html(self) -> str:
        """The snippet, HTML-escaped, with ``<b>…</b>`` around the matched words."""
        return _snippet_html(self.snippet, self.highlights)


@dataclass
class ImportResult:
    note: Note
    created: bool
    duplicate_of: Note | None = None
    warnings: list[str] = field(default_factory=list)


class TagsChanged(int):
    """How many notes a tag change rewrote; ``refused`` lists ``(path, reason)`` of the notes it
    left unchanged because only their tags could not be changed without touching more."""

    refused: list

    def __new__(cls, count: int, refused=()):
        obj = super().__new__(cls, count)
        obj.refused = list(refused)
        return obj


@dataclass
class SaveResult:
    note: Note
    conflict_path: Path | None = None


@dataclass
class Changes:
    added: list[str] = field(default_factory=list)  # note ids
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    renamed: list[str] = field(default_factory=list)
    #: another process (the CLI, a second window) changed the index meanwhile: lists, counts and
    #: tags shown from it may be stale even though this call found nothing to do itself
    elsewhere: bool = False

    def __bool__(self) -> bool:
        return bool(self.added or self.updated or self.removed or self.renamed or self.elsewhere)
