"""Block labelling of text copied from a web page: which lines are the article.

``article_lines(lines) -> Labels``. Each non-empty line is a block described by features of
itself and of its neighbours (length, sentence ends, function words, capitals, chrome phrases,
runs of short lines, headline + summary pairs of teaser lists, markers that end an article,
words shared with the rest of the article). A logistic model (weights fitted on the dev corpora
by ``scripts/fit_textmodel.py``, shipped in ``data/textmodel.json``) turns them into a score per
line (log-odds of "article"), and a best path over four states, before / article / a gap
inside the article / after, picks the article: one stretch of lines, from which single chrome
lines inside (a caption, a share bar) can be left out at a cost. This is run twice: the second
pass also knows which words the first pass's article uses, so teasers of other stories, which
share few of them, fall away.

Why one module of this size: the block features and the labelling that uses them are one
model, tuned together on the pasted-text benchmark.
"""

from __future__ import annotations

import json
import math
import operator
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from clipper.core.phrases import (
    BOILERPLATE,
    CAPTION,
    COMMENT_META,
    COMMENTS_START,
    CONSENT,
    CONSENT_HINT,
    CONSENT_LOW,
    CREDIT_END,
    CREDIT_END_CHARS,
    LEGAL,
    LEGAL_HINT,
    LEGAL_LOW,
    SECTION_BREAK,
)
from clipper.core.textclean import READ_ON, STOPWORDS, byline_name, parse_date

WEIGHTS_FILE = Path(__file__).resolve().parent / "data" / "textmodel.json"

