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
