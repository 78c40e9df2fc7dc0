"""Text analysis, query building and snippets of the Whoosh index."""

import random

import pytest

from clipper.core import analysis, snippets
from clipper.core import index as ix
from clipper.core import query as q


def test_tokenize_latin_cyrillic_and_bigrams():
    assert analysis.tokenize("Hello, World! e-mail") == ["hello", "world", "e", "mail"]
    assert analysis.tokenize("Москва столица") == ["москва", "столица"]
    assert analysis.tokenize("北京大学") == ["北京", "京大", "大学"]
    assert analysis.tokenize("中") == ["中"]
    assert analysis.tokenize("abc北京") == ["abc", "北京"]
    assert analysis.tokenize("ภาษาไทย")[:2] == ["ภา", "าษ"]


def test_stemming_per_script():
    assert analysis.stem("running") == analysis.stem("runs") == "run"
    assert analysis.stem("человека") == analysis.stem("человек")
    assert analysis.stem("北京") == "北京"


def test_search_index_roundtrip(tmp_path):
    si = ix.SearchIndex(tmp_path / "w")
    si.create()
    docs = [
        {"id": "1", "path": "a.md", "title": "Cats",
         "body": "Cats" + ix.TITLE_SEP + "The cats were sleeping.",
         "tags": "pets pets/cats", "created": 20240101000000},
        {"id": "2", "path": "b.md", "title": "Dogs",
         "body": "Dogs" + ix.TITLE_SEP + "A dog sleeps; cats too.",
         "tags": "pets", "created": 20230101000000},
    ]
    assert si.write(docs, bulk=True) == 2
    run = lambda text, **kw: [i for i, _ in si.run(q.parse(text), limit=10, sort=kw.get("sort", "relevance"))]  # noqa: E731
    assert set(run("sleep")) == {"1", "2"}
    assert run("cats")[0] == "1"  # the title weighs more
    assert run("tag:pets/cats") == ["1"]
    assert run("sleep", sort="oldest") == ["2", "1"]
    assert run('"cats were"') == ["1"]
    assert run("slee*") and set(run("slee*")) == {"1", "2"}
    si.write([{"id": "1", "path": "a.md", "title": "Cats", "body": "Cats" + ix.TITLE_SEP + "awake now"}])
    assert set(run("sleep")) == {"2"}
    si.write((), delete_ids=["2"])
    assert run("sleep") == []
    assert si.correct("awke") == "awake"
    si.close()
    si2 = ix.SearchIndex(tmp_path / "w")
    si2.open()
    assert si2.doc_count() == 1
    si2.close()


def test_highlighter_picks_best_window_and_marks_words():
    hl = snippets.Highlighter(q.parse('running "sea level"').text_terms())
    text = "Intro words. " * 40 + "The runner was running when the sea level rose. " + "Tail. " * 40
    snippet, marks = hl.snippet_markdown(text)
    assert "running" in snippet and "sea level" in snippet
    marked = {snippet[s:e] for s, e in marks}
    assert {"running", "sea level"} <= marked
    assert snippet.startswith("…") and snippet.endswith("…")
    assert snippets.snippet_html(snippet, marks).count("<b>") == len(marks)


def test_highlighter_branches_find_what_one_group_per_term_finds(monkeypatch):
    """The query's regex with each term's group opened after its first letter (so the regex
    engine can skip to those letters) finds the same matches, groups and snippets as one group
    around each term."""
    import random

    from clipper.core import snippets

    assert snippets._branch("gover\\w*") == "g(over\\w*)" and snippets._branch("a") == "(a)"  # noqa: SLF001
    rnd = random.Random(5)
    vocab = ["river", "rivers", "road", "roads", "the", "a", "government", "governing", "sleep",
             "slept", "москва", "北京大学", "run", "running", "r", "x_y", "co-op", "Élan", "İstanbul"]
    queries = ["river", "river road", '"the government"', "gov*", "sleep москва", "北京", "a",
               "r*", "run OR roads", '"river road" slept', "x_y", "élan", "istanbul co-op"]
    for text in queries:
        terms = q.parse(text).text_terms()
        hl = snippets.Highlighter(terms)
        with monkeypatch.context() as m:
            m.setattr(snippets, "_branch", lambda p: f"({p})")
            grouped = snippets.Highlighter(terms)
        assert len(hl._branches) == len(grouped._branches), text  # noqa: SLF001
        for _ in range(60):
            body = " ".join(rnd.choice(vocab) + rnd.choice(["", ".", ",", "\n\n", " **"]) for _ in range(80))
            assert hl.matches(body) == grouped.matches(body), (text, body)
            assert hl.snippet_markdown(body) == grouped.snippet_markdown(body), (text, body)


def test_plain_text_drops_markdown():
    md = "# Title\n\nSome **bold** and [a link](http://x.y) ![img](a.png) `code`\n> quote"
    assert snippets.plain_text(md) == "Title Some bold and a link code quote"


def test_single_note_commits_merge_small_segments(tmp_path, monkeypatch):
    monkeypatch.setattr(ix, "MERGE_TIERS", ((300, 5),))
    si = ix.SearchIndex(tmp_path / "w")
    si.create()
    for i in range(12):
        si.write([{"id": str(i), "path": f"{i}.md", "title": "", "body": f"note {i} wombat"}])
        assert si.wait_for_merges(60)  # they run in the background
    assert len(si.ix._segments()) < 6
    assert sorted(int(i) for i, _ in si.run(q.parse("wombat"), limit=50, sort="relevance")) == list(range(12))
    si.close()


