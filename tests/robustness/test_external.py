"""External changes: other programs and sync tools edit, add, rename and delete notes; the index is
damaged or deleted. The library follows on refresh() and after a restart, and never loses a note."""

from __future__ import annotations

import hashlib
import os
import random
import shutil
from pathlib import Path

import pytest

from clipper.core.model import Clip
from tests.robustness.harness import check_files, check_index, make_body, new_marker, open_library


@pytest.fixture
def dirs(tmp_path):
    vault, index_dir = tmp_path / "vault", tmp_path / "index"
    vault.mkdir()
    return vault, index_dir


def _hits(lib, query=""):
    return {Path(h.path).name for h in lib.search(query, limit=10_000)}


def _note_file(body: str, title: str, note_id: str | None = None, tags=("alpha",)) -> str:
    head = f"---\ntitle: {title}\n" + (f"id: {note_id}\n" if note_id else "")
    head += f"tags: [{', '.join(tags)}]\n---\n\n"
    return head + body + "\n"


def _consistent(lib, vault, sample=40):
    check = check_files(vault)
    check_index(lib, vault, check, sample=sample)
    assert check.index_problems == []
    return check


def test_external_add_edit_rename_delete_while_running_and_after_restart(dirs):
    vault, index_dir = dirs
    rng = random.Random(3)
    m1, m2, m3 = (new_marker(rng) for _ in range(3))
    with open_library(vault, index_dir) as lib:
        lib.import_clip(Clip(markdown=make_body(m1, 1, rng, words=30), title="First"))
        # added by another program
        (vault / "Added.md").write_text(_note_file(make_body(m2, 1, rng, words=30), "Added"))
        (vault / "sub").mkdir()
        (vault / "sub" / "Nested.md").write_text(_note_file(make_body(m3, 1, rng, words=30), "Nested"))
        lib.refresh()
        assert _hits(lib, m2) == {"Added.md"}
        assert _hits(lib, m3) == {"Nested.md"}
        _consistent(lib, vault)
        # edited by another program: the new words are found, the old ones are not
        body = make_body(m2, 2, rng, words=30) + "\n\nxylophonequux"
        (vault / "Added.md").write_text(_note_file(body, "Added"))
        lib.refresh()
        assert _hits(lib, "xylophonequux") == {"Added.md"}
        # renamed by another program
        os.rename(vault / "Added.md", vault / "Renamed.md")
        lib.refresh()
        assert _hits(lib, m2) == {"Renamed.md"}
        # deleted by another program
        (vault / "sub" / "Nested.md").unlink()
        lib.refresh()
        assert _hits(lib, m3) == set()
        assert len(lib.search("", limit=100)) == 2
        _consistent(lib, vault)
    # changes made while the app is closed show after a restart
    body = make_body(m2, 3, rng, words=30) + "\n\nzebraquark"
    (vault / "Renamed.md").write_text(_note_file(body, "Renamed"))
    (vault / "Offline.md").write_text(_note_file(make_body(new_marker(rng), 1, rng, words=30), "Offline"))
    with open_library(vault, index_dir) as lib:
        assert _hits(lib, "zebraquark") == {"Renamed.md"}
        assert _hits(lib, "xylophonequux") == set()
        assert len(lib.search("", limit=100)) == 3
        _consistent(lib, vault)


SYNC_COPIES = [  # conflict copies: versions of the note, not notes
    "note.sync-conflict-20240101-123456-ABCDEF7.md",  # Syncthing
    "note (conflicted copy 2024-01-01 101112).md",  # Nextcloud
    "note (Sam's conflicted copy 2024-01-01).md",  # Dropbox
    "note (conflict 2024-01-01 101112).md",  # Clipper's editor
]
OTHER_COPIES = [  # names no sync engine of ours gives a conflict: ordinary notes
    "note (Case Conflict).md",
    "note-DESKTOP-1A2B3C.md",  # OneDrive style
]


def test_sync_conflict_copies_are_conflicts_of_their_note(dirs):
    """A sync tool's copy carries the same front matter (same id) as the original: it is listed
    as a conflict of the note and gives no second hit; names that only look like copies stay
    notes. Neither hides or overwrites the other."""
    vault, index_dir = dirs
    rng = random.Random(4)
    with open_library(vault, index_dir) as lib:
        res = lib.import_clip(Clip(markdown=make_body(new_marker(rng), 1, rng, words=30), title="note"))
        original = Path(res.note.path)
        text = original.read_text()
        for i, name in enumerate(SYNC_COPIES + OTHER_COPIES):
            (vault / name).write_text(text + f"\nconflictword{i}\n")
        lib.refresh()
        assert len(lib.search("", limit=100)) == 1 + len(OTHER_COPIES)
        for i, name in enumerate(SYNC_COPIES + OTHER_COPIES):
            hits = [Path(h.path).name for h in lib.search(f"conflictword{i}", limit=10)]
            assert hits == ([] if name in SYNC_COPIES else [name])
        assert {(c.copy, c.note) for c in lib.conflicts()} == {(n, original.name) for n in SYNC_COPIES}
        assert Path(lib.get(res.note.id).path) == original
        _consistent(lib, vault, sample=0)  # the copies share the marker: counted, not sampled
    with open_library(vault, index_dir) as lib:
        assert len(lib.search("", limit=100)) == 1 + len(OTHER_COPIES)
        assert original.read_text() == text  # the original was not rewritten to "fix" the id
        _consistent(lib, vault, sample=0)


