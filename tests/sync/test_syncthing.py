"""Two machines, one vault, a real sync engine: two Syncthing instances on 127.0.0.1 (see
``syncthing.py``), each machine with its own vault folder, cache folder and open Library.

The convergence scenario (``scenario.py``) runs a short variant here (about half a minute);
``CLIPPER_SLOW=1`` runs a long one. Its figures are printed (``-s`` shows them) and written to
``$CLIPPER_SYNC_REPORT`` when set.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from clipper.core.model import Clip
from clipper.core.syncnames import is_conflict_copy
from tests.sync import scenario
from tests.sync.syncthing import Pair, available

SLOW = bool(os.environ.get("CLIPPER_SLOW"))
pytestmark = pytest.mark.skipif(available() is None,
                                reason="syncthing is not installed (bash scripts/setup.sh installs it)")


@pytest.fixture
def machines(tmp_path):
    with Pair(tmp_path) as pair:
        a = scenario.Machine("a", pair.a.folder, tmp_path / "a" / "cache")
        b = scenario.Machine("b", pair.b.folder, tmp_path / "b" / "cache")
        a.open()
        b.open()
        try:
            yield pair, a, b
        finally:
            a.close()
            b.close()


def _arrive(pair, *machines) -> None:
    """Syncthing has finished; each Library picks up what arrived, as the app's watcher makes it."""
    pair.wait_in_sync()
    for m in machines:
        m.lib.sync_changed()


def _hits(m, words: str) -> list[str]:
    return sorted(Path(h.path).name for h in m.lib.search(words))


def test_a_note_edited_on_both_machines_is_one_conflict_resolved_on_either(machines):
    pair, a, b = machines
    note = a.lib.import_clip(Clip(markdown="Ships leave the quay at dawn.", title="Harbour Log",
                                  tags=["sea"])).note
    _arrive(pair, a, b)
    assert _hits(b, "quay") == [Path(note.path).name]
    assert b.lib.index_dir != a.lib.index_dir and not str(b.lib.index_dir).startswith(str(b.vault))

    pair.separate()  # both edit the same note before they sync
    for m, word in ((a, "lighthouse"), (b, "breakwater")):
        n = m.lib.get(note.id)
        m.lib.save(n.id, n.text() + f"\nThe {word} was repainted.\n", base_hash=n.content_hash)
    pair.rejoin()
    _arrive(pair, a, b)
    copies = sorted(p.name for p in a.vault.rglob("*.md") if is_conflict_copy(p.name))
    assert len(copies) == 1 and ".sync-conflict-" in copies[0], copies
    for m in (a, b):
        found = m.lib.conflicts()
        assert [(c.copy, c.note, c.kind) for c in found] == [(copies[0], Path(note.path).name, "syncthing")]
        assert _hits(m, "quay") == [Path(note.path).name]  # one hit, not two
        assert len(_hits(m, "lighthouse OR breakwater")) == 1
    out = subprocess.run([sys.executable, "-m", "clipper", "conflicts", "--json", "--vault", str(b.vault)],
                         capture_output=True, text=True, timeout=120, env=dict(os.environ,
                         CLIPPER_CACHE_DIR=str(b.cache)))
    assert out.returncode == 0, out.stderr
    listed = json.loads(out.stdout)
    assert [(c["copy"], c["note"]) for c in listed] == [(copies[0], Path(note.path).name)]

    b.lib.resolve_conflict(b.lib.conflicts()[0], "both")
    _arrive(pair, a, b)
    for m in (a, b):
        assert m.lib.conflicts() == []
        assert len(_hits(m, "quay")) == 2  # two notes now, each with its own version
        assert len(_hits(m, "lighthouse")) == 1 and len(_hits(m, "breakwater")) == 1


