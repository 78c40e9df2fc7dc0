"""The Library API end to end on small vaults: search language, tags, trash, duplicates,
external edits, conflicts, and an index lost or corrupted on disk."""

import marshal
import os
import threading
import time
from pathlib import Path

import pytest

from clipper import Library
from clipper.core import paths
from clipper.core.model import Attachment, Clip


def note(vault: Path, name: str, body: str, **meta) -> Path:
    head = "".join(f"{k}: {v}\n" for k, v in meta.items())
    path = vault / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text((f"---\n{head}---\n\n" if meta else "") + body + "\n", encoding="utf-8")
    return path


@pytest.fixture
def vault(tmp_path):
    v = tmp_path / "vault"
    v.mkdir()
    note(v, "running.md", "The runner was running quickly through the park. Sea level rise is real.",
         title="Running in the park", tags="[Science/Physics, News]", author="Jane Smith",
         site="BBC News", source="https://www.bbc.co.uk/news/1", created="2024-05-03T10:00:00Z",
         published="2024-05-01")
    note(v, "cooking.md", "Cooking slowly is an art. The cook runs a kitchen near the sea.",
         title="Slow cooking", tags="[food, science]", author="Bob Stone", site="Example",
         source="https://example.org/cook", created="2023-01-15T09:00:00Z", published="2022-12-30")
    note(v, "sub/cats.md", "no front matter here, just studies of cats and a telescope")
    note(v, "langs.md", "Москва — столица России. Человек читает книгу. 北京大学是中国的大学。"
         "Η Αθήνα είναι η πρωτεύουσα. مرحبا بالعالم. ภาษาไทยเป็นภาษาที่สวยงาม 東京都に住んでいます。",
         title="Languages", created="2022-06-01T00:00:00Z")
    return v


@pytest.fixture
def lib(vault):
    with Library.open(vault) as lib:
        yield lib


def titles(hits):
    return sorted(h.title for h in hits)


def test_open_indexes_existing_notes(lib):
    assert len(lib.search("")) == 4
    assert lib.index_dir == paths.index_dir_for(lib.vault)
    assert lib.vault not in lib.index_dir.parents


def test_words_are_stemmed_and_all_required(lib):
    assert titles(lib.search("run")) == ["Running in the park", "Slow cooking"]
    assert titles(lib.search("running")) == ["Running in the park", "Slow cooking"]
    assert titles(lib.search("runs sea")) == ["Running in the park", "Slow cooking"]
    assert titles(lib.search("runs kitchen")) == ["Slow cooking"]
    assert titles(lib.search("study")) == ["cats"]


def test_phrase_or_not_prefix(lib):
    assert titles(lib.search('"sea level"')) == ["Running in the park"]
    assert titles(lib.search('"level sea"')) == []
    assert titles(lib.search("kitchen OR telescope")) == ["Slow cooking", "cats"]
    assert titles(lib.search("sea -kitchen")) == ["Running in the park"]
    assert titles(lib.search("sea NOT kitchen")) == ["Running in the park"]
    assert titles(lib.search("tele*")) == ["cats"]
    assert titles(lib.search("cats tele", as_you_type=True)) == ["cats"]


def test_title_matches_rank_first(lib, vault):
    note(vault, "z.md", "the park is mentioned once", title="Other")
    lib.refresh()
    hits = lib.search("park")
    assert hits[0].title == "Running in the park"


def test_field_queries(lib):
    assert titles(lib.search("title:cooking")) == ["Slow cooking"]
    assert titles(lib.search("title:kitchen")) == []
    assert titles(lib.search("author:smith")) == ["Running in the park"]
    assert titles(lib.search('site:"bbc news"')) == ["Running in the park"]
    assert titles(lib.search("source:example.org")) == ["Slow cooking"]


def test_tags_nested_and_combined(lib):
    assert titles(lib.search("tag:science")) == ["Running in the park", "Slow cooking"]
    assert titles(lib.search("tag:science/physics")) == ["Running in the park"]
    assert titles(lib.search("tag:science tag:food")) == ["Slow cooking"]
    assert titles(lib.search("tag:physics")) == []
    assert titles(lib.search("sea", tags=["News"])) == ["Running in the park"]
    assert titles(lib.search("", tags=["science"])) == ["Running in the park", "Slow cooking"]
    # typing a tag: the last one counts as a prefix
    assert titles(lib.search("tag:sci", as_you_type=True)) == ["Running in the park", "Slow cooking"]
    assert titles(lib.search("tag:fo", as_you_type=True)) == ["Slow cooking"]
    assert titles(lib.search("tag:sci")) == []


def test_dates(lib):
    assert titles(lib.search("created:2024")) == ["Running in the park"]
    assert titles(lib.search("created:2023-01")) == ["Slow cooking"]
    assert titles(lib.search("created:2022-01..2023-12")) == ["Languages", "Slow cooking"]
    assert titles(lib.search("published:>2024-04")) == ["Running in the park"]
    assert titles(lib.search("published:<2023")) == ["Slow cooking"]
    assert titles(lib.search("sea published:>=2022")) == ["Running in the park", "Slow cooking"]


def test_sort_and_empty_query(lib):
    newest = [h.title for h in lib.search("", sort="newest")]
    assert newest[-2:] == ["Slow cooking", "Languages"]
    assert [h.title for h in lib.search("sea", sort="newest")] == ["Running in the park", "Slow cooking"]
    assert [h.title for h in lib.search("sea", sort="oldest")] == ["Slow cooking", "Running in the park"]
    assert [h.title for h in lib.search("sea sort:oldest")] == ["Slow cooking", "Running in the park"]


@pytest.mark.parametrize("word,title", [
    ("москва", "Languages"), ("человека", "Languages"), ("北京", "Languages"), ("大学", "Languages"),
    ("αθήνα", "Languages"), ("بالعالم", "Languages"), ("ภาษา", "Languages"), ("東京", "Languages"),
])
def test_other_scripts_are_findable(lib, word, title):
    assert titles(lib.search(word)) == [title]


def test_snippets_highlight_matches(lib):
    (hit,) = lib.search('"sea level"')
    assert "Sea level" in hit.snippet
    s, e = hit.highlights[0]
    assert hit.snippet[s:e].lower() == "sea level"
    assert "<b>Sea level</b>" in hit.snippet_html()
    (hit,) = lib.search("kitchen")
    assert "<b>kitchen</b>" in hit.snippet_html()
    assert all(h.snippet for h in lib.search(""))


@pytest.mark.parametrize(("query", "as_you_type"),
                         [("sea OR cook OR cats", False), ("", False), ("ki", True)])
def test_snippets_of_the_first_hits_only_and_the_rest_on_request(lib, query, as_you_type):
    """``snippets=n``: the first n hits carry theirs; ``lib.snippets`` makes the others' the same."""
    full = lib.search(query, as_you_type=as_you_type)
    assert full and all(h.snippet for h in full)
    some = lib.search(query, as_you_type=as_you_type, snippets=1)
    assert [h.id for h in some] == [h.id for h in full]
    assert (some[0].snippet, some[0].highlights) == (full[0].snippet, full[0].highlights)
    assert all(h.snippet == "" and h.highlights == [] for h in some[1:])
    made = lib.snippets(query, [h.id for h in full] + ["no-such-note"], as_you_type=as_you_type)
    assert made == {h.id: (h.snippet, h.highlights) for h in full}


def test_snippets_on_request_reuse_the_search_highlighter(lib, monkeypatch):
    """A list asking for its hits' snippets page by page does not parse the query again."""
    from clipper.core import library_search

    full = lib.search("sea OR cook OR cats", snippets=1, as_you_type=True)
    made = []
    monkeypatch.setattr(library_search, "Highlighter", lambda terms: made.append(terms))
    assert len(lib.snippets("sea OR cook OR cats", [h.id for h in full], as_you_type=True)) == len(full)
    assert lib.match_spans("sea OR cook OR cats", "The sea") == [(4, 7)]
    assert made == []


def test_snippet_from_the_first_bytes_of_a_note_only(lib, vault, monkeypatch):
    from clipper.core import library_search

    note(vault, "long.md", "lorem " * 100 + "wombat", title="Long")
    lib.refresh()
    assert "wombat" in lib.search("wombat")[0].snippet
    monkeypatch.setattr(library_search, "SNIPPET_READ_BYTES", 300)
    (hit,) = lib.search("wombat")
    assert hit.snippet.startswith("lorem lorem") and "wombat" not in hit.snippet and hit.highlights == []


