"""The conflict view in the window (sidebar entry with its count, side by side, keep note / copy /
both in one step) and notes arriving in bulk while the window is open (one re-index)."""

from __future__ import annotations

import os
from pathlib import Path

from clipper.core.syncnames import is_conflict_copy
from tests.qt.conftest import titles, wait_idle, wait_titles

NOTE = "---\nid: harbour-note\ntitle: The Harbour\n---\n\nBoats at anchor.\nThe tide came in at noon.\n"
COPY = "---\nid: harbour-note\ntitle: The Harbour\n---\n\nBoats at anchor.\nThe tide came in at dusk.\n"
COPY_NAME = "harbour.sync-conflict-20261201-101500-ABCDEF7.md"


def _watching(qtbot, win) -> None:
    qtbot.waitUntil(lambda: bool(win.watcher.watched()), timeout=15000)  # it starts after the first results


def _vault_with_conflict(qtbot, win) -> Path:
    _watching(qtbot, win)
    vault = Path(win.lib.vault)
    (vault / "harbour.md").write_text(NOTE, "utf-8")
    (vault / COPY_NAME).write_text(COPY, "utf-8")
    return vault


def _open_dialog(qtbot, win):
    center = win.conflicts
    qtbot.waitUntil(lambda: center.button.isVisible() and center.button.count == 1, timeout=15000)
    assert "Conflicts (1)" in center.button.text()
    dialog = center.show_dialog()
    qtbot.waitUntil(lambda: dialog.keep_copy.isEnabled(), timeout=15000)
    return center, dialog


def test_a_sync_conflict_shows_in_the_sidebar_and_side_by_side(qtbot, window):
    win = window
    _vault_with_conflict(qtbot, win)
    wait_titles(qtbot, win, lambda t: t == ["The Harbour"], timeout=15000)  # one note, not two
    center, dialog = _open_dialog(qtbot, win)
    assert center.button.parent() is win.tag_tree.parent()  # in the sidebar, above the tags
    assert "noon" in dialog.left.toPlainText() and "dusk" in dialog.right.toPlainText()
    assert "1 place differs" in dialog.summary.text()
    dialog.grab()  # renders


def test_keep_the_copy_in_one_step(qtbot, window):
    win = window
    vault = _vault_with_conflict(qtbot, win)
    center, dialog = _open_dialog(qtbot, win)
    with qtbot.waitSignal(center.resolved, timeout=15000):
        dialog.keep_copy.click()
    assert "dusk" in (vault / "harbour.md").read_text("utf-8")
    assert not (vault / COPY_NAME).exists()
    qtbot.waitUntil(lambda: not center.button.isVisible(), timeout=15000)
    wait_idle(qtbot, win)
    assert win.lib.search("dusk")  # the index follows
    assert any("noon" in Path(e.trash_path).read_text("utf-8") for e in win.lib.trash())


def test_keep_both_makes_a_second_note(qtbot, window):
    win = window
    vault = _vault_with_conflict(qtbot, win)
    center, dialog = _open_dialog(qtbot, win)
    with qtbot.waitSignal(center.resolved, timeout=15000) as blocker:
        dialog.keep_both.click()
    result = blocker.args[0]
    assert result.new_note and Path(vault, result.new_note).exists()
    wait_titles(qtbot, win, lambda t: len(t) == 2, timeout=15000)
    assert not any(is_conflict_copy(p.name) for p in vault.glob("*.md"))


def test_a_burst_of_1000_arriving_files_is_one_reindex(qtbot, window, tmp_path):
    """As a sync engine does: each file is written elsewhere, then renamed into the vault."""
    win = window
    _watching(qtbot, win)
    wait_idle(qtbot, win)
    calls = []
    lib = win.lib
    real = lib.sync_changed

    def counting(paths=None):
        if paths is not None:  # not the periodic whole-vault refresh
            calls.append(len(paths))
        return real(paths)

    lib.sync_changed = counting
    staging = tmp_path / "staging"
    staging.mkdir()
    for i in range(1000):
        (staging / f"arrived-{i:04d}.md").write_text(f"# Arrived {i}\n\nFrom the other laptop, zzburst.\n")
    target = Path(lib.vault)
    for i in range(1000):
        os.rename(staging / f"arrived-{i:04d}.md", target / f"arrived-{i:04d}.md")
    qtbot.waitUntil(lambda: len(lib.notes()) == 1000, timeout=60000)
    qtbot.waitUntil(lambda: win.count_label.text() in ("1000 notes", f"{len(titles(win))}+ notes"),
                    timeout=30000)  # the list shows them (up to its page size)
    wait_idle(qtbot, win)
    assert calls == [1], calls  # one call, for the one folder
