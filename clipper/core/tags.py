"""Tags: normalisation, nesting with '/', rename/merge/delete on tag lists, suggestions.

A tag is lowercase, has no spaces (they become '-'), no leading '#', and may be nested with
'/': ``science/physics`` is a child of ``science``, and ``tag:science`` also finds it.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable

_SPACE = re.compile(r"[\s_]+")
_BAD = re.compile(r"[,;\"'`<>\\|()\[\]{}]")
_SLASHES = re.compile(r"\s*/+\s*")
# What joins the letters of one word: apostrophes ("o'clock", "Lavrov’s") and hyphens.
_APOSTROPHES = "'’"
_JOINERS = _APOSTROPHES + "-"
_WORD = re.compile(r"[^\W\d_][\w" + _JOINERS + "]{2,}")
_POSSESSIVE = re.compile("[" + _APOSTROPHES + r"]s\Z")
_LINK_TARGET = re.compile(r"\]\([^)\s]*(?:\s+\"[^\"]*\")?\)|<?(?:https?|mailto|ftp):[^\s>)]+>?|www\.\S+")

STOPWORDS = frozenset("""
a about above after again against all also am an and any are as at be because been before being
below between both but by can could did do does doing down during each few for from further had
has have having he her here hers herself him himself his how i if in into is it its itself just
me more most my myself no nor not now of off on once only or other our ours ourselves out over
own same she should so some such than that the their theirs them themselves then there these
they this those through to too under until up very was we were what when where which while who
whom why will with would you your yours yourself yourselves said says one two like get got
also many much even may might must shall since still though yet however although this that
these those its it's
""".split())  # noqa: SIM905


def _function_words(text: str, lang: str = "") -> frozenset[str]:
    """The commonest words of the text's own language ("beim", "dans", "когда"), which say
    nothing about what a note is about; none for English (STOPWORDS) or an unknown language.
    ``lang``: the note's language as its front matter gives it ("de", "pt-BR"), else guessed."""
    from clipper.core import language

    code = str(lang or "").strip().lower().replace("_", "-").split("-")[0]
    if code not in language.stopwords():
        code = language.guess(text)
    if not code or code == "en":
        return frozenset()
    return frozenset(language.stopwords().get(code, [])[:_FUNCTION_WORDS])


_FUNCTION_WORDS = 150  # of a language's ranked stop words (from Wikipedia): past these, topics


def normalize_tag(tag) -> str:
    """``'  #Machine Learning / NLP '`` -> ``'machine-learning/nlp'``; '' if nothing is left."""
    text = str(tag or "").strip().lstrip("#").strip()
    text = _BAD.sub("", text)
    text = _SLASHES.sub("/", text)
    text = _SPACE.sub("-", text.lower())
    parts = [p.strip("-.") for p in text.split("/")]
    return "/".join(p for p in parts if p)


def normalize_tags(tags: Iterable) -> list[str]:
    """Normalised, de-duplicated tags in their first order (a string is split on commas)."""
    if tags is None:
        return []
    if isinstance(tags, str):
        tags = tags.split(",")
    out, seen = [], set()
    for tag in tags:
        if isinstance(tag, (list, tuple)):
            items = tag
        else:
            items = [tag]
        for item in items:
            norm = normalize_tag(item)
            if norm and norm not in seen:
                seen.add(norm)
                out.append(norm)
    return out


