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
import stat
import time
import unicodedata
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from stat import S_ISREG

from clipper.core import confine, frontmatter, fsutil, names
from clipper.core.errors import VaultError
from clipper.core.model import Attachment

NOTE_SUFFIXES = (".md", ".markdown")
ATTACHMENTS = "attachments"
TRASH = ".trash"
TRASH_INDEX = "trash.json"
#: Trashed notes are named "YYYYMMDD-HHMMSS <original stem>.md".
_TRASH_STAMP = re.compile(r"\A\d{8}-\d{6} ")


# --- front matter ------------------------------------------------------------------------

_FastLoader = frontmatter._FastLoader
#: Kept for callers of the old fast path: frontmatter.split uses libyaml itself now.
split_note = frontmatter.split


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


_HASH_SLICE = 1 << 18


def text_hash(body: str) -> str | None:
    """Hash of an article's text for duplicate detection (whitespace and case folded):
    sha256 of ``" ".join(body.split()).casefold()``, computed a slice at a time (see
    :func:`text_hash_chunks`): one C call over a long note would hold Python's GIL, and the
    app's window, for its whole length, and a list of every word of a huge note takes GBs."""
    body = body or ""
    return text_hash_chunks(body[i:i + _HASH_SLICE] for i in range(0, len(body), _HASH_SLICE))


_HASH_CHUNK = 1 << 20


def text_hash_chunks(chunks) -> str | None:
    """:func:`text_hash` of the text the ``chunks`` make up, in memory bounded by a chunk
    (words are cut only at whitespace; case folding is per character, so the result is the same)."""
    digest = hashlib.sha256()
    size = 0
    pending = ""
    for chunk in chunks:
        text = pending + chunk
        cut = len(text)
        while cut > 0 and not text[cut - 1].isspace():
            cut -= 1
        if cut == 0 and len(text) < 64 * _HASH_CHUNK:
            pending = text  # one long word so far
            continue
        if cut == 0:
            cut = len(text)  # a word of 64 M characters: cut it (no real text has one)
        text, pending = text[:cut], text[cut:]
        words = " ".join(text.split()).casefold()
        if words:
            if size:
                digest.update(b" ")
                size += 1
            data = words.encode("utf-8")
            digest.update(data)
            size += len(words)
    words = " ".join(pending.split()).casefold()
    if words:
        if size:
            digest.update(b" ")
            size += 1
        digest.update(words.encode("utf-8"))
        size += len(words)
    return digest.hexdigest() if size >= 40 else None


_SKETCH_TOKEN = re.compile(r"\w+")
_MD_TARGET = re.compile(r"\]\([^)]*\)|<https?://[^>]+>")
SKETCH_SIZE = 16
SKETCH_TEXT = 1_000_000  # characters read for a sketch: an article's copies differ from the start


def shingles(body: str) -> set[int]:
    """Hashes of the word 4-grams of an article's visible text (case folded, link targets left
    out): what two copies of one article share however each was imported. Only the first
    SKETCH_TEXT characters count, so a huge note costs bounded memory."""
    toks = _SKETCH_TOKEN.findall(_MD_TARGET.sub("] ", (body or "")[:SKETCH_TEXT]).casefold())
    out = set()
    for i in range(len(toks) - 3):
        digest = hashlib.blake2b(" ".join(toks[i:i + 4]).encode("utf-8"), digest_size=8).digest()
        out.add(int.from_bytes(digest, "big", signed=True))
    return out


def text_sketch(body: str, grams: set[int] | None = None) -> list[int]:
    """The SKETCH_SIZE smallest shingle hashes (a bottom-k sketch): notes sharing several are
    candidates for the same article. Empty for texts too short to tell."""
    grams = shingles(body) if grams is None else grams
    return sorted(grams)[:SKETCH_SIZE] if len(grams) >= 30 else []