def test_trash_travels_and_restores_on_either_machine(machines):
    pair, a, b = machines
    ids = [a.lib.import_clip(Clip(markdown=f"Note number {w} about zqtrash.", title=f"Trash {w}")).note.id
           for w in ("one", "two", "three", "four")]
    _arrive(pair, a, b)
    assert len(_hits(b, "zqtrash")) == 4
    a.lib.delete(ids[0])
    _arrive(pair, a, b)
    assert len(_hits(b, "zqtrash")) == 3  # gone from the other machine's list
    assert [e.id for e in b.lib.trash()] == [ids[0]]
    b.lib.restore(b.lib.trash()[0])  # restored on the other machine
    _arrive(pair, a, b)
    assert len(_hits(a, "zqtrash")) == 4 and a.lib.trash() == []

    pair.separate()  # both machines trash notes at the same time: no entry is lost
    a.lib.delete(ids[1])
    b.lib.delete(ids[2])
    b.lib.delete(ids[3])
    pair.rejoin()
    _arrive(pair, a, b)
    for m in (a, b):
        assert sorted(e.id for e in m.lib.trash()) == sorted(ids[1:])
        assert _hits(m, "zqtrash") == [Path(m.lib.get(ids[0]).path).name]


def test_convergence_with_work_on_both_sides(tmp_path, capsys):
    rounds, ops = (24, 15) if SLOW else (6, 8)
    seed = int(os.environ.get("CLIPPER_SEED", 0))
    figures = scenario.run(tmp_path, rounds=rounds, ops_per_side=ops, seed=seed)
    summary = figures.summary()
    with capsys.disabled():
        print("\nsync scenario:", json.dumps(summary))
    if os.environ.get("CLIPPER_SYNC_REPORT"):
        Path(os.environ["CLIPPER_SYNC_REPORT"]).write_text(json.dumps(summary, indent=1), "utf-8")
    assert summary["problems"] == []
    assert summary["notes_lost"] == 0 and summary["words_lost"] == 0
    assert summary["operations"] >= rounds * ops  # both sides worked (some draws find nothing to do)
    assert summary["conflicts_made"] > 0  # the rounds apart made real Syncthing conflicts


def test_an_open_window_follows_what_syncthing_delivers(qtbot, tmp_path, machines):
    """Machine b runs the app: notes imported on a, a note edited on both, a note trashed on a
    all show in b's window without F5 (its vault watcher), the conflict in its sidebar."""
    from clipper.qt.main_window import MainWindow
    from clipper.qt.settings import Settings, open_settings

    pair, a, b = machines
    settings = Settings(open_settings(str(tmp_path / "b-settings.ini")))
    settings.set("welcomed", True)
    win = MainWindow(b.lib, settings)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: bool(win.watcher.watched()), timeout=30000)
    model = win.results_model

    def titles() -> set[str]:
        return {model.data(model.index(i)) for i in range(model.rowCount())}

    try:
        ids = [a.lib.import_clip(Clip(markdown=f"Delivered note {i}, zqwindow.", title=f"Delivered {i}"))
               .note.id for i in range(30)]
        pair.wait_in_sync()
        qtbot.waitUntil(lambda: len(titles()) == 30, timeout=30000)

        pair.separate()  # the same note changed on both machines (on b by another editor)
        n = a.lib.get(ids[0])
        a.lib.save(n.id, n.text() + "\nEdited on a.\n", base_hash=n.content_hash)
        on_b = b.vault / Path(n.path).name
        on_b.write_text(on_b.read_text("utf-8") + "\nEdited on b.\n", "utf-8")
        a.lib.delete(ids[1])
        pair.rejoin()
        pair.wait_in_sync()
        qtbot.waitUntil(lambda: win.conflicts.button.isVisible() and win.conflicts.button.count == 1,
                        timeout=30000)
        qtbot.waitUntil(lambda: len(titles()) == 29 and "Delivered 1" not in titles(), timeout=30000)
    finally:
        qtbot.waitUntil(lambda: not win.writer.busy and not win.reader.busy, timeout=30000)
        win.close()
