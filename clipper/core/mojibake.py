"""Encoding repair: undo UTF-8 text that was decoded with a legacy code page (mojibake).

``repair(text) -> str``; clean text in any script comes back unchanged, byte for byte.
``badness(text) -> int`` says how mangled a text looks; ``suspect(text)`` is a cheap test of
whether ``repair`` could change it.

Two repairers propose: ftfy's ``fix_encoding`` (Windows-1252, Latin-1 and its other code pages,
also "sloppy" ones that keep undefined bytes as C1 controls, CESU-8 emoji, ``Ã`` before a
swallowed space) and the project's own, for what ftfy cannot do: Windows-874 (also "874+":
874, then 1252 for the bytes 874 leaves undefined), Windows-1250/1251/1253/1254/1257, Mac
Roman and CP437 in lossy forms where a byte the code page does not define was dropped
(``â€`` for ``”``) or replaced (``?``, ``U+FFFD``), texts where only some parts are mangled,
double and triple mangling. Each also runs on the other's answer. The least bad proposal
wins (among equals the one that leaves fewer lead characters before continuation characters,
then ftfy's), and only if it is less bad than the text as given: a change the text around it
does not justify is not made.

The own repair: for each code page, every maximal run of characters that the code page maps
to bytes >= 0x80 is encoded back to those bytes and decoded as UTF-8 (a lost continuation
byte may be filled in). A run is only changed when the code page is clearly in use in the
document (several runs decode, few fail, or the runs that look mangled on their own are most
of them) or when decoding it makes its words less bad, alone or with the page's other runs
around it decoded too. A page is tried where one of its lead characters meets one of its
continuation characters, or (where it drops bytes) a capital lead letter follows a small one.
The code page that explains most of the text wins (among equals, the one whose guesses make
words); up to three rounds undo double mangling. Which character a lost byte was is a guess:
quotes by position (opening or closing); letters word by word, by the words of the same text,
then wordfreq's word frequencies (jusText's ranked stop words without it), then the stem and
ending the word shares with the language's words, then a letter model; Japanese, Chinese and
Korean letters as the likeliest split of their run into wordfreq's words. The language is
:func:`language.guess`'s; word lists are read through :mod:`wordlists` (files in the user
cache, nothing loaded).

Why one module of this size: the code-page tables, the candidate repairs and the language
scores that choose between them are one algorithm, tuned together on the mojibake benchmark.
"""

from __future__ import annotations

import bisect
import math
import re
import unicodedata
from functools import lru_cache

from clipper.core import language, wordlists
from clipper.core.lazyimport import defer_functions

# ftfy imports wcwidth (~15 ms) for laying out text in a terminal, which no note needs
defer_functions("wcwidth", "wcwidth", "wcswidth")

# Order = preference when several code pages explain the text equally well.
_CODEPAGES = ("cp1252", "cp874+", "latin-1", "cp1250", "cp1251", "cp1253", "cp1254", "cp1257",
              "mac-roman", "cp437")

_WILD = -1  # U+FFFD: a byte replaced by the replacement character
_QMARK = -2  # '?': maybe a byte replaced by a question mark, maybe a real one

# When a dropped byte leaves several valid characters, the likeliest ones first.
_PREFERRED = "”“’‘„–—…•−←→↑↓\ufe0fčÁÃÍÈØŁŐőÝÏÐсяэНАИЁ"
_CATEGORY_RANK = {"Pf": 0, "Pi": 1, "Ll": 2, "Lu": 3, "Pd": 4, "Po": 5, "Sc": 6, "So": 7, "Sm": 8,
                  "Lo": 10, "Mn": 9, "Mc": 9, "Nd": 11, "No": 12, "Lm": 13, "Ps": 14, "Pe": 15, "Sk": 16,
                  "Zs": 20, "Cf": 21}
_BAD_CATEGORIES = {"Cc", "Cn", "Co", "Cs"}


class _CodePage:
    __slots__ = ("name", "to_byte", "drops", "_run", "weird", "_closer", "leads", "conts", "pair_re", "_lone",
                 "_compiled")

    def __init__(self, name: str):
        self.name = name
        forward: dict[int, str] = {}
        for b in range(0x80, 0x100):
            ch = _decode_byte(b, name)
            if ch:
                forward[b] = ch
        self.to_byte = {ord(ch): b for b, ch in sorted(forward.items(), reverse=True)}
        self.drops = bytes(b for b in range(0x80, 0xC0) if b not in forward)
        cls = "".join(re.escape(chr(c)) for c in sorted(self.to_byte)) + "\ufffd"
        self._run = f"[{cls}](?:[{cls}]|\\?)*"
        # Symbols that stand for UTF-8 continuation bytes: mojibake if a run decodes with them.
        self.weird = {ch for b, ch in forward.items()
                      if b < 0xC0 and not unicodedata.category(ch).startswith("L")}
        forms = []
        for quote in ("’", "”"):
            bs = quote.encode("utf-8")
            if all(b in forward for b in bs):
                forms.append(re.escape(quote) + "|" + re.escape("".join(forward[b] for b in bs)))
            else:
                prefix = ""
                for b in bs:
                    if b not in forward:
                        break
                    prefix += forward[b]
                alt = f"|{re.escape(prefix)}(?![{cls}])" if len(prefix) >= 2 else ""
                forms.append(re.escape(quote) + alt)
        self._closer = f"(?:({forms[0]})|(?:{forms[1]}))(?![\\w{cls}])"
        # Nothing decodes unless a lead byte is followed by a continuation byte somewhere, or
        # (where the page drops bytes) a capital lead letter follows a small letter, as if what
        # came after it was lost ("urmÄtor": "ă", whose second byte Windows-1250 leaves out).
        self.leads = "".join(chr(c) for c, b in self.to_byte.items() if 0xC2 <= b <= 0xF4)
        self.conts = "".join(chr(c) for c, b in self.to_byte.items() if 0x80 <= b <= 0xBF)
        self.pair_re = re.compile(_pair_pattern(self.leads, self.conts)) \
            if self.leads and self.conts else None
        self._lone = frozenset(chr(c) for c, b in self.to_byte.items()
                               if 0xC2 <= b <= 0xF4 and chr(c).isupper() and _script_of(c) == 1) \
            if self.drops else frozenset()
        if name == "cp1252":  # "sloppy" 1252: C1 controls stand for the bytes it leaves undefined
            for b in self.drops:
                self.to_byte.setdefault(b, b)
            cls = "".join(re.escape(chr(c)) for c in sorted(self.to_byte)) + "\ufffd"
            self._run = f"[{cls}](?:[{cls}]|\\?)*"
        self._compiled: dict[str, re.Pattern] = {}

    def explains(self, text: str) -> bool:
        """Could this page's reading explain anything in ``text``?"""
        if self.pair_re is None:
            return False
        if _may_pair(text) and self.pair_re.search(text) is not None:
            return True
        return bool(self._lone) and not _lone_capitals(text).isdisjoint(self._lone)

    # Compiled when first needed: most texts need neither for most code pages (compiling
    # all of them took 0.1 s of every process's first repair).
    @property
    def run_re(self) -> re.Pattern:
        if "run" not in self._compiled:
            self._compiled["run"] = re.compile(self._run)
        return self._compiled["run"]

    @property
    def closer_re(self) -> re.Pattern:
        if "closer" not in self._compiled:
            self._compiled["closer"] = re.compile(self._closer)
        return self._compiled["closer"]


def _pair_pattern(leads: str, conts: str) -> str:
    """A lead character, then a continuation character (or the replacement character)."""
    return "[" + "".join(map(re.escape, leads)) + "][" + "".join(map(re.escape, conts)) + "\ufffd]"


@lru_cache(maxsize=4)
def _may_pair(text: str) -> bool:
    """Does any code page's lead character meet one of that page's continuation characters in
    ``text``? False rules out every page's ``pair_re`` with one search (most clean text has no
    lead character next to one of those: a page by page search reads it ten times over)."""
    return _ANY_PAIR[0].search(text) is not None if _ANY_PAIR else True


_ANY_PAIR: list[re.Pattern] = []  # any page's lead, then any page's continuation: set by _pages()
_LONE_MAX = 64
_LONE_TEXT = 4000  # characters
_CAPITAL_LEAD = re.compile("[\u00c0-\u00de\u0100-\u024e]")  # every page's capital lead letters are here


@lru_cache(maxsize=4)
def _lone_capitals(text: str) -> frozenset[str]:
    """The capital letters of ``text`` that follow a small letter ("urmÄtor"), in a short text
    where only a few do: a text whose letters all lost their second byte is a title or a line,
    a longer one has other letters that keep theirs."""
    if len(text) > _LONE_TEXT:
        return frozenset()
    found = set()
    n = 0
    for m in _CAPITAL_LEAD.finditer(text):
        if m.start() and text[m.start() - 1] in _SMALL_LATIN and m.group().isupper():
            n += 1
            if n > _LONE_MAX:
                return frozenset()
            found.add(m.group())
    return frozenset(found)
