"""The vault commands of the CLI: import (files and folders), search, tags, tag, reindex."""

import json
from pathlib import Path

from clipper.cli import main


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_import_search_tags_reindex(tmp_path, capsys, monkeypatch):
    vault = tmp_path / "vault"
    src = tmp_path / "in"
    write(src / "a.md", "---\ntitle: Aardvarks\n---\n\nAardvarks dig burrows at night in Africa.\n")
    write(src / "deep" / "b.md", "---\ntitle: Badgers\n---\n\nBadgers also dig burrows, in Europe.\n")
    write(src / ".hidden" / "c.md", "hidden\n")
    write(src / "notes.bin", "ignored\n")

    code, out, err = run(capsys, "import", str(src), "--tag", "Animals", "--vault", str(vault), "--json")
    assert code == 0, err
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["status"] for r in rows] == ["created", "created"]
    assert {r["title"] for r in rows} == {"Aardvarks", "Badgers"}

    code, out, err = run(capsys, "import", str(src / "a.md"), "--vault", str(vault))
    assert code == 0 and out.startswith("duplicate:")

    code, out, err = run(capsys, "search", "dig", "burrows", "--vault", str(vault), "--json")
    assert code == 0
    hits = json.loads(out)
    assert {h["title"] for h in hits} == {"Aardvarks", "Badgers"}
    assert all(h["snippet"] and h["highlights"] for h in hits)

    code, out, err = run(capsys, "search", "tag:animals", "night", "--vault", str(vault))
    assert code == 0 and "Aardvarks" in out and "Badgers" not in out

    code, out, err = run(capsys, "search", "nightt", "--vault", str(vault))
    assert code == 1 and "did you mean" in err and "night" in err

    code, out, err = run(capsys, "tags", "--vault", str(vault), "--json")
    assert json.loads(out) == {"animals": 2}

    a_id = [r["id"] for r in rows if r["title"] == "Aardvarks"][0]
    code, out, err = run(capsys, "tag", "add", "Mammals/Burrowing", a_id, "--vault", str(vault))
    assert code == 0
    code, out, err = run(capsys, "tag", "rename", "mammals", "fauna", "--vault", str(vault))
    assert code == 0 and "1" in out
    code, out, err = run(capsys, "tags", "--vault", str(vault))
    assert "fauna/burrowing" in out and "mammals" not in out

    b_path = [r["note"] for r in rows if r["title"] == "Badgers"][0]
    monkeypatch.chdir(vault)
    code, out, err = run(capsys, "tag", "remove", "animals", Path(b_path).name, "--vault", str(vault))
    assert code == 0
    code, out, err = run(capsys, "tag", "delete", "fauna", "--vault", str(vault))
    assert code == 0
    code, out, err = run(capsys, "tags", "--vault", str(vault), "--json")
    assert json.loads(out) == {"animals": 1}

    code, out, err = run(capsys, "reindex", "--vault", str(vault))
    assert code == 0 and "indexed 2 note(s)" in out


def test_import_reports_bad_files(tmp_path, capsys):
    vault = tmp_path / "vault"
    missing = tmp_path / "nope.html"
    code, out, err = run(capsys, "import", str(missing), "--vault", str(vault))
    assert code == 1 and "nope.html" in err


def test_tag_unknown_note(tmp_path, capsys):
    code, out, err = run(capsys, "tag", "add", "x", "no-such-note", "--vault", str(tmp_path / "v"))
    assert code == 1 and "no such note" in err


def test_a_bad_file_is_named_once(tmp_path, capsys):
    png = tmp_path / "real.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 32)
    code, out, err = run(capsys, "import", str(png), "--vault", str(tmp_path / "vault"))
    assert code == 1
    assert err.strip() == f"{png}: unsupported file type"


def test_tag_commands_on_a_tag_nobody_has_fail(tmp_path, capsys):
    vault = tmp_path / "vault"
    note = write(tmp_path / "in" / "a.md", "---\ntitle: A\ntags: [fauna/birds]\n---\n\nText.\n")
    assert run(capsys, "import", str(note), "--vault", str(vault))[0] == 0
    code, out, err = run(capsys, "tag", "delete", "nosuchtag", "--vault", str(vault))
    assert code == 1 and "no such tag: nosuchtag" in err and out == ""
    code, out, err = run(capsys, "tag", "rename", "nosuchtag", "other", "--vault", str(vault))
    assert code == 1 and "no such tag" in err
    # a parent of a nested tag is a tag in use
    code, out, err = run(capsys, "tag", "rename", "fauna", "animals", "--vault", str(vault))
    assert code == 0 and "renamed in 1 note(s)" in out


def test_tagging_a_note_of_another_vault_names_the_vault(tmp_path, capsys):
    vault, other = tmp_path / "vault", tmp_path / "other"
    note = write(tmp_path / "in" / "a.md", "---\ntitle: A\n---\n\nText.\n")
    assert run(capsys, "import", str(note), "--vault", str(other), "--json")[0] == 0
    elsewhere = next(other.glob("*.md"))
    code, out, err = run(capsys, "tag", "add", "x", str(elsewhere), "--vault", str(vault))
    assert code == 1
    assert f"is not in this vault ({vault.absolute()})" in err and "no such note" not in err


def test_search_suggests_the_word_a_beginning_belongs_to(tmp_path, capsys):
    vault = tmp_path / "vault"
    write(tmp_path / "in" / "a.md", "---\ntitle: Antelopes\n---\n\nThe steenbok is a small antelope.\n")
    write(tmp_path / "in" / "b.md", "---\ntitle: Sights\n---\n\nI have seen things.\n")
    assert run(capsys, "import", str(tmp_path / "in"), "--vault", str(vault))[0] == 0
    code, out, err = run(capsys, "search", "steenb", "--vault", str(vault))
    assert code == 1 and 'did you mean "steenbok"' in err


def test_a_command_on_a_big_vault_answers_from_the_files_as_they_are(tmp_path, capsys, monkeypatch):
    """A big vault's sizes and dates are compared after open returns; a command waits for
    that, so a note edited in place before it runs is found by its new words."""
    import os

    from clipper.core import library as library_mod

    monkeypatch.setattr(library_mod, "CHECK_IN_BACKGROUND_AT", 1)
    vault = tmp_path / "vault"
    note = write(vault / "a.md", "---\ntitle: Antelopes\n---\n\nThe steenbok is a small antelope.\n")
    assert run(capsys, "search", "steenbok", "--vault", str(vault))[0] == 0
    note.write_text(note.read_text().replace("steenbok", "klipspringer"), encoding="utf-8")
    st = note.stat()
    os.utime(note, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))
    code, out, err = run(capsys, "search", "klipspringer", "--vault", str(vault))
    assert code == 0 and "Antelopes" in out, err
