"""Paths stay where they belong: inside the vault, inside the folder being imported.

Every path that comes from a file Clipper does not control (``.trash/trash.json``, a synced note
that is a symlink, a folder unpacked from an archive, a file URL on the clipboard) is checked
here before anything is read or written: no ``..`` or absolute paths out of the vault, no
symlinks out of the vault or out of the folder given, no FIFOs/devices/sockets, and the vault's
own ``attachments/`` and ``.trash/`` folders are real folders inside it, not links elsewhere.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from pathlib import Path, PurePosixPath

from clipper.core.errors import VaultError

_DIR_FD = os.open in os.supports_dir_fd and hasattr(os, "O_NOFOLLOW")
_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_O_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_O_BINARY = getattr(os, "O_BINARY", 0)


def is_within(path, folder) -> bool:
    """True if the real location of ``path`` is ``folder`` (its real location) or below it."""
    real = os.path.realpath(path)
    top = os.path.realpath(folder)
    return real == top or real.startswith(top.rstrip(os.sep) + os.sep)


def clean_rel(rel) -> str:
    """``rel`` (a vault-relative path read from a vault file) as a plain relative POSIX path;
    raises VaultError for an absolute path, a ``..`` part, an empty or odd one."""
    if not isinstance(rel, str) or not rel or "\x00" in rel or "\\" in rel:
        raise VaultError(f"not a path inside the vault: {str(rel)[:80]!r}")
    p = PurePosixPath(rel)
    if p.is_absolute() or re.match(r"\A[A-Za-z]:", rel) or any(part in ("..", "") for part in p.parts) \
            or not p.parts or p.parts == (".",):
        raise VaultError(f"not a path inside the vault: {rel[:80]!r}")
    return "/".join(part for part in p.parts if part != ".")


def open_in(root, rel: str):
    """Open ``root/rel`` for reading (binary) without following a symlink out of ``root``.

    Each folder on the way is opened with O_NOFOLLOW (no symlinked folders at all: the vault
    scanner does not enter them either); a note that is itself a symlink is read only if its
    target is inside ``root``. Raises OSError (EACCES for a path that leads out).
    """
    root = os.fspath(root)
    if not _DIR_FD:  # no dir_fd (Windows): the real path must stay inside
        path = os.path.join(root, rel)
        if not is_within(path, root):
            raise PermissionError(errno.EACCES, "the path leads outside the vault", path)
        return open(path, "rb")  # noqa: SIM115 - the caller closes it
    parts = rel.split("/")
    fd = os.open(root, os.O_RDONLY | _O_DIRECTORY | _O_CLOEXEC)
    try:
        for part in parts[:-1]:
            try:
                nxt = os.open(part, os.O_RDONLY | _O_DIRECTORY | _O_NOFOLLOW | _O_CLOEXEC, dir_fd=fd)
            except OSError as exc:
                if exc.errno in (errno.ELOOP, errno.ENOTDIR):
                    raise PermissionError(errno.EACCES, "a folder on the way is a link", rel) from None
                raise
            os.close(fd)
            fd = nxt
        try:
            note = os.open(parts[-1], os.O_RDONLY | _O_NOFOLLOW | _O_CLOEXEC | _O_BINARY, dir_fd=fd)
        except OSError as exc:
            if exc.errno != errno.ELOOP:
                raise
            path = os.path.join(root, rel)  # a symlinked note: fine if it stays in the vault
            if not is_within(path, root):
                raise PermissionError(errno.EACCES, "the note is a link to a file outside the vault",
                                      path) from None
            note = os.open(os.path.realpath(path), os.O_RDONLY | _O_CLOEXEC | _O_BINARY)
    finally:
        os.close(fd)
    fh = os.fdopen(note, "rb")
    if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
        fh.close()
        raise PermissionError(errno.EACCES, "not a regular file", rel)
    return fh


def own_folder(root, name: str) -> Path:
    """``root/name`` (``attachments``, ``.trash``) made if missing, after checking that it is a
    real folder of the vault: a symlink there would make Clipper's writes land elsewhere."""
    root = Path(root)
    folder = root / name
    try:
        st = os.lstat(folder)
    except FileNotFoundError:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            st = os.lstat(folder)
        except OSError as exc:
            from clipper.core.fsutil import vault_error

            raise vault_error(exc, folder / ".") from exc
    except OSError as exc:
        raise VaultError(f"Cannot use the folder {name} of the vault: {exc.strerror or exc}") from exc
    if stat.S_ISLNK(st.st_mode):
        raise VaultError(f"The vault's {name} folder is a link to another place ({os.readlink(folder)}); "
                         "Clipper does not write outside the vault. Make it a plain folder.")
    if not stat.S_ISDIR(st.st_mode):
        raise VaultError(f"{name} in the vault is not a folder")
    if os.path.realpath(folder) != os.path.join(os.path.realpath(root), name):
        raise VaultError(f"The vault's {name} folder is not inside the vault")
    return folder


