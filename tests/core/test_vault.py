"""Vault files: safe unique names, scanning, trash, attachments, ids and URL normalisation."""

import os
import unicodedata

import pytest

from clipper.core import names
from clipper.core.model import Attachment
from clipper.core.notekeys import normalize_url, path_id, text_hash, valid_id
from clipper.core.vault import Vault, split_note


@pytest.mark.parametrize("title", [
    "../../etc/passwd", "CON", "con.txt", "LPT1", "a/b\\c", "x" * 300, "\u202eevil\u202c.md", "dots...",
    "  spaces  ", "-rf", ".hidden", 'what?<>:"|*', "\x00\x01ctrl", "", "   ", "...", "é" * 200, "Nul.tar.gz",
])
def test_safe_stem_is_safe(title):
    stem = names.safe_stem(title)
    assert stem and "/" not in stem and "\\" not in stem
    assert not any(c in stem for c in '<>:"|?*')
    assert not stem.startswith((".", "-")) and not stem.endswith((".", " "))
    assert len(stem.encode("utf-8")) <= names.MAX_NAME_BYTES
    assert stem.split(".")[0].lower() not in {"con", "prn", "aux", "nul", "lpt1", "com1"}
    assert not any(unicodedata.category(c) in ("Cc", "Cf") for c in stem)


def test_nfd_and_nfc_titles_give_one_name():
    nfc = unicodedata.normalize("NFC", "Café")
    nfd = unicodedata.normalize("NFD", "Café")
    assert names.safe_stem(nfc) == names.safe_stem(nfd)


def test_create_unique_ignores_case_and_never_overwrites(tmp_path):
    a = names.create_unique(tmp_path, "Note", ".md", b"1")
    b = names.create_unique(tmp_path, "note", ".md", b"2")
    c = names.create_unique(tmp_path, "NOTE", ".md", b"3")
    assert [p.name for p in (a, b, c)] == ["Note.md", "note 2.md", "NOTE 3.md"]
    assert a.read_bytes() == b"1"


def test_create_unique_in_a_big_folder_sees_names_added_by_others(tmp_path, monkeypatch):
    monkeypatch.setattr(names, "_CACHE_FROM", 50)  # the listing of a big folder is reused
    for i in range(60):
        (tmp_path / f"n{i}.md").write_bytes(b"")
    made = [names.create_unique(tmp_path, "Note", ".md", str(i).encode()).name for i in range(3)]
    assert made == ["Note.md", "Note 2.md", "Note 3.md"]
    mtime = os.stat(tmp_path).st_mtime_ns
    (tmp_path / "OTHER.md").write_bytes(b"x")  # another program; the folder's mtime moves on
    os.utime(tmp_path, ns=(mtime + 10**9, mtime + 10**9))
    assert names.create_unique(tmp_path, "other", ".md", b"y").name == "other 2.md"
    assert (tmp_path / "OTHER.md").read_bytes() == b"x"


def test_create_unique_stays_inside_folder(tmp_path):
    (tmp_path / "vault").mkdir()
    p = names.create_unique(tmp_path / "vault", names.safe_stem("../../escape"), ".md", b"x")
    assert p.parent == tmp_path / "vault"


def test_scan_skips_dot_folders_temp_and_attachments(tmp_path):
    v = Vault(tmp_path)
    (tmp_path / "a.md").write_text("a")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.markdown").write_text("b")
    (tmp_path / ".trash").mkdir()
    (tmp_path / ".trash" / "c.md").write_text("c")
    (tmp_path / "attachments").mkdir()
    (tmp_path / "attachments" / "d.md").write_text("d")
    (tmp_path / "e.txt").write_text("e")
    found = v.scan()
    assert set(found) == {"a.md", "sub/b.markdown"}
    assert found["a.md"].size == 1


