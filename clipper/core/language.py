"""The language of a text, one guess for every use (a note's metadata, the word lists that
choose letters the encoding repair must guess): ``guess(text) -> str``, an ISO 639-1 code, or ""
when the text does not tell.

One table of cues: the scripts that name their language (kana, Hangul, Han, Thai, Arabic,
Hebrew, Greek) by their share of the text's letters, then for Latin and Cyrillic text the
commonest stop words of jusText's lists (ranked by frequency) of the languages of
:data:`LANGUAGES`: the one whose words the text uses most, at least 20 of them, clearly ahead of
the next; for Cyrillic text that no list decides, Russian or Ukrainian by the letters only
Ukrainian writes. The lists are read once per machine (:func:`wordlists.cached`).
"""

from __future__ import annotations

import re
from collections import Counter

from clipper.core import wordlists

# ISO 639-1 code -> the name of jusText's stop-word list.
LANGUAGES = {
    "en": "English", "ru": "Russian", "uk": "Ukrainian", "bg": "Bulgarian", "sr": "Serbian",
    "el": "Greek", "pt": "Portuguese", "es": "Spanish", "fr": "French", "de": "German",
    "it": "Italian", "cs": "Czech", "pl": "Polish", "sk": "Slovak", "hu": "Hungarian",
    "ro": "Romanian", "tr": "Turkish", "hr": "Croatian", "sl": "Slovenian", "lt": "Lithuanian",
    "lv": "Latvian", "et": "Estonian", "is": "Icelandic", "da": "Danish", "nb": "Norwegian_Bokmal",
    "sv": "Swedish", "fi": "Finnish", "nl": "Dutch", "ca": "Catalan", "vi": "Vietnamese",
    "id": "Indonesian",
}

# Scripts that name one language (their letters' range), by the share of the text's letters they
# must have.
_SCRIPTS = (("ja", "\u3040", "\u30ff", 0.05), ("ko", "\uac00", "\ud7af", 0.3),
            ("zh", "\u4e00", "\u9fff", 0.3), ("th", "\u0e00", "\u0e7f", 0.3),
            ("ar", "\u0600", "\u06ff", 0.3), ("he", "\u0590", "\u05ff", 0.3), ("el", "\u0370", "\u03ff", 0.3))
# any letter of those scripts (most texts have none); one expression (each range of a pattern
# costs its compilation time: a few ms for Han's)
_ANY_SCRIPT = re.compile("[" + "".join(f"{lo}-{hi}" for _, lo, hi, _ in _SCRIPTS) + "]+")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_UKRAINIAN = re.compile(r"[їєґЇЄҐ]")
_DIGIT = re.compile(r"[\d_]")  # the word characters that are not letters
_WORD = re.compile(r"\w+")
_BARE = re.compile(r"^\W+|\W+$")
_TOP = 300  # stop words per language that tell it (no list is favoured by its length)
_MIN_HITS = 20
_SAMPLE = 20000  # characters: a page's worth tells as well as a book

_INDEX: dict[str, int] | None = None  # word -> bit set of the languages that list it
_CODES = tuple(LANGUAGES)


def stopwords() -> dict[str, list[str]]:
    """Code -> jusText's stop words of the language, lower-cased, commonest first."""
    return wordlists.cached("stopwords-ranked", _read_stopwords)


def _read_stopwords() -> dict[str, list[str]]:
    lists: dict[str, list[str]] = {}
    try:
        import pkgutil

        for code, name in LANGUAGES.items():
            data = pkgutil.get_data("justext", f"stoplists/{name}.txt")
            if data:
                # words of Wikipedia with their punctuation ("года.", "(в"): bare
                words = (_BARE.sub("", w) for w in data.decode("utf-8").lower().split())
                lists[code] = list(dict.fromkeys(w for w in words if w.isalpha()))
    except Exception:  # noqa: BLE001 - without jusText no language is told by its words
        pass
    return lists


def alphabets() -> list[frozenset[str]]:
    """The letters (small, beyond ASCII) of each language's stop words: which letters one
    language writes together."""
    global _ALPHABETS
    if _ALPHABETS is None:
        _ALPHABETS = [frozenset(letters) for letters in wordlists.cached("alphabets", lambda: sorted(
            "".join(sorted({c for w in words for c in w if ord(c) > 0x7F}))
            for words in stopwords().values()))]
    return _ALPHABETS


_ALPHABETS: list[frozenset[str]] | None = None


def _index() -> dict[str, int]:
    global _INDEX
    if _INDEX is None:
        _INDEX = wordlists.cached(f"language-cues-{_TOP}", _build_index)
    return _INDEX


def _build_index() -> dict[str, int]:
    index: dict[str, int] = {}
    for code, words in stopwords().items():
        bit = 1 << _CODES.index(code)
        for w in words[:_TOP]:  # the longer lists run on into names
            index[w] = index.get(w, 0) | bit
    return index


def guess(text: str) -> str:
    """An ISO 639-1 code for the language of ``text``, or "" when it does not tell (a wrong
    language is worse than none: the stop words of the language must be 20 at least, a twelfth
    of the words, and a fifth more than those of any other language)."""
    sample = text[:_SAMPLE]
    found = _WORD.findall(sample)
    # its letters: the word characters, less digits and "_" (counted so: few of them to find)
    letters = sum(map(len, found)) - len(_DIGIT.findall(sample))
    if not letters:
        return ""
    runs = _ANY_SCRIPT.findall(sample)
    if runs:
        chars = Counter("".join(runs)).items()
        for code, lo, hi, share in _SCRIPTS:
            if sum(n for c, n in chars if lo <= c <= hi) > letters * share:
                return code
    index = _index()
    counts = [0] * len(_CODES)
    words = len(found)
    for w, n in Counter(found).items():  # each distinct word looked up once
        bits = index.get(w.lower(), 0)
        while bits:
            low = bits & -bits
            counts[low.bit_length() - 1] += n
            bits ^= low
    ranked = sorted(zip(counts, _CODES), reverse=True)
    (best, code), (second, _) = ranked[0], ranked[1]
    if best >= _MIN_HITS and best >= 1.2 * second and best * 12 >= words:
        return code
    if len(_CYRILLIC.findall(sample)) > letters * 0.3:
        return "uk" if _UKRAINIAN.search(sample) else "ru"
    return ""