_SMALL_LATIN = frozenset(c for c in map(chr, range(0x61, 0x250)) if c.islower())


def _decode_byte(b: int, name: str) -> str:
    encodings = ("cp874", "cp1252") if name == "cp874+" else (name,)
    for enc in encodings:
        try:
            return bytes([b]).decode(enc)
        except UnicodeDecodeError:
            continue
    return ""


_PAGES: list[_CodePage] | None = None


def _pages() -> list[_CodePage]:
    global _PAGES
    if _PAGES is None:
        _PAGES = [_CodePage(name) for name in _CODEPAGES]
        paged = [p for p in _PAGES if p.pair_re is not None]
        if paged:
            _ANY_PAIR.append(re.compile(_pair_pattern("".join(sorted({c for p in paged for c in p.leads})),
                                                      "".join(sorted({c for p in paged for c in p.conts})))))
    return _PAGES


def _plausible(s: str) -> bool:
    if len(s) == 1:
        return _plausible_char(s)
    return all(map(_plausible_char, s))


@lru_cache(maxsize=8192)
def _plausible_char(ch: str) -> bool:
    return ch in "\t\n\r" or unicodedata.category(ch) not in _BAD_CATEGORIES


@lru_cache(maxsize=8192)
def _rank(ch: str) -> tuple[int, int, int]:
    i = _PREFERRED.find(ch)
    if i >= 0:
        return (0, 0, i)
    return (1, _tier(ch), _CATEGORY_RANK.get(unicodedata.category(ch), 30))


_COMMON_BLOCKS = ((0xA0, 0x24F), (0x370, 0x45F), (0x5D0, 0x6FF), (0xE00, 0xE7F), (0x2000, 0x206F),
                  (0x20A0, 0x20CF), (0x2100, 0x21FF), (0x2500, 0x27BF), (0x3000, 0x30FF),
                  (0xAC00, 0xD7AF), (0xFE00, 0xFE0F), (0x1F300, 0x1FAFF))


@lru_cache(maxsize=8192)
def _tier(ch: str) -> int:
    o = ord(ch)
    if 0x4E00 <= o <= 0x9FFF:  # ideographs: the common ones are in GB2312/JIS level 1, Big5 A
        n = 0
        for enc, lo, hi in (("gb2312", 0xB0, 0xD8), ("big5", 0xA4, 0xC7), ("shift_jis", 0x88, 0x99)):
            try:
                n += lo <= ch.encode(enc)[0] < hi
            except UnicodeEncodeError:
                pass
        return 3 - n
    return 0 if any(lo <= o <= hi for lo, hi in _COMMON_BLOCKS) else 2


def _seq_len(lead: int) -> int:
    if 0xC2 <= lead <= 0xDF:
        return 1
    if 0xE0 <= lead <= 0xEF:
        return 2
    if 0xF0 <= lead <= 0xF4:
        return 3
    return -1


def _decode_units(units: list[int], drops: bytes, lossy: bool, prev: str = " ", nxt: str = " ",
                  closer=None, model=None, run: str | None = None,
                  qmarks: bool = True) -> tuple[str, list[tuple[int, list[str]]]] | None:
    """Decode byte units as UTF-8, filling at most one lost byte per character when ``lossy``.

    ``prev``/``nxt`` are the characters around the run (to tell opening from closing quotes),
    ``closer()`` names the next closing quote in the text ("’" or "”").
    Returns (text, guesses) where guesses are (offset, fits its place) for each filled character,
    or None when the units are not UTF-8 -- unless ``run`` (the characters the units came from)
    is given: then a character that does not decode is kept as it is and decoding goes on.
    """
    out: list[str] = []
    guesses: list[tuple[int, bool, list[str]]] = []
    i, n = 0, len(units)
    length, counted = 0, 0  # characters in out[:counted]
    while i < n:
        while counted < len(out):
            length += len(out[counted])
            counted += 1
        b = units[i]
        if b == _QMARK:
            out.append("?")
            i += 1
            continue
        need = _seq_len(b) if b >= 0 else -1
        if need < 0:
            if run is None:
                return None
            out.append(run[i])
            i += 1
            continue
        cont: list[int] = []
        j = i + 1
        while len(cont) < need and j < n:
            u = units[j]
            if 0x80 <= u <= 0xBF or u == _WILD or (u == _QMARK and lossy and model and qmarks):
                cont.append(u)
                j += 1
            else:
                break
        wild = [k for k, u in enumerate(cont) if u < 0]
        missing = need - len(cont)
        if not wild and not missing:
            try:
                out.append(bytes([b, *cont]).decode("utf-8"))
            except UnicodeDecodeError:
                if run is None:
                    return None
                out.append(run[i])
                i += 1
                continue
            i = j
            continue
        both_lost = missing == 2 and need == 2 and not wild  # a 3-byte lead alone
        if not lossy or (len(wild) + missing > 1 and not both_lost):
            if run is None:
                return None
            out.append(run[i])
            i += 1
            continue
        candidates: list[bytes] = []
        if both_lost:
            candidates = [bytes([b, x, y]) for x in drops for y in drops]
        elif wild:
            k = wild[0]
            for x in range(0x80, 0xC0):
                c = list(cont)
                c[k] = x
                candidates.append(bytes([b, *c]))
        else:
            for pos in range(len(cont), -1, -1):
                for x in drops:
                    candidates.append(bytes([b, *cont[:pos], x, *cont[pos:]]))
        chars = []
        for cand in candidates:
            try:
                ch = cand.decode("utf-8")
            except UnicodeDecodeError:
                continue
            if _plausible(ch) and ch not in chars:
                chars.append(ch)
        if not chars and b == 0xC2 and missing == 1:
            chars = [""]  # "Â" and a lost byte: a no-break space or a control character
        if not chars:
            if run is None:
                return None
            out.append(run[i])
            i += 1
            continue
        before = out[-1][-1] if out and out[-1] else prev
        after = nxt if j >= n else _peek(units, j)
        chars.sort(key=_rank)  # stable: among equals, a byte lost at the end first
        ch, fits = _choose(chars, before, after, closer, model)
        alts = [c for c in chars if _letter_or_mark(c) and c != ch] if _letter_or_mark(ch) else []
        if any(c in _PAIRED or _is_cjk(c) for c in chars):
            # brackets (chosen by the text's other brackets) and CJK (by its words): all of them
            alts = [c for c in chars if c != ch and (_letter_or_mark(c) or c in _PAIRED or _cjk_punct(c))]
        if alts and _CP1252_CONT.get(after) and 0xC2 <= _CP1252_LEAD.get(ch, 0) <= 0xDF:
            alts = []  # chosen for a second repair ("Ã" + "©"): not a letter of a word
        if not ch:
            fits = True
        guesses.append((length, fits, alts))
        out.append(ch)
        i = j
    return "".join(out), guesses


def _dropped(units: list[int]) -> bool:
    """Does a lead byte here lack a continuation byte, with no "?" where it should be?"""
    n = len(units)
    for i, b in enumerate(units):
        need = _seq_len(b) if b >= 0 else -1
        if need > 0:
            nxt = units[i + 1] if i + 1 < n else None
            if nxt is not None and (0x80 <= nxt <= 0xBF or nxt < 0):
                continue
            return True
    return False


def _peek(units: list[int], j: int) -> str:
    need = _seq_len(units[j]) if units[j] >= 0 else -1
    if need > 0 and all(u >= 0 for u in units[j:j + need + 1]):
        try:
            return bytes(units[j:j + need + 1]).decode("utf-8")[0]
        except UnicodeDecodeError:
            pass
    return "?"


_OPENING = {"“": "”", "‘": "’", "„": "“"}
_VOWELS = set("aeiouyáíýïéóúàèìòùâêîôûäëöüаеёиоуыэюяіїєæœ")


_CP1252_LEAD = {bytes([b]).decode("cp1252"): b for b in range(0xC0, 0x100)}
_CP1252_CONT = {bytes([b]).decode("cp1252"): b for b in range(0x80, 0xC0)
                if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D, 0xA0)}


def _twice_rank(ch: str, cont: int) -> int | None:
    """How likely the letter the second repair makes of ``ch`` and the next byte is (None:
    not UTF-8): Latin-1 and Latin Extended-A letters first, as in the text's other words."""
    try:
        o = ord(bytes([_CP1252_LEAD[ch], cont]).decode("utf-8"))
    except UnicodeDecodeError:
        return None
    return 0 if 0xC0 <= o <= 0x17F else 1 if o < 0x250 else 2


