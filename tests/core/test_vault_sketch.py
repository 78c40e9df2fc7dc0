"""The near-duplicate shingles and sketch give the values of their plain definition."""

import hashlib

from hypothesis import given, settings
from hypothesis import strategies as st

from clipper.core import vault
from clipper.core.vault import _MD_TARGET, _SKETCH_TOKEN, SKETCH_SIZE, SKETCH_TEXT, shingles, text_sketch


def _reference(body: str) -> set[int]:
    """The definition: 8-byte BLAKE2b of each word 4-gram of the case-folded visible text."""
    toks = _SKETCH_TOKEN.findall(_MD_TARGET.sub("] ", (body or "")[:SKETCH_TEXT]).casefold())
    out = set()
    for i in range(len(toks) - 3):
        digest = hashlib.blake2b(" ".join(toks[i:i + 4]).encode("utf-8"), digest_size=8).digest()
        out.add(int.from_bytes(digest, "big", signed=True))
    return out


TEXTS = [
    "", "one two three", "one two three four", "one two three four one two three four five",
    "Straße STRASSE straße groß Groß ﬁne ﬁnd the ΣΊΣΥΦΟΣ Σίσυφος wrote",  # casefold ≠ lower
    "see [the link](https://example.org/a(b)c) and <https://x.org/y> then more words after it",
    "snake_case words_with 123 numbers 4.5 and_so_on in a row of text here",
    "Москва — столица России, и это город на реке Москве в центре страны",
    "北京大学 是 一所 大学 and some english words to make grams",
    "a\u00a0b\u2028c\td\ne f g h",  # other spaces
    "x " * 50,  # one gram repeated
]


def test_shingles_match_the_definition():
    for text in TEXTS:
        assert shingles(text) == _reference(text), text


def test_sketch_is_the_smallest_hashes():
    text = " ".join(f"word{i}" for i in range(200))
    grams = _reference(text)
    assert text_sketch(text) == sorted(grams)[:SKETCH_SIZE]
    assert text_sketch("too few words here") == []


def test_a_long_text_counts_its_first_characters_only(monkeypatch):
    monkeypatch.setattr(vault, "SKETCH_TEXT", 40)
    text = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu"
    assert shingles(text) == shingles(text[:40])


_PIECES = st.sampled_from(["a", "b", "c", "X", "Y", "Z", " ", "_", "-", "ß", "Σ", "σ", "ς", "1", "[", "]",
                           "(", ")", "<", ">", "/", ":", ".", "\n", "https://", "ﬁ", "é", "e\u0301"])


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=80).map("".join))
def test_shingles_match_the_definition_on_any_text(text):
    assert shingles(text) == _reference(text)