def test_single_note_commits_never_fold_a_bulk_segment_into_a_few_new_notes(tmp_path, monkeypatch):
    """A tier merges segments of like size: a first build's segment stays whole while single
    notes come and go (merging it into a few new notes made every tenth import take seconds)."""
    monkeypatch.setattr(ix, "MERGE_TIERS", ((5, 3), (40, 3)))  # 50: beyond every tier
    si = ix.SearchIndex(tmp_path / "w")
    si.create()
    bulk = [{"id": f"b{i}", "path": f"b{i}.md", "title": "", "body": f"bulk {i} wombat"} for i in range(50)]
    si.write(bulk, bulk=True)
    sizes = []
    for i in range(12):
        si.write([{"id": str(i), "path": f"{i}.md", "title": "", "body": f"note {i} wombat"}])
        assert si.wait_for_merges(60)
        sizes.append(sorted(seg.doc_count_all() for seg in si.ix._segments()))
    assert all(50 in s for s in sizes), sizes  # the bulk segment is never merged
    assert max(len(s) for s in sizes) <= 5  # the single notes are: 1 bulk + 2 per tier at most
    assert len(si.run(q.parse("wombat"), limit=100, sort="relevance")) == 62
    si.close()


def test_segment_names_do_not_depend_on_the_global_random_seed():
    import random

    from whoosh.util import random_name

    random.seed(1)
    first = random_name()
    random.seed(1)
    assert random_name() != first


def test_direct_scoring_matches_whoosh(tmp_path, caplog):
    """Relevance searches scored from posting lists give Whoosh's hits and BM25F scores,
    over several segments with deleted documents, for every shape of query it handles."""
    import random

    rnd = random.Random(7)
    words = ["river", "road", "city", "council", "bike", "lanes", "vote", "plan", "riders", "budget",
             "stadium", "jobs", "sleeping", "sleeps", "slept", "running", "runs", "москва", "столица",
             "北京大学", "report", "weather"]
    si = ix.SearchIndex(tmp_path / "w")
    si.create()

    def doc(i):
        title = " ".join(rnd.choices(words, k=3))
        text = " ".join(rnd.choices(words, k=rnd.randint(5, 80)))
        tags = " ".join(rnd.sample(["news", "news/local", "sport", "science/physics"], k=rnd.randint(0, 2)))
        return {"id": str(i), "path": f"{i}.md", "title": title, "body": title + ix.TITLE_SEP + text,
                "tags": tags, "created": 20240101000000 + i,
                "author": rnd.choice(["Tom Baker", "Ana Ruiz", ""]),
                "site": rnd.choice(["The Ledger", "Daily"])}

    si.write([doc(i) for i in range(300)], bulk=True)
    si.write([doc(i) for i in range(0, 300, 7)])  # updates: deletions and a second segment
    si.write([doc(i) for i in range(300, 320)])
    si.write((), delete_ids=[str(i) for i in range(1, 300, 11)])
    queries = ["river", "sleep", "river road", '"bike lanes"', '"city council vote"', "river OR stadium",
               "river -road", "river NOT bike", "title:council", "title:council budget", "run*",
               "bike ru*", "москва", "北京", "tag:news river", '"council" "plan riders"', "weather",
               "river (road OR jobs) -stadium", "nothingmatches", "river nothingmatches",
               "author:baker", "site:ledger river", "author:ruiz -site:daily"]
    for text in queries:
        parsed = q.parse(text)
        for tags in ((), ("news",)):
            si.direct = True
            direct = si.run(parsed, limit=500, sort="relevance", tags=tags)
            si.direct = False
            whoosh = si.run(parsed, limit=500, sort="relevance", tags=tags)
            got = {i: round(sc, 4) for i, sc in direct}
            want = {i: round(sc, 4) for i, sc in whoosh}
            assert got == want, (text, tags)
            assert [sc for _, sc in direct] == sorted((sc for _, sc in direct), reverse=True)
            si.direct = True
            top = si.run(parsed, limit=5, sort="relevance", tags=tags)  # phrases checked lazily
            assert [round(sc, 4) for _, sc in top] == [round(sc, 4) for _, sc in direct[:5]], text
            for sort in ("newest", "oldest"):  # the same notes by date, in Whoosh's order
                si.direct = True
                by_date = si.run(parsed, limit=500, sort=sort, tags=tags)
                si.direct = False
                whoosh_by_date = si.run(parsed, limit=500, sort=sort, tags=tags)
                assert {i for i, _ in by_date} == set(got), (text, tags, sort)
                created = [20240101000000 + int(i) for i, _ in by_date]
                assert created == sorted(created, reverse=sort == "newest"), (text, sort)
                assert [i for i, _ in by_date] == [i for i, _ in whoosh_by_date], (text, sort)
                si.direct = True
                assert si.run(parsed, limit=3, sort=sort, tags=tags) == by_date[:3], (text, sort)
    si.close()
    assert "search failed" not in caplog.text  # the direct path answered, not Whoosh after it