def test_snippet_html_escapes(lib, vault):
    note(vault, "x.md", "a <script>alert(1)</script> zebra", title="X")
    lib.refresh()
    (hit,) = lib.search("zebra")
    assert "<script>" not in hit.snippet_html()


def test_snippets_are_plain_text(lib, vault):
    """Markdown escapes and table borders are not shown: a snippet reads as the note does."""
    note(vault, "palace.md", "He visited \\<The Palace of Fine Arts\\> with \\*stars\\* and a\\_b.\n\n"
         "| Room | Price \\| tax |\n| --- | ---: |\n| Grand hall | 3 |\n", title="Palace")
    lib.refresh()
    (hit,) = lib.search("palace")
    assert hit.snippet.startswith("He visited <The Palace of Fine Arts> with *stars* and a_b.")
    assert "Room Price | tax Grand hall 3" in hit.snippet
    assert "\\" not in hit.snippet and "---" not in hit.snippet
    (hit,) = lib.search("hall")
    s, e = hit.highlights[0]
    assert hit.snippet[s:e] == "hall"


@pytest.mark.parametrize("query", ['"unbalanced', "OR", "a OR", "NOT", "tag:", "-", "*", '"', "((",
                                   "created:2024-99", "title:", "foo:bar", "AND AND", "-*"])
def test_malformed_queries_never_raise(lib, query):
    assert isinstance(lib.search(query), list)
    assert isinstance(lib.search(query, as_you_type=True), list)


def test_did_you_mean(lib):
    assert lib.suggest("kitchn") == "kitchen"
    assert lib.suggest("kitchen") is None


def test_tags_counts_rename_merge_delete(lib, vault):
    assert lib.tags() == {"food": 1, "news": 1, "science": 1, "science/physics": 1}
    ids = {h.title: h.id for h in lib.search("")}
    lib.set_tags([ids["cats"], ids["Languages"]], add=["Pets"])
    assert lib.tags()["pets"] == 2
    assert "tags:" in (vault / "sub/cats.md").read_text()
    lib.set_tags([ids["cats"]], remove=["pets"])
    assert lib.tags()["pets"] == 1
    # rename onto an existing tag merges; nested tags follow
    assert lib.rename_tag("science", "food") == 2
    assert lib.tags() == {"food": 1, "food/physics": 1, "news": 1, "pets": 1}
    assert titles(lib.search("tag:food")) == ["Running in the park", "Slow cooking"]
    assert lib.delete_tag("food") == 2
    assert "food" not in lib.tags() and "food/physics" not in lib.tags()
    text = (vault / "running.md").read_text()
    assert "The runner was running" in text and "food" not in text


def test_suggest_tags(lib):
    out = lib.suggest_tags("Physics news: a telescope saw a distant galaxy. News of the galaxy.")
    assert "news" in out


def test_import_clip_writes_note_and_attachments(lib, vault):
    clip = Clip(markdown="An article about zebras.\n\n![a zebra](attachments/z.png)\n",
                title="Zebras: a/b <test>", author="Ann", source="https://www.example.com/z?utm_source=x",
                attachments=[Attachment("z.png", b"\x89PNG...")])
    (vault / "attachments").mkdir()
    (vault / "attachments" / "z.png").write_bytes(b"other")
    res = lib.import_clip(clip, tags=["Animals", "#Wild Life"])
    assert res.created and res.duplicate_of is None
    n = res.note
    assert n.path.parent == vault and n.path.suffix == ".md" and "/" not in n.path.name
    assert n.tags == ["animals", "wild-life"]
    assert n.meta["id"] == n.id and n.meta["created"].endswith("Z")
    assert n.title == "Zebras: a/b <test>"
    assert "attachments/z 2.png" in n.body or "attachments/z%202.png" in n.body
    assert (vault / "attachments" / "z.png").read_bytes() == b"other"
    assert lib.get(n.id).title == n.title
    assert [h.id for h in lib.search("zebras")] == [n.id]


def test_duplicates_by_url_and_by_text(lib):
    a = lib.import_clip(Clip(markdown="First text about whales and the deep ocean currents.", title="Whales",
                             source="https://www.example.com/whales/?utm_source=feed#top"))
    again = lib.import_clip(Clip(markdown="Different text.", title="Whales 2",
                                 source="http://example.com/whales"))
    assert not again.created and again.duplicate_of.id == a.note.id and again.note.id == a.note.id
    same_text = lib.import_clip(Clip(markdown="First  text about whales and the deep ocean currents.\n",
                                     title="Copy"))
    assert not same_text.created and same_text.duplicate_of.id == a.note.id
    upd = lib.import_clip(Clip(markdown="Updated text about whales and krill in the southern ocean.",
                               title="Whales v2", source="https://example.com/whales"), on_duplicate="update")
    assert not upd.created and upd.note.id == a.note.id and upd.note.path == a.note.path
    assert "krill" in lib.get(a.note.id).body
    assert titles(lib.search("krill")) == ["Whales v2"]
    assert len(lib.search("whales")) == 1
    new = lib.import_clip(Clip(markdown="Different text.", title="W", source="https://example.com/whales"),
                          on_duplicate="new")
    assert new.created and new.note.id != a.note.id


_PASTE = """{title}

Example Gazette Header

{body}

By Sam Writer

Read Full Article on ExampleGazette.com

Example Gazette
https://www.examplegazette.com/
Independent local news.
"""
_STORIES = {
    "Harbour Bridge Will Close for Repairs Next Month": (
        "The harbour bridge will close for six weeks from the first of next month while engineers "
        "replace the worn bearings, the city said on Monday.",
        "Buses will run every ten minutes over the old road, and the ferry will add two evening "
        "crossings for the duration of the works, officials added."),
    "School Board Votes to Extend the Lunch Break": (
        "The school board voted on Tuesday to give pupils twenty more minutes for lunch, after a "
        "survey found that many of them had no time to eat before classes resumed.",
        "Teachers were divided on the change, which will shorten the afternoon by the same amount "
        "and move the end of the school day to half past three."),
    "Library Opens a Repair Café on Saturdays": (
        "The central library will open a repair café every Saturday, where volunteers help "
        "visitors mend toasters, lamps, bicycles and clothes for free.",
        "Organisers hope the project will keep broken things out of the landfill and teach "
        "people to fix them themselves, the head librarian said."),
}


def test_different_pastes_from_one_site_are_different_notes(lib):
    from clipper.core.plaintext import extract_text

    ids = set()
    for title, paras in _STORIES.items():
        clip = extract_text(_PASTE.format(title=title, body="\n\n".join(paras)))
        assert clip.source == "" and clip.site_url == "https://www.examplegazette.com/"
        res = lib.import_clip(clip)
        assert res.created and res.duplicate_of is None, title
        assert res.note.meta["site_url"] == "https://www.examplegazette.com/"
        ids.add(res.note.id)
    assert len(ids) == 3
    # a site's home page given as the source does not make two articles one either
    one = lib.import_clip(Clip(markdown="A note about the tides and the moon over the bay, long enough.",
                               title="Tides", source="https://www.examplegazette.com/"))
    two = lib.import_clip(Clip(markdown="A note about the wind and the rain over the hills, long enough.",
                               title="Wind", source="https://examplegazette.com"))
    assert one.created and two.created
    # the same paste again is the same article
    title, paras = next(iter(_STORIES.items()))
    again = lib.import_clip(extract_text(_PASTE.format(title=title, body="\n\n".join(paras))))
    assert not again.created


def test_a_page_and_its_pasted_text_are_one_article(lib):
    words = ("The council agreed on Monday to turn the old tram depot into a market hall with room "
             "for forty stalls, a bakery school and a small stage for music on weekend evenings. ")
    page = Clip(markdown="# The Depot Becomes a Market\n\n" + words + "[More](https://x.example/m) about "
                "the plan. " + words.replace("Monday", "Tuesday") + "\n\n*Photo: the depot.*\n",
                title="The Depot Becomes a Market", source="https://news.example.org/depot-market")
    first = lib.import_clip(page)
    assert first.created
    pasted = Clip(markdown=words + "More about the plan. " + words.replace("Monday", "Tuesday")
                  + "\n\nShare this story\n", title="The Depot Becomes a Market")
    second = lib.import_clip(pasted)
    assert not second.created and second.duplicate_of.id == first.note.id
    other = Clip(markdown=words.replace("tram depot", "fire station").replace("market hall", "library")
                 .replace("forty stalls", "ten reading rooms").replace("bakery school", "children's corner")
                 .replace("small stage for music", "café") + " Work starts in spring.", title="Other")
    assert lib.import_clip(other).created  # a different article on the same subject is its own note