def _choose(chars: list[str], before: str, after: str, closer, model=None) -> tuple[str, bool]:
    """Pick the likeliest of the characters a lost byte leaves; False if none fits its place."""
    if chars == [""]:
        return "", True
    if "\u200f" in chars and "\u0590" <= before <= "\u08ff":
        return "\u200f", True  # right-to-left mark after Hebrew or Arabic
    quotes = [c for c in chars if c in "“”‘’„"]
    opening = (before.isspace() or before in "([{—–-/“‘„«‹") and not after.isspace()  # or nested
    if quotes:
        if opening:
            opens = [c for c in quotes if c in _OPENING]
            if len(opens) > 1 and closer is not None:
                want = closer()
                opens = [c for c in opens if _OPENING[c] == want] or opens
            if opens:
                return opens[0], True
        closes = [c for c in quotes if c not in _OPENING]
        if closes:
            return closes[0], not opening
        return quotes[0], False
    if not chars[0].isalpha():
        return chars[0], True
    if _CP1252_CONT.get(after):
        # "Ã" + "©": the text was mangled twice; keep the letter the second repair needs
        cont = _CP1252_CONT[after]
        twice = [(_twice_rank(c, cont), c) for c in chars if 0xC2 <= _CP1252_LEAD.get(c, 0) <= 0xDF]
        twice = [t for t in twice if t[0] is not None]
        if twice:
            return min(twice)[1], True
    letters = [c for c in chars if c.isalpha() and _tier(c) == _tier(chars[0])]
    if before.isalpha() and after.isalpha():
        letters = [c for c in letters if c.islower() == before.islower()] or letters
    elif before.isalpha() and before.islower():
        letters = [c for c in letters if c.islower()] or letters
    if len(letters) > 1 and model:  # only once the code page is chosen: the model costs time
        counts = model()
        if counts:
            p = before.lower() if before.isalpha() else " "
            nx = after.lower() if after.isalpha() else (" " if after != "?" else "")
            if nx.strip() and _script(nx) != _script(letters[0]):
                nx = ""
            best = max(letters, key=lambda c: _bigram_score(counts, p, c.lower(), nx))
            return best, True
    return letters[0], True


_MODELS: dict[str | None, dict[str, float]] = {}


def _letter_model(lang: str | None = None) -> dict[str, float]:
    """Letter pair and triple counts: a small language model to tell which letter a lost byte
    was (Russian "с" or "я", ...). Of the words of the language's wordfreq list, each counted
    by its frequency; without one, of jusText's stop-word lists (of one language, or of all).
    Built once per machine (:func:`wordlists.cached`)."""
    if lang not in _MODELS:
        if lang and wordlists.has_list(lang):
            _MODELS[lang] = wordlists.cached(f"letters-{lang}", lambda: _count_letters(
                (w, f * 1e6) for w, f in wordlists.words(lang) if not any(c.isdigit() for c in w)))
        else:
            _MODELS[lang] = wordlists.cached(f"letters-stopwords-{lang}", lambda: _count_letters(
                (w, 1.0) for code, words in language.stopwords().items() if lang is None or code == lang
                for w in words))
    return _MODELS[lang]


def _count_letters(weighted) -> dict[str, float]:
    counts: dict[str, float] = {}
    for w, n in weighted:
        w = f" {w} "
        for i in range(len(w) - 1):
            counts[w[i:i + 2]] = counts.get(w[i:i + 2], 0.0) + n
        for i in range(len(w) - 2):
            counts[w[i:i + 3]] = counts.get(w[i:i + 3], 0.0) + n
    firsts: dict[str, float] = {}
    for pair, n in counts.items():
        if len(pair) == 2:
            firsts[pair[0]] = firsts.get(pair[0], 0.0) + n
    counts.update({f"{ch}\0": n for ch, n in firsts.items()})
    counts["\0total"] = sum(firsts.values()) or 1.0
    return counts


def _text_language(text: str) -> str | None:
    """The language whose word lists choose the lost letters of ``text`` (ISO 639-1), if told."""
    code = language.guess(text)
    return code if code in language.LANGUAGES else None


def _script(ch: str) -> int:
    o = ord(ch)
    if o < 0x250 or 0x1E00 <= o <= 0x1EFF:
        return 0  # Latin
    if 0x370 <= o <= 0x3FF or 0x1F00 <= o <= 0x1FFF:
        return 1  # Greek
    if 0x400 <= o <= 0x52F:
        return 2  # Cyrillic
    return o >> 8


def _bigram_score(model: dict[str, int], prev: str, ch: str, nxt: str) -> float:
    import math

    uni = model.get(f"{ch}\0", 0) + 1
    score = math.log(model.get(prev + ch, 0) + 0.5)
    if nxt:
        score += 2 * math.log(model.get(prev + ch + nxt, 0) + 0.5)  # letter triples decide first
    if nxt:
        score += math.log(model.get(ch + nxt, 0) + 0.5) - math.log(uni)
    return score


def _units(run: str, to_byte: dict[int, int]) -> list[int]:
    return [_WILD if c == "\ufffd" else _QMARK if c == "?" else to_byte[ord(c)] for c in run]


def _looks_bad(s: str) -> bool:
    from ftfy.badness import is_bad

    return is_bad(s)


_TOGETHER_MAX = 512  # runs judged with their neighbours decoded (a long text tells by its many)

# Decodings of runs, remembered: a long text repeats its words, and the repair reads the same
# runs again (each code page's first and final reading, ftfy's answer). A decoding depends on
# the run, the characters around it, the page and the form of the reading, and on two things
# asked when needed: the letter model (of the text's language: kept per language) and the
# next closing quote (told by where the run is: such a decoding is not kept).
_DECODED: dict[tuple, tuple[dict | None, object]] = {}
_DECODED_MAX = 50_000  # entries, then forgotten all at once
_DECODED_RUN = 200  # characters: longer runs are not kept (they hardly come back)