def test_a_clause_of_scored_words_sums_the_same_scores_as_the_general_path(tmp_path, monkeypatch):
    """The shortcut for one clause of scored words (a word and its variants, words OR-ed)
    gives every segment the very scores (the same floats) and hits the general path gives,
    deleted documents left out; later clauses intersected with the candidates as before."""
    import random

    rnd = random.Random(3)
    words = ["sleep", "sleeps", "sleeping", "slept", "river", "road", "rivers", "stadium", "vote"]
    si = ix.SearchIndex(tmp_path / "w")
    si.create()

    def doc(i):
        text = " ".join(rnd.choices(words, k=rnd.randint(3, 60)))
        return {"id": str(i), "path": f"{i}.md", "title": rnd.choice(words),
                "body": rnd.choice(words) + ix.TITLE_SEP + text, "created": 20240101000000 + i}

    si.write([doc(i) for i in range(400)], bulk=True)
    si.write([doc(i) for i in range(0, 400, 9)])  # a second segment; the first has deletions
    si.write((), delete_ids=[str(i) for i in range(1, 400, 13)])
    used = []
    real = ix._Segment._any_terms  # noqa: SLF001

    def both(self, leaves):
        fast = real(self, leaves)
        general = self._all_clauses([leaves], [])  # noqa: SLF001
        assert fast[0].tolist() == general[0].tolist()  # the same documents
        assert fast[1].tolist() == general[1].tolist()  # equal floats
        deleted = self.reader.deleted_docs_set if self.reader.has_deletions() else set()
        assert not set(fast[0].tolist()) & deleted
        used.append(1)
        return fast

    monkeypatch.setattr(ix._Segment, "_any_terms", both)  # noqa: SLF001
    for text in ["sleep", "river", "river OR stadium", "sleeping OR vote OR road", "title:river"]:
        direct = si.run(q.parse(text), limit=50, sort="relevance")
        si.direct = False
        whoosh = si.run(q.parse(text), limit=50, sort="relevance")
        si.direct = True
        assert [(i, round(sc, 4)) for i, sc in direct] == [(i, round(sc, 4)) for i, sc in whoosh], text
    assert len(used) >= 10  # every query, in both segments
    for text in ["river sleep", "river road -vote", "sleep vote OR stadium"]:  # the general path
        si.direct = False
        whoosh = si.run(q.parse(text), limit=500, sort="relevance")
        si.direct = True
        direct = si.run(q.parse(text), limit=500, sort="relevance")
        assert {i: round(sc, 4) for i, sc in direct} == {i: round(sc, 4) for i, sc in whoosh}, text
    si.close()


def test_a_failing_direct_search_falls_back_to_whoosh(tmp_path, monkeypatch):
    si = ix.SearchIndex(tmp_path / "w")
    si.create()
    si.write([{"id": "1", "path": "a.md", "title": "Cats", "body": "Cats" + ix.TITLE_SEP + "sleeping cats"}],
             bulk=True)

    def broken(*_args, **_kw):
        raise ValueError("unexpected posting block")

    monkeypatch.setattr(ix, "_direct_best", broken)
    assert [i for i, _ in si.run(q.parse("cats"), limit=5, sort="relevance")] == ["1"]
    si.close()


def _postings_dump(folder):
    """Every term of every segment: its statistics, block headers and decoded postings."""
    import io
    import pickle

    from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC

    si = ix.SearchIndex(folder)
    si.open()
    out = []
    with si.ix.searcher() as s:
        for sub, _ in s.leaf_searchers():
            r = sub.reader()
            for fieldname, text in r.all_terms():
                ti = r.term_info(fieldname, text)
                stats = (ti._weight, ti._df, ti._minlength, ti._maxlength, ti._maxweight, ti._minid,
                         ti._maxid)
                offset, length = ti.extent()
                length = length[0] if isinstance(length, tuple) else length  # Whoosh's 1-tuple
                buf = r._terms._postfile.get(offset, length)  # noqa: SLF001
                assert buf[:4] == WHOOSH3_HEADER_MAGIC
                blocks, pos = [], 4
                while pos < len(buf):
                    size = int.from_bytes(buf[pos:pos + 4], "big", signed=True)
                    stream = io.BytesIO(buf[pos + 4:pos + 4 + abs(size)])
                    head = pickle.load(stream)
                    ids, weights, values = pickle.loads(stream.read())
                    # the content Whoosh's reader takes from them (sequences: tuples or arrays)
                    blocks.append((head, (tuple(ids), weights if weights is None or isinstance(weights, float)
                                          else tuple(weights), values if values is None else tuple(values))))
                    pos += 4 + abs(size)
                    if size < 0:
                        break
                assert pos == len(buf)
                m = r.postings(fieldname, text)
                items = []
                while m.is_active():
                    items.append((m.id(), m.weight(), m.value()))
                    m.next()
                out.append((fieldname, text, stats, blocks, items))
    si.close()
    return out


def test_posting_lists_written_in_blocks_match_whoosh_writer(tmp_path, monkeypatch):
    """The writer (its compact pool and its own posting-list writer) gives the same terms,
    statistics, blocks and postings as Whoosh's own writer and as its posting-at-a-time field
    writer, in every field, for lists of one block and of several, after updates, deletions
    and merges."""
    import random

    from whoosh.writing import SegmentWriter

    words = ["river", "road", "city", "council", "bike", "москва", "北京大学", "ท่าเรือ", "a", "z9"]

    monkeypatch.setattr(ix, "BLOCK_POSTINGS", 32)  # lists of several blocks

    def build(folder, write_blocks, writer=ix._Writer):  # noqa: SLF001
        monkeypatch.setattr(ix, "_Writer", writer)
        monkeypatch.setattr(writer, "write_blocks", write_blocks, raising=False)
        rnd = random.Random(3)

        def doc(i):
            title = " ".join(rnd.choices(words, k=rnd.randint(0, 4)))
            text = " ".join(rnd.choices(words, k=rnd.randint(0, 300)))
            return {"id": f"n{i}", "path": f"{i}.md", "title": title, "body": title + ix.TITLE_SEP + text,
                    "tags": " ".join(rnd.sample(["news", "news/local", "sport"], k=rnd.randint(0, 3))),
                    "created": 20240101000000 + i * 7919, "published": -i, "language": "en",
                    "author": rnd.choice(["Tom Baker", "Ana Ruiz", ""]), "site": "The Ledger",
                    "source": f"https://example.com/{i}"}

        si = ix.SearchIndex(folder)
        si.create()
        si.write([doc(i) for i in range(400)], bulk=True)  # "river" etc.: several blocks
        si.write([doc(i) for i in range(0, 400, 9)])
        si.write((), delete_ids=[f"n{i}" for i in range(1, 400, 13)])
        for i in range(400, 430):  # single-note commits: small segments merged
            si.write([doc(i)])
            assert si.wait_for_merges(60)  # (in the background: the same layout each time)
        si.close()

    build(tmp_path / "stock", None, SegmentWriter)
    build(tmp_path / "whoosh", False)
    build(tmp_path / "blocks", True)
    stock = _postings_dump(tmp_path / "stock")
    whoosh, blocks = _postings_dump(tmp_path / "whoosh"), _postings_dump(tmp_path / "blocks")
    assert len(blocks) > 100 and any(len(b[3]) > 2 for b in blocks)
    assert any(s[2][0] > s[2][1] for s in blocks if s[0] == "body")  # title words weigh more
    assert {f for f, *_ in blocks} >= {"body", "title", "tags", "id", "source", "language"}
    assert blocks == whoosh
    assert blocks == stock