def test_save_over_a_note_changed_on_disk_writes_a_conflict_copy(dirs):
    vault, index_dir = dirs
    rng = random.Random(5)
    marker = new_marker(rng)
    with open_library(vault, index_dir) as lib:
        note = lib.import_clip(Clip(markdown=make_body(marker, 1, rng, words=30), title="Edited")).note
        path = Path(note.path)
        loaded = path.read_bytes()
        base = hashlib.sha256(loaded).hexdigest()
        theirs = loaded.decode().replace(" v1\n", " v1\n") + "\ntheirwordqq\n"
        path.write_text(theirs)  # changed by another program after the editor loaded it
        mine = loaded.decode() + "\nmywordqq\n"
        result = lib.save(note.id, mine, base_hash=base)
        assert result.conflict_path is not None
        conflict = Path(result.conflict_path)
        assert conflict.exists() and conflict != path
        assert conflict.read_text() == mine or "mywordqq" in conflict.read_text()
        assert path.read_text() == theirs  # nothing of theirs lost
        assert _hits(lib, "mywordqq") == set()  # a version of the note: listed, not a note
        assert [c.copy for c in lib.conflicts()] == [conflict.name]
        assert _hits(lib, "theirwordqq") == {path.name}
        # saving on top of what is on disk now (right base) just saves
        now = hashlib.sha256(path.read_bytes()).hexdigest()
        again = lib.save(note.id, theirs + "\nthirdwordqq\n", base_hash=now)
        assert again.conflict_path is None
        assert "thirdwordqq" in path.read_text()
        _consistent(lib, vault)


BROKEN = [
    "---\ntitle: [unclosed\ntags: x\n---\nbrokenbodyone words here\n",
    "---\n- just\n- a list\n---\nbrokenbodytwo words here\n",
    "---\ntitle: ok\n\nno closing fence brokenbodythree\n",
    "---\n\ttab: indented: badly\n---\nbrokenbodyfour\n",
    "\ufeff---\ntitle: \"unterminated\n---\nbrokenbodyfive\n",
]


def test_broken_front_matter_is_indexed_with_a_warning_and_never_rewritten(dirs):
    vault, index_dir = dirs
    for i, text in enumerate(BROKEN):
        (vault / f"broken{i}.md").write_text(text, encoding="utf-8")
    before = {p.name: p.read_bytes() for p in vault.iterdir()}
    words = ["brokenbodyone", "brokenbodytwo", "brokenbodythree", "brokenbodyfour", "brokenbodyfive"]
    with open_library(vault, index_dir) as lib:
        assert len(lib.search("", limit=100)) == len(BROKEN)
        for i, word in enumerate(words):
            hits = lib.search(word, limit=10)
            assert [Path(h.path).name for h in hits] == [f"broken{i}.md"], word
            note = lib.get(hits[0].id)
            if i in (0, 1, 3, 4):
                assert note.warnings, f"no warning for broken{i}.md"
        lib.refresh()
        lib.reindex()
        lib.import_clip(Clip(markdown="another note", title="Other"))
    with open_library(vault, index_dir) as lib:
        assert len(lib.search("", limit=100)) == len(BROKEN) + 1
    after = {p.name: p.read_bytes() for p in vault.iterdir() if p.name in before}
    assert after == before


def _seed(vault, index_dir, n, rng):
    markers = []
    with open_library(vault, index_dir) as lib:
        for _ in range(n):
            m = new_marker(rng)
            lib.import_clip(Clip(markdown=make_body(m, 1, rng, words=40), title=f"Note {m}"))
            markers.append(m)
    return markers


def _whoosh_files(index_dir: Path) -> list[Path]:
    return [p for p in index_dir.rglob("*") if p.is_file()]


@pytest.mark.parametrize("damage", ["delete-folder", "empty-folder", "garbage-toc", "truncate-all",
                                    "garbage-segments", "random-bytes"])
