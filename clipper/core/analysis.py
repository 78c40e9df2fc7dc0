"""Text analysis shared by indexing, querying and snippets: tokens and stems (no search engine).

``tokenize`` splits text into the index's words (``\\w+`` runs, lowercased; Chinese, Japanese,
Thai, Lao, Khmer and Myanmar as character bigrams). ``stem`` is applied at query time only: a
query word is expanded to the indexed words with the same stem (English Porter2, Russian
Snowball: the algorithms Whoosh ships in ``whoosh.lang``, pure functions with no index format;
the one import of Whoosh outside ``clipper.core.index``, allowed by the import contract)."""

from __future__ import annotations

import os
import re
from functools import lru_cache

_WORD = re.compile(r"\w+")
# Scripts written without spaces between words: Han, Hiragana, Katakana, Thai, Lao, Khmer, Myanmar
_SEG_CHARS = (r"\u0E00-\u0EFF\u1000-\u109F\u1780-\u17FF\u3040-\u30FF\u31F0-\u31FF"
              r"\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF")
_SEG = re.compile(f"[{_SEG_CHARS}]")
_SEG_SPLIT = re.compile(f"([{_SEG_CHARS}]+)")
_LATIN = re.compile(r"^[a-z][a-z0-9']*$")
_CYRILLIC = re.compile(r"^[\u0400-\u04FF]+$")
MAX_TOKEN = 60


def _bigrams(run: str) -> list[str]:
    if len(run) == 1:
        return [run]
    return [run[i:i + 2] for i in range(len(run) - 1)]


#: A text at least this long is remembered with its tokens until the next such text: a first
#: index tokenizes each note's text twice, for its near-duplicate sketch and for the index.
REMEMBER_CHARS = 512
_recent: tuple[str, tuple[str, ...]] = ("", ())


def tokenize(text: str) -> list[str]:
    """Index/query tokens of ``text`` in order (positions = list indexes)."""
    if len(text) < REMEMBER_CHARS:
        return _tokens(text)
    recent = _recent
    if text == recent[0]:
        return list(recent[1])
    out = _tokens(text)
    remember(text, out)
    return out


def remember(text: str, tokens: list[str]) -> None:
    """Have the next :func:`tokenize` of ``text`` return ``tokens`` (its tokens, found in
    pieces) without tokenizing it again."""
    global _recent
    if len(text) >= REMEMBER_CHARS:
        _recent = (text, tuple(tokens))  # one tuple, swapped whole: safe between threads


def _tokens(text: str) -> list[str]:
    low = text.lower()
    words = _WORD.findall(low)
    if not _SEG.search(low):
        if max(map(len, words), default=0) <= MAX_TOKEN:
            return words
        return [w for w in words if len(w) <= MAX_TOKEN]
    out: list[str] = []
    for w in words:
        if not _SEG.search(w):
            if len(w) <= MAX_TOKEN:
                out.append(w)
            continue
        for part in _SEG_SPLIT.split(w):
            if not part:
                continue
            if _SEG.match(part):
                out.extend(_bigrams(part))
            elif len(part) <= MAX_TOKEN:
                out.append(part)
    return out


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """English (Porter2) or Russian (Snowball) stem of a lowercase word; others unchanged."""
    if _LATIN.match(word):
        return _porter(word)
    if _CYRILLIC.match(word):
        return _russian(word)
    return word


def _porter(word: str) -> str:
    from whoosh.lang.porter2 import stem as porter_stem

    return porter_stem(word)


_RU = None


def _russian(word: str) -> str:
    global _RU
    if _RU is None:
        from whoosh.lang.snowball.russian import RussianStemmer

        _RU = RussianStemmer()
    return _RU.stem(word)


def words(text: str) -> list[str]:
    """The lowercase ``\\w+`` runs of ``text`` (before bigrams: what a phrase's characters are)."""
    return _WORD.findall(text.lower())


def is_segmented(token: str) -> bool:
    """Whether ``token`` is of a script written without spaces (its tokens are bigrams)."""
    return _SEG.search(token) is not None


def has_stemmer(word: str) -> bool:
    return bool(_LATIN.match(word) or _CYRILLIC.match(word))


def stem_prefix(word: str) -> tuple[str, str] | None:
    """``(stem, prefix)``: the words with ``word``'s stem all start with ``prefix`` (the stem's
    common part with the word, less one letter when longer than three); None where the word's
    script has no stemmer. Search expands a query word by it and snippets match by it."""
    s = stem(word)
    if s == word and not has_stemmer(word):
        return None
    common = os.path.commonprefix([s, word])
    return s, (common[:-1] if len(common) > 3 else common)