def test_pool_keeps_merged_text_postings_as_given():
    """Postings from merged segments keep their weight even when their frequencies would give
    another, and come out in docnum order even when they were added after later documents."""
    from array import array

    pool = ix._CompactPool(ix.make_schema())  # noqa: SLF001
    pool.add_text("body", 5, "Title" + ix.TITLE_SEP + "river road river")
    pool.add(("body", b"river", 2, 2.5, array("I", [7]).tobytes()))
    pool.add(("body", b"title", 3, 3.0, array("I", [0]).tobytes()))
    got = {t: (list(d), list(w), [array("I", v).tolist() for v in vals])
           for t, d, w, vals in pool.terms("body")}
    assert got[b"river"] == ([2, 5], [2.5, 2.0], [[7], [2, 4]])
    assert got[b"title"] == ([3, 5], [3.0, 3.0], [[0], [0]])
    assert got[b"road"] == ([5], [1.0], [[3]])


def _pool_postings(pool, fieldname="body"):
    from array import array

    return [(t, list(d), list(w), [array("I", v).tolist() for v in vals])
            for t, d, w, vals in pool.terms(fieldname)]


@pytest.mark.parametrize("stage_tokens", [1, 7, 1 << 20])
def test_staged_pool_gives_the_postings_of_the_plain_one(monkeypatch, stage_tokens):
    """A first build's pool stages token ids and sorts them at once (numpy); its postings are
    the plain pool's, whatever the staged batches' size: titles or none, empty titles and
    bodies, repeated words, CJK bigrams, merged postings between new documents, docnums with
    gaps and out of order."""
    from array import array

    monkeypatch.setattr(ix, "STAGE_TOKENS", stage_tokens)
    rnd = random.Random(5)
    vocab = ["river", "road", "Übung", "日本語の文章", "a", "b", "x" * 61, "étude"]
    plain, staged = ix._CompactPool(ix.make_schema()), ix._CompactPool(ix.make_schema(), staged=True)  # noqa: SLF001
    docnum = 0
    for _ in range(300):
        docnum += rnd.choice([1, 1, 1, 3])
        title = " ".join(rnd.choices(vocab, k=rnd.randint(0, 3)))
        body = " ".join(rnd.choices(vocab, k=rnd.randint(0, 12)))
        value = body if rnd.random() < 0.2 else title + ix.TITLE_SEP + body
        for fieldname in ("body", "title"):
            assert plain.add_text(fieldname, docnum, value) == staged.add_text(fieldname, docnum, value)
        if rnd.random() < 0.05:  # a merged segment's posting, also before later documents
            item = ("body", rnd.choice(vocab[:3]).lower().encode(), rnd.randint(0, docnum + 5), 2.5,
                    array("I", [rnd.randint(0, 9)]).tobytes())
            plain.add(item)
            staged.add(item)
    for fieldname in ("body", "title"):
        assert _pool_postings(staged, fieldname) == _pool_postings(plain, fieldname)


def test_date_ranges_come_from_the_date_column(tmp_path):
    """Dates are a column only (no trie terms): ranges over several segments with deletions,
    open at either end; notes without the date never match."""
    si = ix.SearchIndex(tmp_path / "w")
    si.create()

    def doc(i):
        d = {"id": str(i), "path": f"{i}.md", "title": "t", "body": "t" + ix.TITLE_SEP + "word"}
        if i % 5:
            d["created"] = 20200101000000 + (i % 37) * 10000000000  # years 2020 to 2056
        return d

    si.write([doc(i) for i in range(120)], bulk=True)
    si.write([doc(i) for i in range(120, 160)], bulk=True)
    si.write((), delete_ids=[str(i) for i in range(0, 160, 7)])
    live = [i for i in range(160) if i % 7]
    created = {i: doc(i).get("created") for i in live}
    for text, lo, hi in [("created:2020", 20200101000000, 20201231235959),
                         ("created:2021..2023", 20210101000000, 20231231235959),
                         ("created:>=2024", 20240101000000, None), ("created:<2021", None, 20201231235959)]:
        want = {str(i) for i, c in created.items()
                if c is not None and (lo is None or c >= lo) and (hi is None or c <= hi)}
        got = si.run(q.parse(text), limit=500, sort="newest")
        assert {i for i, _ in got} == want, text
        assert want
        scored = si.run(q.parse(text + " word"), limit=500, sort="relevance")
        assert {i for i, _ in scored} == want
    si.close()


