"""The near-duplicate shingles and sketch give the values of their plain definition."""

import hashlib
import threading

from hypothesis import given, settings
from hypothesis import strategies as st

from clipper.core import analysis, notekeys
from clipper.core.notekeys import _MD_TARGET, SKETCH_SIZE, SKETCH_TEXT, shingles, text_sketch


def _key(word: str, place: int) -> int:
    digest = hashlib.blake2b(word.encode("utf-8"), digest_size=32).digest()
    return int.from_bytes(digest[8 * place:8 * place + 8], "little", signed=True)


def _reference(body: str) -> set[int]:
    """The definition: for each 4-gram of the index's tokens of the visible text (link targets
    left out), the XOR of its words' keys for their places (a word's keys: its 32-byte BLAKE2b
    as 4 signed little-endian integers)."""
    toks = analysis._tokens(_MD_TARGET.sub("] ", (body or "")[:SKETCH_TEXT]))
    out = set()
    for i in range(len(toks) - 3):
        h = 0
        for place in range(4):
            h ^= _key(toks[i + place], place)
        assert -2**63 <= h < 2**63  # fits SQLite's INTEGER
        out.add(h)
    return out


TEXTS = [
    "", "one two three", "one two three four", "one two three four one two three four five",
    "Straße STRASSE straße groß Groß ﬁne ﬁnd the ΣΊΣΥΦΟΣ Σίσυφος wrote",  # casefold ≠ lower
    "see [the link](https://example.org/a(b)c) and <https://x.org/y> then more words after it",
    "snake_case words_with 123 numbers 4.5 and_so_on in a row of text here",
    "Москва — столица России, и это город на реке Москве в центре страны",
    "北京大学 是 一所 大学 and some english words to make grams",
    "a\u00a0b\u2028c\td\ne f g h",  # other spaces
    "x" * 70 + " a long token is no token " + "y" * 61 + " here",
    ("a long text with [a link](https://example.org/path_to_page) in it and more " * 20
     + "<https://example.org/at_the_end>"),
    "no links but long enough to be remembered by the tokenizer " * 20,
    "x " * 50,  # one gram repeated
]


def test_shingles_match_the_definition():
    for text in TEXTS:
        assert shingles(text) == _reference(text), text


def test_the_index_tokenizes_a_sketched_text_as_ever():
    for text in TEXTS:
        shingles(text)
        assert analysis.tokenize(text) == analysis._tokens(text), text
        assert analysis.tokenize(text + " more") == analysis._tokens(text + " more"), text


def test_sketch_is_the_smallest_hashes():
    text = " ".join(f"word{i}" for i in range(200))
    grams = _reference(text)
    assert text_sketch(text) == sorted(grams)[:SKETCH_SIZE]
    assert text_sketch("too few words here") == []


def test_a_long_text_counts_its_first_characters_only(monkeypatch):
    monkeypatch.setattr(notekeys, "SKETCH_TEXT", 40)
    text = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu"
    assert shingles(text) == shingles(text[:40])


_PIECES = st.sampled_from(["a", "b", "c", "X", "Y", "Z", " ", "_", "-", "ß", "Σ", "σ", "ς", "1", "[", "]",
                           "(", ")", "<", ">", "/", ":", ".", "\n", "https://", "ﬁ", "é", "e\u0301",
                           "北", "京", "ก", "İ"])


def test_word_keys_start_anew_past_their_limit(monkeypatch):
    monkeypatch.setattr(notekeys, "SKETCH_WORD_KEYS", 8)
    monkeypatch.setattr(notekeys, "_word_keys", {})
    for text in TEXTS:
        assert shingles(text) == _reference(text), text
        assert len(notekeys._word_keys) <= max(8, len(set(text.casefold().split())) + 8)


def test_shingles_from_threads():
    texts = [" ".join(f"w{(i * 7 + j) % 500}" for j in range(300)) for i in range(40)]
    want = [_reference(t) for t in texts]
    bad = []

    def work():
        for t, w in zip(texts, want):
            if shingles(t) != w:
                bad.append(t)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not bad


