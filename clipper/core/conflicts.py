"""Conflict copies of notes: found, compared and resolved (GUI-free; the app and CLI use it).

A conflict copy (named as :mod:`clipper.core.syncnames` describes) holds another version of a
note. It is never indexed as a note of its own (the vault's scan skips it), so a note's words
give one search hit however many copies it has; instead :func:`find` lists each copy with the
note it belongs to, :func:`side_by_side` lines the two versions up, and :func:`resolve` settles
it in one step:

- ``"note"``: keep the note as it is; the copy goes to the trash;
- ``"copy"``: the copy's text becomes the note (same file name, so links and the id stay); the
  note's old text goes to the trash;
- ``"both"``: the copy becomes a note of its own beside it (a new id, "(other version)" added to
  its title and name), and the copy goes to the trash.

Whatever is given up goes to the vault's trash, so nothing is lost and a resolution syncs to other
machines like any other change (files written, moved, deleted). Callers hold the library's write
lock (:meth:`clipper.core.library.Library.resolve_conflict`).
"""

from __future__ import annotations

import contextlib
import difflib
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from clipper.core import confine, frontmatter, fsutil, names, notefile, syncnames
from clipper.core.errors import VaultError
from clipper.core.notekeys import new_id, path_id, valid_id
from clipper.core.vault import NOTE_SUFFIXES, TrashEntry, Vault

KEEP = ("note", "copy", "both")
#: the versions are compared over at most this many lines each (difflib is quadratic at worst)
MAX_DIFF_LINES = 5000
OTHER_VERSION = " (other version)"

KINDS = {"syncthing": "Syncthing", "nextcloud": "Nextcloud", "owncloud": "ownCloud", "dropbox": "Dropbox",
         "clipper": "Clipper's editor"}


@dataclass(frozen=True)
class Conflict:
    copy: str  # vault-relative path of the conflict copy
    note: str  # vault-relative path of the note it is a version of
    kind: str  # which program made it (syncnames: "syncthing", "dropbox", "clipper"...)
    when: str = ""  # when, as far as its name says
    by: str = ""  # the device or person its name gives
    note_exists: bool = True  # False: the note is gone (deleted or renamed) and only the copy is left

    def describe(self) -> str:
        """One line for a person: who made the copy and when."""
        who = KINDS.get(self.kind, self.kind)
        if self.kind == "clipper":
            text = "Your edit, saved aside because the note changed on disk"
        else:
            text = f"Made by {who}" + (f" (device {self.by})" if self.kind == "syncthing" and self.by
                                        else f" ({self.by})" if self.by else "")
        return text + (f", {self.when}" if self.when else "")

    def to_dict(self) -> dict:
        return asdict(self)


def copy_of(rel: str) -> Conflict | None:
    """The conflict a vault-relative path is a copy in, or None if its name is no copy's."""
    folder, _, name = rel.rpartition("/")
    parsed = syncnames.parse(name)
    if parsed is None or not name.lower().endswith(NOTE_SUFFIXES):
        return None
    note = f"{folder}/{parsed.original}" if folder else parsed.original
    return Conflict(rel, note, parsed.kind, parsed.when, parsed.by)


def _in_folder(vault: Vault, folder: Path, prefix: str) -> list[Conflict]:
    out = []
    try:
        it = os.scandir(folder)
    except OSError:
        return out
    with it:
        entries = list(it)
    present = {e.name for e in entries}
    for entry in entries:
        name = entry.name
        if name.startswith(".") or fsutil.is_temp_name(name):
            continue
        found = copy_of(prefix + name)
        if found is None:
            continue
        try:
            if not entry.is_file() or (entry.is_symlink() and not confine.is_within(entry.path, vault.root)):
                continue
        except OSError:
            continue
        original = found.note.rpartition("/")[2]
        exists = original in present and os.path.isfile(os.path.join(folder, original))
        out.append(Conflict(found.copy, found.note, found.kind, found.when, found.by, exists))
    return out


def find(vault: Vault, folders=None) -> list[Conflict]:
    """Every conflict copy in the vault's note folders (or only directly in ``folders``, given as
    vault-relative paths, '' = the vault), sorted by note then copy."""
    out: list[Conflict] = []
    if folders is None:
        paths = vault.note_folders()
    else:
        paths = [vault.abs(f) if f else vault.root for f in folders]
    for folder in paths:
        try:
            rel = vault.rel(folder)
        except VaultError:
            continue
        rel = "" if rel == "." else rel
        if folders is not None and rel and not vault.is_note_place(rel + "/x.md"):
            continue  # the trash, attachments/, a dot-folder
        out += _in_folder(vault, folder, rel + "/" if rel else "")
    out.sort(key=lambda c: (c.note.casefold(), c.copy.casefold()))
    return out


# --- comparing ------------------------------------------------------------------------------


@dataclass
class SideBySide:
    """Two versions lined up for showing side by side: ``left[i]`` and ``right[i]`` are shown on
    one row (None: a gap where the other side has lines this one lacks); ``kinds[i]`` is
    "same", "changed", "removed" (only on the left) or "added" (only on the right)."""

    left: list[str | None]
    right: list[str | None]
    kinds: list[str]
    truncated: bool = False

    @property
    def changes(self) -> int:
        """How many blocks of lines differ."""
        blocks = 0
        prev = "same"
        for kind in self.kinds:
            if kind != "same" and prev == "same":
                blocks += 1
            prev = kind
        return blocks