def test_a_new_searcher_keeps_the_readers_of_unchanged_segments_only(tmp_path, monkeypatch):
    """After each commit the searcher takes over the readers of segments that did not change
    and opens the others: updates, deletions and merges answer as a fresh index does."""
    monkeypatch.setattr(ix, "MERGE_TIERS", ((10, 3),))
    si = ix.SearchIndex(tmp_path / "w")
    si.create()

    def doc(i, word="river"):
        return {"id": str(i), "path": f"{i}.md", "title": f"t{i}",
                "body": f"t{i}" + ix.TITLE_SEP + f"{word} {i}"}

    def leaves():
        return {r.segment().segment_id(): r for r, _ in si.searcher().reader().leaf_readers()}

    si.write([doc(i) for i in range(50)], bulk=True)
    kept = changed = 0
    steps = [lambda: si.write([doc(i) for i in range(50, 55)], bulk=True), lambda: si.write([doc(3, "road")]),
             lambda: si.write((), delete_ids=["7", "51"]), lambda: si.write([doc(60)]),
             lambda: si.write([doc(61)]), lambda: si.write([doc(62)])]  # the last one merges
    for step in steps:
        before = leaves()
        step()
        assert si.wait_for_merges(60)
        after = leaves()
        for segid, r in after.items():
            if segid in before:
                same = ix._same_segment(before[segid].segment(), r.segment())  # noqa: SLF001
                assert (r is before[segid]) == same
                kept += same
                changed += not same
        assert not any(r.is_closed for r in after.values())
        got = {w: sorted(i for i, _ in si.run(q.parse(w), limit=100, sort="relevance"))
               for w in ("river", "road")}
        fresh = ix.SearchIndex(tmp_path / "w")
        fresh.open()
        assert got == {w: sorted(i for i, _ in fresh.run(q.parse(w), limit=100, sort="relevance"))
                       for w in ("river", "road")}
        fresh.close()
    assert kept and changed
    assert got == {"river": sorted(str(i) for i in range(63) if i not in (3, 7, 51) and (i < 55 or i >= 60)),
                   "road": ["3"]}
    si.close()


def test_block_self_check_falls_back_to_whooshs_writer_on_a_mismatch(tmp_path, monkeypatch, caplog):
    """Blocks Whoosh would read otherwise (here: one weight off) make the process write with
    Whoosh's own writer, say so in the log, and the index still finds what it holds."""
    assert ix.check_block_format()  # the pinned Whoosh reads back what the block writer writes
    real = ix._posting_list  # noqa: SLF001

    def off_by_one(docs, weights, *args):
        return real(docs, [w + 1 for w in weights], *args)

    monkeypatch.setattr(ix, "_posting_list", off_by_one)
    monkeypatch.setattr(ix, "_blocks_verified", None)
    with caplog.at_level("WARNING", logger="clipper.core.index"):
        si = ix.SearchIndex(tmp_path / "ix")
        si.create()
    assert ix._blocks_verified is False  # noqa: SLF001
    assert "Whoosh's own writer" in caplog.text
    doc = {"id": "a", "path": "a.md", "title": "River", "body": ix.body_value("River", "the river road")}
    si.write([doc])
    reader = si.searcher().reader()
    assert [m for m in reader.postings("body", "road").all_ids()] == [0]
    assert reader.postings("body", "road").weight() == 1.0  # written by Whoosh: not off by one
    si.close()


def _note(i, word="wombat"):
    return {"id": str(i), "path": f"{i}.md", "title": "", "body": f"note {i} {word}"}


def _ids(si, text):
    return sorted(int(i) for i, _ in si.run(q.parse(text), limit=500, sort="relevance"))


def test_adds_and_deletes_go_on_while_a_merge_runs(tmp_path, monkeypatch):
    """A merge runs in the background without the write lock: notes are added, replaced,
    deleted and found while it reads its segments; its swap keeps all of that (deletions of
    merged notes made meanwhile are carried over to the merged segment)."""
    import threading

    monkeypatch.setattr(ix, "MERGE_TIERS", ((300, 4),))
    si = ix.SearchIndex(tmp_path / "w")
    si.create()
    reading, go_on = threading.Event(), threading.Event()
    real = ix.SegmentBuilder.add_reader

    def slow_add_reader(self, reader, cancelled=None):
        reading.set()
        assert go_on.wait(60)
        return real(self, reader, cancelled)

    monkeypatch.setattr(ix.SegmentBuilder, "add_reader", slow_add_reader)
    for i in range(4):
        si.write([_note(i)])
    assert reading.wait(60)  # the fourth commit started a merge; it waits inside it
    merger = si._merger  # noqa: SLF001
    assert merger is not None and merger.is_alive()
    for i in range(4, 7):  # the write lock is free: commits and searches go on
        si.write([_note(i)])
    si.write([_note(1, "badger")])  # replaces a note being merged
    si.write((), delete_ids=["2"])  # deletes one
    assert merger.is_alive()
    assert _ids(si, "wombat") == [0, 3, 4, 5, 6]
    go_on.set()
    assert si.wait_for_merges(60)
    assert _ids(si, "wombat") == [0, 3, 4, 5, 6] and _ids(si, "badger") == [1]
    assert si.doc_count() == 6
    assert len(si.ix._segments()) < 8  # noqa: SLF001 -- the first four are one now
    si.close()
    fresh = ix.SearchIndex(tmp_path / "w")
    fresh.open()
    assert _ids(fresh, "wombat") == [0, 3, 4, 5, 6] and fresh.doc_count() == 6
    fresh.close()