def _fix_with(text: str, page: _CodePage, final: bool = False,
              lang_of: str | None = None) -> tuple[str, float] | None:
    """Repair ``text`` as if read through ``page``; None when the page does not explain it.

    Returns (new text, score): characters explained by the repair minus runs that failed.
    ``lang_of``: a text whose language (told by its stop words, only when a letter must be
    guessed) is the text's.
    """
    told: list[str | None] = []

    def language() -> str | None:
        if not told:
            told.append(_text_language(lang_of) if lang_of is not None else None)
        return told[0]

    if not page.explains(text):
        return None
    runs = list(page.run_re.finditer(text))
    if not runs:
        return None
    strict: dict[int, str] = {}
    strong = 0
    undecided: list[int] = []
    fails = 0
    to_byte = page.to_byte
    table = _LATIN1_OF[page.name]
    for idx, m in enumerate(runs):
        run = m.group()
        core = run.rstrip("?")
        if "?" not in core and "\ufffd" not in core and len(core) > 1:
            try:
                s = core.translate(table).encode("latin-1").decode("utf-8")
            except UnicodeDecodeError:
                s = None
            if s is not None and _plausible(s):
                strict[idx] = s + run[len(core):]
                if not strong and _strong(text, m, page, s):  # one is enough to tell
                    strong += 1
                continue
        if len(core) == 1 and core != "\ufffd" and not page.drops and "?" not in run:
            fails += 1  # a lone legacy character: nothing to fill in, certainly not mojibake
            continue
        undecided.append(idx)
    if not strict and not undecided:
        return None
    # Is this code page in use in the document? Several runs decode, one looks like mojibake.
    doc = (len(strict) >= 2 and (strong >= 1 or len(strict) >= 3)
           and len(strict) >= (fails + len(undecided)) / 4)
    lossy: dict[int, tuple[str, list]] = {}
    # Where bytes were dropped (a lead byte with no continuation and no "?"), a "?" is a
    # question mark, not a byte replaced by one.
    qmarks = not (final and any(_dropped(_units(runs[idx].group(), to_byte)) for idx in undecided))

    found: list = []  # [start, end, quote]: the next closing quote from any place in start..end

    def next_closer(start: int) -> str:
        """The next closing quote after ``start`` (:func:`_closer_quote`), searched once for all
        the runs before the quote it finds (a text of opening quotes with no closing one would
        be read to its end for each: quadratic)."""
        if found and found[0] <= start <= found[1]:
            return found[2]
        m = page.closer_re.search(text, start)
        quote = _closer_quote(m)
        found[:] = [start, m.start() if m else len(text), quote]
        return quote

    def decode(m: re.Match, prev: str, nxt: str, with_model: bool, keep: bool):
        """``_decode_units`` of run ``m``, remembered (:data:`_DECODED`)."""
        run = m.group()
        key = (page.name, qmarks, with_model, keep, run, prev, nxt)
        hit = _DECODED.get(key)
        if hit is not None:
            if hit[0] is None:
                return hit[1]
            lang = language()
            if lang in hit[0]:
                return hit[0][lang]
        asked: list[bool] = []

        def closer() -> str:
            asked.append(True)
            return next_closer(m.end())

        def model() -> dict[str, float]:
            asked.append(False)
            return _letter_model(language())

        res = _decode_units(_units(run, to_byte), page.drops, lossy=True, prev=prev, nxt=nxt,
                            closer=closer, model=model if with_model else None,
                            run=run if keep else None, qmarks=qmarks)
        if True not in asked and len(run) <= _DECODED_RUN:
            if len(_DECODED) >= _DECODED_MAX:
                _DECODED.clear()
            if asked:  # the letter model was asked: this decoding holds for the language
                _DECODED.setdefault(key, ({}, None))[0][language()] = res
            else:
                _DECODED[key] = (None, res)
        return res

    def attempt(idx: int, doc: bool) -> bool:
        """Decode run ``idx`` into ``strict`` or ``lossy``; False when the page's use in the
        document is what it lacks (it does not look mangled alone)."""
        m = runs[idx]
        prev = text[m.start() - 1] if m.start() else " "
        nxt = text[m.end()] if m.end() < len(text) else " "
        res = decode(m, prev, nxt, final, False)
        if res is None and doc and final:
            # The page is in use here: decode what decodes, keep what does not.
            res = decode(m, prev, nxt, True, True)
            if res is not None and res[0] == m.group():
                res = None
        if res is None:
            failed.append(idx)
            return True
        s, guesses = res
        if not guesses:
            strict[idx] = s
        elif doc or _strong(text, m, page, s, lossy=True):
            lossy[idx] = (s, guesses)
        else:
            weak[idx] = (s, guesses)
            return False
        return True

    def together(idx: int, s: str) -> bool:
        """Does the run's decoding make its words less bad when the page's other runs there are
        decoded too ("ะ”ะพะผะฐัˆะฝัŽัŽ, ัะฐะผัƒัŽ": each judged beside the other still mangled)?"""
        m = runs[idx]
        if not all(map(_everyday, s)) and not _one_alphabet(s):
            return False
        lo, hi = _word_bounds(text, m.start(), m.end())
        parts, pos = [], lo
        for j in range(bisect.bisect_left(starts, lo), len(runs)):
            r = runs[j]
            if r.start() >= hi:
                break
            new = s if j == idx else strict.get(j) or (lossy.get(j) or weak.get(j) or (None,))[0]
            if new is not None and r.end() <= hi:
                parts += [text[pos:r.start()], new]
                pos = r.end()
        decoded = "".join(parts) + text[pos:hi]
        return badness(text[lo:hi], local=True) > badness(decoded, local=True)

    failed: list[int] = []
    weak: dict[int, tuple[str, list]] = {}
    # a guess without evidence (a symbol that stands for a continuation byte, U+FFFD, or a
    # word that looks mangled) is not worth trying unless the page is in use
    evidence = page.weird | {"\ufffd"}
    waiting = [i for i in undecided
               if (not doc and evidence.isdisjoint(runs[i].group()) and not _in_mangled_word(text, runs[i]))
               or not attempt(i, doc)]
    told_alone = len(lossy) + len(strict)
    if not doc and waiting and lossy and told_alone >= 2 * (fails + len(failed) + len(waiting)) \
            and (len(lossy) >= 2 or any(_strong(text, runs[i], page, s) for i, s in strict.items())):
        # Runs that look mangled on their own (two with a letter lost, or one beside one that
        # decodes whole) are most of the text's: the page is in use here after all, and the runs
        # it could not tell alone ("Đ" of "И", "ŃŃ‚" of "ст": a letter lost) are its too.
        doc = True
        waiting = [idx for idx in waiting if not attempt(idx, doc)]
    if weak and not doc and len(weak) <= _TOGETHER_MAX:
        starts = [r.start() for r in runs]
        joined = {i for i in waiting if i in weak and together(i, weak[i][0])}
        lossy.update((i, weak[i]) for i in joined)
        waiting = [i for i in waiting if i not in joined]
    fails += len(failed) + len(waiting)
    accepted: dict[int, str] = {i: s for i, (s, _) in lossy.items()}
    if doc and len(strict) + len(lossy) >= 2 * fails:
        accepted.update(strict)
    else:
        # Partly mangled text: only the runs that look like mojibake on their own.
        starts = [r.start() for r in runs]
        for idx, s in strict.items():
            if _strong(text, runs[idx], page, s) or (len(strict) <= _TOGETHER_MAX and together(idx, s)):
                accepted[idx] = s
    if not accepted:
        return None
    out: list[str] = []
    pos = 0
    score = 0.0
    letter_guesses: list[tuple[int, list[str]]] = []
    base = 0
    for idx in sorted(accepted):
        m = runs[idx]
        out.append(text[pos:m.start()])
        base += len(out[-1])
        out.append(accepted[idx])
        pos = m.end()
        gain = len(m.group()) - len(accepted[idx])
        if idx in lossy:
            gain = gain / 2 if all(g[1] for g in lossy[idx][1]) else gain / 4
            for off, _, alts in lossy[idx][1]:
                if alts:
                    letter_guesses.append((base + off, alts))
        base += len(accepted[idx])
        score += gain
    out.append(text[pos:])
    result = "".join(out)
    if letter_guesses and final:
        # the text's language (when its stop words tell) first: only its word list is read
        result = _by_vocabulary(result, letter_guesses, language() or _text_language(result))
    return result, score - fails


_WORD = re.compile(r"\w+")


def _letter_or_mark(ch: str) -> bool:
    return ch.isalpha() or (len(ch) == 1 and unicodedata.category(ch)[0] == "M")


def _in_word(ch: str) -> bool:
    return ch.isalnum() or unicodedata.category(ch)[0] == "M"  # vowel signs, viramas: in words


def _by_vocabulary(text: str, guesses: list[tuple[int, list[str]]], lang: str | None = None) -> str:
    """Choose the guessed letters of each word together, as the likeliest word.

    A word the text uses elsewhere first, then the commonest word of the stop-word lists (of
    the text's language when known; they are ranked by frequency), then the letter model.
    """
    from collections import Counter
    from itertools import product

    vocab = Counter(w.lower() for w in _WORD.findall(text))
    spans: dict[tuple[int, int], list[tuple[int, list[str]]]] = {}
    for off, alts in guesses:
        lo = off
        while lo > 0 and off - lo < 40 and _in_word(text[lo - 1]):
            lo -= 1
        hi = off + 1
        while hi < len(text) and hi - off < 40 and _in_word(text[hi]):
            hi += 1
        spans.setdefault((lo, hi), []).append((off, alts))
    # words made by guesses do not vouch for themselves
    guessed = Counter(text[lo:hi].lower() for lo, hi in spans)
    chars = list(text)
    guesses = _by_brackets(chars, guesses)
    cjk = [(off, alts) for off, alts in guesses if any(map(_is_cjk, [text[off], *alts]))]
    if cjk:
        _by_segmentation(text, cjk, chars)
    left = {off: alts for off, alts in guesses}
    decided: dict[tuple, tuple[str, ...]] = {}
    for off, _ in cjk:
        del left[off]
    for (lo, hi), items in spans.items():
        items = [(off, left[off]) for off, _ in items if off in left]
        if not items:  # brackets, kana, ideographs, Hangul: chosen above
            continue
        options = [[chars[off], *alts] for off, alts in items]
        # the same word with the same doubts comes back often ("я" or "с"): decided once
        memo_key = ("".join(chars[lo:hi]), tuple((off - lo, *opt) for (off, _), opt in zip(items, options)))
        if memo_key in decided:
            for (off, _), ch in zip(items, decided[memo_key]):
                chars[off] = ch
            continue
        size = 1
        for opt in options:
            size *= len(opt)
        if size > 256:  # too many together: one letter at a time, the others as guessed
            now = tuple(chars[o] for o, _ in items)
            choices = [[now[:k] + (c,) + now[k + 1:] for c in options[k]] for k in range(len(items))]
            combos = [c for group in choices for c in group]
        else:
            combos = list(product(*options))
        word = chars[lo:hi]
        candidates = []
        for combo in combos:
            for (off, _), ch in zip(items, combo):
                word[off - lo] = ch
            w = "".join(word).lower()
            candidates.append((combo, w, vocab.get(w, 0) - guessed.get(w, 0) > 0))
        if any(seen for _, _, seen in candidates):  # a word the text writes whole wins: the
            candidates = [c for c in candidates if c[2]]  # others need not be looked up
        best, best_key = None, None
        for combo, w, seen in candidates:
            key = (seen, _word_frequency(w, lang))
            if best_key is None or key >= best_key[:2]:
                known = _stem_and_ending(w, lang) if not key[1] else 0
                key = (*key, known, _scored(lang, w))
                if best_key is None or key > best_key:
                    best, best_key = combo, key
        decided[memo_key] = best
        for (off, _), ch in zip(items, best):
            chars[off] = ch
    return "".join(chars)


def _is_cjk(ch: str) -> bool:
    if len(ch) != 1:
        return False
    o = ord(ch)
    return (0x3040 <= o <= 0x30FF or o == 0x3005 or 0x3400 <= o <= 0x9FFF or 0xAC00 <= o <= 0xD7A3
            or 0xF900 <= o <= 0xFAFF)


_PAIRS = "()[]{}（）［］｛｝「」『』【】〔〕〈〉《》〖〗〘〙〚〛｢｣"
_PAIRED = {c: (_PAIRS[i - i % 2], _PAIRS[i - i % 2 + 1]) for i, c in enumerate(_PAIRS)}


def _cjk_punct(ch: str) -> bool:
    return 0x3000 <= ord(ch) <= 0x303F or 0xFF01 <= ord(ch) <= 0xFF65


def _offsets(guesses: list[tuple[int, list[str]]]) -> set[int]:
    return {off for off, _ in guesses}