def test_hash_routes_are_different_articles(lib):
    a = lib.import_clip(Clip(markdown="Story one about the river and its bridges, told at length.",
                             title="One", source="https://spa.example.org/#!/story/1"))
    b = lib.import_clip(Clip(markdown="Story two about the mountains and their passes, told at length.",
                             title="Two", source="https://spa.example.org/#!/story/2"))
    c = lib.import_clip(Clip(markdown="Story three about the lakes, told at length, and more.",
                             title="Three", source="https://spa.example.org/#/story/3"))
    assert a.created and b.created and c.created
    again = lib.import_clip(Clip(markdown="Other text.", title="One again",
                                 source="https://spa.example.org/#!/story/1"))
    assert not again.created and again.duplicate_of.id == a.note.id


def test_delete_and_restore(lib, vault):
    (hit,) = lib.search("kitchen")
    entry = lib.delete(hit.id)
    assert not (vault / "cooking.md").exists()
    assert entry.trash_path.exists() and entry.trash_path.parent == vault / ".trash"
    assert lib.search("kitchen") == []
    with pytest.raises(KeyError):
        lib.get(hit.id)
    assert [e.id for e in lib.trash()] == [hit.id]
    restored = lib.restore(hit.id)
    assert restored.id == hit.id and restored.path == vault / "cooking.md"
    assert titles(lib.search("kitchen")) == ["Slow cooking"]
    assert lib.trash() == []


def test_delete_many_and_restore_many_are_one_index_update_each(lib, vault, monkeypatch):
    for i in range(30):
        note(vault, f"heap/n{i:02d}.md", f"heap note {i} about walruses", title=f"Walrus {i}")
    lib.refresh()
    ids = [h.id for h in sorted(lib.search("walruses", limit=50), key=lambda h: h.path.name)]
    assert len(ids) == 30
    writes = []
    real_write = lib._index.write  # noqa: SLF001
    monkeypatch.setattr(lib._index, "write", lambda *a, **k: writes.append(1) or real_write(*a, **k))
    # a note gone meanwhile (another program) and an id given twice are skipped
    (vault / "heap" / "n29.md").unlink()
    entries = lib.delete_many(ids + [ids[0], "no-such-note"])
    assert len(writes) == 1
    assert [e.id for e in entries] == ids[:29]
    assert lib.search("walruses") == [] and not list((vault / "heap").glob("*.md"))
    writes.clear()
    notes = lib.restore_many(entries[:28] + [ids[28]])  # trash entries, or ids as restore() takes
    assert len(writes) == 1
    assert [n.id for n in notes] == ids[:29]
    assert {n.path.name for n in notes} == {f"n{i:02d}.md" for i in range(29)}
    assert len(lib.search("walruses", limit=50)) == 29 and lib.trash() == []
    with pytest.raises(KeyError):
        lib.restore_many(["no-such-note"])
    assert lib.delete_many([]) == [] and lib.restore_many([]) == []


def test_restore_id_less_note_keeps_id(lib, vault):
    (hit,) = lib.search("telescope")
    lib.delete(hit.id)
    assert lib.restore(hit.id).id == hit.id


def test_external_add_edit_rename_delete(lib, vault):
    ids = {h.title: h.id for h in lib.search("")}
    note(vault, "new.md", "giraffes are tall", title="Giraffes")
    (vault / "cooking.md").write_text((vault / "cooking.md").read_text().replace("kitchen", "galley"))
    os.rename(vault / "sub/cats.md", vault / "sub/felines.md")  # no id in front matter
    os.rename(vault / "running.md", vault / "park.md")
    (vault / "langs.md").unlink()
    changes = lib.refresh()
    assert titles(lib.search("giraffes")) == ["Giraffes"]
    assert lib.search("kitchen") == [] and titles(lib.search("galley")) == ["Slow cooking"]
    (cats,) = lib.search("telescope")
    assert cats.id == ids["cats"] and cats.path == vault / "sub/felines.md"
    (park,) = lib.search('"sea level"')
    assert park.id == ids["Running in the park"] and park.path.name == "park.md"
    assert lib.search("москва") == []
    assert ids["Languages"] in changes.removed
    assert set(changes.renamed) == {ids["cats"], ids["Running in the park"]}
    assert lib.refresh().__bool__() is False


def test_changes_picked_up_on_reopen(vault):
    with Library.open(vault) as lib:
        pass
    note(vault, "later.md", "added while closed: okapi", title="Okapi")
    with Library.open(vault) as lib:
        assert titles(lib.search("okapi")) == ["Okapi"]


def test_sync_conflict_copy_is_a_conflict_of_its_note_not_another_note(lib, vault):
    text = (vault / "cooking.md").read_text().replace("slowly", "quickly")
    note_id = lib.search("kitchen")[0].id
    (vault / "cooking.md").write_text(text.replace("---\n", f"---\nid: {note_id}\n", 1))
    lib.refresh()
    (vault / "cooking (conflicted copy).md").write_text((vault / "cooking.md").read_text())
    lib.refresh()
    hits = lib.search("kitchen")
    assert [h.id for h in hits] == [note_id]  # one hit for the note's words, not two
    (conflict,) = lib.conflicts()
    assert (conflict.copy, conflict.note, conflict.note_exists) == ("cooking (conflicted copy).md",
                                                                    "cooking.md", True)


def test_save_and_conflict(lib, vault):
    n = lib.get(lib.search("kitchen")[0].id)
    base = __import__("hashlib").sha256((vault / "cooking.md").read_bytes()).hexdigest()
    res = lib.save(n.id, n.text().replace("kitchen", "bakery"), base_hash=base)
    assert res.conflict_path is None and "bakery" in (vault / "cooking.md").read_text()
    assert titles(lib.search("bakery")) == ["Slow cooking"]
    # the file changes on disk behind the editor's back: the save goes to a conflict copy
    (vault / "cooking.md").write_text((vault / "cooking.md").read_text() + "\nexternal edit\n")
    res2 = lib.save(n.id, n.text().replace("kitchen", "diner"), base_hash=base)
    assert res2.conflict_path is not None and res2.conflict_path.exists()
    assert "external edit" in (vault / "cooking.md").read_text()
    assert "diner" in res2.conflict_path.read_text()
    assert res2.note.id == n.id and "external edit" in res2.note.body  # the note as on disk
    assert lib.search("diner") == []  # the copy is a version of the note, not a note
    assert [c.copy for c in lib.conflicts()] == [res2.conflict_path.name]


def test_broken_front_matter_indexed_never_rewritten(lib, vault):
    bad = "---\ntitle: [broken\ntags: x\n---\nbody text with a quokka\n"
    (vault / "bad.md").write_text(bad)
    lib.refresh()
    (hit,) = lib.search("quokka")
    assert lib.get(hit.id).warnings
    lib.set_tags([hit.id], add=["x"])
    lib.rename_tag("x", "y")
    assert (vault / "bad.md").read_text() == bad


def test_skips_dot_folders_and_temp_files(vault):
    note(vault, ".obsidian/x.md", "hidden ocelot")
    (vault / ".clipper-tmp-abc.tmp").write_text("temp ocelot")
    note(vault, ".trash/old.md", "trashed ocelot")
    with Library.open(vault) as lib:
        assert lib.search("ocelot") == []


