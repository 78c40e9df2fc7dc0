"""The vault: a folder of Markdown notes with YAML front matter, plus attachments and a trash.

Layout::

    <vault>/
      Some article title.md        notes (also in sub-folders; any .md/.markdown file)
      attachments/                 images saved with notes (unique names)
      .trash/                      deleted notes (restorable), each with "<its name>.json"
                                   saying where it was (older vaults: one trash.json)

Dot-folders and the atomic-write temp files are skipped when scanning, and so are conflict
copies (``NAME.sync-conflict-….md``, ``NAME (conflicted copy …).md``…, see
:mod:`clipper.core.syncnames`): a copy is a version of its note, listed and resolved by
:mod:`clipper.core.conflicts`, never a second note. Files are the truth; nothing here touches
the index.

Sync engines copy every file of the vault to other machines, so everything Clipper writes here
is written so that two machines never write the same file at once: a trashed note's record is
a file of its own (two machines deleting at once give two files, not one trash.json with two
versions of which the engine keeps one), and no index, lock or setting lives in the vault.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import os
import re
import stat
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from stat import S_ISREG

from clipper.core import confine, frontmatter, fsutil, names, syncnames
from clipper.core.errors import VaultError
from clipper.core.model import Attachment
from clipper.core.notekeys import path_id, valid_id

NOTE_SUFFIXES = (".md", ".markdown")
ATTACHMENTS = "attachments"
TRASH = ".trash"
TRASH_INDEX = "trash.json"  # the trash list of older versions: read, updated on restore, no longer added to
TRASH_INFO = ".json"  # "<trashed note's name>.json": where it was, its id, title, when deleted
_INFO_MAX = 64 * 1024
#: Trashed notes are named "YYYYMMDD-HHMMSS <original stem>.md".
_TRASH_STAMP = re.compile(r"\A\d{8}-\d{6} ")


# --- front matter ------------------------------------------------------------------------

#: Kept for callers of the old fast path: frontmatter.split uses libyaml itself now.
split_note = frontmatter.split


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


#: whether folders can be scanned through a descriptor (POSIX), see Vault._walk
_SCAN_FD = os.scandir in os.supports_fd


def _is_note_name(name: str) -> bool:
    """Whether a file of this name is a note: a note's suffix, and not a sync tool's conflict
    copy (a version of its note, see conflicts.py; every such name has the word "conflict", so
    the others skip its parse)."""
    low = name.lower()
    return low.endswith(NOTE_SUFFIXES) and ("conflict" not in low or not syncnames.is_conflict_copy(name))


def _stat_entries(entries, prefix: str, root: Path, folder: str,
                  pause=None) -> list[tuple[str, tuple[int, int]]]:
    """(vault-relative path, (size, mtime_ns)) of the regular files among ``entries`` (of
    ``folder``); a link to a file outside the vault ``root`` is none of them (a synced folder
    can hold one). ``pause()`` is called every 256 entries (see :meth:`Vault.stats`)."""
    out = []
    append = out.append
    for i, entry in enumerate(entries):
        if pause is not None and not i & 255:
            pause()
        try:
            if entry.is_symlink() and not confine.is_within(os.path.join(folder, entry.name), root):
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

    def stats(self, pause=None) -> dict[str, tuple[int, int]]:
        """Every note file: vault-relative path -> (size, mtime_ns) tuple. One scandir walk;
        ``pause()``, if given, is called every 256 files (a scan in the background lets
        searches go first there).

        Temp files that a killed writer left are recovered first (fsutil.recover_temp_files):
        a finished text lands in its note, a partial one is dropped, a live writer's is left alone.
        """
        out, temp_dirs = self._scan(pause=pause)
        recovered = [p for d in temp_dirs for p in fsutil.recover_temp_files(Path(d))]
        if self.trash.is_dir():  # a delete killed while writing trash.json
            fsutil.recover_temp_files(self.trash)
        return self._scan(pause=pause)[0] if recovered else out

    def _walk(self, start: str = "", recursive: bool = True):
        """The folders that may hold notes under the vault-relative folder ``start`` ('' = the
        vault), one scandir each: ``(prefix, folder, files, folders, temp)``, where ``files``
        and ``folders`` are its entries (dot-names, the vault's ``attachments/`` and symlinked
        folders left out) and ``temp`` says it holds temp files. Not ``recursive``: ``start``
        only."""
        stack = [(start + "/" if start else "", str(self.abs(start)) if start else str(self.root))]
        while stack:
            prefix, folder = stack.pop()
            files, dirs, temp = [], [], False
            # scanned through a descriptor of the folder where that is possible: its entries'
            # stat() then looks up the name in the folder, not the whole path from the root
            # (a sixth of a big vault's scan); the descriptor stays open while the caller
            # looks at the entries
            fd = None
            try:
                if _SCAN_FD:
                    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
                it = os.scandir(folder if fd is None else fd)
            except OSError:
                if fd is not None:
                    os.close(fd)
                continue
            try:
                with it:
                    for entry in it:
                        name = entry.name
                        if name[:1] == ".":  # temp files too
                            temp = temp or fsutil.is_temp_name(name)
                            continue
                        try:
                            if entry.is_dir(follow_symlinks=False):
                                if not (prefix == "" and name == ATTACHMENTS):
                                    dirs.append(entry)
                                continue
                        except OSError:
                            continue
                        files.append(entry)
                if recursive:
                    stack.extend((prefix + d.name + "/", os.path.join(folder, d.name)) for d in dirs)
                yield prefix, folder, files, dirs, temp
            finally:
                if fd is not None:
                    os.close(fd)

    def _scan(self, start: str = "", recursive: bool = True, folders: set[str] | None = None,
              pause=None) -> tuple[dict[str, tuple[int, int]], set[str]]:
        """Note files under the vault-relative folder ``start`` ('' = the vault) as
        (size, mtime_ns), and the folders holding temp files. Not ``recursive``: that folder's
        own files only, and the names of its sub-folders (that may hold notes) go into ``folders``."""
        out: dict[str, tuple[int, int]] = {}
        temp_dirs: set[str] = set()
        root = self.root
        for prefix, folder, files, dirs, temp in self._walk(start, recursive):
            if temp:
                temp_dirs.add(folder)
            if not recursive and folders is not None:
                folders.update(d.name for d in dirs)
            notes = [e for e in files if _is_note_name(e.name)]
            if len(notes) >= _THREADED_STAT:
                # the stat calls release the GIL: a second thread halves a big folder's wait
                half = len(notes) // 2
                with ThreadPoolExecutor(1) as pool:
                    rest = pool.submit(_stat_entries, notes[half:], prefix, root, folder, pause)
                    out.update(_stat_entries(notes[:half], prefix, root, folder, pause))
                    out.update(rest.result())
            else:
                out.update(_stat_entries(notes, prefix, root, folder, pause))
        return out, temp_dirs

    def note_names(self) -> list[str]:
        """The vault-relative paths :meth:`stats` would list, in its order (both read each
        folder's entries in the order the system gives them), from the folders' names alone: a
        name with a note's suffix is taken for a file (one ``listdir`` per folder; only other
        names are stat-ed, to find the sub-folders). No temp file is recovered."""
        out: list[str] = []
        stack = [("", str(self.root))]
        while stack:
            prefix, folder = stack.pop()
            try:
                names = os.listdir(folder)
            except OSError:
                continue
            notes = [n for n in names if n[:1] != "." and _is_note_name(n)]
            out.extend(notes if not prefix else [prefix + n for n in notes])
            dirs = []
            others = set(names).difference(notes) if len(notes) < len(names) else ()
            for name in [n for n in names if n in others] if others else ():  # the scan's order
                if name[:1] == "." or name.lower().endswith(NOTE_SUFFIXES):
                    continue
                if not prefix and name == ATTACHMENTS:
                    continue
                try:
                    if stat.S_ISDIR(os.lstat(os.path.join(folder, name)).st_mode):
                        dirs.append(name)
                except OSError:
                    continue
            stack.extend((prefix + d + "/", os.path.join(folder, d)) for d in dirs)
        return out

    def folder_stats(self, rel: str, recursive: bool = True) -> tuple[dict[str, tuple[int, int]], set[str]]:
        """The note files in one vault-relative folder ('' = the vault's own files) as (size,
        mtime_ns), as :meth:`stats` gives them, and, not ``recursive``, the names of its
        sub-folders that may hold notes."""
        folders: set[str] = set()
        files, _temp = self._scan(rel, recursive=recursive, folders=folders)
        return files, folders

    def note_folders(self, limit: int = 100_000) -> list[Path]:
        """The vault and every folder in it that may hold notes (what a file watcher watches):
        dot-folders, ``attachments/`` and symlinked folders left out; at most ``limit``."""
        out = [self.root]
        for _prefix, _folder, _files, dirs, _temp in self._walk():
            if len(out) >= limit:
                break
            out.extend(Path(_folder, d.name) for d in dirs)
        return out[:limit]

    def is_note_path(self, rel: str) -> bool:
        """True if ``scan`` would list this vault-relative path as a note."""
        return self.is_note_place(rel) and not syncnames.is_conflict_copy(rel.rsplit("/", 1)[-1])

    def is_note_place(self, rel: str) -> bool:
        """True if a note file (or a conflict copy of one) may live at this vault-relative path:
        a Markdown name outside dot-folders and ``attachments/``."""
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
        """Write ``text`` beside the note as ``NAME (conflict <date>).md`` (a conflict copy: not a
        note of its own, listed among the note's conflicts)."""
        path = self.abs(rel)
        stamp = time.strftime("%Y-%m-%d %H%M%S")
        suffix = f" (conflict {stamp})"
        # the copy's name holds the note's whole name (that is how it is found to be the note's
        # copy), even past the length Clipper gives new names; file systems take 255 bytes
        stem = names.safe_stem(path.stem, max_bytes=240 - len(suffix)) + suffix
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
    def _list_file(self, name: str) -> list[dict]:
        """The entries of one trash list (``trash.json``, or a sync engine's copy of it)."""
        try:
            with confine.open_in(self.trash, name) as fh:
                data = json.loads(fh.read().decode("utf-8"))
        except (OSError, ValueError):
            return []
        return [e for e in data if isinstance(e, dict)] if isinstance(data, list) else []

    def _trash_index(self) -> list[dict]:
        return self._list_file(TRASH_INDEX)

    def _save_trash_index(self, entries: list[dict]) -> None:
        confine.own_folder(self.root, TRASH)
        fsutil.atomic_write_text(self.trash / TRASH_INDEX, json.dumps(entries, ensure_ascii=False, indent=1))

    def _read_info(self, name: str) -> dict | None:
        """The record in the info file ``name`` (``<trashed note>.json``); it speaks for the note
        beside it only, whatever its "trash" says."""
        try:
            with confine.open_in(self.trash, name) as fh:
                data = fh.read(_INFO_MAX + 1)
            record = json.loads(data.decode("utf-8")) if len(data) <= _INFO_MAX else None
        except (OSError, ValueError):
            return None
        if not isinstance(record, dict):
            return None
        record["trash"] = name[:-len(TRASH_INFO)]
        return record

    def _records(self) -> list[dict]:
        """Every record of a trashed note: the notes' own info files, then trash.json and the
        copies a sync engine made of it when two machines changed it at once (merged: an entry
        of any of them counts; where two speak of one note the first wins)."""
        try:
            listing = sorted(os.listdir(self.trash))
        except OSError:
            return []
        infos, lists = [], []
        for name in listing:
            if not name.endswith(TRASH_INFO) or fsutil.is_temp_name(name):
                continue
            copy = syncnames.parse(name)
            if name == TRASH_INDEX:
                lists.insert(0, name)
            elif copy is not None and copy.original == TRASH_INDEX:
                lists.append(name)
            elif self._trash_name_ok(name[:-len(TRASH_INFO)]):
                infos.append(name)
        out = [r for r in map(self._read_info, infos) if r is not None]
        for name in lists:
            out.extend(self._list_file(name))
        return out

    def _free_trash_name(self, stem: str, suffix: str) -> Path:
        """A name in .trash for a note deleted now: neither it nor its info file exists (an
        info file left by a restore on another machine that has not synced yet is not reused)."""
        stamp = time.strftime("%Y%m%d-%H%M%S")
        for name in names.candidates(names.safe_stem(f"{stamp} {stem}"), suffix or ".md"):
            if not (self.trash / name).exists() and not (self.trash / (name + TRASH_INFO)).exists():
                return self.trash / name
        raise VaultError(f"Could not find a free name in the trash for {stem!r}")

    def _record_trash(self, dest: Path, rel: str, note_id: str, title: str) -> TrashEntry:
        entry = TrashEntry(note_id, self.abs(rel), dest, now_iso(), title)
        record = {"id": note_id, "path": rel, "trash": dest.name, "deleted": entry.deleted, "title": title}
        fsutil.atomic_write_text(self.trash / (dest.name + TRASH_INFO),
                                 json.dumps(record, ensure_ascii=False, indent=1))
        return entry

    def move_to_trash(self, rel: str, note_id: str, title: str = "") -> TrashEntry:
        src = self.abs(rel)
        confine.own_folder(self.root, TRASH)
        dest = self._free_trash_name(src.stem, src.suffix)
        try:
            os.replace(src, dest)
        except OSError as exc:
            raise VaultError(f"Could not move {src.name} to the trash: {exc.strerror or exc}") from exc
        fsutil.fsync_dir(self.trash)
        return self._record_trash(dest, rel, note_id, title)

    def trash_version(self, rel: str, data: bytes, note_id: str, title: str = "") -> TrashEntry:
        """Put ``data``, a version of the note at ``rel`` about to be replaced, in the trash as if
        that note had been deleted (restoring it brings this version back beside the note)."""
        confine.own_folder(self.root, TRASH)
        src = self.abs(rel)
        for _ in range(100):
            dest = self._free_trash_name(src.stem, src.suffix)
            try:
                fsutil.atomic_write_bytes(dest, data, exclusive=True)
                break
            except FileExistsError:
                continue
        else:
            raise VaultError(f"Could not find a free name in the trash for {src.name}")
        return self._record_trash(dest, rel, note_id, title)

    def _trash_name_ok(self, name) -> bool:
        """A note file directly in .trash (trash records are synced files: they may name anything)."""
        return (isinstance(name, str) and name not in ("", ".", "..") and not re.search(r"[/\\\x00]", name)
                and not fsutil.is_temp_name(name) and name.lower().endswith(NOTE_SUFFIXES))

    def _trashed_file(self, name: str) -> bool:
        try:
            return stat.S_ISREG(os.lstat(self.trash / name).st_mode)  # a symlink is not ours
        except OSError:
            return False

    def trash_entries(self) -> list[TrashEntry]:
        """The trashed notes, oldest first. Records whose paths would lead out of the vault or
        out of .trash, or name no plain note file there, are left out; trashed notes without a
        record are listed from their files."""
        if os.path.islink(self.trash):
            return []  # restoring would read from (and delete in) another place
        out: list[TrashEntry] = []
        seen: set[str] = set()
        for e in self._records():
            try:
                rel = confine.clean_rel(e["path"])
                name = e["trash"]
                if not self.is_note_place(rel) or not self._trash_name_ok(name) or name in seen:
                    continue
                if not self._trashed_file(name):
                    continue  # restored (maybe on another machine): a stale entry
                out.append(TrashEntry(str(e["id"]), self.abs(rel), self.trash / name,
                                      str(e.get("deleted", "")), str(e.get("title", ""))))
                seen.add(name)
            except (KeyError, TypeError, AttributeError, VaultError):
                continue
        out += self._unlisted_trash(seen)
        out.sort(key=lambda e: (e.deleted, e.trash_path.name))
        return out

    def _unlisted_trash(self, listed: set[str]) -> list[TrashEntry]:
        """Notes in the trash that no record lists (a delete killed between moving the note and
        writing its record, or a trash copied by a sync tool): listed from the files."""
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

        Both paths are checked first (an entry comes from a synced record): the note must be a
        plain file directly in .trash, and its old place a note path in the vault with no
        symlinked folder on the way. Raises VaultError before touching anything otherwise."""
        trash = confine.own_folder(self.root, TRASH)
        trash_path = Path(entry.trash_path)
        name = trash_path.name
        if (os.path.abspath(trash_path.parent) != os.path.abspath(trash) or not self._trash_name_ok(name)
                or not self._trashed_file(name)):
            raise VaultError(f"{name[:80]} is not a note in the vault's trash")
        rel = confine.clean_rel(self.rel(entry.original_path))
        if not self.is_note_place(rel):
            raise VaultError(f"{rel[:80]} is not a place for a note in the vault")
        with confine.open_in(trash, name) as fh:
            data = fh.read()
        original = self.root / rel
        folder = confine.make_folder(self.root, str(Path(rel).parent.as_posix()))
        stem = original.stem
        path = names.create_unique(folder, stem, original.suffix or ".md", data)
        for gone in (name, name + TRASH_INFO):
            with contextlib.suppress(OSError):
                os.unlink(trash / gone)
        entries = self._trash_index()
        if any(e.get("trash") == name for e in entries):  # listed by an older version
            self._save_trash_index([e for e in entries if e.get("trash") != name])
        return self.rel(path)