def test_damaged_or_deleted_index_is_rebuilt_with_the_exact_count(dirs, damage):
    vault, index_dir = dirs
    rng = random.Random(6)
    markers = _seed(vault, index_dir, 12, rng)
    files = _whoosh_files(index_dir)
    assert files
    locks = {p: p.stat().st_ino for p in files if "LOCK" in p.name.upper()}
    assert locks
    if damage == "delete-folder":
        shutil.rmtree(index_dir)
    elif damage == "empty-folder":
        for p in files:
            if "LOCK" not in p.name.upper():
                p.unlink()
    elif damage == "garbage-toc":
        for p in files:
            if p.suffix == ".toc":
                p.write_bytes(b"\x80\x04garbage" * 10)
    elif damage == "truncate-all":
        for p in files:
            if "LOCK" not in p.name.upper():
                p.write_bytes(b"")
    elif damage == "garbage-segments":
        for p in files:
            if p.suffix in (".seg", ".trm", ".pst", ".vps", ".fln", ".dcz", ".fcz", ".fcs"):
                p.write_bytes(os.urandom(64))
    elif damage == "random-bytes":
        for p in files:
            if "LOCK" not in p.name.upper() and p.stat().st_size:
                data = bytearray(p.read_bytes())
                for _ in range(8):
                    data[rng.randrange(len(data))] = rng.randrange(256)
                p.write_bytes(bytes(data))
    with open_library(vault, index_dir) as lib:
        if damage != "delete-folder":  # a lock file is never deleted (FIELD-NOTES): same inode
            assert {p: p.stat().st_ino for p in locks if p.exists()} == locks
        assert len(lib.search("", limit=1000)) == len(markers)
        for m in markers:
            assert len(lib.search(m, limit=10)) == 1
        lib.import_clip(Clip(markdown=make_body(new_marker(rng), 1, rng, words=20), title="after"))
        _consistent(lib, vault)
    with open_library(vault, index_dir) as lib:
        assert len(lib.search("", limit=1000)) == len(markers) + 1


def test_stray_temp_and_foreign_files_never_show_as_notes(dirs):
    vault, index_dir = dirs
    rng = random.Random(8)
    _seed(vault, index_dir, 2, rng)
    (vault / ".clipper-tmp-0badc0de-w.x.md.tmp").write_text("---\ntitle: partial\n---\nhalf")
    (vault / ".clipper-tmp-whatever.tmp").write_text("old-style temp")
    (vault / ".hidden.md").write_text("hidden")
    (vault / "notes.txt").write_text("not markdown")
    with open_library(vault, index_dir) as lib:
        names = _hits(lib)
        assert len(names) == 2
        assert not any(n.startswith(".") for n in names)
        lib.refresh()
        assert len(lib.search("", limit=100)) == 2


_OP_DIRS = ("", "moved/", "moved/deeper/")


def _note_files(vault: Path) -> list[str]:
    """The vault's note files (not those of hidden folders, such as the trash)."""
    return sorted(p.relative_to(vault).as_posix() for p in vault.rglob("*.md")
                  if not any(part.startswith(".") for part in p.relative_to(vault).parts))


def _random_place(vault: Path, rnd: random.Random) -> Path:
    """One of a few file names in one of a few folders (so that files land on each other)."""
    path = vault / (rnd.choice(_OP_DIRS) + f"n{rnd.randint(0, 6)}.md")
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def _random_file_operations(vault: Path, rnd: random.Random, steps: int) -> None:
    """Writes (with a shared, another or no front-matter id), moves, copies, deletes and edits by
    other programs, in random order; after some of them a full refresh or a watcher-like one of a
    folder. After each full refresh the index holds one document per note file, and each note's
    newest word finds exactly the files holding it."""
    from clipper.core.library import Library

    words = (f"zq{i:05d}x" for i in range(100_000))
    done = []

    def files():
        return _note_files(vault)

    def rel(path: Path) -> str:
        return path.relative_to(vault).as_posix()

    def place() -> Path:
        return _random_place(vault, rnd)

    with Library.open(vault) as lib:
        for _step in range(steps):
            now, k = files(), rnd.random()
            if k < 0.3 or not now:
                fid = rnd.choice([None, "shared", "other"])
                path = place()
                path.write_text((f"---\nid: {fid}\n---\n" if fid else "") + next(words) + "\n")
                done.append(("write", rel(path), fid))
            elif k < 0.55:
                src, dst = vault / rnd.choice(now), place()
                os.replace(src, dst)
                done.append(("move", rel(src), rel(dst)))
            elif k < 0.7:
                src, dst = vault / rnd.choice(now), place()
                if src != dst:
                    shutil.copy(src, dst)
                    done.append(("copy", rel(src), rel(dst)))
            elif k < 0.85:
                src = rnd.choice(now)
                (vault / src).unlink()
                done.append(("delete", src))
            else:
                src = rnd.choice(now)
                (vault / src).write_text((vault / src).read_text() + next(words) + "\n")
                done.append(("edit", src))
            if rnd.random() < 0.3:
                continue
            if rnd.random() < 0.6:
                folder = vault / rnd.choice(_OP_DIRS)
                if folder.exists():
                    lib.sync_changed([folder])
                    done.append(("sync", rel(folder)))
                continue
            lib.refresh()
            done.append(("refresh",))
            now = files()
            assert lib._index.doc_count() == lib.catalog.count() == len(now), done
            for name in now:
                word = (vault / name).read_text().split()[-1]
                holders = [r for r in now if word in (vault / r).read_text().split()]
                hits = sorted(rel(Path(h.path)) for h in lib.search(word))
                assert hits == holders, (word, done)