@pytest.mark.parametrize("damage", ["delete", "garbage", "truncate", "catalog"])
def test_index_lost_or_corrupted_is_rebuilt(vault, damage):
    with Library.open(vault) as lib:
        before = {h.id for h in lib.search("")}
        index_dir = lib.index_dir
        lib.import_clip(Clip(markdown="A note about pangolins.", title="Pangolins"))
    import shutil

    whoosh_dir = index_dir / "whoosh"
    if damage == "delete":
        shutil.rmtree(index_dir)
    elif damage == "garbage":
        for f in whoosh_dir.iterdir():
            if f.name.endswith((".toc", ".seg", ".trm", ".pst")) or f.suffix in (".toc",):
                f.write_bytes(b"\x80\x04garbage" * 10)
    elif damage == "truncate":
        for f in whoosh_dir.iterdir():
            if "LOCK" not in f.name:
                f.write_bytes(b"")
    else:
        (index_dir / "catalog.sqlite3").write_bytes(b"not a database" * 100)
    with Library.open(vault) as lib:
        after = {h.id for h in lib.search("")}
        assert before < after and len(after) == len(before) + 1
        assert titles(lib.search("pangolins")) == ["Pangolins"]
        assert titles(lib.search("kitchen")) == ["Slow cooking"]


def test_schema_change_rebuilds(vault, monkeypatch):
    with Library.open(vault) as lib:
        index_dir = lib.index_dir
    from clipper.core import catalog

    c = catalog.Catalog(index_dir / "catalog.sqlite3")
    c.set_meta("schema", "0")
    c.close()
    with Library.open(vault) as lib:
        assert len(lib.search("")) == 4


def test_reindex_with_progress_and_background_open(vault):
    seen = []
    with Library.open(vault) as lib:
        lib.reindex(progress=lambda d, t, m: seen.append((d, t)))
        assert seen[-1] == (4, 4)
        assert len(lib.search("")) == 4
    lib = Library.open(vault, wait=False)
    try:
        assert lib.wait_until_indexed(30)
        assert not lib.indexing
        assert titles(lib.search("kitchen")) == ["Slow cooking"]
    finally:
        lib.close()


def test_two_libraries_write_one_vault(vault):
    """The CLI and the app at once: writes are serialised by the inter-process lock."""
    a = Library.open(vault)
    b = Library.open(vault)
    try:
        errors = []

        def work(lib, prefix):
            try:
                for i in range(5):
                    lib.import_clip(Clip(markdown=f"{prefix} unique text number {i} {prefix}{i}",
                                         title=f"{prefix}{i}"))
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(exc)

        ts = [threading.Thread(target=work, args=(lib, name)) for lib, name in ((a, "alpha"), (b, "beta"))]
        for t in ts:
            t.start()
        for t in ts:
            t.join(60)
        assert not errors
        time.sleep(0)
        assert len(a.search("unique")) == 10
        assert len(b.search("unique")) == 10
    finally:
        a.close()
        b.close()


def test_note_for_path_and_get(lib, vault):
    n = lib.note_for_path(vault / "sub/cats.md")
    assert n is not None and n.title == "cats" and "telescope" in n.body
    assert n.text().startswith("no front matter")
    assert lib.note_for_path(vault / "missing.md") is None
    (vault / "notes.txt").write_text("not a note")
    note(vault, ".hidden/h.md", "hidden")
    assert lib.note_for_path(vault / "notes.txt") is None
    assert lib.note_for_path(vault / ".hidden/h.md") is None
    with pytest.raises(KeyError):
        lib.get("nope")


def test_search_while_another_thread_writes(vault):
    with Library.open(vault) as lib:
        errors = []
        done = threading.Event()

        def writer():
            try:
                for i in range(8):
                    lib.import_clip(Clip(markdown=f"parallel note number {i} about lemurs", title=f"L{i}"))
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(exc)
            finally:
                done.set()

        t = threading.Thread(target=writer)
        t.start()
        while not done.is_set():
            lib.search("lemurs")
            lib.search("lem", as_you_type=True)
        t.join()
        assert not errors
        assert len(lib.search("lemurs")) == 8


def test_background_open_searches_meanwhile(vault):
    for i in range(30):
        note(vault, f"bulk/n{i}.md", f"bulk note {i} about tapirs", title=f"Tapir {i}")
    lib = Library.open(vault, wait=False)
    try:
        lib.search("tapirs")  # works (possibly with fewer hits) while indexing
        assert lib.wait_until_indexed(60)
        assert len(lib.search("tapirs", limit=50)) == 30
    finally:
        lib.close()


def test_import_paths_walks_folders_and_skips_the_vault(lib, vault, tmp_path):
    src = tmp_path / "src"
    note(src, "one.md", "first imported note about herons", title="Herons")
    note(src, "deep/two.md", "second imported note about egrets", title="Egrets")
    note(src, ".git/three.md", "hidden", title="Hidden")
    (src / "picture.png").write_bytes(b"\x89PNG")
    seen = []
    results = lib.import_paths([src, vault], progress=lambda d, t, m: seen.append((d, t)))
    assert sorted(r.note.title for _, r in results) == ["Egrets", "Herons"]
    assert seen[-1] == (2, 2)
    assert titles(lib.search("herons OR egrets")) == ["Egrets", "Herons"]


def test_first_build_in_chunks_finds_everything(vault, monkeypatch):
    import clipper.core.library_sync as library_sync

    monkeypatch.setattr(library_sync, "BULK_CHUNK", 7)
    for i in range(20):
        note(vault, f"many/n{i}.md", f"chunked note {i} about manatees", title=f"Manatee {i}")
    lib = Library.open(vault, wait=False)
    try:
        assert lib.wait_until_indexed(60)
        assert len(lib.search("manatees", limit=50)) == 20
        assert len(lib.search("", limit=50)) == 24
    finally:
        lib.close()
    with Library.open(vault) as lib:  # reopening finds the index complete: nothing to redo
        assert not lib.refresh()
        assert len(lib.search("manatees", limit=50)) == 20


def _index_dump(lib) -> tuple:
    """The index's documents and every posting keyed by note id (whatever the segments)."""
    out: dict = {}
    with lib._index.ix.searcher() as s:  # noqa: SLF001
        for sub, _ in s.leaf_searchers():
            r = sub.reader()
            ids = {d: r.stored_fields(d)["id"] for d in r.all_doc_ids()}
            for fieldname, text in r.all_terms():
                m = r.postings(fieldname, text)
                while m.is_active():
                    if m.id() in ids:
                        out.setdefault((fieldname, text), []).append((ids[m.id()], m.weight(), m.value()))
                    m.next()
        count = s.doc_count()
    return count, {k: sorted(v) for k, v in out.items()}


def test_first_build_by_two_processes_gives_the_index_of_one(tmp_path, monkeypatch, caplog):
    """Segments built here and in the helper process, here after the helper died, or all
    here: the same documents and postings, every note once."""
    import clipper.core.library_sync as library_sync
    from clipper.core import limits

    monkeypatch.setattr(library_sync, "BULK_CHUNK", 60)
    monkeypatch.setattr(library_sync, "MIN_HELP", 40)
    vault = tmp_path / "v"
    for i in range(310):
        note(vault, f"n{i:03d}.md", f"note {i} about herons " + "and egrets " * (i % 4),
             title=f"Heron {i % 9}", tags=f"[birds, t{i % 5}]", created=f"2024-01-{1 + i % 28:02d}T00:00:00Z")

    def build(name):
        with Library.open(vault, index_dir=tmp_path / name) as lib:
            assert len(lib.search("herons", limit=500)) == 310
            assert not list((tmp_path / name / "whoosh").glob(".building-*"))
            return _index_dump(lib)

    calls = []
    real_result = limits.Helper.result

    def counted(self):
        calls.append(1)
        return real_result(self)

    monkeypatch.setattr(limits.Helper, "result", counted)
    helped = build("helped")
    assert helped[0] == 310 and calls  # the helper built a part

    def dying(self):
        self._proc.kill()  # noqa: SLF001
        self.queued -= 1
        raise limits.ExtractionTimeout("the helper process stopped unexpectedly")

    monkeypatch.setattr(limits.Helper, "result", dying)
    assert build("helper-died") == helped
    assert "going on without it" in caplog.text
    monkeypatch.setenv("CLIPPER_IN_PROCESS", "1")
    assert build("alone") == helped


