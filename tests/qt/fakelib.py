"""A tiny stand-in for clipper.Library (the contract in notes/library-api.md), used only while the
real one is not importable: substring search over Markdown files in a folder."""

from __future__ import annotations

import hashlib
import re
import shutil
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from clipper.core import frontmatter, pipeline
from clipper.core.errors import InputError


@dataclass
class Note:
    id: str
    path: Path
    title: str
    body: str
    meta: dict
    tags: list
    author: str = ""
    site: str = ""
    source: str = ""
    published: str = ""
    created: str = ""
    content_hash: str = ""
    warnings: list = field(default_factory=list)

    def text(self) -> str:
        return self.path.read_text("utf-8")


@dataclass
class Hit:
    id: str
    path: Path
    title: str
    snippet: str
    highlights: list
    score: float
    tags: list
    created: str
    published: str
    site: str
    author: str


@dataclass
class ImportResult:
    note: Note
    created: bool
    duplicate_of: Note | None
    warnings: list


@dataclass
class SaveResult:
    note: Note
    conflict_path: Path | None


class FakeLibrary:
    def __init__(self, vault):
        self.vault = Path(vault)
        self.vault.mkdir(parents=True, exist_ok=True)
        self.indexing = False
        self._lock = threading.RLock()
        self._n = 0

    @classmethod
    def open(cls, vault=None, *, index_dir=None, wait=True):
        return cls(vault)

    def _notes(self):
        out = []
        for p in sorted(self.vault.glob("*.md")):
            out.append(self._read(p))
        return out

    def _read(self, p: Path) -> Note:
        text = p.read_text("utf-8")
        meta, body, _err = frontmatter.split(text)
        return Note(id=str(meta.get("id") or p.stem), path=p, title=str(meta.get("title") or p.stem),
                    body=body, meta=meta, tags=[str(t) for t in meta.get("tags") or []],
                    site=str(meta.get("site") or ""), source=str(meta.get("source") or ""),
                    created=str(meta.get("created") or ""),
                    content_hash=hashlib.sha256(body.encode()).hexdigest())

    def import_clip(self, clip, *, tags=(), on_duplicate="return"):
        with self._lock:
            for note in self._notes():
                if note.body.strip() == clip.markdown.strip():
                    return ImportResult(note, False, note, [])
            self._n += 1
            note_id = uuid.uuid4().hex[:12]
            meta = dict(clip.metadata())
            meta["id"] = note_id
            meta["tags"] = list(dict.fromkeys(list(clip.tags) + list(tags)))
            meta["created"] = f"2026-01-{self._n:02d}"
            name = re.sub(r"[^\w]+", "-", clip.title or "note")[:40] + f"-{note_id[:4]}.md"
            path = self.vault / name
            path.write_text(frontmatter.join(meta, clip.markdown) if hasattr(frontmatter, "join")
                            else clip.markdown, "utf-8")
            return ImportResult(self._read(path), True, None, [])

    def import_file(self, path, *, tags=(), url=None, mode="article", on_duplicate="return"):
        return self.import_clip(pipeline.extract_file(path, url=url, mode=mode), tags=tags)

    def import_clipboard(self, text=None, html=None, url=None, *, tags=(), mode="article",
                         on_duplicate="return"):
        if html:
            body = re.sub(r"<[^>]+>", " ", html)
            body = " ".join(body.split())
        else:
            body = text or ""
        if not body.strip():
            raise InputError("empty")
        from clipper.core.model import Clip
        from clipper.core.mojibake import repair

        body = repair(body)
        return self.import_clip(Clip(markdown=body, title=body.split("\n")[0][:60]), tags=tags)

    def search(self, query, limit=20, *, sort="relevance", tags=()):
        hits = []
        for note in self._notes():
            if any(t not in note.tags and not any(x.startswith(t + "/") for x in note.tags) for t in tags):
                continue
            words = query.lower().split()
            hay = (note.title + " " + note.body).lower()
            if all(w in hay for w in words):
                snippet = note.body[:200]
                hl = []
                for w in words:
                    i = snippet.lower().find(w)
                    if i >= 0:
                        hl.append((i, i + len(w)))
                hits.append(Hit(note.id, note.path, note.title, snippet, hl, 1.0, note.tags, note.created,
                                "", note.site, ""))
        hits.sort(key=lambda h: h.created, reverse=sort != "oldest")
        return hits[:limit]

    def get(self, note_id):
        for note in self._notes():
            if note.id == note_id:
                return note
        raise KeyError(note_id)

    def save(self, note_id, text, *, base_hash=None):
        note = self.get(note_id)
        if base_hash and hashlib.sha256(note.path.read_bytes()).hexdigest() != base_hash:
            conflict = note.path.with_name(note.path.stem + " (conflict).md")
            conflict.write_text(text, "utf-8")
            return SaveResult(note, conflict)
        note.path.write_text(text, "utf-8")
        return SaveResult(self.get(note_id), None)

    def tags(self):
        out = {}
        for note in self._notes():
            for t in note.tags:
                out[t] = out.get(t, 0) + 1
        return out

    def _retag(self, note, tags):
        meta = dict(note.meta)
        meta["tags"] = tags
        note.path.write_text(frontmatter.join(meta, note.body), "utf-8")

    def set_tags(self, note_ids, add=(), remove=()):
        for i in note_ids:
            note = self.get(i)
            self._retag(note, [t for t in dict.fromkeys(note.tags + list(add)) if t not in remove])

    def rename_tag(self, old, new):
        n = 0
        for note in self._notes():
            if old in note.tags:
                self._retag(note, list(dict.fromkeys(new if t == old else t for t in note.tags)))
                n += 1
        return n

    def delete_tag(self, name):
        n = 0
        for note in self._notes():
            if name in note.tags:
                self._retag(note, [t for t in note.tags if t != name])
                n += 1
        return n

    def suggest_tags(self, text, limit=5):
        return ["suggested"][:limit]

    def delete(self, note_id):
        note = self.get(note_id)
        trash = self.vault / ".trash"
        trash.mkdir(exist_ok=True)
        dest = trash / note.path.name
        shutil.move(note.path, dest)
        return (note.path, dest)

    def restore(self, entry):
        orig, dest = entry
        shutil.move(dest, orig)
        return self._read(orig)

    def refresh(self):
        return []

    def reindex(self, progress=None):
        pass

    def close(self):
        pass
