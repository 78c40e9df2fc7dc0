"""Conflict copies (issue 19): recognised by name, never a second note, listed with their note,
compared, resolved in one step into the trash; the trash and the cache as sync engines see them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from clipper import Library
from clipper.core import conflicts, paths, syncnames
from clipper.core.errors import VaultError
from clipper.core.vault import Vault

NOTE = "---\nid: n-wombat\ntitle: Wombats\ntags: [zoo]\n---\n\nWombats dig burrows in the hills.\n"
THEIRS = NOTE.replace("in the hills", "under the eucalyptus at night")


@pytest.mark.parametrize("name, original, kind, when, by", [
    ("Wombats.sync-conflict-20261201-101112-ABCDEF7.md", "Wombats.md", "syncthing", "2026-12-01 10:11:12",
     "ABCDEF7"),
    ("a.b.sync-conflict-20261201-101112-ABCDEF7.md", "a.b.md", "syncthing", "2026-12-01 10:11:12", "ABCDEF7"),
    ("W.sync-conflict-20261201-101112-ABCDEF7.sync-conflict-20261202-101112-QQQQQQQ.md", "W.md", "syncthing",
     "2026-12-02 10:11:12", "QQQQQQQ"),
    ("Wombats (conflicted copy 2026-12-01 101112).md", "Wombats.md", "nextcloud", "2026-12-01 10:11:12", ""),
    ("Wombats (Sam's conflicted copy 2026-12-01).md", "Wombats.md", "dropbox", "2026-12-01", "Sam"),
    ("Wombats (Sam’s MacBook's conflicted copy 2026-12-01 (1)).md", "Wombats.md", "dropbox", "2026-12-01",
     "Sam’s MacBook"),
    ("Wombats (conflict 2026-12-01 101112).md", "Wombats.md", "clipper", "2026-12-01 10:11:12", ""),
    ("Wombats (conflict 2026-12-01 101112) 2.md", "Wombats.md", "clipper", "2026-12-01 10:11:12", ""),
    ("Wombats_conflict-20261201-101112.markdown", "Wombats.markdown", "owncloud", "2026-12-01 10:11:12", ""),
])
def test_conflict_names_are_recognised(name, original, kind, when, by):
    assert syncnames.parse(name) == syncnames.ConflictName(original, kind, when, by)


@pytest.mark.parametrize("name", ["Wombats.md", "note (Case Conflict).md", "note-DESKTOP-1A2B3C.md",
                                  "Conflict resolution in teams.md", "A (conflict) of interest.md",
                                  "x.sync-conflict-2026-ABC.md"])
def test_ordinary_names_are_notes(name):
    assert syncnames.parse(name) is None


@pytest.fixture
def vault(tmp_path) -> Path:
    v = tmp_path / "vault"
    v.mkdir()
    (v / "Wombats.md").write_text(NOTE, "utf-8")
    (v / "Wombats.sync-conflict-20261201-101112-ABCDEF7.md").write_text(THEIRS, "utf-8")
    (v / "Quokkas.md").write_text("---\ntitle: Quokkas\n---\n\nQuokkas smile on Rottnest island.\n", "utf-8")
    return v


def _hits(lib, query):
    return sorted(Path(h.path).name for h in lib.search(query, limit=50))


def test_a_syncthing_copy_gives_one_hit_and_is_listed_as_a_conflict_of_its_note(vault):
    with Library.open(vault) as lib:
        assert _hits(lib, "wombats") == ["Wombats.md"]  # one hit for the note's words, not two
        assert _hits(lib, "eucalyptus") == []  # the copy's own words: not a note's
        assert len(lib.notes()) == 2
        (c,) = lib.conflicts()
        assert (c.copy, c.note, c.kind, c.by, c.note_exists) == (
            "Wombats.sync-conflict-20261201-101112-ABCDEF7.md", "Wombats.md", "syncthing", "ABCDEF7", True)
        assert "Syncthing" in c.describe() and "ABCDEF7" in c.describe()
        note_text, copy_text = lib.conflict_versions(c)
        assert note_text == NOTE and copy_text == THEIRS


def test_cli_conflicts_json_lists_each_copy_with_its_note(vault, tmp_path):
    sub = vault / "deep"
    sub.mkdir()
    (sub / "Okapi.md").write_text("---\nid: n-okapi\ntitle: Okapi\n---\n\nOkapis are shy.\n", "utf-8")
    (sub / "Okapi (Sam's conflicted copy 2026-12-01).md").write_text("Okapis are very shy.\n", "utf-8")
    (vault / "Gone (conflict 2026-12-01 101112).md").write_text("only the copy is left\n", "utf-8")
    out = subprocess.run([sys.executable, "-m", "clipper", "conflicts", "--json", "--vault", str(vault)],
                         capture_output=True, text=True, timeout=120, env=dict(os.environ))
    assert out.returncode == 0, out.stderr
    listed = {(c["copy"], c["note"], c["note_id"], c["note_exists"]) for c in json.loads(out.stdout)}
    assert listed == {
        ("Wombats.sync-conflict-20261201-101112-ABCDEF7.md", "Wombats.md", "n-wombat", True),
        ("deep/Okapi (Sam's conflicted copy 2026-12-01).md", "deep/Okapi.md", "n-okapi", True),
        ("Gone (conflict 2026-12-01 101112).md", "Gone.md", None, False),
    }
    plain = subprocess.run([sys.executable, "-m", "clipper", "conflicts", "--diff", "--vault", str(vault)],
                           capture_output=True, text=True, timeout=120, env=dict(os.environ))
    assert "+Wombats dig burrows under the eucalyptus at night." in plain.stdout
    assert "3 conflict copies" in plain.stdout


def test_keep_the_note_moves_the_copy_to_the_trash(vault):
    with Library.open(vault) as lib:
        (c,) = lib.conflicts()
        res = lib.resolve_conflict(c, "note")
        assert lib.conflicts() == []
        assert (vault / "Wombats.md").read_text("utf-8") == NOTE
        assert not (vault / c.copy).exists()
        (entry,) = res.trashed
        assert entry.trash_path.read_text("utf-8") == THEIRS  # given up, not lost
        assert _hits(lib, "eucalyptus") == [] and _hits(lib, "hills") == ["Wombats.md"]


def test_keep_the_copy_puts_its_text_in_the_note_and_the_old_text_in_the_trash(vault):
    with Library.open(vault) as lib:
        (c,) = lib.conflicts()
        before = lib.get("n-wombat")
        res = lib.resolve_conflict(vault / c.copy, "copy")
        assert (vault / "Wombats.md").read_text("utf-8") == THEIRS and not (vault / c.copy).exists()
        assert [e.trash_path.read_text("utf-8") for e in res.trashed] == [NOTE]
        assert _hits(lib, "eucalyptus") == ["Wombats.md"] and _hits(lib, "hills") == []
        after = lib.get("n-wombat")  # the same note (id and file), with the other text
        assert after.path == before.path and "eucalyptus" in after.body
        assert lib.conflicts() == []


def test_keep_both_makes_the_copy_a_note_of_its_own(vault):
    with Library.open(vault) as lib:
        (c,) = lib.conflicts()
        res = lib.resolve_conflict(c, "both")
        assert res.new_note == "Wombats (other version).md"
        assert _hits(lib, "wombats") == ["Wombats (other version).md", "Wombats.md"]
        new = lib.note_for_path(vault / res.new_note)
        assert new.id != "n-wombat" and new.title == "Wombats (other version)" and new.tags == ["zoo"]
        assert "eucalyptus" in new.body
        assert lib.get("n-wombat").body.strip() == "Wombats dig burrows in the hills."
        assert lib.conflicts() == [] and [e.trash_path.read_text("utf-8") for e in res.trashed] == [THEIRS]


def test_a_copy_whose_note_is_gone_can_become_the_note_but_not_be_dropped(vault):
    (vault / "Wombats.md").unlink()
    with Library.open(vault) as lib:
        (c,) = lib.conflicts()
        assert not c.note_exists
        with pytest.raises(VaultError):
            lib.resolve_conflict(c, "note")  # nothing else holds its text
        assert (vault / c.copy).exists()
        lib.resolve_conflict(c, "copy")
        assert (vault / "Wombats.md").read_text("utf-8") == THEIRS
        assert _hits(lib, "eucalyptus") == ["Wombats.md"]


def test_resolving_what_is_not_a_conflict_copy_is_refused(vault):
    with Library.open(vault) as lib:
        for bad in (vault / "Quokkas.md", vault / "nothing.sync-conflict-20261201-101112-ABCDEF7.md",
                    vault / ".trash" / "x (conflict 2026-12-01 101112).md"):
            with pytest.raises(VaultError):
                lib.resolve_conflict(bad, "note")
        with pytest.raises(ValueError):
            lib.resolve_conflict(lib.conflicts()[0], "mine")
        assert (vault / "Quokkas.md").exists()


def test_a_trashed_copy_restored_is_a_conflict_again(vault):
    with Library.open(vault) as lib:
        (c,) = lib.conflicts()
        (entry,) = lib.resolve_conflict(c, "note").trashed
        note = lib.restore(entry)  # undoing the resolution
        assert note.id == "n-wombat" and [x.copy for x in lib.conflicts()] == [c.copy]
        assert _hits(lib, "eucalyptus") == []


def test_the_editors_own_copy_keeps_its_marker_with_a_long_title(tmp_path):
    v = Vault(tmp_path)
    (tmp_path / ("W" * 118 + ".md")).write_text("x")
    rel = v.conflict_copy("W" * 118 + ".md", "mine")
    assert conflicts.copy_of(rel).note == "W" * 118 + ".md"


def test_side_by_side_lines_up_the_two_versions():
    sbs = conflicts.side_by_side("a\nb\nc\nd", "a\nB\nc\nd\ne")
    assert sbs.kinds == ["same", "changed", "same", "same", "added"]
    assert sbs.left == ["a", "b", "c", "d", None] and sbs.right == ["a", "B", "c", "d", "e"]
    assert sbs.changes == 2
    big = conflicts.side_by_side("x\n" * 20, "y\n" * 20, max_lines=5)
    assert big.truncated and len(big.kinds) == 5


def test_changed_folders_are_looked_at_alone(vault):
    (vault / "sub").mkdir()
    (vault / "sub" / "n.md").write_text("n")
    (vault / "sub" / "n.sync-conflict-20261201-101112-ABCDEF7.md").write_text("m")
    with Library.open(vault) as lib:
        copies = [c.copy for c in lib.conflicts([vault / "sub"])]
        assert copies == ["sub/n.sync-conflict-20261201-101112-ABCDEF7.md"]
        assert len(lib.conflicts([vault / "sub" / "n.md", vault])) == 2
        assert lib.conflicts([vault / ".trash", vault / "attachments"]) == []


# --- the trash across machines -----------------------------------------------------------


def test_two_machines_trashing_at_once_lose_no_entry(tmp_path):
    """Each trashed note has a record of its own: what two machines wrote can be merged by any
    sync engine (no shared file written on both)."""
    a, b = Vault(tmp_path / "a"), Vault(tmp_path / "b")
    for v in (a, b):
        (v.root / "sub").mkdir(parents=True)
        for name in ("one", "two"):
            (v.root / "sub" / f"{name}.md").write_text(f"---\nid: {name}\n---\n{name}\n")
    a.move_to_trash("sub/one.md", "one", "One")
    b.move_to_trash("sub/two.md", "two", "Two")
    for name in os.listdir(b.trash):  # what the engine does: copy the new files over
        (a.trash / name).write_bytes((b.trash / name).read_bytes())
    (a.root / "sub" / "two.md").unlink()
    found = {e.id: e for e in a.trash_entries()}
    assert set(found) == {"one", "two"}
    assert found["two"].original_path == a.root / "sub" / "two.md"  # its folder is known
    assert a.restore_from_trash(found["two"]) == "sub/two.md"
    assert [e.id for e in a.trash_entries()] == ["one"]
    assert not any(n.endswith(".json") and "two" in n for n in os.listdir(a.trash))


def test_an_older_trash_list_and_the_copies_a_sync_engine_made_of_it_are_merged(tmp_path):
    v = Vault(tmp_path)
    trash = tmp_path / ".trash"
    trash.mkdir()
    for name in ("20260101-000000 a.md", "20260101-000001 b.md", "20260101-000002 c.md"):
        (trash / name).write_text(name)
    (trash / "trash.json").write_text(json.dumps([
        {"id": "a", "path": "x/a.md", "trash": "20260101-000000 a.md"}]))
    (trash / "trash.sync-conflict-20260101-000000-ABCDEF7.json").write_text(json.dumps([
        {"id": "b", "path": "y/b.md", "trash": "20260101-000001 b.md"}]))
    (trash / "trash (conflicted copy 2026-01-01 000000).json").write_text(json.dumps([
        {"id": "c", "path": "z/c.md", "trash": "20260101-000002 c.md"}]))
    found = {e.id: v.rel(e.original_path) for e in v.trash_entries()}
    assert found == {"a": "x/a.md", "b": "y/b.md", "c": "z/c.md"}
    entry = next(e for e in v.trash_entries() if e.id == "a")
    assert v.restore_from_trash(entry) == "x/a.md"
    assert json.loads((trash / "trash.json").read_text()) == []  # an older version's list kept right
    assert {e.id for e in v.trash_entries()} == {"b", "c"}


# --- nothing unsafe travels ----------------------------------------------------------------


def _vault_files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def test_no_index_lock_or_settings_file_is_written_inside_the_vault(vault):
    with Library.open(vault) as lib:
        from clipper.core.model import Clip

        note = lib.import_clip(Clip(markdown="Platypus lay eggs. " * 5, title="Platypus")).note
        lib.set_tags([note.id], add=["odd"])
        lib.rename_tag("odd", "strange")
        lib.delete(note.id)
        lib.restore(note.id)
        lib.resolve_conflict(lib.conflicts()[0], "both")
        lib.reindex()
        assert not str(lib.index_dir).startswith(str(vault))
    for rel in _vault_files(vault):
        assert rel.endswith(".md") or (rel.startswith(".trash/") and rel.endswith((".md", ".md.json"))), rel


def test_an_index_folder_inside_the_vault_is_refused(vault, monkeypatch):
    with pytest.raises(VaultError, match="inside the vault"):
        Library.open(vault, index_dir=vault / ".clipper-index")
    monkeypatch.setenv("CLIPPER_CACHE_DIR", str(vault / "cache"))
    with pytest.raises(VaultError, match="CLIPPER_CACHE_DIR"):
        Library.open(vault)
    assert not (vault / "cache").exists() and not (vault / ".clipper-index").exists()


def test_a_synced_cache_inside_the_vault_is_not_read_as_its_index(vault, monkeypatch):
    """Someone synced a machine's cache into the vault: its index (a pickle among its files) is
    never this machine's index, even when the cache folder setting points right at it, and
    nothing in it is touched."""
    import shutil

    with Library.open(vault) as lib:
        own = lib.index_dir
        count = len(lib.notes())
    planted = vault / "cache" / "indexes" / own.name
    shutil.copytree(own, planted)
    shutil.copytree(own, vault / ".cache" / "Clipper" / "indexes" / own.name)
    before = {p: p.read_bytes() for p in vault.rglob("*") if p.is_file() and not p.name.endswith(".md")}
    with Library.open(vault) as lib:
        assert lib.index_dir == own and len(lib.notes()) == count  # the index files are no notes
        assert _hits(lib, "wombats") == ["Wombats.md"]
    monkeypatch.setenv("CLIPPER_CACHE_DIR", str(vault / "cache"))
    assert paths.index_dir_for(vault) == planted
    with pytest.raises(VaultError):
        Library.open(vault)  # the synced copy is not opened
    after = {p: p.read_bytes() for p in vault.rglob("*") if p.is_file() and not p.name.endswith(".md")}
    assert after == before