def tags_from_meta(value) -> list[str]:
    """Tags from a front-matter value: a list, or a string with commas or spaces."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        parts = value.split(",") if "," in value else value.split()
        return normalize_tags(parts)
    if isinstance(value, (list, tuple)):
        return normalize_tags(str(v) for v in value if v is not None and not isinstance(v, dict))
    return normalize_tags([str(value)])


def with_ancestors(tags: Iterable[str]) -> list[str]:
    """Each tag and all its parents: ``a/b/c`` -> ``a``, ``a/b``, ``a/b/c``."""
    out, seen = [], set()
    for tag in tags:
        parts = tag.split("/")
        for i in range(1, len(parts) + 1):
            t = "/".join(parts[:i])
            if t not in seen:
                seen.add(t)
                out.append(t)
    return out


def is_under(tag: str, name: str) -> bool:
    """True if ``tag`` is ``name`` or nested below it."""
    return tag == name or tag.startswith(name + "/")


def rename_in(tags: list[str], old: str, new: str) -> list[str]:
    """Rename ``old`` (and its children) to ``new``; merged duplicates are dropped."""
    out = []
    for tag in tags:
        if is_under(tag, old):
            tag = new + tag[len(old):] if new else ""
        out.append(tag)
    return normalize_tags(out)


def remove_in(tags: list[str], name: str) -> list[str]:
    """Drop ``name`` and everything nested below it."""
    return [t for t in tags if not is_under(t, name)]


# What a note shows of the interface rather than its topic: code, keys pressed together
# (Ctrl+Shift+V), and emphasised menu paths (*File → Import*).
_CODE = re.compile(r"(?s)(`{3,}|~{3,}).*?(?:\1|\Z)|`[^`\n]*`")
_CHORD = re.compile(r"[^\W_][\w]*(?:[ \t]*\+[ \t]*[^\W_][\w]*)+")
_MENU = re.compile(r"([*_]{1,2})[^*_\n]*(?:→|›|»|->|=>)[^*_\n]*\1"
                   r"|[^\W_][\w…]*(?:[ \t]*[→›][ \t]*[^\W_][\w…]*)+")
_SENTENCES = re.compile(r"(?<=[.!?:;])\s+|\n+|[()\[\]\"“”«»|*_#>]")
_TOKENS = re.compile(r"[\w" + _JOINERS + "]+")
NAME_WORDS = (2, 3)  # names suggested as one tag: "new-york", "letitia-james"


def _topic_text(text: str) -> str:
    text = _LINK_TARGET.sub(" ", text or "")
    text = _CODE.sub(" ", text)
    text = _MENU.sub(" ", text)
    return _CHORD.sub(" ", text)


def _names(text: str) -> tuple[Counter, Counter, Counter]:
    """Capitalised runs of words, the way names are written in most alphabets ("New York State
    Attorney General"): the 2-3 word pieces of runs (counted where they occur in runs), the
    words seen inside runs of two or more, and single words capitalised in mid-sentence."""
    pieces: Counter = Counter()
    in_runs: Counter = Counter()
    proper: Counter = Counter()
    sentences = [_TOKENS.findall(s) for s in _SENTENCES.split(text)]
    # the capital every sentence starts with says nothing, unless the word is written with a
    # capital in mid-sentence too ("New York officials agreed" after "in New York")
    mid_caps = {t.lower() for tokens in sentences for t in tokens[1:] if t[:1].isupper()}
    for tokens in sentences:
        run: list[str] = []
        for i, token in enumerate(tokens + [""]):
            if token[:1].isupper() and (i > 0 or token.lower() in mid_caps):
                run.append(_POSSESSIVE.sub("", token.lower()).strip(_JOINERS))
                continue
            if len(run) == 1 and i > 1:
                proper[run[0]] += 1
            elif len(run) > 1:
                in_runs.update(run)
                for n in NAME_WORDS:
                    for j in range(len(run) - n + 1):
                        pieces[" ".join(run[j:j + n])] += 1
            run = []
    return pieces, in_runs, proper


def _words(text: str) -> Counter:
    """Words of ``text`` (link targets left out), possessives cut, a plural counted with its
    singular under the more frequent of the two forms."""
    words = Counter(_POSSESSIVE.sub("", w.lower()).strip(_JOINERS)
                    for w in _WORD.findall(_LINK_TARGET.sub(" ", text or "")))
    for word in [w for w in words if w.endswith("s") and w[:-1] in words]:
        one, many = word[:-1], word
        keep, drop = (one, many) if words[one] >= words[many] else (many, one)
        words[keep] += words.pop(drop)
    return words


def suggest(text: str, in_use: dict[str, int], current: Iterable[str] = (), limit: int = 5,
            title: str = "", doc_freq=None, doc_count: int = 0, language: str = "") -> list[str]:
    """Tags for a note with ``text`` (and ``title``): tags already in use whose words occur in
    it first (most used first), then the note's own significant words: frequent in the note,
    weighted up when in the title and, given ``doc_freq(word)`` over ``doc_count`` notes, down
    when common across the vault (TF-IDF). ``language``: the note's, when its front matter says."""
    current = set(normalize_tags(current))
    text = _topic_text(text)
    function_words = _function_words(text, language)
    stop = STOPWORDS | function_words
    words = _words(text)
    title_words = set(_words(title))
    for w in title_words:
        words[w] += 1
    scored = []
    for tag, count in in_use.items():
        if tag in current:
            continue
        leaf = tag.rsplit("/", 1)[-1]
        parts = [p for p in leaf.split("-") if p]
        if not parts:
            continue
        hits = [words.get(p, 0) + words.get(p + "s", 0) for p in parts]
        if all(hits):
            scored.append((-min(hits) * (1 + count), -count, tag))
    scored.sort()
    out = [t for _, _, t in scored[:limit]]
    if len(out) >= limit:
        return out
    use_idf = doc_freq is not None and doc_count >= 20

    def rarity(word: str) -> float | None:
        """How telling ``word`` is across the vault (TF-IDF); None: in most notes."""
        nonlocal use_idf
        if not use_idf:
            # no vault to compare with: longer words are the rarer ones in most languages
            return min(len(word), 10) / 6
        try:
            df = doc_freq(word)
        except Exception:  # noqa: BLE001 -- a busy or rebuilding index: no weighting
            use_idf = False
            return min(len(word), 10) / 6
        if df > doc_count * 0.5:  # in most notes: says nothing about this one
            return None
        return math.log((doc_count + 1) / (df + 1)) + 1

    pieces, in_runs, proper = _names(text)
    def flat(value: str) -> str:
        return " ".join(_POSSESSIVE.sub("", t) for t in _TOKENS.findall(value.lower()))

    low, title_low = flat(text), flat(title)
    ranked = []
    # names of two or three words written as names at least twice: "new-york"; the best
    # first, none sharing a word with a better one ("state-attorney" after "attorney-general")
    names = sorted(((len(re.findall(r"(?<!\S)" + re.escape(p) + r"(?!\S)", low)), len(p), p)
                    for p, c in pieces.items() if c >= 2), reverse=True)
    taken: set[str] = set()
    covered: Counter = Counter()  # occurrences of a word inside the names taken
    for count, _length, phrase in names:
        parts = phrase.split()
        if taken & set(parts) or parts[0] in stop or parts[-1] in stop:
            continue
        factors = [rarity(w) for w in parts]
        if any(f is None for f in factors):
            continue
        taken |= set(parts)
        covered.update({w: count for w in parts})
        weight = (count * 2 + (2 if phrase in title_low else 0)) * max(factors)
        ranked.append((-weight, phrase))
    for word, n in words.items():
        if n < 2 or len(word) < 4 or word in STOPWORDS or not normalize_tag(word):
            continue
        if word in function_words and proper[word] * 2 < n:  # (a noun of German is written up)
            continue
        in_text = n - (1 if word in title_words else 0)
        if max(in_runs[word], covered[word]) * 2 >= in_text:
            continue  # mostly a piece of a longer name ("york", "general")
        factor = rarity(word)
        if factor is None:
            continue
        weight = (n + (2 if word in title_words else 0)) * factor
        if proper[word] * 2 >= n:  # a name of its own ("Lavrov", "Markdown")
            weight *= 1.5
        ranked.append((-weight, word))
    ranked.sort()
    for _, word in ranked:
        if len(out) >= limit:
            break
        tag = normalize_tag(word)
        if tag not in out and tag not in current and not any(is_under(t, tag) for t in out):
            out.append(tag)
    return out