@pytest.mark.parametrize("seed", range(12 if os.environ.get("CLIPPER_SLOW") else 3))
def test_random_file_operations_keep_index_and_catalog_in_step(tmp_path, seed):
    vault = tmp_path / "vault"
    vault.mkdir()
    _random_file_operations(vault, random.Random(seed), 40)


_OP_TAGS = ("alpha", "beta", "work/ideas", "work/project", "Gamma")


def _random_api_calls(vault: Path, rnd: random.Random, steps: int) -> None:
    """Other programs' writes, moves and edits mixed with the library's own calls (tag changes,
    tag renames and deletions, trash and restore, saves), while background merges run. After each
    full refresh: one index document per note file, each note's newest word finds exactly the
    files holding it, and tag counts and tag searches agree with the files' front matter."""
    from clipper.core import frontmatter
    from clipper.core import tags as tagmod
    from clipper.core.library import Library

    words = (f"zq{i:05d}x" for i in range(100_000))
    done: list = []

    def files():
        return _note_files(vault)

    def place() -> Path:
        return _random_place(vault, rnd)

    with Library.open(vault) as lib:
        for _step in range(steps):
            now, k = files(), rnd.random()
            if k < 0.2 or not now:
                fid, tags = rnd.choice([None, "shared", "other"]), rnd.sample(_OP_TAGS, rnd.randint(0, 2))
                head = (f"id: {fid}\n" if fid else "") + (f"tags: [{', '.join(tags)}]\n" if tags else "")
                place().write_text((f"---\n{head}---\n" if head else "") + next(words) + "\n")
                done.append(("write", fid, tags))
            elif k < 0.3:
                os.replace(vault / rnd.choice(now), place())
                done.append(("move",))
            elif k < 0.4:
                src = vault / rnd.choice(now)
                src.write_text(src.read_text() + next(words) + "\n")
                done.append(("edit",))
            else:
                lib.refresh()
                notes = lib.notes()
                if not notes:
                    continue
                note_id, j = rnd.choice(notes)["id"], rnd.random()
                if j < 0.3:
                    lib.set_tags([note_id], add=rnd.sample(_OP_TAGS, 1), remove=rnd.sample(_OP_TAGS, 1))
                elif j < 0.4:
                    old = tagmod.normalize_tag(rnd.choice(_OP_TAGS))
                    lib.rename_tag(old, rnd.choice(_OP_TAGS + ("new",)))
                elif j < 0.5:
                    lib.delete_tag(tagmod.normalize_tag(rnd.choice(_OP_TAGS)))
                elif j < 0.65:
                    lib.delete(note_id)
                elif j < 0.75 and lib.trash():
                    lib.restore(rnd.choice(lib.trash()))
                else:
                    note = lib.get(note_id)
                    lib.save(note_id, note.text() + next(words) + "\n", base_hash=note.content_hash)
                done.append(("api", j))
            if rnd.random() < 0.5:
                continue
            lib.refresh()
            now = files()
            assert lib._index.doc_count() == lib.catalog.count() == len(now), done
            want: dict[str, int] = {}
            for name in now:
                text = (vault / name).read_text()
                for tag in tagmod.normalize_tags(frontmatter.split(text)[0].get("tags") or []):
                    want[tag] = want.get(tag, 0) + 1
                word = text.split()[-1]
                holders = [r for r in now if word in (vault / r).read_text().split()]
                assert sorted(Path(h.path).relative_to(vault).as_posix() for h in lib.search(word)) == holders
            assert lib.tags() == want, done
            for tag, count in want.items():
                assert len(lib.search(f'tag:"{tag}"', limit=1000)) == count, (tag, done)


@pytest.mark.parametrize("seed", range(10 if os.environ.get("CLIPPER_SLOW") else 2))
def test_random_api_calls_and_file_operations_keep_index_tags_and_files_in_step(tmp_path, seed):
    vault = tmp_path / "vault"
    vault.mkdir()
    _random_api_calls(vault, random.Random(seed), 50)
