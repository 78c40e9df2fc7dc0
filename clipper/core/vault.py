"""The vault: a folder of Markdown notes with YAML front matter, plus attachments and a trash.

Layout::

    <vault>/
      Some article title.md        notes (also in sub-folders; any .md/.markdown file)
      attachments/                 images saved with notes (unique names)
      .trash/                      deleted notes (restorable) + trash.json (where they were)

Dot-folders and the atomic-write temp files are skipped when scanning. Files are the truth;
nothing here touches the index.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import re
import secrets
import time
import unicodedata
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from stat import S_ISREG

import yaml

from clipper.core import frontmatter, fsutil, names
from clipper.core.errors import VaultError
from clipper.core.model import Attachment

NOTE_SUFFIXES = (".md", ".markdown")
ATTACHMENTS = "attachments"
TRASH = ".trash"
TRASH_INDEX = "trash.json"
#: Trashed notes are named "YYYYMMDD-HHMMSS <original stem>.md".
_TRASH_STAMP = re.compile(r"\A\d{8}-\d{6} ")


# --- front matter, fast path -------------------------------------------------------------

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _FastLoader(_Loader):
    """libyaml loader that keeps dates as the strings written (as frontmatter.split does)."""


_FastLoader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def split_note(text: str) -> tuple[dict, str, str | None]:
    """Like :func:`clipper.core.frontmatter.split`, with libyaml when available (10x faster)."""
    m = frontmatter._EMPTY.match(text)
    if m:
        return {}, text[m.end():], None
    m = frontmatter._FENCE.match(text)
    if not m:
        return {}, text.lstrip("\ufeff"), None
    try:
        data = yaml.load(m.group(1), Loader=_FastLoader)  # noqa: S506 - safe loader subclass
    except yaml.YAMLError as exc:
        first = str(exc).splitlines()[0] if str(exc) else "invalid YAML"
        return {}, text, f"broken front matter: {first}"
    except Exception:
        return frontmatter.split(text)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        return {}, text, "broken front matter: not a mapping of keys to values"
    return {str(k): frontmatter._plain(v) for k, v in data.items()}, text[m.end():], None


# --- ids, hashes, URLs -------------------------------------------------------------------

_ID_OK = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,80}$")


def new_id() -> str:
    """A new note id: sortable by time, unique (``20261128T110720-3fa9c2d1``)."""
    return time.strftime("%Y%m%dT%H%M%S", time.gmtime()) + "-" + secrets.token_hex(4)


def path_id(relpath: str) -> str:
    """The stable id of a note without one in its front matter (derived from its path)."""
    norm = unicodedata.normalize("NFC", relpath).casefold()
    return "p-" + hashlib.sha1(norm.encode("utf-8")).hexdigest()[:16]


def valid_id(value) -> str | None:
    if value is None or isinstance(value, (dict, list, bool)):
        return None
    text = str(value).strip()
    return text if _ID_OK.match(text) else None


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def text_hash(body: str) -> str | None:
    """Hash of an article's text for duplicate detection (whitespace and case folded)."""
    norm = " ".join((body or "").split()).casefold()  # str.split's whitespace is re's \s
    if len(norm) < 40:
        return None
    return hashlib.sha256(norm.encode("utf-8")).hexdigest()


_TRACKING = re.compile(r"^(utm_.*|fbclid|gclid|mc_cid|mc_eid|ref|ref_src|igshid|_ga|yclid|spm)$", re.I)