def _by_brackets(chars: list[str], guesses: list[tuple[int, list[str]]]) -> list[tuple[int, list[str]]]:
    """Choose the guesses that may be brackets by the brackets around them on their line: a
    closing one where its opening one is still open, an opening one where its closing one comes;
    a bracket neither explains is not chosen when something else may stand there. Returns the
    guesses left to choose."""
    left = []
    for off, alts in guesses:
        options = [chars[off], *alts]
        if not any(c in _PAIRED for c in options):
            left.append((off, alts))
            continue
        choice = None
        for c in options:
            opening, closing = _PAIRED.get(c, ("", ""))
            if c == closing and _unmatched(chars, off, -1, opening, closing):
                choice = c
                break
        if choice is None:
            for c in options:
                opening, closing = _PAIRED.get(c, ("", ""))
                if c == opening and _unmatched(chars, off, 1, opening, closing):
                    choice = c
                    break
        if choice is None:
            others = [c for c in options if c not in _PAIRED]
            if others:
                chars[off] = others[0]
                if len(others) > 1:  # a letter or a punctuation mark: by the words around it
                    left.append((off, others[1:]))
            else:
                left.append((off, alts))
            continue
        chars[off] = choice
    return left


def _unmatched(chars: list[str], off: int, step: int, opening: str, closing: str) -> bool:
    """Is there an opening bracket before ``off`` (step -1), or a closing one after it (step 1),
    on the same line that no other bracket of the pair matches?"""
    mine, other = (closing, opening) if step < 0 else (opening, closing)
    depth = 0
    i = off + step
    for _ in range(500):
        if i < 0 or i >= len(chars) or chars[i] == "\n":
            return False
        c = chars[i]
        if c == mine:
            depth += 1
        elif c == other:
            if depth == 0:
                return True
            depth -= 1
        i += step
    return False


def _by_segmentation(text: str, guesses: list[tuple[int, list[str]]], chars: list[str]) -> None:
    """Choose the guessed kana, ideographs and Hangul of each run of them (Japanese, Chinese and
    Korean have no spaces between words) as the likeliest split of the run into known words:
    the words' frequencies multiplied, a character no word explains paying a high price. The
    run is read as each of the languages its letters may be written in, and the best is kept."""
    runs: dict[tuple[int, int], list[tuple[int, list[str]]]] = {}
    guessed = _offsets(guesses)
    japanese = any(m.start() not in guessed for m in _KANA.finditer(text))
    # One segmentation per maximal run (the DP is linear in its length): a window around each
    # guess instead made a long run without punctuation cost its length times the guesses.
    lo = hi = -1
    for off, alts in sorted(guesses, key=lambda g: g[0]):
        if off >= hi:  # not in the run found last: find this one's (runs do not overlap)
            lo = off
            while lo > 0 and (_is_cjk(chars[lo - 1]) or lo - 1 in guessed):
                lo -= 1
            hi = off + 1
            while hi < len(text) and (_is_cjk(chars[hi]) or hi in guessed):
                hi += 1
        runs.setdefault((lo, hi), []).append((off, alts))
    for (lo, hi), items in runs.items():
        options = [[c] for c in chars[lo:hi]]
        for off, alts in items:
            options[off - lo] = [chars[off], *alts]
        letters = "".join(c for opt in options for c in opt)
        if any(0x3040 <= ord(c) <= 0x30FF for c in letters):
            langs = ("ja",)
        elif any(0xAC00 <= ord(c) <= 0xD7A3 for c in letters):
            langs = ("ko",)
        elif japanese:
            langs = ("ja",)  # ideographs in a text that writes kana: Japanese words
        else:
            langs = ("ja", "zh")
        best = max((_segment(options, lang) for lang in langs), key=lambda r: r[0])
        if best[1]:
            for k, ch in enumerate(best[1]):
                chars[lo + k] = ch


_KANA = re.compile("[\u3041-\u3096\u30a1-\u30fa]")
_MAX_WORD = 8
_UNKNOWN = math.log(1e-3)  # a character outside every word: as if in a word this rare
_COMMA = math.log(3e-2)
_UNKNOWN_KATAKANA = math.log(1e-6)


def _segment(options: list[list[str]], lang: str) -> tuple[float, list[str]]:
    """The likeliest text of a run whose characters each have ``options``, and its score: the
    best split into words of ``lang`` (dynamic programming over the run: linear in its length)."""
    words, prefixes, singles = _cjk_lexicon(lang)
    if not words:
        return float("-inf"), []
    kata_total = _katakana_total(lang)
    n = len(options)
    best = [float("-inf")] * (n + 1)
    back: list[tuple[int, tuple[str, ...]] | None] = [None] * (n + 1)
    best[0] = 0.0
    for j in range(n):
        here = best[j]
        if here == float("-inf"):
            continue
        for c in options[j]:
            if not c.isalpha() or c == "ー":  # punctuation: 、 and 。 are common, the rest less so
                # ("ー" lengthens the letter before it: it is not a word of its own)
                punct = unicodedata.category(c)[0] == "P"
                sc = here + (_COMMA if c in "、。・" else _UNKNOWN if punct else -40.0)
            else:
                sc = here + singles.get(c, _UNKNOWN - 20.0) + _UNKNOWN
            if sc > best[j + 1]:
                best[j + 1], back[j + 1] = sc, (j, (c,))
        # a katakana word no list knows (a name, a new loanword): a price per letter; of a
        # letter in doubt the commonest katakana; "・" separates words, "ー" does not start one
        kata, cost = "", 0.0
        for k in range(j, min(n, j + 16)):
            c = max((c for c in options[k] if 0x30A1 <= ord(c) <= 0x30FC and c != "・"),
                    key=lambda c: singles.get(c, -99.0), default=None)
            if c is None or (k == j and c == "ー"):
                break
            kata += c
            cost += singles.get(c, -20.0) - kata_total
            sc = here + _UNKNOWN_KATAKANA + cost
            if len(kata) >= 2 and sc > best[k + 1]:
                best[k + 1], back[k + 1] = sc, (j, tuple(kata))
        frontier: list[tuple[str, tuple[str, ...]]] = [("", ())]
        for k in range(j, min(n, j + _MAX_WORD)):
            frontier = [(s + c, a + (c,)) for s, a in frontier for c in options[k]
                        if s + c in prefixes and (s or c != "ー")]
            if not frontier:
                break
            if len(frontier) > 64:  # many guesses in a row: keep the likeliest prefixes
                frontier.sort(key=lambda t: prefixes[t[0]], reverse=True)
                del frontier[64:]
            for s, a in frontier:
                lp = words.get(s)
                if lp is not None and here + lp > best[k + 1]:
                    best[k + 1], back[k + 1] = here + lp, (j, a)
    pieces: list[tuple[str, ...]] = []
    i = n
    while i > 0:
        j, a = back[i]
        pieces.append(a)
        i = j
    return best[n], [c for a in reversed(pieces) for c in a]


_LEXICONS: dict[str, tuple[dict[str, float], dict[str, float], dict[str, float]]] = {}


@lru_cache(maxsize=8)
def _katakana_total(lang: str) -> float:
    """Log of the share of katakana among the letters of ``lang``'s words: a letter of an
    unknown katakana word costs its share among katakana (rare ones, as "ヮ", much more)."""
    singles = _cjk_lexicon(lang)[2]
    shares = [math.exp(singles[c]) for c in map(chr, range(0x30A1, 0x30FD)) if c in singles and c != "・"]
    return math.log(sum(shares)) if shares else 0.0


def _cjk_lexicon(lang: str) -> tuple[dict[str, float], dict[str, float], dict[str, float]]:
    """(word -> log frequency, prefix -> log frequency of its likeliest word, character -> log
    frequency of its occurrences) of the words of wordfreq's list for ``lang`` written in kana,
    ideographs or Hangul."""
    if lang not in _LEXICONS:
        _LEXICONS[lang] = wordlists.cached(f"cjk-{lang}", lambda: _build_lexicon(lang))
    return _LEXICONS[lang]


def _build_lexicon(lang: str) -> tuple[dict[str, float], dict[str, float], dict[str, float]]:
    words: dict[str, float] = {}
    prefixes: dict[str, float] = {}
    counts: dict[str, float] = {}
    total = 0.0
    size = "large" if wordlists.has_list(lang, "large") else "small"  # no long Korean list
    for w, f in wordlists.words(lang, size):
        if len(w) > _MAX_WORD or not all(map(_is_cjk, w)):
            continue
        lp = math.log(f)
        words[w] = lp
        for k in range(1, len(w) + 1):
            if prefixes.get(w[:k], -1e9) < lp:
                prefixes[w[:k]] = lp
        for c in w:
            counts[c] = counts.get(c, 0.0) + f
        total += f * len(w)
    singles = {c: math.log(f / total) for c, f in counts.items()} if total else {}
    return words, prefixes, singles