def test_trash_and_restore(tmp_path):
    v = Vault(tmp_path)
    (tmp_path / "n.md").write_text("hello")
    entry = v.move_to_trash("n.md", "id1", "N")
    assert not (tmp_path / "n.md").exists() and entry.trash_path.read_text() == "hello"
    assert [e.id for e in v.trash_entries()] == ["id1"]
    (tmp_path / "n.md").write_text("a new note took the name")
    rel = v.restore_from_trash(entry)
    assert rel == "n 2.md" and (tmp_path / rel).read_text() == "hello"
    assert v.trash_entries() == []


def test_trashed_note_missing_from_the_trash_list_is_still_listed(tmp_path):
    """A delete killed after moving the note but before writing its record loses nothing."""
    v = Vault(tmp_path)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "n.md").write_text("---\nid: abc\ntitle: Kept\n---\nhello\n")
    (tmp_path / "plain.md").write_text("no header")
    v.move_to_trash("sub/n.md", "abc", "Kept")
    v.move_to_trash("plain.md", "p1")
    for info in (tmp_path / ".trash").glob("*.md.json"):
        info.unlink()
    (tmp_path / ".trash" / ".clipper-tmp-0123abcd-w.x.md.tmp").write_text("partial")
    found = {e.id: e for e in v.trash_entries()}
    assert set(found) == {"abc", path_id("plain.md")}  # no id in the note: the one its path gave
    assert found["abc"].title == "Kept" and found["abc"].deleted.endswith("Z")
    rel = v.restore_from_trash(found["abc"])
    # the folder it was in is not known: restored at the top of the vault
    assert rel == "n.md" and "hello" in (tmp_path / rel).read_text()
    assert [e.title for e in v.trash_entries()] == ["plain"]


def test_attachments_get_unique_names_and_refs_follow(tmp_path):
    v = Vault(tmp_path)
    (tmp_path / "attachments").mkdir()
    (tmp_path / "attachments" / "img.png").write_bytes(b"old")
    md = v.save_attachments("![x](attachments/img.png)", [Attachment("img.png", b"new")])
    assert md == "![x](attachments/img%202.png)"
    assert (tmp_path / "attachments" / "img 2.png").read_bytes() == b"new"
    assert (tmp_path / "attachments" / "img.png").read_bytes() == b"old"


def test_split_note_keeps_dates_as_text_and_reports_broken_yaml():
    meta, body, err = split_note("---\ncreated: 2024-05-03\ntitle: T\n---\n\nbody\n")
    assert meta == {"created": "2024-05-03", "title": "T"} and body.strip() == "body" and err is None
    meta, body, err = split_note("---\ntitle: [oops\n---\nbody\n")
    assert meta == {} and "body" in body and err.startswith("broken front matter")


def test_url_normalisation():
    same = ["https://www.Example.com/a/?utm_source=x&b=2#frag", "http://example.com/a?b=2",
            "https://example.com:443/a/?b=2&fbclid=zz"]
    assert len({normalize_url(u) for u in same}) == 1
    assert normalize_url("https://example.com/a?b=3") != normalize_url(same[0])
    assert normalize_url("") is None
    # a #! or #/ route is part of the address; a plain fragment is not
    assert normalize_url("https://spa.example.org/#!/story/1") != normalize_url("https://spa.example.org/#!/story/2")
    assert normalize_url("https://spa.example.org/#/a") != normalize_url("https://spa.example.org/#/b")
    assert normalize_url("https://spa.example.org/#/a/") == normalize_url("https://spa.example.org/#/a")
    assert normalize_url("https://example.org/a#section-2") == normalize_url("https://example.org/a")


def test_ids_and_text_hash():
    assert path_id("a/B.md") == path_id("a/b.md")
    assert path_id("a.md") != path_id("b.md")
    assert valid_id("20240101T000000-abcd") == "20240101T000000-abcd"
    assert valid_id("../etc") is None and valid_id(["x"]) is None
    long = "Some article text that is long enough to count as an article body."
    spaced = " some ARTICLE text that is long  enough to count as an article\nbody."
    assert text_hash(long) == text_hash(spaced)
    assert text_hash("short") is None
    # notes in existing catalogs carry this hash: it must not change between versions
    odd = "\u00a0Ünïcode  text\u2003with\x1cODD\u3000spaces and\nlines, long enough to count. "
    assert text_hash(odd) == "805e0b234df72e212137252e13eaee1deb29ab1f3a61e17b651a750898b1d497"


