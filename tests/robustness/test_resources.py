"""Resource faults: a full disk and a read-only vault give a clear VaultError, nothing is
half-written, and a failed index commit releases the index lock.

Real faults where the machine allows it (a small tmpfs, a read-only bind mount: needs root with
mount rights); simulated ones (OSError injected into the os calls) always.
"""

from __future__ import annotations

import contextlib
import errno
import os
import random
import subprocess
import uuid
from pathlib import Path

import pytest

from clipper.core.errors import VaultError
from clipper.core.model import Clip
from tests.robustness.harness import (
    check_files,
    check_index,
    make_body,
    new_marker,
    open_library,
    temp_files,
    visible_notes,
)


def _mount(*args) -> bool:
    try:
        return subprocess.run(["mount", *args], capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def _umount(path: Path) -> None:
    subprocess.run(["umount", "-l", str(path)], capture_output=True, timeout=20)


@contextlib.contextmanager
def small_tmpfs(path: Path, size: str):
    path.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0 or not _mount("-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)):
        pytest.skip("cannot mount a tmpfs here (needs root with mount rights); simulated variant runs")
    try:
        yield path
    finally:
        _umount(path)


def _fill(folder: Path, leave: int = 0) -> Path:
    """Fill the file system of ``folder`` up to ``leave`` free bytes."""
    filler = folder / f".filler-{uuid.uuid4().hex}"
    with open(filler, "wb") as fh:
        chunk = b"\0" * (1 << 16)
        try:
            while True:
                st = os.statvfs(folder)
                free = st.f_bavail * st.f_frsize
                if free <= leave + len(chunk):
                    fh.write(b"\0" * max(0, free - leave - 4096))
                    fh.flush()
                    break
                fh.write(chunk)
        except OSError:
            pass
    return filler


def _clip(rng, words=2000, title=None):
    m = new_marker(rng)
    return m, Clip(markdown=make_body(m, 1, rng, words=words), title=title or f"Note {m}")


def _snapshot(vault: Path) -> dict:
    return {p: data for p, data in visible_notes(vault).items()}


def _assert_clean_failure(vault: Path, before: dict, exc: VaultError, *words):
    msg = str(exc)
    assert "\n" not in msg and msg
    assert any(w in msg.lower() for w in words), msg
    assert _snapshot(vault) == before, "a note changed or appeared after a failed write"
    assert temp_files(vault) == []


def test_full_disk_on_a_real_small_filesystem(tmp_path):
    rng = random.Random(1)
    with small_tmpfs(tmp_path / "disk", "4m") as disk:
        vault, index_dir = disk / "vault", tmp_path / "index"
        vault.mkdir()
        with open_library(vault, index_dir) as lib:
            _m, clip = _clip(rng, words=200)
            keep = lib.import_clip(clip).note
            filler = _fill(disk, leave=8 * 1024)
            before = _snapshot(vault)
            for action in ("import", "save", "tags"):
                with pytest.raises(VaultError) as info:
                    if action == "import":
                        lib.import_clip(_clip(rng, words=6000)[1])
                    elif action == "save":
                        big = make_body(keep.body.split()[0], 2, rng, words=6000)
                        lib.save(keep.id, keep.text().replace(keep.body.strip(), big))
                    else:
                        lib.set_tags([keep.id], add=["x" * 200 + str(i) for i in range(60)])
                _assert_clean_failure(vault, before, info.value, "full", "space")
            filler.unlink()
            lib.import_clip(_clip(rng, words=200)[1])  # works again once there is room
            check = check_files(vault)
            check_index(lib, vault, check)
            assert check.ok and check.notes == 2


def test_full_disk_under_the_index(tmp_path):
    """The note is written but the index commit fails: a clear error or a later catch-up, and the
    index lock is released (a second library can write)."""
    rng = random.Random(2)
    with small_tmpfs(tmp_path / "disk", "2m") as disk:
        vault, index_dir = tmp_path / "vault", disk / "index"
        vault.mkdir()
        with open_library(vault, index_dir) as lib:
            lib.import_clip(_clip(rng, words=50)[1])
            filler = _fill(disk, leave=0)
            with pytest.raises(VaultError) as info:
                lib.import_clip(_clip(rng, words=20000)[1])
            assert "disk is full" in str(info.value)
            filler.unlink()
            _assert_index_unlocked(index_dir)
            lib.import_clip(_clip(rng, words=50)[1])
        with open_library(vault, index_dir) as lib:
            check = check_files(vault)
            check_index(lib, vault, check)
            assert check.ok, check.summary()
            assert check.notes == len(lib.search("", limit=100)) >= 2


def _assert_index_unlocked(index_dir: Path) -> None:
    from whoosh import index as windex

    tocs = list(index_dir.rglob("_*.toc"))
    if not tocs:
        return
    folder = tocs[0].parent
    indexname = tocs[0].name[1:].rsplit("_", 1)[0]
    ix = windex.open_dir(str(folder), indexname=indexname)
    try:
        w = ix.writer(timeout=0)  # LockError at once if a failed commit kept the lock
        w.cancel()
    finally:
        ix.close()


@pytest.mark.parametrize("code, words", [(errno.ENOSPC, ("full", "space")),
                                         (errno.EROFS, ("read-only", "permission"))])
@pytest.mark.parametrize("victim", ["write", "fsync", "rename", "replace", "link", "open"])
def test_simulated_write_faults_in_the_vault(tmp_path, monkeypatch, victim, code, words):
    rng = random.Random(3)
    vault, index_dir = tmp_path / "vault", tmp_path / "index"
    vault.mkdir()
    prefix = str(vault.resolve()) + os.sep
    with open_library(vault, index_dir) as lib:
        marker, clip = _clip(rng, words=100)
        keep = lib.import_clip(clip).note
        new_body = make_body(marker, 2, rng, words=50)
        keep_text = Path(keep.path).read_text().replace(keep.body.strip(), new_body)
        before = _snapshot(vault)
        real = getattr(os, victim)

        def in_vault(arg) -> bool:
            try:
                if isinstance(arg, int):
                    arg = os.readlink(f"/proc/self/fd/{arg}")
                return os.path.abspath(os.fspath(arg)).startswith(prefix)
            except (OSError, TypeError):
                return False

        def failing(*args, **kwargs):
            if victim == "open":
                flags = args[1] if len(args) > 1 else kwargs.get("flags", 0)
                if not flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
                    return real(*args, **kwargs)
            if args and in_vault(args[0]) and not (victim == "fsync" and os.path.isdir(
                    os.readlink(f"/proc/self/fd/{args[0]}"))):
                raise OSError(code, os.strerror(code), str(args[0]))
            return real(*args, **kwargs)

        monkeypatch.setattr(os, victim, failing)
        failures = 0
        for action in ("import", "save", "tags"):
            try:
                if action == "import":
                    lib.import_clip(_clip(rng, words=100)[1])
                elif action == "save":
                    lib.save(keep.id, keep_text)
                else:
                    lib.set_tags([keep.id], add=["newtag"])
            except VaultError as exc:
                failures += 1
                _assert_clean_failure(vault, before, exc, *words)
            else:  # this action does not use the failing call
                before = _snapshot(vault)
        monkeypatch.undo()
        if victim in ("write", "fsync", "open"):
            assert failures == 3  # every action writes a file this way
        assert _snapshot(vault).keys() >= before.keys()
        check = check_files(vault)
        check_index(lib, vault, check)
        assert check.ok, check.summary()
    with open_library(vault, index_dir) as lib:
        check = check_files(vault)
        check_index(lib, vault, check)
        assert check.ok, check.summary()


@contextlib.contextmanager
def read_only_view(src: Path, dst: Path):
    dst.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0 or not _mount("--bind", str(src), str(dst)):
        pytest.skip("cannot bind-mount here (needs root with mount rights); simulated variant runs")
    try:
        if not _mount("-o", "remount,bind,ro", str(dst)):
            pytest.skip("cannot remount read-only here")
        yield dst
    finally:
        _umount(dst)


def test_read_only_vault_on_a_real_read_only_mount(tmp_path):
    rng = random.Random(4)
    src, index_dir = tmp_path / "vault", tmp_path / "index"
    src.mkdir()
    with open_library(src, index_dir) as lib:
        note = lib.import_clip(_clip(rng, words=100)[1]).note
        rel = Path(note.path).relative_to(src)
    with read_only_view(src, tmp_path / "ro") as vault:
        before = _snapshot(vault)
        with open_library(vault, tmp_path / "index-ro") as lib:
            assert len(lib.search("", limit=10)) == 1  # reading works
            target = lib.note_for_path(vault / rel)
            assert target is not None
            for action in ("import", "save", "tags", "delete"):
                with pytest.raises(VaultError) as info:
                    if action == "import":
                        lib.import_clip(_clip(rng, words=100)[1])
                    elif action == "save":
                        lib.save(target.id, target.text() + "\nmore\n")
                    elif action == "tags":
                        lib.set_tags([target.id], add=["t"])
                    else:
                        lib.delete(target.id)
                _assert_clean_failure(vault, before, info.value, "read-only", "permission")
            assert len(lib.search("", limit=10)) == 1


def test_failed_index_commit_releases_the_lock(tmp_path, monkeypatch):
    """Whoosh keeps its write lock after a failed commit unless the writer is cancelled."""
    from whoosh import writing

    rng = random.Random(5)
    vault, index_dir = tmp_path / "vault", tmp_path / "index"
    vault.mkdir()
    with open_library(vault, index_dir) as lib:
        lib.import_clip(_clip(rng, words=50)[1])
        real = writing.SegmentWriter._commit_toc
        calls = []

        def full_disk(self, segments):
            calls.append(1)
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(writing.SegmentWriter, "_commit_toc", full_disk)
        with contextlib.suppress(Exception):
            lib.import_clip(_clip(rng, words=50)[1])
        monkeypatch.setattr(writing.SegmentWriter, "_commit_toc", real)
        assert calls, "the import never reached an index commit"
        _assert_index_unlocked(index_dir)
        lib.import_clip(_clip(rng, words=50)[1])
    with open_library(vault, index_dir) as lib:
        check = check_files(vault)
        check_index(lib, vault, check)
        assert check.ok, check.summary()
        assert check.notes == 3