def test_the_end_of_a_first_build_is_split_by_the_speeds_of_both_processes(monkeypatch):
    """Near the end the helper takes its share of what is left by the speeds measured so far,
    so that both finish together without it taking half of what this process has left again
    and again (each time one more, smaller segment)."""
    import clipper.core.library_sync as library_sync

    monkeypatch.setattr(library_sync, "BULK_CHUNK", 10_000)
    monkeypatch.setattr(library_sync, "MIN_HELP", 500)
    share = library_sync.helper_share
    assert share(None, 50.0) == share(40.0, None) == 0.5  # nothing measured yet: halves
    assert share(100.0, 200.0) == 2 / 3
    assert share(1.0, 1000.0) == 0.8 and share(1000.0, 1.0) == 0.2  # bounded
    size = library_sync.end_size
    # the helper twice as fast, 10,000 left and 5,000 still to build here: it takes all 10,000
    assert size(10_000, 5_000, 2 / 3) == 10_000
    assert size(15_000, 5_000, 2 / 3) == 10_000  # never more than a chunk
    assert size(15_000, 0, 0.5) == 7_500
    assert size(900, 0, 0.5) == 900  # what would be left here is under MIN_HELP
    assert size(700, 9_000, 0.2) == 700  # at least MIN_HELP, at most what is left



def test_a_first_builds_segments_are_beyond_every_merge_tier():
    """A first build's segments are never merged again (a merge reads every posting of them):
    BULK_CHUNK, kept small for memory, stays at or above the biggest tier's limit."""
    from clipper.core import index as ix
    from clipper.core import library_sync

    assert ix.MERGE_TIERS[-1][0] <= library_sync.BULK_CHUNK


def test_a_first_build_leaves_few_segments(tmp_path, monkeypatch):
    """Segments of BULK_CHUNK notes and at most a few of the end's: no tail of ever smaller
    segments (each costs every query a little)."""
    import clipper.core.library_sync as library_sync

    monkeypatch.setattr(library_sync, "BULK_CHUNK", 100)
    monkeypatch.setattr(library_sync, "MIN_HELP", 20)
    vault = tmp_path / "v"
    for i in range(640):
        note(vault, f"n{i:03d}.md", f"note {i} about terns " + "and gulls " * (i % 7), title=f"Tern {i}")
    with Library.open(vault, index_dir=tmp_path / "ix") as lib:
        assert len(lib.search("terns", limit=1000)) == 640
        reader = lib._index.searcher().reader()  # noqa: SLF001
        sizes = sorted((r.doc_count_all() for r, _ in reader.leaf_readers()), reverse=True)
    assert sum(sizes) == 640 and max(sizes) <= 100
    assert len(sizes) <= 640 // 100 + 3, sizes


def test_first_build_keeps_an_id_for_the_first_note_holding_it(tmp_path, monkeypatch):
    """Two notes with the same id in their headers, in segments built apart: the first (in
    path order) keeps it, the other gets an id of its own; both are found, once."""
    import clipper.core.library_sync as library_sync

    monkeypatch.setattr(library_sync, "BULK_CHUNK", 50)
    monkeypatch.setattr(library_sync, "MIN_HELP", 30)
    vault = tmp_path / "v"
    for i in range(200):
        extra = {"id": "same-id"} if i in (10, 180) else {}
        note(vault, f"n{i:03d}.md", f"note {i} about kites", title=f"Kite {i}", **extra)
    with Library.open(vault, index_dir=tmp_path / "ix") as lib:
        hits = lib.search("kites", limit=500)
        assert len(hits) == 200 and len({h.id for h in hits}) == 200
        assert lib.get("same-id").path.name == "n010.md"
        assert lib.note_for_path(vault / "n180.md").id != "same-id"
        assert lib._index.doc_count() == lib.catalog.count() == 200  # noqa: SLF001
    with Library.open(vault, index_dir=tmp_path / "ix") as lib:
        assert not lib.refresh()


def test_closing_during_a_first_build_stops_both_processes_and_the_next_open_finishes(tmp_path, monkeypatch):
    import clipper.core.library_sync as library_sync

    monkeypatch.setattr(library_sync, "BULK_CHUNK", 100)
    monkeypatch.setattr(library_sync, "MIN_HELP", 50)
    vault = tmp_path / "v"
    for i in range(600):
        note(vault, f"n{i:03d}.md", f"note {i} about plovers " * 20, title=f"Plover {i}")
    started = threading.Event()
    lib = Library.open(vault, index_dir=tmp_path / "ix", wait=False,
                       progress=lambda done, total, what: started.set())
    assert started.wait(60)
    lib.close()  # cancels: what is committed stays
    assert not list((tmp_path / "ix" / "whoosh").glob(".building-*"))
    with Library.open(vault, index_dir=tmp_path / "ix") as lib:
        assert len(lib.search("plovers", limit=1000)) == 600
        assert lib._index.doc_count() == lib.catalog.count() == 600  # noqa: SLF001


def _catalog_indexes(lib) -> set:
    rows = lib.catalog.db.execute("SELECT name FROM sqlite_master WHERE type='index'").fetchall()
    return {r[0] for r in rows}


def test_a_first_build_adds_rows_without_the_sketch_index_and_makes_it_at_the_end(tmp_path, monkeypatch):
    """The sketch-value index is dropped while a first build adds its rows (random inserts
    into it grew with the table) and is there again once the build is done."""
    import clipper.core.library_sync as library_sync
    from clipper.core.catalog import Catalog

    monkeypatch.setattr(library_sync, "BULK_CHUNK", 40)
    vault = tmp_path / "v"
    words = ["slow", "tide", "comes", "over", "wide", "grey", "flats", "estuary", "dusk"]
    for i in range(90):
        text = " ".join(f"{words[(i + k) % len(words)]}{(i * k) % 37}" for k in range(60))
        note(vault, f"n{i:03d}.md", text, title=f"Tide {i}")
    seen = []
    real_add_new = Catalog.add_new

    def add_new(self, rows):
        seen.append("sketch_h" in _catalog_indexes(lib_of[0]))
        return real_add_new(self, rows)

    monkeypatch.setattr(Catalog, "add_new", add_new)
    lib_of = []
    real_run = library_sync._BulkBuild.run  # noqa: SLF001

    def run(self):
        lib_of.append(self.lib)
        return real_run(self)

    monkeypatch.setattr(library_sync._BulkBuild, "run", run)  # noqa: SLF001
    with Library.open(vault, index_dir=tmp_path / "ix") as lib:
        assert seen and not any(seen)  # every segment's rows went in without it
        assert "sketch_h" in _catalog_indexes(lib)
        assert lib.catalog.db.execute("SELECT COUNT(DISTINCT id) FROM sketch").fetchone()[0] > 80
        plan = lib.catalog.db.execute("EXPLAIN QUERY PLAN SELECT id FROM sketch WHERE h IN (1, 2)").fetchall()
        assert "sketch_h" in str(plan)


def test_near_candidates_are_the_same_without_the_sketch_index(tmp_path):
    from clipper.core.catalog import Catalog

    cat = Catalog(tmp_path / "c.sqlite3")
    rows = [{"id": f"n{i}", "path": f"n{i}.md", "sketch": [i, i + 1, i + 2, 100 + i % 2]} for i in range(6)]
    cat.add_new(rows)
    with_index = sorted(cat.near_candidates([2, 3, 4, 100], least=2, limit=10))
    cat.drop_sketch_lookup()
    assert "sketch_h" not in str(cat.db.execute("SELECT name FROM sqlite_master").fetchall())
    assert sorted(cat.near_candidates([2, 3, 4, 100], least=2, limit=10)) == with_index
    cat.close()
    cat = Catalog(tmp_path / "c.sqlite3")  # an open makes what is missing (a build cut short)
    assert "sketch_h" in str(cat.db.execute("SELECT name FROM sqlite_master").fetchall())
    assert sorted(cat.near_candidates([2, 3, 4, 100], least=2, limit=10)) == with_index
    cat.close()


def test_a_killed_build_leaves_no_side_folder_behind(tmp_path):
    from clipper.core.index import BUILD_PREFIX

    vault = tmp_path / "v"
    note(vault, "a.md", "one note")
    folder = tmp_path / "ix" / "whoosh"
    folder.mkdir(parents=True)
    stale = folder / f"{BUILD_PREFIX}999999999-abc"  # no such process
    stale.mkdir()
    (stale / "MAIN_x.seg").write_bytes(b"half written")
    with Library.open(vault, index_dir=tmp_path / "ix") as lib:
        assert len(lib.search("note")) == 1
    assert not stale.exists()