def _title_key(title: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", (title or "").casefold()).split())


def same_article(a: set[int], b: set[int], title_a: str = "", title_b: str = "") -> bool:
    """Are two texts (as shingle sets) one article? One holds most of the other and they are of
    similar size, and their titles agree (one may hold the other, as with a site's name
    added); without agreeing titles only texts that are all but identical are."""
    if not a or not b:
        return False
    shared = len(a & b)
    small, big = min(len(a), len(b)), max(len(a), len(b))
    if shared < 0.7 * small or shared < 0.4 * big:
        return False
    ta, tb = _title_key(title_a), _title_key(title_b)
    short, long_ = sorted((ta, tb), key=len)
    if short and (short == long_ or (short in long_ and len(short) >= 0.5 * len(long_))):
        return True
    return shared >= 0.97 * big


_TRACKING = re.compile(r"^(utm_.*|fbclid|gclid|mc_cid|mc_eid|ref|ref_src|igshid|_ga|yclid|spm)$", re.I)


def normalize_url(url) -> str | None:
    """Canonical form of a source URL for duplicate checks (scheme/host case, www., fragment,
    tracking parameters, trailing slash and default ports ignored). A ``#!`` or ``#/`` route
    (hash-routed sites) is part of the address."""
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
    fragment = parts.fragment if parts.fragment.startswith(("!", "/")) else ""
    fragment = fragment.rstrip("/") if fragment.strip("!/") else ""
    return urllib.parse.urlunsplit((scheme, netloc, path, query, fragment))


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


def _stat_entries(entries, prefix: str, root: Path) -> list[tuple[str, tuple[int, int]]]:
    """(vault-relative path, (size, mtime_ns)) of the regular files among ``entries``; a link
    to a file outside the vault ``root`` is none of them (a synced folder can hold one)."""
    out = []
    append = out.append
    for entry in entries:
        try:
            if entry.is_symlink() and not confine.is_within(entry.path, root):
                continue
            st = entry.stat()  # follows a link inside the vault, as is_file() does
        except OSError:
            continue
        if S_ISREG(st.st_mode):
            append((prefix + entry.name, (st.st_size, st.st_mtime_ns)))
    return out


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

    def _scan(self, start: str = "", recursive: bool = True,
              folders: set[str] | None = None) -> tuple[dict[str, tuple[int, int]], set[str]]:
        """Note files under the vault-relative folder ``start`` ('' = the vault) as
        (size, mtime_ns), and the folders holding temp files. Not ``recursive``: that folder's
        own files only, and the names of its sub-folders (that may hold notes) go into ``folders``."""
        out: dict[str, tuple[int, int]] = {}
        temp_dirs: set[str] = set()
        root = self.root
        stack = [(start + "/" if start else "", str(self.abs(start)) if start else str(root))]
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
                                if recursive:
                                    stack.append((prefix + name + "/", entry.path))
                                elif folders is not None:
                                    folders.add(name)
                            continue
                    except OSError:
                        continue
                    if name.lower().endswith(NOTE_SUFFIXES):
                        notes.append(entry)
            if len(notes) >= _THREADED_STAT:
                # the stat calls release the GIL: a second thread halves a big folder's wait
                half = len(notes) // 2
                with ThreadPoolExecutor(1) as pool:
                    rest = pool.submit(_stat_entries, notes[half:], prefix, root)
                    out.update(_stat_entries(notes[:half], prefix, root))
                    out.update(rest.result())
            else:
                out.update(_stat_entries(notes, prefix, root))
        return out, temp_dirs

    def scan_folder(self, rel: str, recursive: bool = True) -> tuple[dict[str, FileStat], set[str]]:
        """The note files in one vault-relative folder ('' = the vault's own files) and, not
        ``recursive``, the names of its sub-folders that may hold notes."""
        folders: set[str] = set()
        files, _temp = self._scan(rel, recursive=recursive, folders=folders)
        return {r: FileStat(*st) for r, st in files.items()}, folders

    def note_folders(self, limit: int = 100_000) -> list[Path]:
        """The vault and every folder in it that may hold notes (what a file watcher watches):
        dot-folders, ``attachments/`` and symlinked folders left out; at most ``limit``."""
        out = [self.root]
        stack = [(True, str(self.root))]
        while stack and len(out) < limit:
            top, folder = stack.pop()
            try:
                it = os.scandir(folder)
            except OSError:
                continue
            with it:
                for entry in it:
                    name = entry.name
                    if name.startswith(".") or (top and name == ATTACHMENTS):
                        continue
                    try:
                        if entry.is_dir(follow_symlinks=False):
                            out.append(Path(entry.path))
                            stack.append((False, entry.path))
                    except OSError:
                        continue
        return out[:limit]

    def is_note_path(self, rel: str) -> bool:
        """True if ``scan`` would list this vault-relative path as a note."""
        parts = rel.split("/")
        if any(p.startswith(".") or fsutil.is_temp_name(p) for p in parts) or parts[0] in ("", ".."):
            return False
        if len(parts) > 1 and parts[0] == ATTACHMENTS:
            return False
        return parts[-1].lower().endswith(NOTE_SUFFIXES)

    def read_bytes(self, rel: str) -> bytes:
        """The bytes of a note, never through a symlink out of the vault (OSError if so)."""
        with confine.open_in(self.root, rel) as fh:
            return fh.read()

    # writing notes
    def create_note(self, title: str, text: str, folder: str = "") -> str:
        """Write a new note file named after ``title`` (never overwriting); returns its rel path."""
        self.ensure()
        target = self.root / folder if folder else self.root
        path = names.create_unique(target, names.safe_stem(title), ".md", text.encode("utf-8"))
        return self.rel(path)

    def write_note(self, rel: str, text: str) -> None:
        fsutil.atomic_write_text(self.abs(rel), text)

    def write_note_bytes(self, rel: str, data: bytes) -> None:
        fsutil.atomic_write_bytes(self.abs(rel), data)

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
        folder = confine.own_folder(self.root, ATTACHMENTS)
        for att in attachments:
            wanted = names.safe_file_name(att.name or "image")
            stem, dot, ext = wanted.rpartition(".")
            if not dot:
                stem, ext = wanted, ""
            path = names.create_unique(folder, stem, f".{ext}" if ext else "", att.data)
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
        confine.own_folder(self.root, TRASH)
        fsutil.atomic_write_text(self.trash / TRASH_INDEX, json.dumps(entries, ensure_ascii=False, indent=1))

    def move_to_trash(self, rel: str, note_id: str, title: str = "") -> TrashEntry:
        src = self.abs(rel)
        confine.own_folder(self.root, TRASH)
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

    def _trash_name_ok(self, name) -> bool:
        """A note file directly in .trash (trash.json is a synced file: it may name anything)."""
        return (isinstance(name, str) and name not in ("", ".", "..") and not re.search(r"[/\\\x00]", name)
                and not fsutil.is_temp_name(name) and name.lower().endswith(NOTE_SUFFIXES))

    def _trashed_file(self, name: str) -> bool:
        try:
            return stat.S_ISREG(os.lstat(self.trash / name).st_mode)  # a symlink is not ours
        except OSError:
            return False

    def trash_entries(self) -> list[TrashEntry]:
        """The trashed notes. Entries of trash.json whose paths would lead out of the vault or
        out of .trash, or name no plain note file there, are left out."""
        if os.path.islink(self.trash):
            return []  # restoring would read from (and delete in) another place
        out = []
        for e in self._trash_index():
            try:
                rel = confine.clean_rel(e["path"])
                if not self.is_note_path(rel) or not self._trash_name_ok(e["trash"]):
                    continue
                out.append(TrashEntry(str(e["id"]), self.abs(rel), self.trash / e["trash"],
                                      str(e.get("deleted", "")), str(e.get("title", ""))))
            except (KeyError, TypeError, AttributeError, VaultError):
                continue
        out = [e for e in out if self._trashed_file(e.trash_path.name)]
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
            if name in listed or not self._trash_name_ok(name) or not self._trashed_file(name):
                continue
            path = self.trash / name
            try:
                with confine.open_in(self.trash, name) as fh:
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
        """Move a trashed note back (to its old place, or a free name beside it).

        Both paths are checked first (an entry comes from trash.json, a synced file): the note
        must be a plain file directly in .trash, and its old place a note path in the vault with
        no symlinked folder on the way. Raises VaultError before touching anything otherwise."""
        trash = confine.own_folder(self.root, TRASH)
        trash_path = Path(entry.trash_path)
        name = trash_path.name
        if (os.path.abspath(trash_path.parent) != os.path.abspath(trash) or not self._trash_name_ok(name)
                or not self._trashed_file(name)):
            raise VaultError(f"{name[:80]} is not a note in the vault's trash")
        rel = confine.clean_rel(self.rel(entry.original_path))
        if not self.is_note_path(rel):
            raise VaultError(f"{rel[:80]} is not a place for a note in the vault")
        with confine.open_in(trash, name) as fh:
            data = fh.read()
        original = self.root / rel
        folder = confine.make_folder(self.root, str(Path(rel).parent.as_posix()))
        stem = original.stem
        path = names.create_unique(folder, stem, original.suffix or ".md", data)
        try:
            os.unlink(entry.trash_path)
        except OSError:
            pass
        entries = [e for e in self._trash_index() if e.get("trash") != entry.trash_path.name]
        self._save_trash_index(entries)
        return self.rel(path)
