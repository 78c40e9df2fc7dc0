"""Atomic writes and temp-file recovery (clipper.core.fsutil) under injected faults."""

from __future__ import annotations

import errno
import os
import time

import pytest

from clipper.core import fsutil
from clipper.core.errors import VaultError


def _names(folder):
    return sorted(p.name for p in folder.iterdir())


def test_write_replace_and_exclusive(tmp_path):
    target = tmp_path / "a.md"
    fsutil.atomic_write_text(target, "one")
    fsutil.atomic_write_text(target, "two")
    assert target.read_text() == "two"
    with pytest.raises(FileExistsError):
        fsutil.atomic_write_text(target, "three", exclusive=True)
    assert target.read_text() == "two"
    fsutil.atomic_write_text(tmp_path / "b.md", "new", exclusive=True)
    assert _names(tmp_path) == ["a.md", "b.md"]


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS, errno.EIO])
@pytest.mark.parametrize("victim", ["write", "fsync", "rename", "replace"])
def test_failure_leaves_old_content_and_no_temp(tmp_path, monkeypatch, victim, code):
    target = tmp_path / "a.md"
    fsutil.atomic_write_text(target, "old")
    real = getattr(os, victim)

    def failing(*args, **kwargs):
        if victim == "fsync" and isinstance(args[0], int) and os.path.isdir(f"/proc/self/fd/{args[0]}"):
            return real(*args, **kwargs)
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(os, victim, failing)
    with pytest.raises(VaultError) as info:
        fsutil.atomic_write_text(target, "new" * 1000)
    monkeypatch.undo()
    msg = str(info.value)
    if code == errno.ENOSPC:
        assert "disk is full" in msg
    elif code == errno.EROFS:
        assert "read-only" in msg
    assert "\n" not in msg
    assert target.read_text() == "old"
    assert _names(tmp_path) == ["a.md"]


def _leave_temp(folder, target, data, state):
    """Simulate a writer killed with a temp in ``state`` ('w' partial or 'c' complete)."""
    name = fsutil._temp_name("0123abcd", state, target)
    (folder / name).write_bytes(data)
    return folder / name


def test_recover_partial_temp_is_removed(tmp_path):
    (tmp_path / "a.md").write_text("old")
    _leave_temp(tmp_path, "a.md", b"ne", "w")
    assert fsutil.recover_temp_files(tmp_path) == []
    assert _names(tmp_path) == ["a.md"]
    assert (tmp_path / "a.md").read_text() == "old"


def test_recover_complete_temp_replaces_older_target(tmp_path):
    target = tmp_path / "a.md"
    target.write_text("old")
    time.sleep(0.02)
    _leave_temp(tmp_path, "a.md", b"newest", "c")
    assert fsutil.recover_temp_files(tmp_path) == [target]
    assert _names(tmp_path) == ["a.md"]
    assert target.read_text() == "newest"


def test_recover_complete_temp_for_missing_target(tmp_path):
    _leave_temp(tmp_path, "fresh.md", b"created", "c")
    assert fsutil.recover_temp_files(tmp_path) == [tmp_path / "fresh.md"]
    assert (tmp_path / "fresh.md").read_text() == "created"
    assert _names(tmp_path) == ["fresh.md"]


def test_recover_keeps_both_when_target_changed_later(tmp_path):
    _leave_temp(tmp_path, "a.md", b"from the app", "c")
    time.sleep(0.02)
    (tmp_path / "a.md").write_text("edited elsewhere later")
    changed = fsutil.recover_temp_files(tmp_path)
    assert len(changed) == 1 and "recovered" in changed[0].name
    assert changed[0].read_text() == "from the app"
    assert (tmp_path / "a.md").read_text() == "edited elsewhere later"
    assert not any(fsutil.is_temp_name(n) for n in _names(tmp_path))


def test_recover_is_not_fooled_by_an_old_mtime(tmp_path):
    """Sync tools keep the sender's mtime: a note synced in after the crash may look 'older'."""
    _leave_temp(tmp_path, "a.md", b"from the app", "c")
    time.sleep(0.02)
    target = tmp_path / "a.md"
    target.write_text("synced from another machine")
    os.utime(target, (1_000_000_000, 1_000_000_000))
    changed = fsutil.recover_temp_files(tmp_path)
    assert target.read_text() == "synced from another machine"
    assert len(changed) == 1 and changed[0].read_text() == "from the app"


def test_recover_identical_temp_is_removed(tmp_path):
    (tmp_path / "a.md").write_text("same")
    _leave_temp(tmp_path, "a.md", b"same", "c")
    assert fsutil.recover_temp_files(tmp_path) == []
    assert _names(tmp_path) == ["a.md"]


def test_recover_never_touches_a_live_writers_temp(tmp_path, monkeypatch):
    """A second process's recovery pass during our write must not break it."""
    target = tmp_path / "a.md"
    target.write_text("old")
    seen = {}
    real_fsync = os.fsync

    def fsync_then_recover(fd):
        real_fsync(fd)
        if not seen:
            seen["temps"] = [n for n in _names(tmp_path) if fsutil.is_temp_name(n)]
            seen["changed"] = fsutil.recover_temp_files(tmp_path)

    monkeypatch.setattr(os, "fsync", fsync_then_recover)
    fsutil.atomic_write_text(target, "new")
    monkeypatch.undo()
    assert len(seen["temps"]) == 1 and seen["changed"] == []
    assert target.read_text() == "new"
    assert _names(tmp_path) == ["a.md"]