def test_a_merge_of_segments_merged_or_cleared_meanwhile_is_dropped(tmp_path, monkeypatch):
    monkeypatch.setattr(ix, "MERGE_TIERS", ((300, 3),))
    si = ix.SearchIndex(tmp_path / "w")
    si.create()
    monkeypatch.setattr(si, "_schedule_merge", lambda: None)  # merges only when called here
    for i in range(3):
        si.write([_note(i)])
    real = si._swap_in  # noqa: SLF001

    def swap_after_another(built, merged):
        other = ix.SearchIndex(tmp_path / "w")  # another process merged them first
        other.open()
        monkeypatch.setattr(other, "_swap_in", real.__func__.__get__(other))
        assert other.merge_once()
        other.close()
        return real(built, merged)

    monkeypatch.setattr(si, "_swap_in", swap_after_another)
    assert si.merge_once() is False
    assert _ids(si, "wombat") == [0, 1, 2] and len(si.ix._segments()) == 1  # noqa: SLF001
    assert not [p for p in (tmp_path / "w").iterdir() if p.name.startswith(ix.BUILD_PREFIX)]
    si.close()


def test_close_cancels_a_big_merge_and_the_index_stays_whole(tmp_path, monkeypatch):
    import threading

    monkeypatch.setattr(ix, "MERGE_TIERS", ((1, 99), (300, 3)))  # the merge folds the second tier
    si = ix.SearchIndex(tmp_path / "w")
    si.create()
    reading = threading.Event()
    real = ix.SegmentBuilder.add_reader

    def add_reader(self, reader, cancelled=None):
        reading.set()
        while not cancelled():  # until close() cancels it
            threading.Event().wait(0.01)
        return real(self, reader, cancelled)

    monkeypatch.setattr(ix.SegmentBuilder, "add_reader", add_reader)
    for i in range(3):
        si.write([_note(i)])
    assert reading.wait(60)
    si.close()  # cancels the merge and waits for it
    assert not [p for p in (tmp_path / "w").iterdir() if p.name.startswith(ix.BUILD_PREFIX)]
    fresh = ix.SearchIndex(tmp_path / "w")
    fresh.open()
    assert _ids(fresh, "wombat") == [0, 1, 2] and len(fresh.ix._segments()) == 3  # noqa: SLF001
    fresh.close()


_CRASH_CHILD = r"""
import os, sys
from clipper.core import index as ix
ix.MERGE_TIERS = ((300, 3),)
where = sys.argv[2]
si = ix.SearchIndex(sys.argv[1])
si.create()
real_add, real_commit = ix.SegmentBuilder.add_reader, ix._commit
def add_reader(self, reader, cancelled=None):
    got = real_add(self, reader, cancelled)
    if where == "reading":
        os._exit(3)  # killed while writing the merged segment beside the index
    return got
def commit(writer, **kwargs):
    if where == "swapping" and not writer._added:
        os._exit(3)  # killed after moving the merged segment in, before the new table of contents
    return real_commit(writer, **kwargs)
ix.SegmentBuilder.add_reader = add_reader
ix._commit = commit
for i in range(3):
    si.write([{"id": str(i), "path": f"{i}.md", "title": "", "body": f"note {i} wombat"}])
si.wait_for_merges(60)
os._exit(0)
"""


def test_a_process_killed_mid_merge_leaves_the_index_whole(tmp_path):
    """Killed while merging (writing the merged segment, or between moving it in and the
    new table of contents), the index keeps every note; the leftovers go at the next open
    and the next commit."""
    import subprocess
    import sys

    for where in ("reading", "swapping"):
        folder = tmp_path / where
        got = subprocess.run([sys.executable, "-c", _CRASH_CHILD, str(folder), where], timeout=120)
        assert got.returncode == 3
        ix.discard_stale_builds(folder)  # what the library does when it opens an index
        assert not [p for p in folder.iterdir() if p.name.startswith(ix.BUILD_PREFIX)]
        si = ix.SearchIndex(folder)
        si.open()
        assert _ids(si, "wombat") == [0, 1, 2] and si.doc_count() == 3
        files = {p.name for p in folder.iterdir()}
        si.write([_note(3)])
        assert si.wait_for_merges(60)
        si.close()
        fresh = ix.SearchIndex(folder)
        fresh.open()
        assert _ids(fresh, "wombat") == [0, 1, 2, 3] and fresh.doc_count() == 4
        live = {s.make_filename(s.COMPOUND_EXT) for s in fresh.ix._segments()}  # noqa: SLF001
        fresh.close()
        orphans = {n for n in {p.name for p in folder.iterdir()} if n.endswith(".seg")} - live
        assert not orphans, (where, orphans, files)


def test_term_files_are_read_as_whoosh_reads_them(tmp_path):
    """The term file reader with its directory read in one piece, and the whole term table of
    a small segment, give what Whoosh's own reader gives."""
    from whoosh.filedb.filetables import HashReader, OrderedHashReader

    si = ix.SearchIndex(tmp_path / "w")
    si.create()
    si.write([_note(i, f"wombat{i % 7} river") for i in range(40)], bulk=True)
    reader = next(r for r, _ in si.searcher().reader().leaf_readers())
    tindex = reader._terms._tindex  # noqa: SLF001
    assert type(tindex) is ix._OrderedHashReader  # noqa: SLF001
    stock = OrderedHashReader.__new__(OrderedHashReader)
    HashReader.__init__(stock, tindex.dbfile)
    for name in ("hashtype", "startofdata", "endofdata", "tables", "indexbase", "indexlen", "extras"):
        assert getattr(stock, name) == getattr(tindex, name), name
    keys, values = ix._small_terms(reader)  # noqa: SLF001
    assert keys == list(tindex.keys()) and values == dict(tindex.items())
    assert ix._prefix_terms(reader, "body", b"wombat", 99) == [  # noqa: SLF001
        (f"wombat{i}".encode(), len(range(i, 40, 7))) for i in range(7)]
    assert ix._term_info(reader, "body", "river").doc_frequency() == 40  # noqa: SLF001
    si.close()