def test_reopen_compares_the_files_with_the_listing_saved_after_a_full_sync(vault, tmp_path):
    ix = tmp_path / "ix"
    with Library.open(vault, index_dir=ix) as lib:
        saved = lib.catalog.db.execute("SELECT COUNT(*) FROM blobs WHERE key='files'").fetchone()[0]
        assert saved == 1 and lib.catalog.file_stats() == (lib._vault.stats(), True)  # noqa: SLF001
    path = vault / "cooking.md"
    path.write_text(path.read_text().replace("kitchen", "galley"))  # edited in place
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))
    with Library.open(vault, index_dir=ix) as lib:
        assert titles(lib.search("galley")) == ["Slow cooking"]
        lib.set_tags([lib.search("galley")[0].id], add=["boats"])  # a write notes its path
        assert lib.catalog.db.execute("SELECT COUNT(*) FROM blobs WHERE key='files'").fetchone()[0] == 1
        assert lib.catalog.db.execute("SELECT path FROM file_changes").fetchall() == [("cooking.md",)]
        assert lib.catalog.file_stats() == (lib._vault.stats(), False)  # noqa: SLF001
    with Library.open(vault, index_dir=ix) as lib:  # nothing changed: saved again
        assert lib.catalog.file_stats() == (lib._vault.stats(), True)  # noqa: SLF001
        assert not lib.refresh() and lib.tags()["boats"] == 1


def test_reopening_an_unchanged_vault_compares_the_listing_byte_for_byte(vault, tmp_path, monkeypatch):
    """An unchanged vault reopens without loading the saved listing (the scan's bytes equal
    it); a file edited in place with the same size is still seen."""
    from clipper.core.catalog import Catalog

    ix = tmp_path / "ix"
    with Library.open(vault, index_dir=ix):
        pass
    with Library.open(vault, index_dir=ix):  # the listing is saved as scanned from now on
        pass

    def no_load(self):
        raise AssertionError("the saved listing was loaded")

    monkeypatch.setattr(Catalog, "file_stats", no_load)
    with Library.open(vault, index_dir=ix) as lib:
        assert titles(lib.search("kitchen")) == ["Slow cooking"]
    monkeypatch.undo()
    path = vault / "cooking.md"
    path.write_text(path.read_text().replace("kitchen", "galley"))  # same size, in place
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))
    with Library.open(vault, index_dir=ix) as lib:
        assert titles(lib.search("galley")) == ["Slow cooking"] and not lib.search("kitchen")


def test_a_first_build_and_a_sync_save_the_listing_as_scanned(tmp_path, monkeypatch):
    """The listing saved after a first build (and after a sync of the whole vault) is the
    scan's, in its order: the next open compares bytes and neither loads nor writes it (the
    rows' order, saved before, made the first reopen load, compare and save it again)."""
    from clipper.core.catalog import Catalog

    vault, ix = tmp_path / "v", tmp_path / "ix"
    for i in range(40):
        note(vault, f"n{(i * 7919) % 97:03d}.md", f"note number {i}")
    calls = []
    for name in ("file_stats", "keep_file_stats"):
        real = getattr(Catalog, name)
        monkeypatch.setattr(Catalog, name, lambda self, *a, _real=real, _name=name, **k: (
            calls.append(_name), _real(self, *a, **k))[1])

    with Library.open(vault, index_dir=ix):  # a first build
        pass
    calls.clear()
    with Library.open(vault, index_dir=ix) as lib:
        assert len(lib.search("note", limit=50)) == 40
    assert calls == []
    note(vault, "added.md", "one more note")
    with Library.open(vault, index_dir=ix):  # a sync of the whole vault
        pass
    calls.clear()
    with Library.open(vault, index_dir=ix) as lib:
        assert len(lib.search("note", limit=50)) == 41
    assert calls == []


def test_the_first_reopen_after_writes_reads_only_the_rows_written(vault, tmp_path, monkeypatch):
    """Writes keep the saved listing and note their paths beside it: the next open reads the
    listing and those rows, never every row (that was a third of a second at 100,000 notes),
    and saves the listing again, so the open after that compares bytes only."""
    from clipper.core.catalog import Catalog

    ix = tmp_path / "ix"
    with Library.open(vault, index_dir=ix) as lib:
        (hit,) = lib.search("kitchen")
        lib.set_tags([hit.id], add=["boats"])
        lib.import_clipboard(text="Notes on rigging.\n\nA sail is trimmed to the wind, then eased.")
        lib.delete(lib.search("telescope")[0].id)
        written = {r[0] for r in lib.catalog.db.execute("SELECT path FROM file_changes")}
        assert "cooking.md" in written and len(written) == 3

    def no_rows(self):
        raise AssertionError("every row was read")

    monkeypatch.setattr(Catalog, "_file_stats", no_rows)
    with Library.open(vault, index_dir=ix) as lib:
        assert lib.catalog.db.execute("SELECT COUNT(*) FROM file_changes").fetchone()[0] == 0
        assert lib.catalog.file_stats() == (lib._vault.stats(), True)  # noqa: SLF001
        assert lib.tags()["boats"] == 1 and titles(lib.search("sail")) and not lib.search("telescope")
    calls = []
    monkeypatch.setattr(Catalog, "file_stats", lambda self: calls.append(1))
    with Library.open(vault, index_dir=ix) as lib:
        assert titles(lib.search("kitchen")) == ["Slow cooking"]
    assert calls == []


def test_a_note_edited_while_closed_is_found_after_writes_kept_the_listing(vault, tmp_path):
    """The listing with the paths written since is the catalog's: a file edited, added or
    deleted by another program after such writes is still seen at the next open."""
    ix = tmp_path / "ix"
    with Library.open(vault, index_dir=ix) as lib:
        (hit,) = lib.search("kitchen")
        lib.set_tags([hit.id], add=["boats"])
    path = vault / "cooking.md"
    path.write_text(path.read_text().replace("kitchen", "galley"))  # the note just written
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))
    note(vault, "later.md", "a later note about lanterns")
    with Library.open(vault, index_dir=ix) as lib:
        assert titles(lib.search("galley")) == ["Slow cooking"] and not lib.search("kitchen")
        assert lib.search("lanterns") and lib.tags()["boats"] == 1


def test_many_writes_drop_the_saved_listing(vault, tmp_path, monkeypatch):
    from clipper.core import catalog as catalog_mod

    monkeypatch.setattr(catalog_mod, "MAX_FILE_CHANGES", 1)
    ix = tmp_path / "ix"
    with Library.open(vault, index_dir=ix) as lib:
        for i in range(2):
            lib.import_clipboard(text=f"Note {i} on knots.\n\nA bowline number {i} holds fast and unties.")
        assert lib.catalog.db.execute("SELECT COUNT(*) FROM blobs WHERE key='files'").fetchone()[0] == 0
        assert lib.catalog.db.execute("SELECT COUNT(*) FROM file_changes").fetchone()[0] == 0
    with Library.open(vault, index_dir=ix) as lib:
        assert lib.catalog.file_stats() == (lib._vault.stats(), True)  # noqa: SLF001
        assert len(lib.search("bowline")) == 2


def test_delete_killed_before_the_trash_list_was_written_can_still_be_restored(lib, vault):
    (hit,) = lib.search("kitchen")
    lib.delete(hit.id)
    for info in (vault / ".trash").glob("*.md.json"):  # as if killed between the two steps
        info.unlink()
    assert [e.id for e in lib.trash()] == [hit.id]
    assert lib.restore(hit.id).id == hit.id
    assert titles(lib.search("kitchen")) == ["Slow cooking"]


def test_tag_changes_touch_only_the_tags_line_of_a_hand_written_header(lib, vault):
    header = ("---\n# written by hand in an editor\ntitle: 'Tides: a primer'   # quoted on purpose\n"
              "tags:\n  - sea\n  - Moon\naliases: [tides]\ncustom: {a: 1}\n---\n")
    body = "\nThe tide comes in twice a day, pulled by the moon.\n"
    (vault / "tides.md").write_text(header + body, encoding="utf-8")
    lib.refresh()
    (hit,) = lib.search("pulled moon")
    lib.set_tags([hit.id], add=["science/physics"], remove=["sea"])
    text = (vault / "tides.md").read_text(encoding="utf-8")
    assert text == header.replace("  - sea\n  - Moon\n", "  - moon\n  - science/physics\n") + body
    assert lib.get(hit.id).tags == ["moon", "science/physics"]
    flow = "---\ntitle: Flow   # c\ntags: [a]\n---\nflow text here\n"
    (vault / "flow.md").write_text(flow, encoding="utf-8")
    lib.refresh()
    (hit,) = lib.search("flow text")
    lib.rename_tag("a", "b")
    assert (vault / "flow.md").read_text(encoding="utf-8") == flow.replace("[a]", "[b]")