# Languages whose words a lost byte may leave in doubt, by script (wordfreq's codes; the
# language of a text is told by :func:`language.guess`).
_FREQ_LANGUAGES = {
    1: ("en", "de", "fr", "es", "pt", "it", "nl", "pl", "cs", "hu", "ro", "tr", "sv"),
    2: ("el",),
    3: ("ru", "uk", "bg", "mk"),
    8: ("hi", "mr", "ne"),  # Devanagari
    9: ("bn",),
    13: ("ta",),
}


@lru_cache(maxsize=65536)
def _word_frequency(word: str, lang: str | None) -> float:
    """How common ``word`` (small letters) is in the text's language or, when that is not
    known, in any language of its script (0.0 for a word none of them knows)."""
    scripts = {_script_of(ord(c)) for c in word if c.isalpha()}
    if len(scripts) != 1:
        return 0.0
    script = scripts.pop()
    codes = (lang,) if lang in _FREQ_LANGUAGES.get(script, ()) else _FREQ_LANGUAGES.get(script, ())
    best = 0.0
    for c in codes:
        best = max(best, wordlists.frequency(c, word))
    if best == 0.0 and codes:  # of the long lists only the likeliest language's
        best = wordlists.frequency(codes[0], word, "large")
    if best == 0.0 and not wordlists.has_list("en"):  # no wordfreq: rank in jusText's lists
        rank = _ranks(lang).get(word)
        if rank is not None:
            best = 1e-9 / (rank + 10)
    return best


@lru_cache(maxsize=65536)
def _stem_and_ending(word: str, lang: str | None) -> int:
    """How much of a word no list has the language's words explain: the longest start and the
    longest end it shares with them, as an inflected form shares its stem with the other forms
    and its ending with other words ("сушено": "сушеный", "решено"). 0 when the language is not
    told and its script is written in several."""
    scripts = {_script_of(ord(c)) for c in word if c.isalpha()}
    if len(scripts) != 1:
        return 0
    codes = _FREQ_LANGUAGES.get(scripts.pop(), ())
    code = lang if lang in codes else codes[0] if len(codes) == 1 else None
    if code is None:
        return 0
    size = "large" if wordlists.has_list(code, "large") else "small"
    return wordlists.shared_part(code, word, size) + wordlists.shared_part(code, word, size, end=True)


_RANKS: dict[str | None, dict[str, int]] = {}


def _ranks(lang: str | None) -> dict[str, int]:
    """Word -> rank in jusText's stop-word lists (ordered by frequency), of one language or all."""
    if lang not in _RANKS:
        ranks: dict[str, int] = {}
        for code, words in language.stopwords().items():
            if lang is None or code == lang:
                for r, w in enumerate(words):
                    if r < ranks.get(w, 1 << 30):
                        ranks[w] = r
        _RANKS[lang] = ranks
    return _RANKS[lang]


@lru_cache(maxsize=65536)
def _scored(lang: str | None, word: str) -> float:
    """:func:`_word_score` under the letter model of ``lang``."""
    return _word_score(_letter_model(lang), word)


def _word_score(model: dict[str, float], word: str) -> float:
    """Log-likelihood of a word under the letter model: each letter (the first one too) given
    the two before it, backing off to the one before and to letter counts (so an unseen letter
    is unlikely)."""
    total = model.get("\0total") or 1.0
    w = f" {word} "
    score = 0.0
    for i in range(1, len(w)):
        b, c = w[i - 1], w[i]
        p1 = (model.get(c + "\0", 0) + 0.1) / (total + 100)
        p = (model.get(b + c, 0) + 2 * p1) / (model.get(b + "\0", 0) + 2)
        if i >= 2:
            a = w[i - 2]
            p = (model.get(a + b + c, 0) + 2 * p) / (model.get(a + b, 0) + 2)
        score += math.log(p)
    return score


def _strong(text: str, m: re.Match, page: _CodePage, decoded: str, lossy: bool = False) -> bool:
    """Does this run look like mojibake on its own (not just decode by chance)?"""
    if not lossy and any(c in page.weird for c in m.group()) and all(map(_everyday, decoded)):
        return True
    if not lossy and (any(_long_signature(ord(c)) for c in decoded)
                      or sum(_cjk_signature(ord(c)) for c in decoded) >= 2):
        return True  # 3-4 byte characters spelled out whole: clean text hardly ever does that
    if lossy and sum(_cjk_signature(ord(c)) for c in decoded) >= 3 and len(m.group()) >= 8:
        return True  # kana, ideographs, Hangul: three at least (9 bytes), even with bytes lost
    if not all(map(_everyday, decoded)) and not _one_alphabet(decoded):
        return False  # a stray ideograph, syllable or rare letter needs the whole document's support
    lo, hi = _word_bounds(text, m.start(), m.end())
    return (badness(text[lo:hi], local=True)
            > badness(text[lo:m.start()] + decoded + text[m.end():hi], local=True))


def _in_mangled_word(text: str, m: re.Match) -> bool:
    """Is the run ``m`` in a word that looks mangled on its own (letters of two scripts, a
    capital after small letters, a symbol glued in)? Not looked at for a run of small letters
    ("é" of "café": mojibake has capitals, letters without case or symbols), nor for a run
    that is a whole word of small letters after one capital."""
    start, end = m.span()
    run = m.group()
    if run[1:].islower() and (not start or not text[start - 1].isalnum()) \
            and (end == len(text) or not text[end].isalnum()):
        return False
    if run.islower() and all(c.islower() or not c.isalpha() for c in run):
        return False
    lo, hi = start, end
    while lo > 0 and start - lo < 40 and not text[lo - 1].isspace():
        lo -= 1
    while hi < len(text) and hi - end < 40 and not text[hi].isspace():
        hi += 1
    return _word_info(text[lo:hi])[0]


def _one_alphabet(s: str) -> bool:
    """Several letters (and their vowel signs) of one alphabetic block: Devanagari, Tamil..."""
    letters = [c for c in s if not c.isspace()]
    return (len(letters) >= 3 and len({ord(c) >> 7 for c in letters}) == 1
            and 0x900 <= ord(letters[0]) < 0x1000
            and all(unicodedata.category(c)[0] in "LM" for c in letters))