def test_closest_key_positions_are_whoosh_s(tmp_path, monkeypatch):
    """Also once the reader keeps the keys of the first steps (probes one after another on
    one reader), with keys longer than those it keeps among them."""
    import random

    rnd = random.Random(5)
    si = ix.SearchIndex(tmp_path / "w")
    si.create()
    words = ["".join(rnd.choices("abcdeéz", k=rnd.randint(1, 9))) for _ in range(400)]
    words += ["".join(rnd.choices("abcé", k=rnd.randint(40, 70))) for _ in range(60)]
    si.write([_note(i, " ".join(rnd.sample(words, 20))) for i in range(400)], bulk=True)
    reader = next(r for r, _ in si.searcher().reader().leaf_readers())
    tindex = reader._terms._tindex  # noqa: SLF001
    fid = reader._terms._fieldmap["body"]  # noqa: SLF001
    probes = [""] + words + [w[:k] for w in words[:50] for k in range(4)] + ["zzzzzzzzzzzzzzz", "é"]
    for depth in (3, ix._TOP_KEY_DEPTH):  # noqa: SLF001 -- some steps kept, then all of them
        monkeypatch.setattr(ix, "_TOP_KEY_DEPTH", depth)
        reader.__dict__.pop("_clipper_top_keys", None)
        for probe in probes:
            key = ix.pack_ushort(fid) + probe.encode()
            assert ix._closest_key_pos(reader, key) == tindex.closest_key_pos(key), probe  # noqa: SLF001
        assert reader._clipper_top_keys  # noqa: SLF001
    assert ix._closest_key_pos(reader, b"\xff\xff") == tindex.closest_key_pos(b"\xff\xff") is None  # noqa: SLF001
    si.close()


def test_phrases_over_lists_of_many_blocks_match_whoosh(tmp_path, monkeypatch):
    """A phrase of its own (positions checked for the best candidates only), over lists of
    many blocks, finds what Whoosh's matchers find."""
    import random

    monkeypatch.setattr(ix, "BLOCK_POSTINGS", 4)
    rnd = random.Random(11)
    words = ["sea", "level", "rose", "city", "river", "road"]
    si = ix.SearchIndex(tmp_path / "w")
    si.create()
    si.write([_note(i, " ".join(rnd.choices(words, k=12))) for i in range(150)], bulk=True)
    si.write([_note(i, " ".join(rnd.choices(words, k=12))) for i in range(150, 200)], bulk=True)
    for text in ('"sea level"', '"level rose"', '"river road city"', '"rose sea"', '"sea level" -city'):
        direct = si.run(q.parse(text), limit=10, sort="relevance")
        monkeypatch.setattr(si, "direct", False)
        whoosh = si.run(q.parse(text), limit=500, sort="relevance")
        monkeypatch.setattr(si, "direct", True)
        assert direct and {i for i, _ in direct} <= {i for i, _ in whoosh}, text
        best = sorted((round(sc, 4) for _, sc in whoosh), reverse=True)[:10]
        assert [round(sc, 4) for _, sc in direct] == best, text
    si.close()


def test_the_block_format_check_uses_a_temp_folder_of_its_own(tmp_path, monkeypatch):
    """Whoosh names a writer's temp folder after the index (the same for every process): the
    self-check must not depend on it (another process removing it failed the check)."""
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    (tmp_path / f"{ix.INDEX_NAME}.tmp").write_text("not a folder")
    assert ix._check_dump(True) == ix._check_dump(False)  # noqa: SLF001


def test_a_document_replacing_another_id_deletes_it_also_during_a_merge(tmp_path, monkeypatch):
    """``_replaces`` (a file whose id changed) deletes the old id's documents in the same
    commit, also when that commit comes while a merge folds the old document's segment (the
    merge's ``cancelled`` hook makes the commit mid-merge, no thread involved)."""
    monkeypatch.setattr(ix, "MERGE_TIERS", ((10, 3),))
    si = ix.SearchIndex(tmp_path / "w")
    si.create()
    monkeypatch.setattr(si, "_schedule_merge", lambda: None)  # merges run below, by hand

    def doc(i, text, **extra):
        return {"id": i, "path": f"{i}.md", "title": i, "body": i + ix.TITLE_SEP + text, **extra}

    def found(word):
        return sorted(i for i, _ in si.run(q.parse(word), limit=10, sort="relevance"))

    for i in ("a", "b", "c"):
        si.write([doc(i, "walrus")])
    si.write([doc("a2", "narwhal", _replaces="a")])
    assert found("walrus") == ["b", "c"] and found("narwhal") == ["a2"] and si.doc_count() == 3
    made = []

    def mid_merge():
        if not made:  # the first segment is read: the commit lands while the merge runs
            made.append(si.write([doc("b2", "narwhal", _replaces="b")]))
        return False

    assert si.merge_once(mid_merge) and made
    assert found("walrus") == ["c"] and found("narwhal") == ["a2", "b2"] and si.doc_count() == 3
    fresh = ix.SearchIndex(tmp_path / "w")
    fresh.open()
    assert fresh.doc_count() == 3
    assert sorted(i for i, _ in fresh.run(q.parse("walrus"), limit=10, sort="relevance")) == ["c"]
    fresh.close()
    si.close()