def side_by_side(left_text: str, right_text: str, max_lines: int = MAX_DIFF_LINES) -> SideBySide:
    a = left_text.split("\n")
    b = right_text.split("\n")
    truncated = len(a) > max_lines or len(b) > max_lines
    a, b = a[:max_lines], b[:max_lines]
    out = SideBySide([], [], [], truncated)
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            for k in range(i2 - i1):
                out.left.append(a[i1 + k])
                out.right.append(b[j1 + k])
                out.kinds.append("same")
            continue
        n = max(i2 - i1, j2 - j1)
        for k in range(n):
            la = a[i1 + k] if i1 + k < i2 else None
            lb = b[j1 + k] if j1 + k < j2 else None
            out.left.append(la)
            out.right.append(lb)
            out.kinds.append("changed" if la is not None and lb is not None else
                             "removed" if la is not None else "added")
    return out


def unified(note_text: str, copy_text: str, note_name: str, copy_name: str) -> str:
    """The difference as a unified diff (the command line shows it)."""
    return "".join(difflib.unified_diff(note_text.splitlines(True), copy_text.splitlines(True),
                                        fromfile=note_name, tofile=copy_name))


def read_versions(vault: Vault, conflict: Conflict) -> tuple[str, str]:
    """(the note's text, the copy's text); the note's is "" when it is gone."""
    copy_text = notefile.decode(vault.read_bytes(conflict.copy))
    try:
        note_text = notefile.decode(vault.read_bytes(conflict.note))
    except FileNotFoundError:
        note_text = ""
    return note_text, copy_text


# --- resolving ------------------------------------------------------------------------------


@dataclass
class Resolution:
    keep: str
    note: str  # the note's path (it holds the kept text)
    trashed: list[TrashEntry]  # what was given up, in the trash
    new_note: str | None = None  # "both": the path of the note the copy became
    changed: list[str] | None = None  # vault-relative paths to re-index


def _meta_of(data: bytes) -> dict:
    meta, _body, _error = frontmatter.split(notefile.decode(data[:65536]))
    return meta


def _id_title(rel: str, data: bytes) -> tuple[str, str]:
    meta = _meta_of(data)
    return valid_id(meta.get("id")) or path_id(rel), str(meta.get("title") or "") or Path(rel).stem


def _check(vault: Vault, conflict: Conflict) -> Conflict:
    """The conflict as the files are now (the paths re-derived from the copy's own name)."""
    rel = confine.clean_rel(conflict.copy)
    found = copy_of(rel)
    if found is None or not vault.is_note_place(rel):
        raise VaultError(f"{rel[:80]} is not a conflict copy of a note")
    path = vault.abs(rel)
    if os.path.islink(path) or not path.is_file():
        raise VaultError(f"The conflict copy {path.name} is not there any more")
    return Conflict(found.copy, found.note, found.kind, found.when, found.by,
                    vault.abs(found.note).is_file())


def resolve(vault: Vault, conflict: Conflict, keep: str) -> Resolution:
    """Settle one conflict: keep the ``"note"``, the ``"copy"``, or ``"both"`` (see the module)."""
    if keep not in KEEP:
        raise ValueError(f"keep must be one of {', '.join(KEEP)}, not {keep!r}")
    conflict = _check(vault, conflict)
    copy_data = vault.read_bytes(conflict.copy)
    if keep == "note":
        if not conflict.note_exists:
            raise VaultError(f"The note {Path(conflict.note).name} is gone: keep the copy or keep both")
        note_id, title = _id_title(conflict.copy, copy_data)
        entry = vault.move_to_trash(conflict.copy, note_id, title)
        return Resolution(keep, conflict.note, [entry], changed=[conflict.note])
    if keep == "copy":
        trashed = []
        note_path = vault.abs(conflict.note)
        if conflict.note_exists:
            old = vault.read_bytes(conflict.note)
            note_id, title = _id_title(conflict.note, old)
            # the note's text first goes to the trash, then the copy takes the note's name in one
            # rename: at no moment is the note missing
            trashed.append(vault.trash_version(conflict.note, old, note_id, title))
            os.replace(vault.abs(conflict.copy), note_path)
        else:
            try:
                os.link(vault.abs(conflict.copy), note_path)  # never over a note that appeared
            except FileExistsError:
                raise VaultError(f"A note {note_path.name} appeared meanwhile; try again") from None
            os.unlink(vault.abs(conflict.copy))
        os.utime(note_path)  # a change made now (the copy kept its older time)
        fsutil.fsync_dir(note_path.parent)
        return Resolution(keep, conflict.note, trashed, changed=[conflict.note])
    # both: the copy becomes a note of its own
    data = copy_data
    note_id, title = _id_title(conflict.copy, copy_data)
    with contextlib.suppress(notefile.EditRefused):
        data = notefile.set_key(data, "id", new_id())
        if _meta_of(data).get("title"):
            data = notefile.set_key(data, "title", title + OTHER_VERSION)
    note_path = vault.abs(conflict.note)
    room = names.MAX_NAME_BYTES - len(OTHER_VERSION)
    stem = names.safe_stem(note_path.stem, max_bytes=room) + OTHER_VERSION
    new = names.create_unique(note_path.parent, stem, note_path.suffix or ".md", data)
    entry = vault.move_to_trash(conflict.copy, note_id, title)
    new_rel = vault.rel(new)
    return Resolution(keep, conflict.note, [entry], new_note=new_rel, changed=[conflict.note, new_rel])
