"""Tags: normalisation, nesting with '/', rename/merge/delete on tag lists, suggestions.

A tag is lowercase, has no spaces (they become '-'), no leading '#', and may be nested with
'/': ``science/physics`` is a child of ``science``, and ``tag:science`` also finds it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

_SPACE = re.compile(r"[\s_]+")
_BAD = re.compile(r"[,;\"'`<>\\|()\[\]{}]")
_SLASHES = re.compile(r"\s*/+\s*")
_WORD = re.compile(r"[^\W\d_][\w'-]{2,}")

STOPWORDS = frozenset("""
a about above after again against all also am an and any are as at be because been before being
below between both but by can could did do does doing down during each few for from further had
has have having he her here hers herself him himself his how i if in into is it its itself just
me more most my myself no nor not now of off on once only or other our ours ourselves out over
own same she should so some such than that the their theirs them themselves then there these
they this those through to too under until up very was we were what when where which while who
whom why will with would you your yours yourself yourselves said says one two new like get got
also many much even may might must shall since still though yet however although this that
these those its it's
""".split())  # noqa: SIM905


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


def suggest(text: str, in_use: dict[str, int], current: Iterable[str] = (), limit: int = 5) -> list[str]:
    """Tags for a note with ``text``: tags already in use whose words occur in it first
    (most used first), then frequent significant words of the text."""
    current = set(normalize_tags(current))
    words = Counter(w.lower().strip("'-") for w in _WORD.findall(text or ""))
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
    if len(out) < limit:
        for word, n in words.most_common(50):
            if len(out) >= limit or n < 2:
                break
            tag = normalize_tag(word)
            if (tag and word not in STOPWORDS and len(word) >= 4 and tag not in out
                    and tag not in current and not any(is_under(t, tag) for t in out)):
                out.append(tag)
    return out
