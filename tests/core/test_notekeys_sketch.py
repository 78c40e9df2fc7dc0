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