def _word_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The words around text[start:end] (up to the next space, 40 characters at most)."""
    lo = start
    while lo > 0 and start - lo < 40 and not text[lo - 1].isspace():
        lo -= 1
    lo = max(0, lo - 1)
    while lo > 0 and start - lo < 60 and not text[lo - 1].isspace():
        lo -= 1  # and the word before: a one-letter word is judged by its neighbours
    hi = end
    while hi < len(text) and hi - end < 40 and not text[hi].isspace():
        hi += 1
    hi = min(len(text), hi + 1)
    while hi < len(text) and hi - end < 60 and not text[hi].isspace():
        hi += 1
    return lo, hi


def _everyday(ch: str) -> bool:
    """Characters a stray mangled word most likely stood for: Latin, punctuation, symbols, emoji."""
    o = ord(ch)
    return (0xA0 <= o <= 0x17F or 0x218 <= o <= 0x21B or 0x370 <= o <= 0x45F or 0x2000 <= o <= 0x2BFF
            or 0xFE00 <= o <= 0xFE0F or 0x1F000 <= o <= 0x1FAFF)


def _closer_quote(m: re.Match | None) -> str:
    """Which closing quote comes next (’ or ”, told by the page's ``closer_re`` from a run's
    end): it decides between ‘ and “ for a lost byte."""
    return ("’" if m.group(1) else "”") if m else "”"


def _context(text: str, m: re.Match) -> str:
    return text[max(0, m.start() - 1):m.end() + 1]


_LATIN1_OF: dict[str, dict[int, str]] = {}


def _init_tables() -> None:
    for page in _pages():
        if page.name not in _LATIN1_OF:
            _LATIN1_OF[page.name] = {c: chr(b) for c, b in page.to_byte.items()}


def _repair_own(text: str, paired: list[bool] | None = None) -> str:
    """The project's own repair: the code pages, lossy forms and partial mangling ftfy leaves.

    ``paired`` gets True appended when some code page's lead character meets one of its
    continuation characters in ``text`` (without that, no code page can explain anything)."""
    _init_tables()
    for rnd in range(3):  # a second round catches doubly mangled or mixed text
        found = []
        for page in _pages():
            if not page.explains(text):
                continue
            if rnd == 0 and paired is not None and not paired:
                paired.append(True)
            res = _fix_with(text, page)
            if res is not None:
                found.append((res[1], page, res[0]))
        if not found:
            break
        top = max(score for score, _, _ in found)
        tied = [f for f in found if f[0] == top]
        # Letters are guessed with the model of the text's own language, told by its stop
        # words in the page's first reading (a lost letter here and there does not hide them).
        finals = [(_fix_with(text, page, final=True, lang_of=first), first) for _, page, first in tied
                  if len(tied) == 1 or first != tied[0][2] or page is tied[0][1]]
        if len(finals) > 1:
            # Pages that explain as much (a lone lead letter each, its byte lost in all):
            # the one whose guesses make the words of the text's language, then the first.
            finals.sort(key=lambda f: -_known_guesses(text, f[0][0], language.guess(f[1]))
                        if f[0] is not None else 1)
        res = finals[0][0]
        if res is None or res[0] == text:
            break
        text = res[0]
    return text


def _known_guesses(before: str, after: str, lang: str) -> int:
    """How many of the words a repair changed are words of the language (of any of their
    script's languages when not told)."""
    old = before.split()
    new = after.split()
    if len(old) != len(new):
        return 0
    return sum(1 for a, b in zip(old, new) if a != b
               and all(_word_frequency(w, lang or None) > 0 for w in _WORD.findall(b.lower())))


_FTFY_HINT: list[re.Pattern] = []
_C1_OR_A = re.compile("[\x80-\x9fÃÂ]")
_NON_ASCII_RUN = re.compile("[^\x00-\x7f]+")
_SPECIAL = frozenset("ÃÂŒœ" + "".join(map(chr, range(0x80, 0xA0))))


def _ftfy(text: str) -> str:
    """``ftfy.fix_encoding``, skipped when its measure cannot find anything (it only changes
    text its measure finds bad, and every sequence it looks for has one of its symbols or
    accented capitals next to another non-ASCII character, or a C1 control, Ã, Â, Œ or œ):
    its measure costs 5 ms on a page of clean text; here it only reads the few characters
    around such pairs. ftfy is imported (~0.1 s) at the first such pair: most English pages
    have none, and a process importing one such page does without it."""
    k = 0
    for spot in _NON_ASCII_RUN.finditer(text):  # a one-class expression is searched fastest
        run = spot.group()
        if len(run) < 2 and run not in _SPECIAL:
            continue
        if not k:
            ftfy, hint, badness_re = _ftfy_parts()
        k += 1
        if k >= 50:  # text of a non-Latin script: all of it
            return _ftfy_around(text, hint.finditer(text), badness_re, ftfy)
        for m in hint.finditer(text, spot.start(), spot.end()):
            if badness_re.search(text[max(0, m.start() - 8):m.end() + 8]):
                return ftfy.fix_encoding(text)
    return text


def _ftfy_parts():
    """ftfy, the pattern of the pairs its measure can find, its measure's pattern."""
    import ftfy
    from ftfy.badness import BADNESS_RE

    if not _FTFY_HINT:
        from ftfy.badness import MOJIBAKE_CATEGORIES as cats

        rare = "".join(v for k, v in cats.items() if k not in ("common", "lower_common", "upper_common"))
        rare += "\u0402"  # "вЂ": the only one made of Cyrillic letters alone
        _FTFY_HINT.append(re.compile(f"[{rare}][^\\x00-\\x7f]|[^\\x00-\\x7f][{rare}]|[\\x80-\\x9fÃÂŒœ]"))
    return ftfy, _FTFY_HINT[0], BADNESS_RE


def warm_up() -> None:
    """Import ftfy and build what the repair's first call builds (a process about to fork
    workers that will mostly need them)."""
    _init_tables()
    _ftfy_parts()


def _ftfy_around(text: str, matches, badness_re, ftfy) -> str:
    for k, m in enumerate(matches):
        # a sequence ftfy's measure finds is a few characters long around such a pair
        if k >= 200 or badness_re.search(text[max(0, m.start() - 8):m.end() + 8]):
            return ftfy.fix_encoding(text)
    return text


def suspect(text: str) -> bool:
    """Could :func:`repair` change ``text``? False for plain ASCII, and for text where no code
    page's lead character meets a continuation character and ftfy's measure finds nothing:
    a cheap test to skip the repair of long clean text."""
    if not text or text.isascii():
        return False
    _init_tables()
    if "\ufffd" in text or any(p.explains(text) for p in _pages()):
        return True
    return _ftfy(text) != text


def repair(text: str) -> str:
    """Return ``text`` with UTF-8-read-as-legacy-code-page mojibake undone; clean text unchanged.

    ftfy's ``fix_encoding`` and the project's own repair each propose a text (and each is run on
    the other's answer); the least bad proposal wins, and only if it is less bad than the text
    as given (:func:`badness`); among equals the one that leaves less for a code page to read
    (:func:`_unexplained`), then ftfy's.
    """
    if not text or text.isascii():
        return text
    paired: list[bool] = []
    ours = _repair_own(text, paired)
    # every repair ftfy makes re-decodes lead and continuation bytes of one of the code pages
    # here (Latin-2's are Windows-1250's), or fixes C1 controls, "Ã " or "Â "
    theirs = _ftfy(text) if paired or _C1_OR_A.search(text) else text
    proposals = [theirs, ours]
    if theirs not in (text, ours):
        proposals.append(_repair_own(theirs))
    if ours != text:
        proposals.append(_ftfy(ours))
    proposals = [p for p in dict.fromkeys(proposals) if p != text]
    if not proposals:
        return text
    best, best_gain = text, 0
    spaces, nbsp = text.count(" "), text.count("\xa0")
    lines = text.split("\n")
    seen: dict[str, int] = {}

    def bad(line: str) -> int:
        if line not in seen:
            seen[line] = badness(line)
        return seen[line]

    for p in proposals:
        # only the lines a proposal changes are measured (repairs keep line breaks)
        plines = p.split("\n")
        if len(plines) == len(lines):
            # with the lines around: a word is judged by its neighbours ("photos.\nВ\xa0\nKate")
            gain = sum(bad("\n".join(lines[max(0, i - 1):i + 2]))
                       - bad("\n".join(plines[max(0, i - 1):i + 2]))
                       for i, (a, b) in enumerate(zip(lines, plines)) if a != b)
        else:
            gain = badness(text) - badness(p)
        # ftfy reads a space after a lead byte as a no-break space byte ("â€ " -> "†"): a
        # proposal that eats spaces (not turning them into no-break spaces) pays for each
        gain -= max(0, spaces - p.count(" ") - max(0, p.count("\xa0") - nbsp))
        if gain > best_gain or (gain == best_gain > 0 and _unexplained(p) < _unexplained(best)):
            # among equally bad repairs, the one that leaves fewer of a code page's lead and
            # continuation characters together: ftfy stops where a byte was lost ("1 ŃŃ‚."
            # for "1 ст."), and a word the measure cannot judge is no reason to keep it
            best, best_gain = p, gain
    return best


def _unexplained(text: str) -> int:
    """Characters some code page still spells out whole: a lead character and the continuation
    characters it needs, that decode as UTF-8 ("Ń‚" for "т"; not "é’" of "café’s", which would
    need a byte more)."""
    n = 0
    for page in _pages():
        if page.pair_re is None or page.name == "cp437":
            continue
        to_byte = page.to_byte
        for m in page.pair_re.finditer(text):
            i = m.start()
            lead = to_byte[ord(text[i])]
            raw = [lead]
            for c in text[i + 1:i + 1 + _seq_len(lead)]:
                b = to_byte.get(ord(c), 0)
                if not 0x80 <= b <= 0xBF:
                    break
                raw.append(b)
            try:
                bytes(raw).decode("utf-8")
            except UnicodeDecodeError:
                continue
            n += 1
    return n


# --- How bad a text looks -------------------------------------------------------------------
# ftfy's measure counts sequences of the characters that mojibake of the Windows code pages is
# made of. Added here, word by word, what it does not see (each is rare in clean text and is
# what one of the code pages makes of UTF-8): letters of two scripts in one word ("fГјr",
# "dรผrfen"), a capital after a small letter or a small non-ASCII letter inside capitals
# ("fĂĽr", "FřDE"), a symbol glued between letters ("Ă–kobilanz", "–ù–∞—Ä"), a one-letter word in
# another script than the words around it ("vend Г  la"), Thai that breaks Thai spelling (a
# vowel sign with no consonant to sit on: UTF-8 read as Windows-874), a dagger glued to a word
# (ftfy's reading of a curly quote whose last byte was lost), and U+FFFD.

def _script_of(o: int) -> int:
    """A letter's script: 1 Latin, 2 Greek, 3 Cyrillic, 4 Armenian, 5 Hebrew, 6 Arabic, 7 Thai,
    8 and up the Indic alphabets; 0 for the rest (other scripts, and ideographs, kana and
    Hangul, which mix with Latin letters in clean text)."""
    if o < 0x250 or 0x1E00 <= o <= 0x1EFF:
        return 1
    if 0x370 <= o <= 0x3FF or 0x1F00 <= o <= 0x1FFF:
        return 2
    if 0x400 <= o <= 0x52F:
        return 3
    if 0x531 <= o <= 0x58F:
        return 4
    if 0x5D0 <= o <= 0x5FF:
        return 5
    if 0x620 <= o <= 0x6FF:
        return 6
    if 0xE01 <= o <= 0xE5B:
        return 7
    if 0x900 <= o <= 0xDFF:
        return 8 + ((o - 0x900) >> 7)  # Devanagari, Bengali, ... Sinhala: one each
    return 0


_THAI_CONSONANT = "\u0e01-\u0e2e"
_THAI_BAD = re.compile(
    f"(?<![{_THAI_CONSONANT}])[\u0e31\u0e34-\u0e3a\u0e47]"  # a vowel sign above/below: on a consonant
    f"|(?<![{_THAI_CONSONANT}\u0e31\u0e34-\u0e3a\u0e47])[\u0e48-\u0e4e]"  # a tone mark, the same
    f"|(?<![{_THAI_CONSONANT}\u0e31\u0e34-\u0e3a\u0e47-\u0e4e])[\u0e30\u0e32\u0e33\u0e45]"
    f"|[\u0e40-\u0e44](?![{_THAI_CONSONANT}])")  # a leading vowel: before a consonant
_DAGGER_GLUED = re.compile("(?<=\\S)[\u2020\u2021](?=[^\\W\\d_])")
_SYMBOL_CATEGORIES = frozenset(("Sm", "Sc", "Sk", "So", "Pd", "Po", "No"))


@lru_cache(maxsize=65536)
def _word_info(word: str) -> tuple[bool, int]:
    """(looks mangled, its script or 0) for one whitespace-separated word with non-ASCII."""
    scripts = set()
    prev = ""  # "l" small letter, "u" capital, "s" glued symbol candidate, "" other
    bad = False
    ups = 0
    n = len(word)
    for i, ch in enumerate(word):
        o = ord(ch)
        if ch.isalpha():
            if 0xC0 <= o <= 0x24F and i and _is_cjk(word[i - 1]):
                bad = True  # "態čž": an accented Latin letter right after an ideograph or kana
            sc = _script_of(o)
            if sc:
                scripts.add(sc)
            if o > 0x7F and i and ord(word[i - 1]) > 0x7F and _foreign_pair(word[i - 1:i + 1]):
                bad = True  # "Ăśberall", "ÂŁ40": Romanian and Polish letters, one UTF-8 character
            if ch.isupper():
                if prev == "l" and o > 0x7F:
                    bad = True  # "fĂĽr", "zechcÄ…"
                ups += 1
                prev = "u"
            elif ch.islower():
                if prev == "u" and ups >= 2 and (o > 0x7F or ord(word[i - 1]) > 0x7F
                                                 or ord(word[i - 2]) > 0x7F):
                    bad = True  # "DĂĽbendorf", "ĂĽben": capitals run into small letters
                if o > 0x7F and prev == "u" and (
                        (ups >= 1 and i + 1 < n and word[i + 1].isupper())
                        or (ups >= 2 and (i + 1 == n or not word[i + 1].isalpha()))):
                    bad = True  # "FřDE", "BLř"
                prev = "l"
                ups = 0
            else:
                prev = "o"
                ups = 0
        else:
            if (o > 0x7F and 0 < i < n - 1 and unicodedata.category(ch) in _SYMBOL_CATEGORIES
                    and ch not in "·\u00ad\u2011\u2027™®©"):
                left, right = word[i - 1], word[i + 1]
                if (left.isalpha() or right.isalpha()) and not left.isdigit() and not right.isdigit() \
                        and not left.isspace() and (ord(left) > 0x7F or ord(right) > 0x7F) \
                        and (left.isalpha() or ord(left) > 0x7F) and (right.isalpha() or ord(right) > 0x7F):
                    bad = True  # "Ă–kobilanz", "–ù–∞—Ä"
            elif (i == 0 and n >= 3 and o > 0x7F and word[1].isalpha() and ord(word[1]) > 0x7F
                  and word[2].isalpha() and unicodedata.category(ch) in ("Sm", "Sc", "Sk", "So")
                  and ch not in "™®©"):
                bad = True  # "√úberall": a symbol stuck to the front of a word
            prev = ""
            ups = 0
    if len(scripts) > 1:
        bad = True
    return bad, (scripts.pop() if len(scripts) == 1 else 0)


_LEAD_CONT: set[str] = set()
_FOREIGN: dict[str, bool] = {}


def _foreign_pair(pair: str) -> bool:
    """Are these two letters a lead and a continuation byte of one code page (the mojibake of
    one UTF-8 character) that no one language writes together?"""
    if not _LEAD_CONT:
        for page in _pages():
            leads = [chr(c) for c, b in page.to_byte.items() if 0xC2 <= b <= 0xF4 and chr(c).isalpha()]
            conts = [chr(c) for c, b in page.to_byte.items() if 0x80 <= b <= 0xBF and chr(c).isalpha()]
            _LEAD_CONT.update(a + b for a in leads for b in conts)
    if pair not in _LEAD_CONT:  # (so the memo below holds a few thousand pairs at most)
        return False
    if pair not in _FOREIGN:
        a, b = pair.lower()
        _FOREIGN[pair] = all(_script_of(ord(c)) == 1 for c in pair) and not any(
            a in letters and b in letters for letters in language.alphabets())
    return _FOREIGN[pair]


_MULTI_RES: list[tuple[re.Pattern, dict[int, int]]] = []


def _long_signature(o: int) -> bool:
    """Characters of 3-4 UTF-8 bytes whose mojibake is common: punctuation, symbols, emoji."""
    return 0x2000 <= o <= 0x22FF or 0x2460 <= o <= 0x27BF or 0x3000 <= o <= 0x303F or 0x1F000 <= o <= 0x1FAFF


def _cjk_signature(o: int) -> bool:
    """Kana, ideographs, Hangul: mojibake when two or more come together (one alone can be a
    chance: "и…™" in Windows-1251 spells an ideograph)."""
    return 0x3040 <= o <= 0x30FF or 0x4E00 <= o <= 0x9FFF or 0xAC00 <= o <= 0xD7A3


def _multibyte_count(text: str) -> int:
    """Characters of 3 or 4 UTF-8 bytes (or 4-byte ones that lost their last byte) spelled out
    as the letters and symbols of one code page ("æ—¥", "đź™"): counted when they stand for
    punctuation, symbols, kana, ideographs, Hangul or emoji. Clean text almost never spells
    valid UTF-8 that long. The most any one code page explains."""
    if not _MULTI_RES:
        for page in _pages():
            if page.name == "cp437":
                continue  # box drawing and line art: too many accidental sequences
            lead3 = "".join(re.escape(chr(c)) for c, b in page.to_byte.items() if 0xE0 <= b <= 0xEF)
            lead4 = "".join(re.escape(chr(c)) for c, b in page.to_byte.items() if 0xF0 <= b <= 0xF4)
            cont = "".join(re.escape(chr(c)) for c, b in page.to_byte.items()
                           if 0x80 <= b <= 0xBF and c > 0x9F)
            alts = []
            if lead3:
                alts.append(f"[{lead3}][{cont}]{{2}}")
            if lead4:
                alts.append(f"[{lead4}][{cont}]{{2,3}}")
            if alts and cont:
                _MULTI_RES.append((re.compile("|".join(alts)), page.to_byte))
    best = 0
    for rx, to_byte in _MULTI_RES:
        n = 0
        cjk_end = -1
        for m in rx.finditer(text):
            raw = bytes(to_byte[ord(c)] for c in m.group())
            try:
                ch = raw.decode("utf-8")
            except UnicodeDecodeError:
                if len(raw) != 3 or raw[0] < 0xF0:
                    continue
                try:
                    ch = (raw + b"\x80").decode("utf-8")  # the last byte lost: any will do
                except UnicodeDecodeError:
                    continue
            if _long_signature(ord(ch)):
                n += 1
            elif _cjk_signature(ord(ch)):
                if m.start() == cjk_end:
                    n += 1
                cjk_end = m.end()
        best = max(best, n)
    return best


def badness(text: str, local: bool = False) -> int:
    """How much of ``text`` looks like mojibake: 0 for clean text of any script, as a rule.

    ``local``: for a few words around one run, without the count of long UTF-8 sequences
    (the run itself is what is being judged)."""
    if text.isascii():
        return 0
    if len(text) <= _SHORT:
        return _short_badness(text, local)
    return _badness(text, local)


_SHORT = 400  # characters: the few words around a run, or a line, measured again and again


@lru_cache(maxsize=16384)
def _short_badness(text: str, local: bool) -> int:
    return _badness(text, local)


def _badness(text: str, local: bool) -> int:
    from ftfy.badness import badness as ftfy_badness

    hint = _ftfy_parts()[1]
    n = text.count("\ufffd") + len(_DAGGER_GLUED.findall(text))
    if hint.search(text):  # ftfy's measure finds nothing without such a pair
        n += ftfy_badness(text)
    if not local:
        n += _multibyte_count(text)
    words = text.split()
    infos = [(_word_info(w) if not w.isascii() else (False, 1)) for w in words]
    for i, (bad, sc) in enumerate(infos):
        if bad:
            n += 1
        elif sc and 0 < i < len(infos) - 1 and (
                not words[i].isascii() or (len(words[i]) < 4 and sum(c.isalpha() for c in words[i]) == 1)):
            left, right = infos[i - 1][1], infos[i + 1][1]
            if left and left == right != sc:
                n += 1  # "vend Г  la fois", "1 ŃŃ‚ и": a word in another script than its neighbours
    if re.search("[\u0e00-\u0e7f]", text):
        n += len(_THAI_BAD.findall(text))
    return n
