"""Plain text (pasted or .txt) -> :class:`Clip`: encoding repaired, site chrome trimmed,
title, byline, date, site and source URL found.

``extract_text(text, url=None, mode="article") -> Clip``. Modes:

- ``"article"``: the article only (menus, teasers of other stories, share/subscribe/cookie
  prompts, footers and comments dropped), with metadata; text that shows no sign of a web
  page's chrome (notes, lists, code, poems, Markdown) is kept whole;
- ``"page"``: all the text, encoding repaired and tidied into paragraphs, with metadata;
- ``"verbatim"``: the text exactly as given, only the encoding repaired;
- ``"raw"``: the text exactly as given, not even that.

How the article is found: :mod:`clipper.core.textmodel` labels every line (a fitted model
over features of the line and its neighbours, then a best path over before / article / gap /
after); the title is the best heading above the article, the byline and date the ones next
to it.
"""

from __future__ import annotations

import re

from clipper.core import textmodel
from clipper.core.errors import InputError
from clipper.core.language import guess as guess_language
from clipper.core.model import Clip, check_mode
from clipper.core.mojibake import repair
from clipper.core.phrases import CAPTION, CREDIT_END, CREDIT_END_CHARS, DATE_STAMP
from clipper.core.textclean import (
    find_byline,
    find_date,
    find_site,
    heading_like,
)
from clipper.core.textmodel import DATE_ONLY, LIST_ITEM, SENTENCE_END, Block

_TOKEN = re.compile(r"\w+")


def blocks_of(text: str) -> list[Block]:
    """The text's non-empty lines as blocks (the text already repaired)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ").lstrip("\ufeff")
    # soft hyphens are invisible hyphenation hints of the page's layout: in a note they only
    # split words (a search for "Weinen" would not find "Wei\u00adnen")
    text = text.replace("\u00ad", "")
    return textmodel.blocks_from_lines([ln.strip() for ln in text.split("\n")])


def extract_text(text: str, url: str | None = None, mode: str = "article") -> Clip:
    """Turn pasted or saved plain text into a :class:`Clip` (nothing is saved)."""
    check_mode(mode)
    if text is None or not text.strip():
        raise InputError("the text is empty")
    if mode == "raw":
        return Clip(markdown=text, title=_first_line(text), source=url or "", kind="text")
    text = repair(text)
    if mode == "verbatim":
        return Clip(markdown=text, title=_first_line(text), source=url or "", kind="text")

    lines = blocks_of(text)
    if not lines:
        raise InputError("the text is empty")
    texts = [ln.text for ln in lines]
    page = mode == "page"
    whole = False
    if mode == "article" and not looks_like_page(lines):
        if not _prose_article(lines):
            return _whole_text(text, url)
        page = whole = True  # a clean article: every line kept, its title and byline found
    site, source, site_url = find_site(texts, url)
    dropped: set[int] = set()
    emissions = [1.0] * len(lines)
    start, end = 0, len(lines)
    labels = None
    if not page:
        labels = textmodel.article_lines(lines, title_of=lambda bl, at: _title_text(bl, at, site), site=site)
        if labels is not None and labels.end > labels.start:
            start, end, dropped, emissions = labels.start, labels.end, labels.dropped, labels.emissions
    byline = find_byline(texts, start, end)
    title_at = None
    if not page and labels is not None and labels.end > labels.start:
        cands = textmodel.title_candidates(lines, start, end, labels.kept(), labels.emissions, site,
                                           heading_of=lambda t: heading_like(t, site))
        title_at = textmodel.pick_title(cands, textmodel.weights().get("title", {}))
    if title_at is None:
        title_at = _find_title(lines, start, byline.index if byline else None, site)
    if whole and title_at not in (None, 0):
        title_at = None
    title = lines[title_at].text if title_at is not None else ""
    published = find_date(texts, start, end, byline.index if byline else None, title_at)
    if not page and byline and start < byline.index < min(end - 1, start + 10):
        # The story starts after its byline: what comes before it is a photo caption and its
        # credit, a prompt, and the standfirst, which is kept (kept all if the story really
        # starts above the byline).
        before = sum(max(e, 0) for e in emissions[start:byline.index])
        after = sum(max(e, 0) for e in emissions[byline.index + 1:end])
        if after > 2 * before:
            body = [k for k in range(byline.index + 1, end) if k not in dropped]
            dropped = set(dropped) | {k for k in range(start, byline.index)
                                      if not textmodel.standfirst(lines, k, body)}

    keep = []
    for i in range(start, end):
        ln = lines[i]
        if mode == "article" and (i in dropped or i == title_at or (byline and i == byline.index)
                                  or ln.boiler or _caption(ln) or _dateline(ln)
                                  or (source and ln.text == source) or _names_site(ln, site)):
            continue
        keep.append(ln)
    if mode == "article":
        keep = _trim_tail(keep)
    warnings = []
    if mode == "article" and not page and not any(_sentence(ln) for ln in keep):
        # Nothing but a site's menus and links (a copy made before the article loaded, or of
        # the wrong part of the page): every line is kept, and the user told so, rather than
        # a menu item passed off as the note.
        keep, title = list(lines), ""
        warnings.append("no article found in the text: all of it was kept")
    keep = [ln.text for ln in keep]
    if mode == "article" and not warnings:
        keep = _trim_edges(keep)
    if not keep:  # nothing looked like an article: keep everything rather than nothing
        keep = texts
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
        site_url=site_url,
        language=guess_language(markdown),
        kind="text",
        warnings=warnings,
    )


def _sentence(ln: Block) -> bool:
    """A line that reads as a sentence of an article (not a menu item, a link or a label)."""
    return ln.words >= 8 and bool(SENTENCE_END.search(ln.text)) and not ln.boiler


def _caption(ln: Block) -> bool:
    """A picture's caption or credit: a credit line, or a short text ending with its credit."""
    if CAPTION.match(ln.text):
        return True
    return ln.words <= 45 and CREDIT_END.search(ln.text, max(0, len(ln.text) - CREDIT_END_CHARS)) is not None