def test_a_segment_deleted_between_the_table_of_contents_and_its_files_is_read_again(tmp_path,
                                                                                     monkeypatch):
    """A merge's commit can delete a segment just after a search read the table of contents that
    lists it: opening its files then fails, and the searcher is made again from the new table
    (it raised FileNotFoundError into the search); the old searcher's readers stay open."""
    import whoosh.reading

    si = ix.SearchIndex(tmp_path / "w")
    si.create()
    si.write([_note(1)])
    assert _ids(si, "wombat") == [1]
    old = si.searcher()
    si.write([_note(2)])
    real, failed = whoosh.reading.SegmentReader, []

    def vanishing(*args, **kwargs):
        if not failed:
            failed.append(True)
            raise FileNotFoundError(2, "No such file or directory", "MAIN_gone.seg")
        return real(*args, **kwargs)

    monkeypatch.setattr(whoosh.reading, "SegmentReader", vanishing)
    assert _ids(si, "wombat") == [1, 2] and failed
    first = old.reader().leaf_readers()[0][0]  # taken over by the new searcher: still open
    assert not first.is_closed and first in [r for r, _ in si.searcher().reader().leaf_readers()]
    si.close()


def test_a_words_variants_leave_each_segments_term_infos_as_its_term_file_holds_them(tmp_path):
    """The prefix scan that finds a word's variants keeps what it read of their term infos for
    the query's look-ups (and "absent" where a segment lacks a variant): the same infos as the
    term file's, in a big segment (its file scanned) and a small one (kept in memory)."""
    from whoosh.reading import TermNotFound

    si = ix.SearchIndex(tmp_path / "w")
    si.create()
    words = ["sleep", "sleeping", "sleepy", "slender", "river"]

    def doc(i, text):
        return {"id": str(i), "path": f"{i}.md", "title": "t", "body": "t" + ix.TITLE_SEP + text,
                "created": 20240101000000 + i}

    si.write([doc(i, " ".join(words[j] for j in range(5) if (i >> j) & 1 or j == 4)) for i in range(400)],
             bulk=True)
    si.write([doc(1000, "sleeps soundly")])
    s = si.searcher()
    reader = s.reader()
    assert sorted(si.variants(reader, "body", "sleep")) == ["sleep", "sleeping", "sleeps"]
    leaves = [r for r, _ in reader.leaf_readers()]
    assert sorted(r.doc_count_all() for r in leaves) == [1, 400]
    for r in leaves:
        for w in ["sleep", "sleeping", "sleeps"]:
            got = r._clipper_infos[("body", w)]  # noqa: SLF001 -- kept by the scan
            try:
                want = r._terms.term_info("body", w.encode())  # noqa: SLF001
            except (KeyError, TermNotFound):
                want = None
            assert (got is None) == (want is None), (r.doc_count_all(), w)
            if want is not None:
                assert (got.doc_frequency(), got.extent()) == (want.doc_frequency(), want.extent())
    si.close()


def test_block_ids_and_weights_read_from_the_pickle_bytes_are_unpickling_s():
    """The id deltas and weights read straight from the bytes of the block writer's pickles
    (two-byte and four-byte deltas; weights all 1, all one other value, or each its own) are
    what unpickling the blocks gives, and blocks of any other layout are left to unpickling."""
    import pickle
    from array import array

    import numpy as np

    class _File:
        def __init__(self, data):
            self.data = data

        def get(self, offset, length):
            return self.data[offset:offset + length]

    rnd = random.Random(11)
    for trial in range(30):
        count = rnd.randint(1, 1200)
        gap = 3 if trial % 2 else 90_000  # deltas of two bytes, or of four
        docs = array("I", sorted(rnd.sample(range(count * gap), count)))
        kind = trial % 3
        weights = array("f", [1.0] * count if kind == 0 else [3.0] * count if kind == 1
                        else [rnd.choice((1.0, 2.0, 4.5, 7.25)) for _ in range(count)])
        raw = [rnd.randbytes(rnd.choice((4, 8))) for _ in range(count)]
        vals = ix.PackedValues(b"".join(raw), array("I", ix.accumulate(map(len, raw))))
        data, _stats = ix._posting_list(docs, weights, vals, None, None, rnd.choice((7, 128, 512)), 0)  # noqa: SLF001
        fast = ix._read_blocks(_File(data), 0, len(data), False)  # noqa: SLF001
        unpickled = ix._read_blocks(_File(data), 0, len(data), True)  # noqa: SLF001
        assert fast[0].tolist() == unpickled[0].tolist() == list(docs), trial
        assert fast[1].tolist() == unpickled[1].tolist() == list(weights), trial
        assert fast[0].dtype == np.int64 and fast[1].dtype == np.float32
        assert [bytes(v) for v in unpickled[2]] == raw
    # another layout (Whoosh's own: tuples, protocol 2; or a tuple of deltas): unpickled
    for data in (pickle.dumps(((1, 2), None, None), 2), pickle.dumps(((1, 2), None, None), 5),
                 pickle.dumps((array("H", [1, 2]), (1.0, 2.0), None), 5),
                 pickle.dumps((array("H", [1, 2]), (1.0,), None), 5)):
        assert ix._ids_and_weights(data, 0, len(data), 2) is None  # noqa: SLF001
    data = pickle.dumps((array("H", [1, 2]), 2.5, None), 5)
    got = ix._ids_and_weights(data, 0, len(data), 2)  # noqa: SLF001
    assert got[0].tolist() == [1, 2] and got[1].tolist() == [2.5, 2.5]
    assert ix._ids_and_weights(data, 0, len(data), 3) is None  # noqa: SLF001 -- not its count