def test_two_copies_of_an_article_share_their_sketch():
    words = [f"word{i}" for i in range(400)]
    a = " ".join(words)
    b = "[Read more](https://a.example/x) " + " ".join(w.upper() for w in words) + " <https://b.example/y>"
    assert text_sketch(a) == text_sketch(b)
    assert len(set(text_sketch(a)) & set(text_sketch(" ".join(words[200:] + words[:200])))) >= 3


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=80).map("".join))
def test_shingles_match_the_definition_on_any_text(text):
    assert shingles(text) == _reference(text)
    text *= 10  # long enough to be remembered
    assert shingles(text) == _reference(text)
    assert analysis.tokenize(text) == analysis._tokens(text)


def _bulk_sketches(tmp_path, notes):
    """The sketch of each (title, body) as a first build makes it: from the word ids of the
    body field of a SegmentBuilder (see library_sync._build_notes)."""
    from clipper.core.index import SegmentBuilder
    from clipper.core.library_sync import _bulk_sketch
    from clipper.core.notekeys import GramKeys, visible_spans

    builder = SegmentBuilder(tmp_path)
    keys = GramKeys()
    out = []
    for i, (title, body) in enumerate(notes):
        linked = visible_spans(body[:SKETCH_TEXT])
        builder.add_document(id=f"n{i}", path=f"{i}.md", title=title,
                             body=notekeys_body(title, body))
        out.append(_bulk_sketch(builder, keys, body, linked))
    builder.cancel()
    return out


def notekeys_body(title, body):
    from clipper.core.index import body_value

    return body_value(title, body)


class _Counted:
    def __init__(self, func):
        self.func, self.calls = func, 0

    def __call__(self, *args):
        self.calls += 1
        return self.func(*args)


def test_a_first_builds_sketch_from_word_ids_is_the_texts_sketch(tmp_path, monkeypatch):
    """From the index's word ids (numpy), the sketch of every text is text_sketch's: links,
    scripts, short texts, titles of any length, staged batches ending between notes."""
    from clipper.core import index as ix
    from clipper.core import library_sync

    monkeypatch.setattr(ix, "STAGE_TOKENS", 300)
    fallback = _Counted(text_sketch)
    monkeypatch.setattr(library_sync, "text_sketch", fallback)
    rnd = __import__("random").Random(3)
    words = [f"w{i}" for i in range(60)] + ["Straße", "北京大学", "Москва", "[a](https://x.org/b_c)",
                                            "<https://y.org/d>", "x" * 70]
    notes = [("", t) for t in TEXTS] + [("A title", t) for t in TEXTS]
    notes += [(" ".join(rnd.choices(words, k=rnd.randint(0, 4))),
               " ".join(rnd.choices(words, k=rnd.randint(0, 200)))) for _ in range(200)]
    notes.append(("long " * 500, " ".join(words * 3)))  # a title past 2000 characters
    got = _bulk_sketches(tmp_path, notes)
    assert got == [text_sketch(body) for _title, body in notes]
    assert sum(map(bool, got)) > 100
    assert fallback.calls == 1  # the long title's note only: the others' sketch came from word ids


@settings(max_examples=100, deadline=None)
@given(st.lists(_PIECES, max_size=300).map("".join))
def test_a_first_builds_sketch_on_any_text(tmp_path_factory, text):
    notes = [("t", text), ("", text * 5)]
    assert _bulk_sketches(tmp_path_factory.mktemp("b"), notes) == [text_sketch(b) for _t, b in notes]


def test_gram_keys_follow_a_growing_vocabulary():
    """GramKeys.table grows with the words list (past its first capacity) and starts anew for
    another list: every sketch is text_sketch's."""
    import numpy as np

    from clipper.core.notekeys import GramKeys

    keys = GramKeys()
    for start in (0, 5000):  # two vocabularies (a new staged batch)
        words: list[str] = []
        ids_of: dict[str, int] = {}
        for n in range(40):
            text = " ".join(f"v{start + (n * 97 + j * 13) % (60 * (n + 1))}" for j in range(150))
            tokens = analysis.tokenize(text)
            ids = np.array([ids_of.setdefault(t, len(ids_of)) for t in tokens], dtype=np.int32)
            words.extend(list(ids_of)[len(words):])
            assert keys.sketch(ids, words) == text_sketch(text), (start, n)
        assert len(words) > 1024
