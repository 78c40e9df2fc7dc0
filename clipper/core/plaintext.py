"""Plain text (pasted or .txt) -> :class:`Clip`: encoding repaired, site chrome trimmed,
title, byline, date, site and source URL found.

``extract_text(text, url=None, mode="article") -> Clip``. Modes:

- ``"article"``: the article only (the densest run of prose lines; menus, teasers of other
  stories, share/subscribe/cookie prompts, footers and comments dropped), with metadata;
- ``"page"``: all the text, encoding repaired and tidied into paragraphs, with metadata;
- ``"verbatim"``: the text exactly as given, only the encoding repaired;
- ``"raw"``: the text exactly as given, not even that.

How the article is found: every line gets a score (long lines with sentence punctuation and
many function words score high; short, link-like or boilerplate lines score below zero); the
run of lines with the highest total is the article (the maximum-sum subarray), so short lines
inside an article (list items, subheadings) stay and a menu between two stories does not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from clipper.core.errors import InputError
from clipper.core.model import Clip
from clipper.core.mojibake import repair
from clipper.core.textclean import (
    BOILERPLATE,
    STOPWORDS,
    find_byline,
    find_date,
    find_site,
    guess_language,
    heading_like,
    parse_date,
)

MODES = ("article", "page", "verbatim", "raw")

_TOKEN = re.compile(r"\w+")
# Scripts written without spaces: count characters instead of words.
_DENSE = re.compile(r"[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
_SENTENCE_END = re.compile(r"[.!?。！？…:;]['\"”’»)\]]*$")
_INNER_PUNCT = re.compile(r"[,.;:!?，。、](?:\s|$)")
_CAPTION = re.compile(
    r"^(?:credit\b|image\s*(?:credit|source|:)|photo(?:graph)?\s*(?:by|credit|:)|"
    r"\(?(?:photo|image|picture|video)\s*:|above:|source:\s|getty images|file photo|"
    r".{0,60}/(?:getty images|ap|reuters|afp|shutterstock)\)?$|"
    r"in this .{0,60}\b(?:file )?photo\b)", re.I)


_SECTION_BREAK = re.compile(
    r"^(?:(?i:related(?: articles| stories| posts| content| coverage| news| reading| links)?|"
    r"more (?:from|on|in|stories|news|articles|to (?:read|explore))\b.{0,50}|"
    r"recommended(?: for you| stories| reading)?|you (?:may|might) also (?:like|enjoy)|"
    r"most (?:popular|read|viewed|shared)(?: stories| articles)?|trending(?: now| stories)?|"
    r"popular (?:posts|stories|articles)|latest (?:news|stories|headlines|posts)|"
    r"(?:also )?read (?:more|next)|what to read next|don'?t miss|editor'?s picks|top stories|"
    r"from (?:around|across) the web|sponsored (?:content|stories|links)|promoted stories|"
    r"previous (?:post|article)|next (?:post|article))|(?i:more) [A-Z][\w.&' ]{2,40})\s*:?$")
_DATE_ONLY = re.compile(r"^(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?"
                        r"(?:[A-Za-z]{3,9}\.?\s+\d{1,2},?\s+\d{4}|\d{1,2}\s+[A-Za-z]{3,9}\.?,?\s+\d{4}|\d{4}-\d\d-\d\d|"
                        r"\d{1,2}/\d{1,2}/\d{2,4})(?:\s*(?:at\s+)?\d{1,2}:\d\d.{0,12})?$", re.I)
_LEGAL = re.compile(r"^(?:©|\(c\)|copyright\b)|all rights reserved|not been evaluated by the food|"
                    r"^(?:the )?information (?:provided )?on this (?:web)?site", re.I)
_CONSENT = re.compile(r"\b(?:cookies?|consent|opt[- ]out|third[- ]party|browsing experience|"
                      r"privacy (?:policy|settings)|personal data|advertising partners)\b", re.I)


# The start of a comment section: everything from here on is readers', not the article's.
_COMMENTS_START = re.compile(
    r"^(?:\[?\s*[1-9]\d*\s+(?:comments?|responses?|replies|reactions)\b.{0,80}|"
    r"(?:top rated |reader |latest |show |view |read )?comments?(?:\s*\(\d+\))?:?|"
    r"leave a (?:comment|reply)|post a comment|join the (?:discussion|conversation)|"
    r"add (?:a|your) comment|what do you think\??|discussion|conversation)\]?$", re.I)
_COMMENT_META = re.compile(r"^(?:\S.{0,40}\s(?:says|said|wrote):|reply|report|like|"
                           r"(?:rating|votes?|likes?):?\s*\d+.{0,10}|\d+\s+(?:likes?|votes?))$", re.I)
_GLUED = re.compile(r"(?:[a-z]{4}|[!?)’'])[A-Z][a-z]")  # "…Student-AthleteA 24-year-old…"


def _title_case(text: str) -> bool:
    words = [w for w in text.split() if w[:1].isalpha()]
    if len(words) < 3:
        return False
    return sum(1 for w in words if w[:1].isupper()) / len(words) >= 0.6


@dataclass
class _Line:
    text: str
    words: int
    score: float = 0.0
    boiler: bool = False


def extract_text(text: str, url: str | None = None, mode: str = "article") -> Clip:
    """Turn pasted or saved plain text into a :class:`Clip` (nothing is saved)."""
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; use one of {', '.join(MODES)}")
    if text is None or not text.strip():
        raise InputError("the text is empty")
    if mode == "raw":
        return Clip(markdown=text, title=_first_line(text), source=url or "", kind="text")
    text = repair(text)
    if mode == "verbatim":
        return Clip(markdown=text, title=_first_line(text), source=url or "", kind="text")

    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    raw_lines = [ln.strip() for ln in text.split("\n")]
    lines = [_measure(ln) for ln in raw_lines if ln]
    if not lines:
        raise InputError("the text is empty")
    _mark_chrome(lines)
    _smooth(lines)

    site, source = find_site([ln.text for ln in lines], url)
    if mode == "page":
        start, end = 0, len(lines)
    else:
        start, end = _densest_run(lines)
    byline = find_byline([ln.text for ln in lines], start, end)
    title_at = _find_title(lines, start, byline.index if byline else None, site)
    title = lines[title_at].text if title_at is not None else ""
    published = find_date([ln.text for ln in lines], start, end,
                          byline.index if byline else None, title_at)
    if mode == "article" and byline and start < byline.index < min(end - 1, start + 10):
        # The article starts after its byline: what comes before it is the standfirst, a
        # photo caption and its credit (kept only if the story really starts above it).
        before = sum(max(ln.score, 0) for ln in lines[start:byline.index])
        after = sum(max(ln.score, 0) for ln in lines[byline.index + 1:end])
        if after > 2 * before:
            start = byline.index + 1

    keep = []
    for i in range(start, end):
        ln = lines[i]
        if mode == "article" and (i == title_at or (byline and i == byline.index) or ln.boiler
                                  or _CAPTION.match(ln.text) or _dateline(ln)):
            continue
        keep.append(ln.text)
    if mode == "article":
        keep = _trim_edges(keep)
    if not keep:  # nothing looked like an article: keep everything rather than nothing
        keep = [ln.text for ln in lines]
    markdown = _to_markdown(keep)
    if not title:
        title = _first_line("\n".join(keep))  # the text itself: the Markdown has escapes ("\\---")
    return Clip(
        markdown=markdown,
        title=title[:300],
        author=byline.name if byline else "",
        published=published,
        site=site,
        source=source,
        language=guess_language(markdown),
        kind="text",
    )


def _first_line(text: str) -> str:
    for ln in text.splitlines():
        ln = ln.strip()
        if ln:
            return ln[:200]
    return ""


def _measure(text: str) -> _Line:
    toks = _TOKEN.findall(text)
    dense = len(_DENSE.findall(text))
    words = len(toks) + dense // 2
    ln = _Line(text=text, words=words)
    ln.boiler = bool(BOILERPLATE.match(text))
    ln.score = _score(text, toks, words, dense, ln.boiler)
    return ln


def _score(text: str, toks: list[str], words: int, dense: int, boiler: bool) -> float:
    if boiler or _LEGAL.search(text):
        return -3.0
    ends = bool(_SENTENCE_END.search(text))
    inner = len(_INNER_PUNCT.findall(text))
    if toks:
        stop = sum(1 for t in toks if t.lower() in STOPWORDS) / len(toks)
    else:
        stop = 0.0
    if dense > 20:
        stop = max(stop, 0.3)  # no word gaps to count function words by
    if _CONSENT.search(text) and len(_CONSENT.findall(text)) >= 2:
        return -3.0
    if _COMMENT_META.match(text):
        return -2.0
    glued = _GLUED.search(text, 0, 160)
    if glued and _title_case(text[:glued.start() + 1]):
        return -1.5  # a teaser card: "Headline Of Another StoryIts first sentence..."
    if text.count("\t") >= 2:
        return 0.2  # a table row
    if words >= 12 and (ends or inner >= 2):
        return min(words, 80) / 10 * (0.5 + stop * 1.5)
    if words >= 7 and ends and stop >= 0.15:
        return 0.4
    if words >= 4 and ends:
        return -0.3
    if words >= 3:
        lower = sum(1 for t in toks if t[:1].islower()) / max(1, len(toks))
        return -0.2 if lower >= 0.4 else -0.8
    return -1.0


def _mark_chrome(lines: list[_Line]) -> None:
    """Menus (long runs of short lines), repeated date lines of story lists, and headers of
    other-stories blocks ("More from …", "Related") separate the article from the rest."""
    n = len(lines)
    i = 0
    while i < n:
        j = i
        while j < n and lines[j].score <= -0.8 and lines[j].words <= 4:
            j += 1
        if j - i >= 6:
            for k in range(i, j):
                lines[k].score = min(lines[k].score, -3.0)
        i = max(j, i + 1)
    dates: dict[str, int] = {}
    for ln in lines:
        if ln.words <= 6 and _DATE_ONLY.match(ln.text):
            dates[ln.text] = dates.get(ln.text, 0) + 1
    for ln in lines:
        if _SECTION_BREAK.match(ln.text):
            ln.score = -6.0
            ln.boiler = True
        elif ln.words <= 6 and dates.get(ln.text, 0) >= 2 or (
                ln.words <= 6 and _DATE_ONLY.match(ln.text) and sum(dates.values()) >= 4):
            ln.score = min(ln.score, -3.0)


def _smooth(lines: list[_Line], reach: int = 4, lift: float = 0.8) -> None:
    """Short lines among prose (list items, subheadings) cost less than short lines among
    short lines (menus): raise each negative score by the share of prose lines around it."""
    positive = [ln.score > 0.5 for ln in lines]
    n = len(lines)
    for i, ln in enumerate(lines):
        if ln.score >= 0 or ln.boiler:
            continue
        lo, hi = max(0, i - reach), min(n, i + reach + 1)
        share = (sum(positive[lo:hi]) - positive[i]) / max(1, hi - lo - 1)
        ln.score += lift * share


def _densest_run(lines: list[_Line]) -> tuple[int, int]:
    """Indices [start, end) of the run of lines with the highest total score.

    When that run goes on into a comment section ("34 Comments", "Leave a reply"), the
    article is the best run before it.
    """
    start, end = _max_run(lines, 0, len(lines))
    prose = 0.0
    for i in range(start, end):
        if prose >= 5 and _COMMENTS_START.match(lines[i].text):
            return _max_run(lines, 0, i)
        prose += max(lines[i].score, 0)
    return start, end


def _max_run(lines: list[_Line], lo: int, hi: int) -> tuple[int, int]:
    best, best_span = float("-inf"), (lo, hi)
    total, start = 0.0, lo
    for i in range(lo, hi):
        if total <= 0:
            total, start = 0.0, i
        total += lines[i].score
        if total > best:
            best, best_span = total, (start, i + 1)
    if best <= 0:
        return lo, hi
    return best_span


def _find_title(lines: list[_Line], start: int, byline_at: int | None, site: str) -> int | None:
    """The heading above the article: nearest heading-like line above the byline or the text."""
    anchor = byline_at if byline_at is not None and byline_at <= start + 2 else start
    best, best_score = None, float("-inf")
    lo = max(0, anchor - 25)
    for i in range(anchor - 1, lo - 1, -1):
        t = lines[i].text
        if lines[i].boiler or not heading_like(t, site):
            continue
        distance = anchor - i
        score = -0.15 * distance + min(lines[i].words, 12) / 6
        if i == 0:
            score += 0.5
        if score > best_score:
            best, best_score = i, score
    if best is None and start < len(lines) and heading_like(lines[start].text, site):
        return start
    return best


_STAMP = re.compile(r"^(?:(?:last )?(?:updated|published|posted|modified|created)(?: on)?:?\s|"
                    r"(?:publiziert|veröffentlicht|aktualisiert)(?: am)?:?\s)", re.I)


def _dateline(ln: _Line) -> bool:
    """A line that only says when the story was published or updated."""
    if ln.words > 14:
        return False
    return bool(_DATE_ONLY.match(ln.text) or (_STAMP.match(ln.text) and parse_date(ln.text)))


def _trim_edges(keep: list[str]) -> list[str]:
    """Drop a lone short leftover line at either end of the article ("...", "0", a tag)."""
    while keep and len(_TOKEN.findall(keep[-1])) < 3 and not _SENTENCE_END.search(keep[-1]):
        keep.pop()
    while keep and len(_TOKEN.findall(keep[0])) < 3 and not _SENTENCE_END.search(keep[0]):
        keep.pop(0)
    return keep


_LIST_ITEM = re.compile(r"^(?:[-*•·▪►‣◦–]|\d{1,3}[.)])\s+")
_MD_SPECIAL = re.compile(r"^(#{1,6}\s|>|[-+*]\s|\d+[.)]\s|={3,}|-{3,}|```)")


def _subheading(line: str, before: str, after: str) -> bool:
    """A short unpunctuated line between two paragraphs is a subheading."""
    words = len(_TOKEN.findall(line))
    if not 1 <= words <= 10 or len(line) > 90 or _SENTENCE_END.search(line) or line.endswith(","):
        return False
    if not line[:1].isupper() and not line[:1].isdigit():
        return False
    return len(_TOKEN.findall(before)) >= 12 and len(_TOKEN.findall(after)) >= 12


def _to_markdown(paragraphs: list[str]) -> str:
    out: list[str] = []
    prev_item = False
    for k, p in enumerate(paragraphs):
        m = _LIST_ITEM.match(p)
        if m:
            item = "- " + p[m.end():]
            if prev_item:
                out[-1] += "\n" + item
            else:
                out.append(item)
            prev_item = True
            continue
        prev_item = False
        if _MD_SPECIAL.match(p):
            p = "\\" + p
        elif 0 < k < len(paragraphs) - 1 and _subheading(p, paragraphs[k - 1], paragraphs[k + 1]):
            p = "## " + p
        out.append(p)
    return "\n\n".join(out).strip() + "\n"