_TOKEN = re.compile(r"\w+")
# Scripts written without spaces: count characters instead of words.
DENSE = re.compile(r"[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
# How a sentence ends: its full stop (in the scripts clipped most), then any closing quotes and
# brackets ("… the end.”)").
_EMOJI = "\U0001F300-\U0001FAFF\u263A"  # an emoji ends a sentence as well ("… freuen 🙂")
_STOP = "[.!?。！？" + _EMOJI + "]"
_CLOSERS = r"['\"”’»)\]]*"
# a full stop, an ellipsis, a colon…
SENTENCE_END = re.compile("[.!?。！？…:;" + _EMOJI + "]" + _CLOSERS + "$")
_FULL_STOP = re.compile(_STOP + _CLOSERS + "$")
_ELLIPSIS = re.compile(r"(?:…|\.\.\.|\[…\]|\[\.\.\.\])" + _CLOSERS + "$")
# The same three tests on a line without its closing quotes and brackets (a Block's ``ends``,
# ``ellipsis`` and ``sentence_end``): no expression searched through the whole line.
_CLOSER_CHARS = "'\"”’»)]"
_STOP_CHARS = tuple(".!?。！？")
_EMOJI_LAST = re.compile("[" + _EMOJI + "]$")
_SENTENCE_END_CHARS = _STOP_CHARS + tuple("…:;")
_INNER_PUNCT = re.compile(r"[,.;:!?，。、](?:\s|$)")
_SENTENCE_SPLIT = re.compile(_STOP + "(?:" + _CLOSERS + r")(?:\s|$)")
DATE_ONLY = re.compile(r"^(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?"
                       r"(?:[A-Za-z]{3,9}\.?\s+\d{1,2},?\s+\d{4}|\d{1,2}\.?\s+(?:de\s+)?[^\W\d_]{3,10}\.?,?\s+"
                       r"(?:de\s+)?\d{4}|"
                       r"\d{4}-\d\d-\d\d|\d{1,2}[/.]\d{1,2}[/.]\d{2,4})"
                       r"(?:\s*(?:at\s+|[-–|,]\s*)?\d{1,2}[:h.]\d\d.{0,12})?$", re.I)
_GLUED = re.compile(r"(?:[a-z]{4}|[!?)’'])[A-Z][a-z]")  # "…Student-AthleteA 24-year-old…"
LIST_ITEM = re.compile(r"^(?:[-*•·▪►‣◦–]|\d{1,3}[.)])\s+")
_URL = re.compile(r"https?://|www\.\w", re.I)
_SEPARATORS = re.compile(r"\s[|»›·•/]\s|\s[|»›]|[|»›]\s")
_TIME = re.compile(r"\b\d{1,2}[:h]\d\d\b")
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_QUOTE_START = re.compile(r"^[\"“„«‘'‹「『]")
_BREADCRUMB = re.compile(r"\s[>»›/]\s|^(?:home|start)\s*[>»›/|]", re.I)
_ROLE = re.compile(r"(?i)\b(?:staff|editor(?:ial)?|writer|correspondent|reporter|columnist|contributor|"
                   r"photograph(?:er|y)|getty|reuters|afp|associated press)\b")


def _may_hold(text: str, low: re.Pattern, hint: re.Pattern) -> bool:
    """The quick test before a full pattern: on the lower-cased text when it is ASCII (where
    lower-casing and the patterns' case folding agree); most lines have none of these words."""
    if text.isascii():
        return low.search(text.lower()) is not None
    return hint.search(text) is not None


def consent(text: str) -> bool:
    """A cookie or consent prompt (two of its words in one line)."""
    return _may_hold(text, CONSENT_LOW, CONSENT_HINT) and len(CONSENT.findall(text)) >= 2


def legal(text: str) -> bool:
    """A copyright or legal notice."""
    return _may_hold(text, LEGAL_LOW, LEGAL_HINT) and bool(LEGAL.search(text))


def has_byline(b: Block) -> bool:
    """``byline_name`` of the block's text, asked once per block."""
    if b.is_byline is None:
        b.is_byline = bool(byline_name(b.text))
    return b.is_byline


def has_date(b: Block) -> bool:
    """``parse_date`` of the block's text, asked once per block."""
    if b.is_date is None:
        b.is_date = bool(parse_date(b.text))
    return b.is_date


def starts_comments(b: Block) -> bool:
    """``COMMENTS_START`` matches the block's text (asked once per block)."""
    if b.comments is None:
        b.comments = COMMENTS_START.match(b.text) is not None
    return b.comments


def reads_on(b: Block) -> bool:
    """``READ_ON`` matches the block's text: "Read the full story at …" (asked once per block)."""
    if b.read_on is None:
        b.read_on = READ_ON.match(b.text) is not None
    return b.read_on


def _headline(b: Block) -> bool:
    if b.headline is None:
        # (a line ending with a colon announces what follows it: a teaser's headline never does)
        b.headline = (3 <= b.words <= 20 and not b.ends
                      and not b.text.endswith((":", "：")) and not LIST_ITEM.match(b.text) and not b.boiler)
    return b.headline


def _summary(b: Block) -> bool:
    if b.summary is None:
        b.summary = (8 <= b.words <= 60 and (b.ends or b.ellipsis)
                     and len(_SENTENCE_SPLIT.findall(b.text)) <= 2)
    return b.summary


def headline_summary(a: Block, b: Block) -> bool:
    """``a`` then ``b`` look like a teaser card: a headline, then a one- or two-sentence summary."""
    return _headline(a) and _summary(b)


def title_case(text: str) -> bool:
    if len(text) > 300:  # a paragraph, not a heading
        return False
    firsts = [w[0] for w in text.split() if w[0].isalpha()]  # split() gives no empty word
    if len(firsts) < 3:
        return False
    return sum(map(str.isupper, firsts)) / len(firsts) >= 0.6


@dataclass
class Block:
    """One non-empty line of the text and what is known of it."""

    text: str
    words: int
    tokens: list[str]
    dense: int
    blank_before: bool = False
    blank_after: bool = False
    boiler: bool = False  # a chrome phrase (menu word, share prompt) or an other-stories header
    phrase: bool = False
    section: bool = False
    feats: list[float] = field(default_factory=list)
    content: list[str] | None = None  # its content words, once asked for
    # tests asked of a line again and again (by the features, the card runs, the title), kept
    headline: bool | None = None
    summary: bool | None = None
    is_byline: bool | None = None
    is_date: bool | None = None
    comments: bool | None = None
    read_on: bool | None = None
    # how the line ends (after its closing quotes and brackets): a full stop (also of an
    # ellipsis), an ellipsis, any end of a sentence (a full stop, an ellipsis, a colon…)
    ends: bool = False
    ellipsis: bool = False
    sentence_end: bool = False


_LINK_BAR = re.compile(r"\s+[|·•]\s+")


def _chrome_links(text: str) -> bool:
    """A bar of chrome links on one line ("Impressum | Datenschutz | AGB", "Privacy · Terms")."""
    if "|" not in text and "·" not in text and "•" not in text:
        return False
    parts = _LINK_BAR.split(text.strip())
    return 2 <= len(parts) <= 8 and all(BOILERPLATE.match(p) for p in parts)


def make_block(text: str, blank_before: bool = False, blank_after: bool = False) -> Block:
    toks = _TOKEN.findall(text)
    dense = 0 if text.isascii() else len(DENSE.findall(text))
    words = len(toks) + dense // 2
    # (the line has no line break: _FULL_STOP, _ELLIPSIS and SENTENCE_END's "$" is its end)
    bare = text.rstrip(_CLOSER_CHARS)
    ends = bare.endswith(_STOP_CHARS) or _EMOJI_LAST.search(bare[-1:]) is not None
    b = Block(text=text, words=words, tokens=toks, dense=dense, blank_before=blank_before,
              blank_after=blank_after, ends=ends, ellipsis=bare.endswith(("…", "...")),
              sentence_end=ends or bare.endswith(_SENTENCE_END_CHARS))
    if len(text) <= 300:  # no chrome phrase is longer
        b.phrase = bool(BOILERPLATE.match(text)) or _chrome_links(text)
        b.section = bool(SECTION_BREAK.match(text))
    b.boiler = b.phrase or b.section
    return b


def blocks_from_lines(raw_lines: list[str]) -> list[Block]:
    """Blocks of the non-empty lines, knowing which ones a blank line separates."""
    out: list[Block] = []
    blank = True
    for ln in raw_lines:
        if not ln:
            blank = True
            if out:
                out[-1].blank_after = True
            continue
        out.append(make_block(ln, blank_before=blank))
        blank = False
    return out


# --- features -------------------------------------------------------------------------------

BASE = ("bias", "logwords", "w1_2", "w3_5", "w6_11", "w12_30", "w31", "ends", "ellipsis", "colon",
        "inner", "stop", "dense", "titlecase", "upper", "boiler", "section", "legal", "consent",
        "comment_meta", "comments_start", "caption", "date_only", "byline", "read_on", "url", "glued",
        "digits", "list_item", "separators", "blank_before", "blank_after", "repeated", "time",
        "table", "few_letters", "lower_start", "question", "quote", "has_date",
        "sentences", "prose", "short", "site_name")
CONTEXT = ("prev_prose", "next_prose", "prev2_prose", "next2_prose", "prev_short", "next_short",
           "win3_prose", "win8_prose", "win3_short", "short_run", "headline", "summary", "card",
           "cards_near", "card_x_near", "comments_above",
           "short_x_win", "chrome_near", "prior", "prior_pos", "prior_smooth", "prior_win")
SECOND = ("core", "core_x_card", "core_x_prose", "title_words", "core_low_prose", "z", "z_prev", "z_next",
          "z_prev2", "z_next2", "z_win3", "z_win8", "z_max3", "z_min3", "kept1", "before1", "after1",
          "kept_near", "in_cards")
FEATURES = BASE + CONTEXT
FEATURES2 = FEATURES + SECOND
_I = {name: i for i, name in enumerate(FEATURES2)}
# (the columns read line by line, looked up once)
(_F_BOILER, _F_SECTION, _F_LEGAL, _F_CONSENT, _F_COMMENT_META, _F_GLUED, _F_TABLE, _F_STOP, _F_INNER,
 _F_LOWER_START, _F_BYLINE, _F_READ_ON, _F_COMMENTS_START) = (
    _I[name] for name in ("boiler", "section", "legal", "consent", "comment_meta", "glued", "table", "stop",
                          "inner", "lower_start", "byline", "read_on", "comments_start"))


_ASCII_LETTERS = bytes(range(65, 91)) + bytes(range(97, 123))
_ASCII_DIGITS = b"0123456789"


def _base(b: Block, counts: dict[str, int], site: str) -> list[float]:
    text, words, toks = b.text, b.words, b.tokens
    ends, ellipsis = b.ends, b.ellipsis
    inner = len(_INNER_PUNCT.findall(text))
    if toks and b.dense <= 20:
        stop = sum(map(STOPWORDS.__contains__, map(str.lower, toks))) / len(toks)
    else:
        stop = 0.3 if b.dense > 20 else 0.0
    head = text[:300]  # ratios of characters: the start of a line tells enough
    chars = max(1, len(head))
    if text.isascii():  # (most lines: the same counts and tests, done on bytes, case folded once)
        raw = head.encode("ascii")
        letters = len(raw) - len(raw.translate(None, _ASCII_LETTERS))
        digits = len(raw) - len(raw.translate(None, _ASCII_DIGITS))
        upper = letters >= 4 and text.isupper()
        low = text[:600].lower()
        is_legal = LEGAL_LOW.search(low, 0, 400) is not None and LEGAL.search(text[:400]) is not None
        is_consent = CONSENT_LOW.search(low) is not None and len(CONSENT.findall(text[:600])) >= 2
    else:
        letters = sum(map(str.isalpha, head))
        digits = sum(map(str.isdigit, head))
        upper = letters >= 4 and text.upper() == text and any(c.isupper() for c in text)
        is_legal = legal(text[:400])
        is_consent = consent(text[:600])
    glued = _GLUED.search(text, 0, 160)
    sentences = len(_SENTENCE_SPLIT.findall(text))
    prose = words >= 12 and (ends or inner >= 2 or ellipsis)
    # (1.0 if … else 0.0 rather than float(bool(…)): this runs for every line of every paste)
    return [
        1.0, math.log1p(words) / 4, 1.0 if words <= 2 else 0.0, 1.0 if 3 <= words <= 5 else 0.0,
        1.0 if 6 <= words <= 11 else 0.0, 1.0 if 12 <= words <= 30 else 0.0, 1.0 if words > 30 else 0.0,
        1.0 if ends else 0.0, 1.0 if ellipsis else 0.0, 1.0 if text.endswith((":", "：")) else 0.0,
        min(inner, 6) / 6, stop, 1.0 if b.dense > 20 else 0.0,
        1.0 if title_case(text) else 0.0, 1.0 if upper else 0.0, 1.0 if b.phrase else 0.0,
        1.0 if b.section else 0.0, 1.0 if is_legal else 0.0,
        1.0 if is_consent else 0.0, 1.0 if COMMENT_META.match(text) else 0.0,
        1.0 if starts_comments(b) else 0.0, 1.0 if CAPTION.match(text) else 0.0,
        1.0 if words <= 8 and DATE_ONLY.match(text) else 0.0, 1.0 if words <= 25 and has_byline(b) else 0.0,
        1.0 if reads_on(b) else 0.0, 1.0 if _URL.search(text) else 0.0,
        1.0 if glued and title_case(text[:glued.start() + 1]) else 0.0,
        min(1.0, 3 * digits / chars), 1.0 if LIST_ITEM.match(text) else 0.0,
        1.0 if words <= 20 and len(_SEPARATORS.findall(text)) >= 2 else 0.0, 1.0 if b.blank_before else 0.0,
        1.0 if b.blank_after else 0.0, 1.0 if counts.get(text, 0) > 1 else 0.0,
        1.0 if words <= 12 and _TIME.search(text) else 0.0,
        1.0 if text.count("\t") >= 2 else 0.0, 1.0 if letters / chars < 0.5 else 0.0,
        1.0 if text[:1].islower() else 0.0, 1.0 if text.endswith(("?", "？")) else 0.0,
        1.0 if _QUOTE_START.match(text) else 0.0,
        1.0 if words <= 14 and has_date(b) else 0.0, min(sentences, 5) / 5, 1.0 if prose else 0.0,
        1.0 if words <= 4 else 0.0, 1.0 if site and words <= 10 and site in text.casefold() else 0.0,
    ]


def _prior(b: Block, v: list[float]) -> float:
    """A hand-set line score (long lines of prose with function words high, short or chrome
    lines below zero): the extractor's earlier scoring, kept as one feature among the others."""
    words = b.words
    if v[_F_BOILER] or v[_F_SECTION] or v[_F_LEGAL] or v[_F_CONSENT]:
        return -3.0
    if v[_F_COMMENT_META]:
        return -2.0
    if v[_F_GLUED]:
        return -1.5
    if v[_F_TABLE]:
        return 0.2
    ends = b.sentence_end
    stop = v[_F_STOP]
    if words >= 12 and (ends or v[_F_INNER] >= 2 / 6):
        return min(words, 80) / 10 * (0.5 + stop * 1.5)
    if words >= 7 and ends and stop >= 0.15:
        return 0.4
    if words >= 4 and ends:
        return -0.3
    if words >= 3:
        return -0.2 if v[_F_LOWER_START] else -0.8
    return -1.0


def features(blocks: list[Block], site: str = "") -> list[list[float]]:
    """The first-pass feature vector of every block (names in :data:`FEATURES`); ``site`` is
    the site's name if known."""
    n = len(blocks)
    site = site.casefold() if len(site) >= 4 else ""
    counts: dict[str, int] = {}
    for b in blocks:
        counts[b.text] = counts.get(b.text, 0) + 1
    base = [_base(b, counts, site) for b in blocks]
    P, S = _I["prose"], _I["short"]
    prose = [v[P] for v in base]
    short = [v[S] for v in base]
    words = [b.words for b in blocks]
    # headline + summary pairs: the shape of teaser cards of other stories
    headline = [float(_headline(b) and not v[_F_BYLINE]) for b, v in zip(blocks, base)]
    summary = [float(_summary(b)) for b in blocks]
    pair = [headline[i] * summary[i + 1] if i + 1 < n else 0.0 for i in range(n)]
    prefix_pairs = [0.0]
    for p in pair:
        prefix_pairs.append(prefix_pairs[-1] + p)
    prefix_prose_n = [0.0]
    prefix_short = [0.0]
    for i in range(n):
        prefix_prose_n.append(prefix_prose_n[-1] + prose[i])
        prefix_short.append(prefix_short[-1] + short[i])

    def share(prefix, i, reach):
        lo, hi = max(0, i - reach), min(n, i + reach + 1)
        m = hi - lo - 1
        return (prefix[hi] - prefix[lo] - (prefix[i + 1] - prefix[i])) / m if m > 0 else 0.0

    # short-line runs (menus)
    run = [0] * n
    i = 0
    while i < n:
        j = i
        while j < n and short[j]:
            j += 1
        for k in range(i, j):
            run[k] = j - i
        i = max(j, i + 1)
    # a comment section seen above, once some prose has been seen (where a line is in the
    # page, or how much prose lies above it, says little on a layout not seen before)
    comments_above = [0.0] * n
    seen_prose, comments = 0.0, 0
    chrome = [float(v[_F_BOILER] or v[_F_SECTION] or v[_F_LEGAL] or v[_F_READ_ON]
                    or v[_F_COMMENTS_START] or v[_F_CONSENT]) for v in base]
    weak: list[int] = []  # lone "Reply"/"Report"/"Like" lines: an embedded post has them too
    for i in range(n):
        comments_above[i] = float(comments > 0)
        if prose[i]:
            seen_prose += words[i]
        if seen_prose < 40:
            continue
        if base[i][_F_COMMENTS_START]:
            comments += 1
        elif base[i][_F_COMMENT_META]:
            if words[i] > 1:  # "… says:", "3 likes": a comment's own header
                comments += 1
            else:  # a comment section repeats its buttons, comment after comment
                weak.append(i)
                if len(weak) >= 3 and weak[-3] >= i - 15:
                    comments += 1
    prefix_chrome = [0.0]
    for c in chrome:
        prefix_chrome.append(prefix_chrome[-1] + c)
    prior = [_prior(b, v) for b, v in zip(blocks, base)]
    smooth = list(prior)
    i = 0
    while i < n:  # menus: long runs of short negative lines
        j = i
        while j < n and prior[j] <= -0.8 and words[j] <= 4:
            j += 1
        if j - i >= 6:
            for k in range(i, j):
                smooth[k] = min(smooth[k], -3.0)
        i = max(j, i + 1)
    positive = [p > 0.5 for p in prior]
    for i in range(n):  # short lines among prose cost less than short lines among short lines
        if smooth[i] < 0 and not chrome[i]:
            lo, hi = max(0, i - 4), min(n, i + 5)
            smooth[i] += 0.8 * (sum(positive[lo:hi]) - positive[i]) / max(1, hi - lo - 1)
    clipped = [max(0.0, min(8.0, p)) for p in prior]
    out = []
    for i, v in enumerate(base):
        card = max(pair[i], pair[i - 1] if i else 0.0)
        lo, hi = max(0, i - 12), min(n, i + 13)
        near = min(prefix_pairs[hi] - prefix_pairs[lo], 6) / 6
        w3s = share(prefix_short, i, 3)
        out.append(v + [
            prose[i - 1] if i >= 1 else 0.0, prose[i + 1] if i + 1 < n else 0.0,
            prose[i - 2] if i >= 2 else 0.0, prose[i + 2] if i + 2 < n else 0.0,
            short[i - 1] if i >= 1 else 1.0, short[i + 1] if i + 1 < n else 1.0,
            share(prefix_prose_n, i, 3), share(prefix_prose_n, i, 8), w3s,
            math.log1p(run[i]) / 3, headline[i], summary[i], card, near, card * near,
            comments_above[i], short[i] * w3s,
            min(prefix_chrome[min(n, i + 4)] - prefix_chrome[max(0, i - 3)], 3) / 3,
            max(-1.0, min(1.0, prior[i] / 8)), max(0.0, min(1.0, prior[i] / 8)),
            max(-1.0, min(1.0, smooth[i] / 8)),
            sum(clipped[max(0, i - 2):i] + clipped[i + 1:i + 3]) / 32,
        ])
    return out


_CONTENT = re.compile(r"[^\W\d_]{3,}")


def _content_tokens(b: Block) -> list[str]:
    """The block's words that are not function words (character pairs for dense scripts)."""
    if b.content is None:
        toks = [t for t in map(str.lower, _CONTENT.findall(b.text)) if t not in STOPWORDS]
        if b.dense:
            chars = DENSE.findall(b.text)
            toks += [chars[k] + chars[k + 1] for k in range(len(chars) - 1)]
        b.content = toks
    return b.content


def _squash(z: float) -> float:
    return max(-8.0, min(8.0, z)) / 8


def second_features(blocks: list[Block], feats: list[list[float]], z: list[float], kept: list[bool],
                    title: str = "", runs: list[tuple[int, int]] | None = None) -> list[list[float]]:
    """The first-pass features plus what the first pass found around each line: its scores
    and its neighbours' (a stacked second pass), whether it kept them, and the words a line
    shares with the first pass's article and title."""
    n = len(blocks)
    core: dict[str, int] = {}
    toks = [_content_tokens(b) for b in blocks]
    for k, ts in zip(kept, toks):
        if k:
            for t in ts:
                core[t] = core.get(t, 0) + 1
    title_toks = set(_content_tokens(make_block(title))) if title else set()
    zs = [_squash(v) for v in z]
    prefix = [0.0]
    for v in zs:
        prefix.append(prefix[-1] + v)
    kept_idx = [i for i in range(n) if kept[i]]
    first, last = (kept_idx[0], kept_idx[-1]) if kept_idx else (n, -1)
    in_cards = [0.0] * n
    for lo, hi in card_runs(blocks) if runs is None else runs:
        for k in range(lo, hi):
            in_cards[k] = 1.0

    def mean(i, reach):
        lo, hi = max(0, i - reach), min(n, i + reach + 1)
        return (prefix[hi] - prefix[lo] - zs[i]) / max(1, hi - lo - 1)

    P, C = _I["prose"], _I["card"]
    out = []
    for i, (v, ts) in enumerate(zip(feats, toks)):
        if ts:
            if kept[i]:  # its own words do not count as shared
                own: dict[str, int] = {}
                for t in ts:
                    own[t] = own.get(t, 0) + 1
                shared = sum(1 for t in ts if core.get(t, 0) - own.get(t, 0) > 0) / len(ts)
            else:
                shared = sum(1 for t in ts if t in core) / len(ts)
            tw = len(title_toks & set(ts)) / max(1, len(title_toks)) if title_toks else 0.0
        else:
            shared, tw = 0.0, 0.0
        prose = v[P]
        near = zs[max(0, i - 3):i] + zs[i + 1:i + 4] or [0.0]
        out.append(v + [
            shared, shared * v[C], shared * prose, tw, prose * float(shared < 0.3),
            zs[i], zs[i - 1] if i else -1.0, zs[i + 1] if i + 1 < n else -1.0,
            zs[i - 2] if i > 1 else -1.0, zs[i + 2] if i + 2 < n else -1.0,
            mean(i, 3), mean(i, 8), max(near), min(near), float(kept[i]), float(i < first), float(i > last),
            sum(kept[max(0, i - 3):i + 4]) / 7, in_cards[i],
        ])
    return out


# --- the model ------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def weights() -> dict:
    """The fitted model: {"first": {feature: w}, "second": {...}, "decode1"/"decode2":
    {"tau", "gap", "gap_line"}}."""
    try:
        return json.loads(WEIGHTS_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def scores(feats: list[list[float]], w: dict[str, float], names=FEATURES) -> list[float]:
    """The model's log-odds of "article" for each feature vector."""
    vec = [w.get(name, 0.0) for name in names]
    return [sum(map(operator.mul, f, vec)) for f in feats]


def _probabilities(z: list[float]) -> list[float]:
    return [1 / (1 + math.exp(-max(-30.0, min(30.0, zi)))) for zi in z]


def emissions(z: list[float], blocks: list[Block], tau: float, base: float = 1.0,
              probs: list[float] | None = None) -> list[float]:
    """What keeping each line is worth: how much its probability of being the article exceeds
    ``tau``, times its words plus ``base`` (long paragraphs weigh more than short lines either
    way, and a run of short lines still costs something). ``probs``: the probabilities of
    ``z`` if already known."""
    if probs is None:
        probs = _probabilities(z)
    return [(p - tau) * (base + min(b.words, 100)) for p, b in zip(probs, blocks)]


def best_path(em: list[float], gap: float, gap_line: float = 0.0) -> tuple[int, int, set[int]]:
    """[start, end) of the article and the lines left out inside it: the best path over the
    states before (0) / article (1) / gap (2) / after (3), where an article line scores its
    emission, entering a gap costs ``gap`` and each line in it ``gap_line``, and lines before
    or after the article score nothing."""
    n = len(em)
    if not n:
        return 0, 0, set()
    neg = float("-inf")
    s0, s1, s2, s3 = 0.0, neg, neg, neg
    back: list[tuple[int, int, int]] = []
    append = back.append
    # Each state is entered from the best of the states it can follow, the later state on a tie
    # (as max() over (score, state) pairs would choose), written out: this runs for every line.
    for e in em:
        # into the article: from before, article or gap
        if s2 >= s1 and s2 >= s0:
            c1, b1 = s2, 2
        elif s1 >= s0:
            c1, b1 = s1, 1
        else:
            c1, b1 = s0, 0
        # into a gap: from the article (at a cost) or a gap
        c2, b2 = (s2, 2) if s2 >= s1 - gap else (s1 - gap, 1)
        # after: from the article or after
        c3, b3 = (s3, 3) if s3 >= s1 else (s1, 1)
        append((b1, b2, b3))
        s1, s2, s3 = c1 + e, c2 - gap_line, c3
    final = max((s1, 1), (s3, 3))
    if final[0] <= 0 or final[0] == neg:
        return 0, 0, set()
    state = final[1]
    labels = [0] * n
    for i in range(n - 1, -1, -1):
        labels[i] = state
        if state == 0:
            continue
        state = back[i][state - 1]
    kept = [i for i in range(n) if labels[i] == 1]
    start, end = kept[0], kept[-1] + 1
    dropped = {i for i in range(start, end) if labels[i] == 2}
    return start, end, dropped


def _last_paragraph(blocks: list[Block], end: int) -> int:
    """The article's end, taking a last paragraph just before the page's chrome (a share bar,
    "Related"): that is the article's."""
    if end < len(blocks) and _paragraph(blocks[end]) and (end + 1 == len(blocks) or blocks[end + 1].boiler):
        return end + 1
    return end


def _paragraph(b: Block) -> bool:
    """A paragraph of prose: a dozen words or more, function words among them, a full stop."""
    if b.words < 12 or not b.ends or b.ellipsis:
        return False
    if b.dense > 20:
        return True
    return sum(map(STOPWORDS.__contains__, map(str.lower, b.tokens))) >= 0.25 * len(b.tokens)


def _stops(blocks: list[Block]) -> list[bool]:
    """Lines after which an article does not go on: a comment section's start, a "read the
    full story at …" line."""
    return [starts_comments(b) or reads_on(b) for b in blocks]


def card_runs(blocks: list[Block], least: int = 3) -> list[tuple[int, int]]:
    """[start, end) of runs of ``least`` or more teaser cards (headline, then a short summary),
    a short section name allowed between two cards."""
    n = len(blocks)
    runs = []
    i = 0
    while i < n - 1:
        j, pairs = i, 0
        while j < n - 1:
            if headline_summary(blocks[j], blocks[j + 1]):
                pairs += 1
                j += 2
            elif (pairs and j < n - 2 and blocks[j].words <= 4
                  and headline_summary(blocks[j + 1], blocks[j + 2])):
                j += 1  # a section name between two cards
            else:
                break
        if pairs >= least:
            runs.append((i, j))
            i = j
        else:
            i += 1
    return runs


def _shared(blocks: list[Block], lines, others) -> float:
    """The share of the content words of ``lines`` that ``others`` also use."""
    vocab = {t for k in others for t in _content_tokens(blocks[k])}
    toks = [t for k in lines for t in _content_tokens(blocks[k])]
    return sum(t in vocab for t in toks) / len(toks) if toks else 1.0


def decode(z: list[float], blocks: list[Block], w: dict,
           runs: list[tuple[int, int]] | None = None) -> tuple[int, int, set[int]]:
    """The article's lines. The article ends before a comment section or a "read the full
    story at …" line once some of it has been seen, and before a list of teaser cards of
    other stories (cards that share few words with the article above them)."""
    gap, gap_line = w.get("gap", 3.0), w.get("gap_line", 0.5)
    # a threshold relative to the page: on a page whose best line is only half sure (a short
    # paste, a layout unlike any seen), its likeliest lines still make the article
    probs = _probabilities(z)
    top = max(probs, default=1.0)
    tau = min(w.get("tau", 0.5), w.get("rel_tau", 0.5) * top)
    for _ in range(5):  # no line sure enough (a short paste): the likeliest ones, then
        em = emissions(z, blocks, tau, w.get("base", 1.0), probs)
        start, end, dropped = best_path(em, gap, gap_line)
        if end > start:
            break
        tau /= 2
    stops = _stops(blocks)
    prose = 0.0
    for i in range(start, end):
        if prose >= 40 and stops[i]:
            start, end, dropped = best_path(em[:i], gap, gap_line)
            break
        if i not in dropped:
            prose += max(em[i], 0)
    # the article runs on to its closing byline or "read the full story" line when only a
    # few lines lie between (a last paragraph cut short, a "…")
    for k in range(end, min(len(blocks), end + 4)):
        b = blocks[k]
        if starts_comments(b):
            break  # a comment section's start closes nothing of the article: what is above stays out
        if stops[k] or (b.words <= 12 and has_byline(b)):
            if k > end and all(not blocks[j].boiler for j in range(end, k)):
                end = k
            break
        if b.boiler:
            break
    end = _last_paragraph(blocks, end)
    for lo, hi in card_runs(blocks) if runs is None else runs:
        if not start < lo < end:
            continue
        above = [k for k in range(start, lo) if k not in dropped and em[k] > 0]
        mass = sum(em[k] for k in above)
        total = mass + sum(max(em[k], 0) for k in range(lo, end))
        summaries = [k for k in range(lo + 1, hi) if blocks[k].words >= 8]
        if above and mass >= 0.4 * total and _shared(blocks, summaries, above) < w.get("card_shared", 0.5):
            start, end, dropped = best_path(em[:lo], gap, gap_line)
            break
    return _with_lists(blocks, start, end, dropped, runs)


def _credit(text: str) -> bool:
    """A picture's credit line, or a caption ending with one."""
    return bool(CAPTION.match(text) or CREDIT_END.search(text, max(0, len(text) - CREDIT_END_CHARS)))


def _lead_like(b: Block) -> bool:
    """A paragraph that could be an article's standfirst: a sentence or two of prose."""
    if b.words < 12 or b.boiler or not (b.sentence_end or b.ellipsis):
        return False
    if b.dense > 20:
        return True
    return sum(map(STOPWORDS.__contains__, map(str.lower, b.tokens))) >= 0.2 * len(b.tokens)


def standfirst(blocks: list[Block], k: int, body: list[int], shared: float = 0.3) -> bool:
    """Could line ``k`` be the standfirst of the article whose lines are ``body``: prose, not a
    caption over its credit, not a copy of one of its lines, using its words?"""
    b = blocks[k]
    if not _lead_like(b) or (k + 1 < len(blocks) and _credit(blocks[k + 1].text)):
        return False
    return _shared(blocks, [k], body) >= shared and not any(blocks[i].text == b.text for i in body)


def _with_lead(blocks: list[Block], start: int, end: int, dropped: set[int],
               reach: int = 12, shared: float = 0.3) -> tuple[int, int, set[int]]:
    """The article starts at its standfirst: a paragraph of prose a few lines above where the
    path starts, with only short lines between (a byline, a date, a picture's credit, a table of
    contents), that uses the article's words (teasers of other stories do not)."""
    if end <= start:
        return start, end, dropped
    body = [k for k in range(start, end) if k not in dropped][:40]
    lead = None
    for k in range(start - 1, max(-1, start - 1 - reach), -1):
        b = blocks[k]
        if _lead_like(b):
            if _credit(blocks[k + 1].text):
                continue  # a picture's caption, over its credit
            if not standfirst(blocks, k, body, shared):
                break
            lead = k
        elif b.words > 12 and not _credit(b.text):  # a picture's caption may stand between
            break
    if lead is None:
        return start, end, dropped
    dropped = set(dropped) | {k for k in range(lead, start) if not _lead_like(blocks[k])}
    return lead, end, dropped


_SKELETON_TOKEN = re.compile(r"\d+|[^\W\d_]+|[^\w\s]")


def _skeleton(b: Block) -> tuple[str, frozenset[str]]:
    """The shape of a line: its first three tokens as classes (a word, a number, each mark as
    itself, runs of words as one) and the set of its marks. Items of one list share it
    ("June 9 – Tampa, FL @ …", "Spain (Group F): 11th appearance")."""
    out: list[str] = []
    marks = set()
    for tok in _SKELETON_TOKEN.findall(b.text[:200]):
        c = "0" if tok[0].isdigit() else "a" if tok[0].isalpha() or tok[0] == "_" else tok
        if c not in "0a":
            marks.add(c)
        if not (c == "a" and out and out[-1] == "a"):
            out.append(c)
    return "".join(out[:3]), frozenset(marks)


def _alike(a: tuple[str, frozenset[str]], b: tuple[str, frozenset[str]]) -> bool:
    return a[0] == b[0] or (bool(a[1]) and a[1] == b[1])


def _list_item(b: Block) -> bool:
    """A line that could be an item of a list in an article: a few words, no chrome phrase,
    not a sentence of prose, not a line announcing something else."""
    return (2 <= b.words <= 30 and not b.boiler and not b.text.endswith((":", "："))
            and not (b.words >= 12 and b.ends))


def _shaped(s: tuple[str, frozenset[str]]) -> bool:
    """A shape that says something: marks or figures, not words alone (headlines, menu
    entries and names are all words)."""
    return bool(s[1]) or "0" in s[0]


def _list_run(blocks: list[Block], i: int, least: int = 3) -> int:
    """The end of the run of list items of one shape starting at ``i`` (``i`` if fewer than
    ``least``): each item is shaped like the one or the two before it (a list whose items
    take two lines, a name and a link, counts too)."""
    n = len(blocks)
    j = i
    sk: list[tuple[str, frozenset[str]]] = []
    while j < n and _list_item(blocks[j]):
        s = _skeleton(blocks[j])
        if not _shaped(s):
            break
        if len(sk) >= 2 and not (_alike(s, sk[-1]) or _alike(s, sk[-2])):
            break
        if len(sk) == 1 and not _alike(s, sk[-1]) and not (j + 1 < n and _list_item(blocks[j + 1])
                                                            and _alike(_skeleton(blocks[j + 1]), sk[-1])):
            break
        sk.append(s)
        j += 1
    return j if j - i >= least else i


def _introduces(b: Block) -> bool:
    """A line that announces a list: a sentence ending with a colon, or a short heading (a
    label of a word or three with a colon is more often a page's "Share:" or "More on this:")."""
    if b.text.endswith((":", "：")):
        return b.words >= 4
    return 2 <= b.words <= 10 and not b.sentence_end


def _with_lists(blocks: list[Block], start: int, end: int, dropped: set[int],
                runs: list[tuple[int, int]] | None) -> tuple[int, int, set[int]]:
    """The article keeps a list it announces: lines of one shape (dates and places, names and
    figures, steps) right after a kept line that ends with a colon or is a short heading,
    whether the path left them out as a gap or ended the article before them (short lines
    that are not prose score low one by one, but an article's list is its content)."""
    if end <= start:
        return start, end, dropped
    cards = {k for lo, hi in (card_runs(blocks) if runs is None else runs) for k in range(lo, hi)}
    dropped = set(dropped)
    # a path that starts inside a list starts where the list is announced
    top = start
    while top > 0 and top - 1 not in cards and _list_item(blocks[top - 1]) and start - top < 100:
        above = _skeleton(blocks[top - 1])
        if not (_shaped(above) and _alike(above, _skeleton(blocks[top]))):
            break
        top -= 1
    if top < start and top > 0 and _introduces(blocks[top - 1]) and _list_run(blocks, top) > start:
        start = top - 1
    i = start + 1
    while i <= end and i < len(blocks):
        if i - 1 not in dropped and i not in cards and _introduces(blocks[i - 1]):
            j = _list_run(blocks, i)
            if j > i and not any(k in cards for k in range(i, j)):
                dropped -= set(range(i, j))
                if j > end:
                    end = _last_paragraph(blocks, j)
                i = j
                continue
        i += 1
    return start, end, dropped


@dataclass
class Labels:
    start: int
    end: int
    dropped: set[int]
    emissions: list[float]  # the last pass's log-odds per line

    def kept(self) -> list[bool]:
        return [self.start <= i < self.end and i not in self.dropped for i in range(len(self.emissions))]


def article_lines(blocks: list[Block], title_of=None, site: str = "") -> Labels | None:
    """Label the blocks; ``title_of(blocks, start)`` gives the first pass's title text, ``site``
    is the site's name if known. None when no model is available."""
    w = weights()
    if not w:
        return None
    feats = features(blocks, site)
    runs = card_runs(blocks)
    z = scores(feats, w["first"])
    start, end, dropped = decode(z, blocks, w["decode1"], runs)
    if w.get("second"):
        kept = [start <= i < end and i not in dropped for i in range(len(blocks))]
        title = title_of(blocks, start) if title_of and end > start else ""
        feats2 = second_features(blocks, feats, z, kept, title, runs)
        z = scores(feats2, w["second"], FEATURES2)
        start, end, dropped = decode(z, blocks, w["decode2"], runs)
    start, end, dropped = _with_lead(blocks, start, end, dropped)
    return Labels(start, end, dropped, z)


# --- the title ------------------------------------------------------------------------------

TITLE = ("bias", "heading", "w1_2", "w3_5", "w6_12", "w13_20", "w21", "above", "log_dist", "inside",
         "first_line", "titlecase", "upper", "full_stop", "colon_end", "question", "has_date", "time",
         "site_name", "separators", "shared", "shares_most", "repeated", "next_byline", "next_date",
         "prev_short", "z", "heading_rank", "glued", "digits", "quote", "lower_start", "url", "caption",
         "breadcrumb", "role", "legal", "sentences", "shared_best", "z_best", "nearest_heading",
         "tab", "echoed", "prev_heading", "next_heading", "next_longer", "holds_other",
         "shared_n", "meta_below", "meta_above", "rep_block", "short_both", "over_meta", "shared_n_best",
         "over_dek")
_TI = {name: i for i, name in enumerate(TITLE)}


def title_candidates(blocks: list[Block], start: int, end: int, kept: list[bool], z: list[float],
                     site: str = "", heading_of=None) -> list[tuple[int, list[float]]]:
    """The lines that could be the article's title (around the article's start), each with its
    features: where it stands, its shape, and how many of its words the article uses."""
    n = len(blocks)
    if end <= start:
        return []
    site = site.casefold() if len(site) >= 4 else ""
    vocab: Counter[str] = Counter()  # in how many of the article's lines each word is
    for k in range(start, end):
        if kept[k]:
            vocab.update(set(_content_tokens(blocks[k])))
    counts = Counter(b.text for b in blocks)
    lo, hi = max(0, start - 30), min(n, start + 4, end)
    metas_at: dict[int, bool] = {}
    headings: dict[int, bool] = {}  # (each line is asked of again as the neighbour of others)

    def meta(k: int) -> bool:
        """A byline or a dateline (a date with its year or time: "May 5" in a list of events is not one)."""
        if k not in metas_at:
            b = blocks[k]
            metas_at[k] = b.words <= 14 and (has_byline(b) or has_date(b) and bool(_YEAR.search(b.text)
                                                                                    or _TIME.search(b.text)))
        return metas_at[k]
    # the headline stands over the byline and date: the one nearest above the article is reached
    # even when a share panel or a photo's captions lie between it and the article
    for k in range(lo - 1, max(0, start - 80) - 1, -1):
        if meta(k):
            lo = max(0, k - 4)
            break
    metas = [k for k in range(max(0, lo - 8), min(n, hi + 4)) if meta(k)]
    # where each line stands elsewhere in the page, and what is next to it there
    where: dict[str, list[int]] = {}
    for k, b in enumerate(blocks):
        if counts[b.text] > 1:
            where.setdefault(b.text, []).append(k)

    def rep_block(i: int) -> float:
        others = [k for k in where.get(blocks[i].text, ()) if k != i]
        around = {blocks[j].text for j in (i - 1, i + 1) if 0 <= j < n}
        return float(any(blocks[j].text in around for k in others for j in (k - 1, k + 1) if 0 <= j < n))

    def below_meta(i: int) -> bool:  # a byline or date below, only short lines (a standfirst) between
        for k in range(i + 1, min(n, i + 6)):
            if meta(k):
                return True
            if blocks[k].words > 45:
                return False
        return False
    # a headline is echoed: a share line, a breadcrumb, the page's <title> ("X | Site") hold it
    norms = {k: f" {_norm_words(blocks[k].text)} " for k in range(lo, hi)}
    near = [t for t in norms.values() if t.count(" ") >= 4 and len(t) >= 12]  # three words at least
    every = _norm_lines([b.text for b in blocks if b.words <= 80])

    def echoed(i: int) -> float:
        me = norms[i]
        if me.count(" ") < 4:
            return 0.0
        return float(every.count(me) > counts.get(blocks[i].text, 1))

    def holds_other(i: int) -> float:  # a breadcrumb or a kicker ends with the headline
        me = norms[i]
        return float(any(other in me and other != me for other in near))

    def heading_at(k: int) -> bool:
        if not (heading_of and 0 <= k < n):
            return False
        if k not in headings:
            headings[k] = bool(heading_of(blocks[k].text))
        return headings[k]
    out = []
    rank = 0
    for i in range(hi - 1, lo - 1, -1):
        b = blocks[i]
        t = b.text
        if not 1 <= b.words <= 45 or len(t) > 300 or b.boiler:
            continue
        if b.words <= 30 and has_byline(b):
            continue
        heading = heading_at(i)
        if heading and i < start:
            rank += 1
        toks = _content_tokens(b)
        own = set(toks)
        shared = sum(1 for tk in own if vocab.get(tk, 0) - (1 if kept[i] and tk in own else 0) > 0)
        shared = shared / len(own) if own else 0.0
        nxt = [blocks[k] for k in range(i + 1, min(n, i + 3))]
        head = t[:300]
        chars = max(1, len(head))
        out.append((i, [
            1.0, float(heading), float(b.words <= 2), float(3 <= b.words <= 5), float(6 <= b.words <= 12),
            float(13 <= b.words <= 20), float(b.words > 20), float(i < start),
            math.log1p(abs(start - i)) / 3, float(i >= start), float(i == 0), float(title_case(t)),
            float(t.upper() == t and any(c.isalpha() for c in t)),
            float(b.ends and not t.endswith(("?", "!"))),
            float(t.endswith((":", ";", ","))), float(t.endswith(("?", "？"))),
            float(b.words <= 14 and has_date(b)), float(bool(_TIME.search(t))),
            float(bool(site) and site in t.casefold()), float(len(_SEPARATORS.findall(t)) >= 1),
            shared, float(shared >= 0.6), float(counts.get(t, 0) > 1),
            float(any(nb.words <= 14 and has_byline(nb) for nb in nxt)),
            float(any(nb.words <= 14 and has_date(nb) for nb in nxt)),
            float(i > 0 and blocks[i - 1].words <= 3), _squash(z[i]), min(rank, 5) / 5 if heading else 0.0,
            float(bool(_GLUED.search(t, 0, 160))), min(1.0, 3 * sum(map(str.isdigit, head)) / chars),
            float(bool(_QUOTE_START.match(t))), float(t[:1].islower()), float(bool(_URL.search(t))),
            float(bool(CAPTION.match(t))), float(bool(_BREADCRUMB.search(t))), float(bool(_ROLE.search(t))),
            float(legal(t)), min(len(_SENTENCE_SPLIT.findall(t)), 3) / 3, 0.0, 0.0,
            float(heading and i < start and rank == 1),
            float("\t" in t), echoed(i), float(heading_at(i - 1)), float(heading_at(i + 1)),
            float(i + 1 < n and blocks[i + 1].words > b.words and not blocks[i + 1].boiler
                  and not blocks[i + 1].ends and blocks[i + 1].words <= 45),
            holds_other(i),
            min(len(own) and shared * len(own), 4) / 4, float(below_meta(i)),
            float(any(i - 8 <= k < i for k in metas)), rep_block(i),
            float(0 < i < n - 1 and blocks[i - 1].words <= 4 and blocks[i + 1].words <= 4),
            0.0, 0.0, 0.0,
        ]))
    if out:  # how each compares with the other candidates
        top_shared = max(f[_TI["shared"]] for _, f in out)
        top_z = max(f[_TI["z"]] for _, f in out)
        for _, f in out:
            f[_TI["shared_best"]] = float(f[_TI["shared"]] >= top_shared > 0)
            f[_TI["z_best"]] = float(f[_TI["z"]] >= top_z)
        # the nearest heading above the first byline or date over the article
        over = [i for i, f in out if f[_TI["meta_below"]] and f[_TI["heading"]]]
        if over:
            top = max(over)
            for i, f in out:
                f[_TI["over_meta"]] = float(i == top)
        top_n = max(f[_TI["shared_n"]] for _, f in out)
        feats = dict(out)
        for i, f in out:
            f[_TI["shared_n_best"]] = float(f[_TI["shared_n"]] >= top_n >= 0.5)
            # a headline over its standfirst, both over the byline
            below = feats.get(i + 1)
            f[_TI["over_dek"]] = float(bool(f[_TI["heading"]] and below and below[_TI["meta_below"]]
                                            and below[_TI["heading"]]))
    return out


def _norm_words(text: str) -> str:
    """The line's words, case-folded, one space apart."""
    return " ".join(_TOKEN.findall(text.casefold()))


_NOT_WORDS = re.compile(r"[^\w\n]+")


def _norm_lines(texts: list[str]) -> str:
    """The lines' words as :func:`_norm_words`, with a space before and after, one line per
    line: where the words of a line (one space apart, space-bounded) are found, and how often,
    as in ``"\\n".join(f" {_norm_words(t)} " for t in texts)`` (which differs only in the
    spaces at a line's ends and in lines without words), at once for all the lines."""
    return " " + _NOT_WORDS.sub(" ", "\n".join(texts).casefold()).replace("\n", " \n ") + " "


def pick_title(cands: list[tuple[int, list[float]]], w: dict[str, float]) -> int | None:
    """The likeliest title among the candidates, if it is likely enough."""
    if not cands or not w:
        return None
    zs = scores([f for _, f in cands], w, TITLE)
    best = max(range(len(cands)), key=lambda k: zs[k])
    return cands[best][0] if zs[best] > w.get("_threshold", -2.0) else None