def test_sync_changed_compares_only_the_folders_given(lib, vault):
    """What a file watcher reports: a folder whose entries changed, or a note file."""
    ids = {h.title: h.id for h in lib.search("")}
    note(vault, "sub/dogs.md", "dogs bark at the postman", title="Dogs")
    note(vault, "top.md", "otters float on their backs", title="Otters")
    changes = lib.sync_changed([vault / "sub"])
    assert len(changes.added) == 1 and titles(lib.search("bark")) == ["Dogs"]
    assert lib.search("otters") == []  # the vault's own folder was not said to have changed
    assert len(lib.sync_changed([vault]).added) == 1 and titles(lib.search("otters")) == ["Otters"]
    # a folder that arrives (moved in, synced) and one that goes, seen from their parent
    os.rename(vault / "sub", vault / "moved")
    changes = lib.sync_changed([vault])
    assert set(changes.renamed) == {ids["cats"], lib.search("bark")[0].id}
    assert lib.search("bark")[0].path == vault / "moved" / "dogs.md"
    # a note file edited in place
    path = vault / "cooking.md"
    path.write_text(path.read_text("utf-8").replace("kitchen", "galley"), "utf-8")
    assert lib.sync_changed([path]).updated == [ids["Slow cooking"]]
    # outside the vault, the trash, attachments: nothing to do
    assert not lib.sync_changed([vault.parent, vault / ".trash", vault / "attachments"])


def test_a_folder_reported_changed_gives_its_edited_and_deleted_notes(lib, vault):
    """A folder's entries compared with the catalog (path, size, time): a note saved over by
    an editor (a new file renamed onto it) is updated, a deleted one is gone, the rest untouched."""
    note(vault, "box/keep.md", "the kept note stays as it is", title="Kept")
    note(vault, "box/edit.md", "pelicans before the edit", title="Edited")
    note(vault, "box/gone.md", "walruses about to go", title="Gone")
    assert len(lib.sync_changed([vault / "box"]).added) == 3
    ids = {h.title: h.id for h in lib.search("", limit=100)}
    tmp = vault / "box" / ".edit.md.tmp"
    tmp.write_text((vault / "box" / "edit.md").read_text("utf-8").replace("pelicans", "cormorants"), "utf-8")
    os.replace(tmp, vault / "box" / "edit.md")
    (vault / "box" / "gone.md").unlink()
    changes = lib.sync_changed([vault / "box"])
    assert changes.updated == [ids["Edited"]] and changes.removed == [ids["Gone"]] and not changes.added
    assert titles(lib.search("cormorants")) == ["Edited"] and lib.search("walruses") == []
    assert titles(lib.search("kept")) == ["Kept"]


def test_sync_changed_picks_up_a_thousand_files_in_one_index_update(lib, vault, monkeypatch):
    for i in range(1000):
        note(vault, f"burst/n{i:04d}.md", f"arrival number {i} of the burst", title=f"Burst {i}")
    writes = []
    real_write = lib._index.write
    monkeypatch.setattr(lib._index, "write", lambda *a, **k: writes.append(1) or real_write(*a, **k))
    changes = lib.sync_changed([vault / "burst", vault])
    assert len(changes.added) == 1000 and len(writes) == 1
    assert len(lib.search("burst", limit=2000)) == 1000


def test_sync_changed_says_when_another_process_changed_the_index(lib, vault, tmp_path):
    """The CLI imports into the vault the app has open: the catalog already knows the note, so
    there is nothing left to do, but the lists the app shows are stale."""
    import subprocess
    import sys

    assert not lib.sync_changed([vault])
    page = note(tmp_path / "in", "x.md", "zebras cross the road", title="Zebras")
    proc = subprocess.run([sys.executable, "-m", "clipper", "import", str(page), "--vault", str(vault)],
                          capture_output=True, text=True, env=dict(os.environ), timeout=120)
    assert proc.returncode == 0, proc.stderr
    changes = lib.sync_changed([vault])
    assert changes and changes.elsewhere and not changes.added
    assert titles(lib.search("zebras")) == ["Zebras"]
    assert not lib.sync_changed([vault])  # seen once


def test_match_spans_find_the_words_as_the_search_does():
    text = "He runs to the seaside. Running! The sea level"
    spans = Library.match_spans('running sea*', text)
    assert [text[a:b] for a, b in spans] == ["runs", "seaside", "Running", "sea"]
    assert Library.match_spans('"sea level"', text) == [(text.index("sea level"), len(text))]
    assert Library.match_spans("-running", text) == [] and Library.match_spans("", text) == []


def test_a_file_whose_id_changes_leaves_no_ghost_tags(lib, vault):
    """A synced file can come back with another note's id (a conflict resolved on another
    machine, a rename there): the tags of the id it had go with it."""
    (vault / "ghost.md").write_text("---\nid: ghost-one\ntags: [spectre]\n---\nA note about ghosts.\n")
    lib.refresh()
    assert lib.tags().get("spectre") == 1
    (vault / "ghost.md").write_text("---\nid: ghost-two\ntags: [phantom]\n---\n"
                                    "Another note, about phantoms.\n")
    lib.refresh()
    assert "spectre" not in lib.tags() and lib.tags().get("phantom") == 1


def test_a_file_whose_id_changes_leaves_no_ghost_in_the_index(lib, vault):
    """The index drops the document of the id a file had, as the catalog drops its row: else it
    stays in the index unseen (no catalog row) until a note gets that id again (a path's own id
    comes back with a file at that path), and that note is found by the old text's words."""
    (vault / "ghost.md").write_text("---\nid: ghost-one\n---\nA note about wraiths.\n")
    lib.refresh()
    (vault / "ghost.md").write_text("---\nid: ghost-two\n---\nAnother note, about phantoms.\n")
    lib.refresh()
    assert lib._index.doc_count() == lib.catalog.count()
    (vault / "other.md").write_text("---\nid: ghost-one\n---\nNothing to see here.\n")
    lib.refresh()
    assert lib._index.doc_count() == lib.catalog.count()
    assert [Path(h.path).name for h in lib.search("wraiths")] == []
    assert [Path(h.path).name for h in lib.search("phantoms")] == ["ghost.md"]
    assert [Path(h.path).name for h in lib.search("nothing")] == ["other.md"]