def test_new_note_created_exclusively(tmp_path):
    v = Vault(tmp_path)
    rels = [v.create_note("Same", f"text {i}") for i in range(3)]
    assert rels == ["Same.md", "Same 2.md", "Same 3.md"]
    assert sorted(os.listdir(tmp_path)) == ["Same 2.md", "Same 3.md", "Same.md"]


def test_text_hash_a_slice_at_a_time_is_the_hash_of_the_whole(monkeypatch):
    """Long notes are hashed in slices (GIL-friendly); the hash must stay the one of
    ``" ".join(text.split()).casefold()`` (duplicates found across versions)."""
    import hashlib
    import random

    from clipper.core import notekeys

    def whole(body):
        norm = " ".join(body.split()).casefold()
        return None if len(norm) < 40 else hashlib.sha256(norm.encode("utf-8")).hexdigest()

    monkeypatch.setattr(notekeys, "_HASH_SLICE", 7)
    rng = random.Random(3)
    parts = ["a", "B", "ß", " ", "\n", "\t", "   ", "x" * 15, "\u2028", "İ", "\u00a0", "Ω"]
    for _ in range(2000):
        body = "".join(rng.choice(parts) for _ in range(rng.randint(0, 60)))
        assert notekeys.text_hash(body) == whole(body), repr(body)


def test_scan_of_a_big_folder_stats_in_two_threads_with_the_same_result(tmp_path, monkeypatch):
    import clipper.core.vault as vault_mod

    v = Vault(tmp_path)
    for i in range(40):
        (tmp_path / f"n{i}.md").write_text("x" * i)
    (tmp_path / "folder.md").mkdir()  # a folder named like a note is walked, not listed
    (tmp_path / "folder.md" / "inner.md").write_text("inner")
    one = v.stats()
    monkeypatch.setattr(vault_mod, "_THREADED_STAT", 10)
    assert v.stats() == one
    assert len(one) == 41 and one["n7.md"][0] == 7 and "folder.md/inner.md" in one
    assert {k: (s.size, s.mtime_ns) for k, s in v.scan().items()} == one


def test_the_names_of_notes_are_the_paths_a_scan_lists_in_its_order(tmp_path, monkeypatch):
    import clipper.core.vault as vault_mod

    v = Vault(tmp_path)
    for i in range(30):
        (tmp_path / f"n{(i * 7) % 30}.md").write_text("x")
    for rel in ("a/one.md", "a/b/two.Markdown", "c/three.md", ".trash/gone.md", "attachments/img.md",
                "a/notes.txt", "a/x (conflicted copy 2024-01-01).md", ".hidden/four.md", "a/b/c/d/five.md"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x")
    (tmp_path / ".clipper-tmp-x.md.tmp").write_text("partial")
    for threaded in (10**9, 10):  # one thread, then halves (the order is the scan's either way)
        monkeypatch.setattr(vault_mod, "_THREADED_STAT", threaded)
        assert v.note_names() == list(v.stats())
    assert {"a/one.md", "a/b/two.Markdown", "c/three.md", "a/b/c/d/five.md"} <= set(v.note_names())
    assert not {n for n in v.note_names() if n.startswith((".", "attachments/")) or "conflict" in n}


def test_a_scan_calls_its_pause_every_256_files(tmp_path, monkeypatch):
    """A scan in the background lets searches go first (Library._after_searches) between
    runs of 256 stat calls, in one thread or two."""
    import clipper.core.vault as vault_mod

    for i in range(600):
        (tmp_path / f"n{i}.md").write_text("x")
    v = Vault(tmp_path)
    calls = []
    assert len(v.stats(pause=lambda: calls.append(1))) == 600 and len(calls) == 3
    monkeypatch.setattr(vault_mod, "_THREADED_STAT", 10)
    calls.clear()
    assert len(v.stats(pause=lambda: calls.append(1))) == 600 and len(calls) == 4  # 2 x 300