# --- what an import may read ---------------------------------------------------------------


def file_problem(path, folder) -> str | None:
    """Why ``path`` (found in ``folder``, or named by a file URL) must not be imported, or None.

    A symlink is followed only if it stays inside ``folder``; FIFOs, devices and sockets are
    never opened (reading a FIFO blocks, a device never ends)."""
    try:
        st = os.lstat(path)
        if stat.S_ISLNK(st.st_mode):
            if not is_within(path, folder):
                return "a link to a file outside the folder: skipped"
            st = os.stat(path)
    except OSError as exc:
        return f"cannot read it ({exc.strerror or exc})"
    if stat.S_ISDIR(st.st_mode):
        return "a folder"
    if not stat.S_ISREG(st.st_mode):
        return "not a regular file (a pipe, device or socket): skipped"
    return None


def folder_files(folder, suffixes, *, exclude=None, limit: int | None = None,
                 skipped: list | None = None) -> list[Path]:
    """Importable files under ``folder`` (sorted; dot-files and dot-folders left out; nothing
    inside ``exclude``, the vault). Links that lead out of ``folder``, special files and linked
    folders are not taken; those that would have been are added to ``skipped`` as
    ``(path, reason)``."""
    top = Path(folder)
    real_top = os.path.realpath(top)
    ex = os.path.realpath(exclude) if exclude else None
    found: list[Path] = []
    suffixes = tuple(s.lower() for s in suffixes)
    for root, dirs, names in os.walk(top):
        real_root = os.path.realpath(root)
        if ex and (real_root == ex or real_root.startswith(ex.rstrip(os.sep) + os.sep)):
            dirs[:] = []
            continue
        keep = []
        for d in sorted(dirs):
            if d.startswith("."):
                continue
            p = os.path.join(root, d)
            if os.path.islink(p):  # os.walk would not enter it; say so if it leads out
                if skipped is not None and not is_within(p, real_top):
                    skipped.append((Path(p), "a link to a folder outside the folder: skipped"))
                continue
            keep.append(d)
        dirs[:] = keep
        for name in sorted(names):
            if name.startswith(".") or not name.lower().endswith(suffixes):
                continue
            p = Path(root) / name
            problem = file_problem(p, real_top)
            if problem is None:
                found.append(p)
            elif skipped is not None:
                skipped.append((p, problem))
            if limit is not None and len(found) >= limit:
                return found
    return found


# --- SVG --------------------------------------------------------------------------------------

_SAFE_REF = rb"""(?!#|data:image/(?:png|jpe?g|gif|webp|bmp)[;,])"""
_SVG_REF = re.compile(rb"""(?:href|src)\s*=\s*["']?\s*""" + _SAFE_REF + rb"""[^"'\s>]""", re.I)
_SVG_URL = re.compile(rb"""url\(\s*["']?\s*""" + _SAFE_REF, re.I)
_SVG_PULLS = re.compile(rb"""<!ENTITY[^>]*\b(?:SYSTEM|PUBLIC)\b|<\?xml-stylesheet|@import|<xi:include""",
                        re.I)


def svg_is_self_contained(data: bytes) -> bool:
    """True if an SVG names no other file: every ``href``/``src`` and CSS ``url()`` points inside
    it (``#id``) or holds a raster image's data (``data:image/png``…), and no external entity,
    style sheet or include pulls one in. An SVG that is not self-contained is not shown: Qt's
    renderer would load the file it names, from anywhere on the disk."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in data[:64]:
        return False  # UTF-16: the byte patterns below would see nothing
    return not (_SVG_PULLS.search(data) or _SVG_REF.search(data) or _SVG_URL.search(data))


def make_folder(root, rel_folder: str) -> Path:
    """``root/rel_folder`` made where missing, refusing a symlink or a file on the way (mkdir
    through a linked folder would create folders, then notes, outside ``root``)."""
    folder = Path(root)
    for part in ([] if rel_folder in ("", ".") else clean_rel(rel_folder).split("/")):
        folder = folder / part
        try:
            st = os.lstat(folder)
        except FileNotFoundError:
            try:
                os.mkdir(folder)
            except FileExistsError:
                pass
            except OSError as exc:
                from clipper.core.fsutil import vault_error

                raise vault_error(exc, folder / ".") from exc
            st = os.lstat(folder)
        if stat.S_ISLNK(st.st_mode):
            raise VaultError(f"{folder.name} in the vault is a link to another place; Clipper does not "
                             "write outside the vault")
        if not stat.S_ISDIR(st.st_mode):
            raise VaultError(f"{folder.name} in the vault is not a folder")
    return folder