def test_a_copy_taking_its_front_matter_id_back_leaves_no_ghost(lib, vault):
    """Two files with one front-matter id (a copy): the second gets its path's id; once the
    first is gone, its next edit takes the front-matter id, and the path's id is dropped from
    the index with it (the Syncthing test: a later file at that path was found by words of the
    copy's old text)."""
    note(vault, "a.md", "the first holder", id="shared-id")
    note(vault, "b.md", "a copy with walruses", id="shared-id")
    lib.refresh()
    (vault / "a.md").unlink()
    lib.refresh()
    note(vault, "b.md", "a copy with narwhals now", id="shared-id")
    st = os.stat(vault / "b.md")
    os.utime(vault / "b.md", ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    lib.refresh()
    assert lib.catalog.path_of("shared-id") == "b.md"
    os.rename(vault / "b.md", vault / "c.md")
    note(vault, "b.md", "a new file at the old place")
    lib.refresh()
    assert lib._index.doc_count() == lib.catalog.count()
    assert [Path(h.path).name for h in lib.search("walruses")] == []
    assert [Path(h.path).name for h in lib.search("narwhals")] == ["c.md"]


@pytest.mark.parametrize("new_id", [None, "another-note"])
@pytest.mark.parametrize("old, moved", [("a.md", "moved/a.md"), ("z.md", "a/z.md")])
def test_a_note_moved_away_keeps_its_document_when_a_file_lands_at_its_old_path(lib, vault, new_id,
                                                                                old, moved):
    """A note moved into a folder keeps its front-matter id while another file lands at its old
    path (a sync tool's move and a new note, in one refresh): the old path's id changes, but its
    document belongs to the moved note now and stays (dropping it left that note unsearchable:
    the Syncthing test). Files are compared in path order: the moved note's new path may come
    before or after its old one."""
    note(vault, old, "a note about capybaras", id="keep-id")
    lib.refresh()
    (vault / moved).parent.mkdir()
    os.rename(vault / old, vault / moved)
    note(vault, old, "a new note about axolotls", **({"id": new_id} if new_id else {}))
    lib.refresh()
    assert lib._index.doc_count() == lib.catalog.count()
    assert [h.path.relative_to(vault).as_posix() for h in lib.search("capybaras")] == [moved]
    assert [h.path.relative_to(vault).as_posix() for h in lib.search("axolotls")] == [old]


def test_an_empty_vault_searched_then_filled_stays_searchable(tmp_path):
    """A first start: an empty vault is searched (its searcher reads an index with no segment,
    an empty reader), then notes arrive; the searcher is replaced without error (it raised
    AttributeError: found by a random sequence of file operations)."""
    empty = tmp_path / "empty"
    empty.mkdir()
    with Library.open(empty) as lib:
        assert lib.search("okapis") == [] and lib._index.doc_count() == 0
        note(empty, "first.md", "a note about okapis")
        lib.refresh()
        assert [h.path.name for h in lib.search("okapis")] == ["first.md"]
        assert lib._index.doc_count() == 1


@pytest.fixture
def big_vault_rules(monkeypatch):
    """Make the tiny test vault open as a big one: names compared before ``open`` returns,
    sizes and dates in the background."""
    from clipper.core import library as library_mod

    monkeypatch.setattr(library_mod, "CHECK_IN_BACKGROUND_AT", 1)


def test_a_big_vault_reopens_with_notes_added_and_deleted_while_closed_searchable_at_once(
        vault, tmp_path, big_vault_rules, monkeypatch):
    from clipper.core.vault import Vault

    ix = tmp_path / "ix"
    with Library.open(vault, index_dir=ix) as lib:  # a first build: waited for in full
        assert not lib.indexing
        cats_id = lib.search("telescope")[0].id
    note(vault, "added.md", "a note about lanterns, added while closed")
    (vault / "running.md").unlink()
    (vault / "sub" / "cats.md").rename(vault / "sub" / "felines.md")
    release = threading.Event()
    real_stats = Vault.stats

    pauses = []

    def slow_stats(self, pause=None):  # the background comparison waits until the test has searched
        assert release.wait(30)
        pauses.append(pause)
        return real_stats(self, pause)

    monkeypatch.setattr(Vault, "stats", slow_stats)
    with Library.open(vault, index_dir=ix) as lib:
        assert lib.indexing  # the sizes and dates are still being compared
        assert titles(lib.search("lanterns")) == ["added"]
        assert not lib.search("runner")
        (moved,) = lib.search("telescope")
        assert moved.id == cats_id and moved.path.name == "felines.md"
        release.set()
        assert lib.wait_until_indexed(30) and not lib.refresh()
        assert pauses[0] == lib._after_searches  # noqa: SLF001 -- searches go first


def test_a_big_vault_picks_up_a_note_edited_in_place_while_closed_in_the_background(
        vault, tmp_path, big_vault_rules):
    ix = tmp_path / "ix"
    with Library.open(vault, index_dir=ix):
        pass
    path = vault / "cooking.md"
    path.write_text(path.read_text().replace("kitchen", "galley"))  # same size, same name
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))
    with Library.open(vault, index_dir=ix) as lib:
        assert lib.wait_until_indexed(30)
        assert titles(lib.search("galley")) == ["Slow cooking"] and not lib.search("kitchen")
        assert not lib.refresh()
    with Library.open(vault, index_dir=ix) as lib:  # nothing changed since
        assert lib.wait_until_indexed(30) and titles(lib.search("galley")) == ["Slow cooking"]


def test_a_small_vault_reopens_with_every_file_compared(vault, tmp_path):
    ix = tmp_path / "ix"
    with Library.open(vault, index_dir=ix):
        pass
    path = vault / "cooking.md"
    path.write_text(path.read_text().replace("kitchen", "galley"))
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))
    with Library.open(vault, index_dir=ix) as lib:
        assert not lib.indexing and titles(lib.search("galley")) == ["Slow cooking"]


def test_a_big_vault_with_the_same_names_reopens_without_loading_the_listing(
        vault, tmp_path, big_vault_rules, monkeypatch):
    from clipper.core.catalog import Catalog

    ix = tmp_path / "ix"
    for _ in range(2):  # a first build, then a reopen that saves the listing as scanned
        with Library.open(vault, index_dir=ix) as lib:
            assert lib.wait_until_indexed(30)
    loads = []
    real = Catalog.file_stats
    monkeypatch.setattr(Catalog, "file_stats", lambda self: (loads.append(1), real(self))[1])
    with Library.open(vault, index_dir=ix) as lib:
        assert loads == [] and titles(lib.search("kitchen")) == ["Slow cooking"]
        assert lib.wait_until_indexed(30)
    assert loads == []
    # another writer replaced the listing without its names: they are not trusted
    with Library.open(vault, index_dir=ix) as lib:
        assert lib.wait_until_indexed(30)
        assert lib.catalog.same_names(lib._vault.note_names())  # noqa: SLF001
        listing, _saved = lib.catalog.file_stats()
        listing.pop("running.md")
        lib.catalog.db.execute("UPDATE blobs SET value=? WHERE key='files'", (marshal.dumps(listing, 2),))
        assert not lib.catalog.same_names(lib._vault.note_names())  # noqa: SLF001
    note(vault, "sub/deeper/new.md", "a new note about compasses")
    with Library.open(vault, index_dir=ix) as lib:
        assert titles(lib.search("compasses")) == ["new"]


def test_the_saved_listing_is_kept_in_parts_and_an_earlier_whole_one_still_reads(
        vault, tmp_path, monkeypatch):
    """The listing is saved as parts (one marshal call on 100,000 files held the GIL for
    tens of ms); the whole-dict form earlier versions saved is read, compared and replaced."""
    from clipper.core import catalog as catalog_mod

    monkeypatch.setattr(catalog_mod, "_LISTING_PART", 2)
    files = {f"n{i}.md": (i, i * 10) for i in range(5)}
    blob = catalog_mod._pack(files)  # noqa: SLF001
    assert len(marshal.loads(blob)) == 3 and catalog_mod._unpack(blob) == files  # noqa: SLF001
    assert catalog_mod._same_listing(files, blob)  # noqa: SLF001
    assert not catalog_mod._same_listing(dict(reversed(files.items())), blob)  # noqa: SLF001
    assert not catalog_mod._same_listing({**files, "more.md": (1, 1)}, blob)  # noqa: SLF001
    assert not catalog_mod._same_listing(dict(list(files.items())[:4]), blob)  # noqa: SLF001
    ix = tmp_path / "ix"
    with Library.open(vault, index_dir=ix) as lib:
        listing, _saved = lib.catalog.file_stats()
        lib.catalog.db.execute("UPDATE blobs SET value=? WHERE key='files'", (marshal.dumps(listing, 2),))
    with Library.open(vault, index_dir=ix) as lib:
        assert lib.catalog.file_stats() == (lib._vault.stats(), True)  # noqa: SLF001
        saved = lib.catalog.db.execute("SELECT value FROM blobs WHERE key='files'").fetchone()[0]
        assert type(marshal.loads(saved)) is list and titles(lib.search("kitchen")) == ["Slow cooking"]


def test_a_background_comparison_waits_for_a_pause_in_searches_but_not_for_ever(lib, monkeypatch):
    """The big vault's comparison after a reopen yields to a burst of searches (it shares the
    GIL with them) until they pause for SEARCH_QUIET, and only until DEFER_MAX after it began."""
    import time

    from clipper.core import library as library_mod

    monkeypatch.setattr(library_mod, "SEARCH_QUIET", 0.2)
    lib._defer_until = time.monotonic() + 30  # noqa: SLF001
    lib.search("runner")  # a search just ended: wait for a quiet spell
    t0 = time.monotonic()
    lib._after_searches()  # noqa: SLF001
    assert time.monotonic() - t0 >= 0.15
    lib._defer_until = time.monotonic()  # noqa: SLF001 -- its time to yield is over
    lib.search("runner")
    t0 = time.monotonic()
    lib._after_searches()  # noqa: SLF001
    assert time.monotonic() - t0 < 0.15