def _names_site(ln: Block, site: str) -> bool:
    """A short line naming the site (its header, its name over the footer), not a sentence."""
    return (len(site) >= 4 and ln.words <= 8 and site.casefold() in ln.text.casefold()
            and not ln.sentence_end)


def _first_line(text: str) -> str:
    for ln in text.splitlines():
        ln = ln.strip()
        if ln:
            return ln[:200]
    return ""


# --- text that is not a web page ----------------------------------------------------------

_MENU_WORD = re.compile(r"^[^\W\d_][\w&'’.\- ]{0,29}$")


def looks_like_page(lines: list[Block]) -> bool:
    """Does the text show signs of a web page's chrome: menu words, a menu (a run of short
    capitalised lines), a list of teaser cards, a footer, a cookie prompt, comments, or the
    shape of a page (a byline or dateline in a long text, many short lines)?"""
    n = len(lines)
    run = best_run = pairs = short = 0
    dated = False
    for i, ln in enumerate(lines):
        t = ln.text
        if ln.boiler or textmodel.legal(t) or textmodel.reads_on(ln) \
                or textmodel.starts_comments(ln) or textmodel.consent(t):
            return True
        menu = ln.words <= 3 and _MENU_WORD.match(t) and t[:1].isupper() and not LIST_ITEM.match(t)
        run = run + 1 if menu else 0
        best_run = max(best_run, run)
        short += ln.words <= 3
        if i + 1 < n and textmodel.headline_summary(ln, lines[i + 1]):
            pairs += 1
        dated = dated or (ln.words <= 14 and (textmodel.has_byline(ln) or _dateline(ln)))
    return bool(best_run >= 5 or pairs >= 3 or (dated and n >= 20) or (n >= 40 and short >= 0.3 * n))


def _prose_article(lines: list[Block]) -> bool:
    """A clean article: a heading, then paragraphs of prose (no Markdown, no list, no code)."""
    if len(lines) < 2:
        return False
    rest = lines[1:]
    if any(_MD_SPECIAL.match(ln.text) or LIST_ITEM.match(ln.text) for ln in lines):
        return False
    prose = sum(1 for ln in rest if ln.words >= 12 and ln.sentence_end)
    return prose >= 1 and prose >= 0.5 * len(rest)


def _whole_text(text: str, url: str | None) -> Clip:
    """Text that is not a web page: every line kept as written (Markdown stays Markdown)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    out = [ln.rstrip() for ln in text.split("\n")]
    while out and not out[0].strip():
        out.pop(0)
    while out and not out[-1].strip():
        out.pop()
    markdown = "\n".join(out) + "\n"
    title = re.sub(r"^(?:#{1,6}\s+|[-*+]\s+(?:\[[ xX]\]\s+)?|>\s*)", "", _first_line(markdown))
    title = re.sub(r"[*_`]+", "", title).strip() or _first_line(markdown)
    return Clip(markdown=markdown, title=title[:300], source=url or "",
                language=guess_language(markdown), kind="text")


# --- title, dates, edges ------------------------------------------------------------------


def _title_text(lines: list[Block], start: int, site: str) -> str:
    at = _find_title(lines, start, None, site)
    return lines[at].text if at is not None else ""


def _find_title(lines: list[Block], start: int, byline_at: int | None, site: str) -> int | None:
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


def _dateline(ln: Block) -> bool:
    """A line that only says when the story was published or updated."""
    if ln.words > 14:
        return False
    return bool(DATE_ONLY.match(ln.text) or (DATE_STAMP.match(ln.text) and textmodel.has_date(ln)))


def _trim_tail(keep: list[Block]) -> list[Block]:
    """Drop the lines after the article's last sentence that announce what was not kept
    ("Read these too:", "Share:"): a colon that ends the article announces nothing of it."""
    last = len(keep)
    while last > 1 and keep[last - 1].text.endswith((":", "：")) and keep[last - 1].words <= 20:
        last -= 1
    return keep[:last]


def _trim_edges(keep: list[str]) -> list[str]:
    """Drop a lone short leftover line at either end of the article ("...", "0", a tag)."""
    def leftover(line: str) -> bool:
        words = len(_TOKEN.findall(line))
        return not words or (words < 3 and not SENTENCE_END.search(line))
    while keep and leftover(keep[-1]):
        keep.pop()
    while keep and leftover(keep[0]):
        keep.pop(0)
    return keep


_MD_SPECIAL = re.compile(r"^(#{1,6}\s|>|[-+*]\s|\d+[.)]\s|={3,}|-{3,}|```)")


def _subheading(line: str, before: str, after: str) -> bool:
    """A short unpunctuated line between two paragraphs is a subheading."""
    words = len(_TOKEN.findall(line))
    if not 1 <= words <= 10 or len(line) > 90 or SENTENCE_END.search(line) or line.endswith(","):
        return False
    if not line[:1].isupper() and not line[:1].isdigit():
        return False
    return len(_TOKEN.findall(before)) >= 12 and len(_TOKEN.findall(after)) >= 12


def _to_markdown(paragraphs: list[str]) -> str:
    out: list[str] = []
    prev_item = False
    for k, p in enumerate(paragraphs):
        m = LIST_ITEM.match(p)
        if m:
            # a numbered item keeps its number (a ranking, the steps of a recipe)
            num = m.group().strip()
            item = (num[:-1] + ". " if num[:1].isdigit() else "- ") + p[m.end():]
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