def normalize_url(url) -> str | None:
    """Canonical form of a source URL for duplicate checks (scheme/host case, www., fragment,
    tracking parameters, trailing slash and default ports ignored)."""
    if not url:
        return None
    text = str(url).strip()
    try:
        parts = urllib.parse.urlsplit(text)
    except ValueError:
        return text.lower() or None
    if not parts.scheme or not parts.netloc:
        return text.lower() or None
    host = (parts.hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    port = parts.port if parts.port not in (None, 80, 443) else None
    netloc = host + (f":{port}" if port else "")
    query = urllib.parse.urlencode(sorted((k, v) for k, v in urllib.parse.parse_qsl(parts.query, True)
                                          if not _TRACKING.match(k)))
    path = parts.path.rstrip("/") or ""
    scheme = "https" if parts.scheme.lower() in ("http", "https") else parts.scheme.lower()
    return urllib.parse.urlunsplit((scheme, netloc, path, query, ""))


def now_iso() -> str:
    return _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


# --- the vault ---------------------------------------------------------------------------


@dataclass
class FileStat:
    size: int
    mtime_ns: int


@dataclass
class TrashEntry:
    id: str
    original_path: Path  # where the note was (absolute)
    trash_path: Path  # where it is now
    deleted: str  # ISO 8601 UTC
    title: str = ""


#: folders with at least this many notes are stat-ed by two threads (see Vault._scan)
_THREADED_STAT = 4096


def _stat_entries(entries, prefix: str) -> list[tuple[str, tuple[int, int]]]:
    """(vault-relative path, (size, mtime_ns)) of the regular files among ``entries``."""
    out = []
    append = out.append
    for entry in entries:
        try:
            st = entry.stat()  # follows a link, as is_file() does
        except OSError:
            continue
        if S_ISREG(st.st_mode):
            append((prefix + entry.name, (st.st_size, st.st_mtime_ns)))
    return out


def _mkdir(path: Path) -> None:
    """Create a folder in the vault; a read-only or full disk becomes a clear VaultError."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise fsutil._vault_error(exc, path / ".") from exc


class Vault:
    def __init__(self, root: Path):
        self.root = Path(root).expanduser().absolute()

    @property
    def attachments(self) -> Path:
        return self.root / ATTACHMENTS

    @property
    def trash(self) -> Path:
        return self.root / TRASH

    def ensure(self) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise VaultError(f"Cannot create the vault folder {self.root}: {exc.strerror or exc}") from exc
        if not self.root.is_dir():
            raise VaultError(f"The vault {self.root} is not a folder")

    # paths
    def rel(self, path) -> str:
        """Vault-relative POSIX path of ``path`` (absolute or relative to the vault)."""
        p = Path(path)
        if not p.is_absolute():
            p = self.root / p
        rel = os.path.relpath(os.path.abspath(p), self.root)
        if rel.startswith(".."):
            raise VaultError(f"{path} is not inside the vault {self.root}")
        return Path(rel).as_posix()

    def abs(self, rel: str) -> Path:
        return self.root / Path(rel)

    def scan(self) -> dict[str, FileStat]:
        """Every note file: vault-relative path -> (size, mtime_ns) (see :meth:`stats`)."""
        return {rel: FileStat(*st) for rel, st in self.stats().items()}

    def stats(self) -> dict[str, tuple[int, int]]:
        """Every note file: vault-relative path -> (size, mtime_ns) tuple. One scandir walk.

        Temp files that a killed writer left are recovered first (fsutil.recover_temp_files):
        a finished text lands in its note, a partial one is dropped, a live writer's is left alone.
        """
        out, temp_dirs = self._scan()
        recovered = [p for d in temp_dirs for p in fsutil.recover_temp_files(Path(d))]
        if self.trash.is_dir():  # a delete killed while writing trash.json
            fsutil.recover_temp_files(self.trash)
        return self._scan()[0] if recovered else out

    def _scan(self) -> tuple[dict[str, tuple[int, int]], set[str]]:
        out: dict[str, tuple[int, int]] = {}
        temp_dirs: set[str] = set()
        stack = [("", str(self.root))]
        while stack:
            prefix, folder = stack.pop()
            notes = []
            try:
                it = os.scandir(folder)
            except OSError:
                continue
            with it:
                for entry in it:
                    name = entry.name
                    if name[:1] == ".":  # temp files too
                        if fsutil.is_temp_name(name):
                            temp_dirs.add(folder)
                        continue
                    try:
                        if entry.is_dir(follow_symlinks=False):
                            if not (prefix == "" and name == ATTACHMENTS):
                                stack.append((prefix + name + "/", entry.path))
                            continue
                    except OSError:
                        continue
                    if name.lower().endswith(NOTE_SUFFIXES):
                        notes.append(entry)
            if len(notes) >= _THREADED_STAT:
                # the stat calls release the GIL: a second thread halves a big folder's wait
                half = len(notes) // 2
                with ThreadPoolExecutor(1) as pool:
                    rest = pool.submit(_stat_entries, notes[half:], prefix)
                    out.update(_stat_entries(notes[:half], prefix))
                    out.update(rest.result())
            else:
                out.update(_stat_entries(notes, prefix))
        return out, temp_dirs

    def is_note_path(self, rel: str) -> bool:
        """True if ``scan`` would list this vault-relative path as a note."""
        parts = rel.split("/")
        if any(p.startswith(".") or fsutil.is_temp_name(p) for p in parts) or parts[0] in ("", ".."):
            return False
        if len(parts) > 1 and parts[0] == ATTACHMENTS:
            return False
        return parts[-1].lower().endswith(NOTE_SUFFIXES)

    def read_bytes(self, rel: str) -> bytes:
        return self.abs(rel).read_bytes()

    # writing notes
    def create_note(self, title: str, text: str, folder: str = "") -> str:
        """Write a new note file named after ``title`` (never overwriting); returns its rel path."""
        self.ensure()
        target = self.root / folder if folder else self.root
        path = names.create_unique(target, names.safe_stem(title), ".md", text.encode("utf-8"))
        return self.rel(path)

    def write_note(self, rel: str, text: str) -> None:
        fsutil.atomic_write_text(self.abs(rel), text)

    def conflict_copy(self, rel: str, text: str) -> str:
        path = self.abs(rel)
        stamp = time.strftime("%Y-%m-%d %H%M%S")
        stem = names.safe_stem(f"{path.stem} (conflict {stamp})")
        new = names.create_unique(path.parent, stem, path.suffix or ".md", text.encode("utf-8"))
        return self.rel(new)

    def save_attachments(self, markdown: str, attachments: list[Attachment]) -> str:
        """Store attachments under unique names in attachments/ and rewrite their references."""
        if not attachments:
            return markdown
        _mkdir(self.attachments)
        for att in attachments:
            wanted = names.safe_file_name(att.name or "image")
            stem, dot, ext = wanted.rpartition(".")
            if not dot:
                stem, ext = wanted, ""
            path = names.create_unique(self.attachments, stem, f".{ext}" if ext else "", att.data)
            if path.name != att.name:
                for old in {att.name, urllib.parse.quote(att.name)}:
                    markdown = markdown.replace(f"{ATTACHMENTS}/{old}",
                                                f"{ATTACHMENTS}/{urllib.parse.quote(path.name)}")
        return markdown

    # trash
    def _trash_index(self) -> list[dict]:
        try:
            data = json.loads((self.trash / TRASH_INDEX).read_text(encoding="utf-8"))
            return data if isinstance(data, list) else []
        except (OSError, ValueError):
            return []

    def _save_trash_index(self, entries: list[dict]) -> None:
        _mkdir(self.trash)
        fsutil.atomic_write_text(self.trash / TRASH_INDEX, json.dumps(entries, ensure_ascii=False, indent=1))

    def move_to_trash(self, rel: str, note_id: str, title: str = "") -> TrashEntry:
        src = self.abs(rel)
        _mkdir(self.trash)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        stem = names.safe_stem(f"{stamp} {src.stem}")
        dest = None
        for name in names.candidates(stem, src.suffix or ".md"):
            cand = self.trash / name
            if not cand.exists():
                dest = cand
                break
        try:
            os.replace(src, dest)
        except OSError as exc:
            raise VaultError(f"Could not move {src.name} to the trash: {exc.strerror or exc}") from exc
        fsutil.fsync_dir(self.trash)
        entry = TrashEntry(note_id, src, dest, now_iso(), title)
        entries = self._trash_index()
        entries.append({"id": note_id, "path": rel, "trash": dest.name, "deleted": entry.deleted,
                        "title": title})
        self._save_trash_index(entries)
        return entry

    def trash_entries(self) -> list[TrashEntry]:
        out = []
        for e in self._trash_index():
            try:
                out.append(TrashEntry(str(e["id"]), self.abs(e["path"]), self.trash / e["trash"],
                                      str(e.get("deleted", "")), str(e.get("title", ""))))
            except (KeyError, TypeError):
                continue
        out = [e for e in out if e.trash_path.exists()]
        return out + self._unlisted_trash({e.trash_path.name for e in out})

    def _unlisted_trash(self, listed: set[str]) -> list[TrashEntry]:
        """Notes in the trash that trash.json does not list (a delete killed between moving the
        note and writing the list, or a trash copied by a sync tool): listed from the files."""
        out = []
        try:
            names_ = sorted(os.listdir(self.trash))
        except OSError:
            return out
        for name in names_:
            if name in listed or fsutil.is_temp_name(name) or not name.lower().endswith(NOTE_SUFFIXES):
                continue
            path = self.trash / name
            try:
                with open(path, "rb") as fh:
                    head = fh.read(65536).decode("utf-8", "replace")
                    moved = os.fstat(fh.fileno()).st_ctime  # the move into the trash
            except OSError:
                continue
            meta, _body, _error = frontmatter.split(head)
            m = _TRASH_STAMP.match(name)
            original = name[m.end():] if m else name
            deleted = _dt.datetime.fromtimestamp(moved, _dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
            note_id = valid_id(meta.get("id")) or path_id(original)  # as when it was in the vault
            title = str(meta.get("title") or "") or Path(original).stem
            out.append(TrashEntry(note_id, self.root / original, path, deleted, title))
        return out

    def restore_from_trash(self, entry: TrashEntry) -> str:
        """Move a trashed note back (to its old place, or a free name beside it)."""
        original = Path(entry.original_path)
        _mkdir(original.parent)
        data = entry.trash_path.read_bytes()
        stem = original.stem
        path = names.create_unique(original.parent, stem, original.suffix or ".md", data)
        try:
            os.unlink(entry.trash_path)
        except OSError:
            pass
        entries = [e for e in self._trash_index() if e.get("trash") != entry.trash_path.name]
        self._save_trash_index(entries)
        return self.rel(path)
