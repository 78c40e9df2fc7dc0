"""Snippets: a note's best window of plain text for a query, its matches, and their HTML.

Computed from the note's Markdown with one regular expression per query (not by the search
engine): the same code serves the result list, the CLI and the note pane's highlights."""

from __future__ import annotations

import html
import re
from itertools import islice

from clipper.core import query as qlang
from clipper.core.analysis import is_segmented, stem, stem_prefix, tokenize, words

_MD_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]*)\]\((?:[^)]*)\)")
_MD_URL = re.compile(r"<(https?://[^>]+)>")
# (?=[*_`~]) only guards the two emphasis alternatives (the same matches): without it the
# look-behind ran at every position, most of a snippet's time
_MD_MARKS = re.compile(r"(?m)^\s{0,3}(?:#{1,6}\s+|>\s?|[-*+]\s+|\d+\.\s+|```.*$)"
                       r"|(?=[*_`~])(?:[*_`~]{1,3}(?=\S)|(?<=\S)[*_`~]{1,3})")
# where a match of _MD_MARKS can start (besides the text's start): after a newline followed
# by what a block mark starts with, or at an inline mark. Each branch opens with a literal, so
# the regex engine skips straight to those characters (see _cut_marks)
_MARK_STARTS = re.compile(r"\n(?=\s{0,3}[#>*+\-\d`])|\*|_|`|~")
_MD_HTML = re.compile(r"<[^>\n]{1,200}>")
_MD_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")  # a backslash before ASCII punctuation (CommonMark)
_MD_TABLE_RULE = re.compile(r"(?m)^[ \t]*\|?(?:[ \t]*:?-{2,}:?[ \t]*\|)+(?:[ \t]*:?-{2,}:?[ \t]*)?$")
_KEPT = 0x10FF00  # escaped characters wait here (supplementary private use) while marks are cut
_KEPT_CHARS = re.compile("[\U0010ff21-\U0010ff7e]")
SNIPPET_CHARS = 220


def plain_text(markdown: str, limit: int = 200_000) -> str:
    """The visible text of Markdown, on one line (for snippets): no marks, no escapes
    (``\\<`` shows as ``<``, ``\\|`` as ``|``), table rows as their cells' text."""
    text = markdown[:limit]
    # each pattern is run only when the text holds what every match of it contains (the same
    # result: most snippet windows have no table, image, link or HTML, and a scan costs)
    if "\\" in text:  # escaped characters are text, not marks: set aside before marks are cut
        text = _MD_ESCAPE.sub(lambda m: chr(_KEPT + ord(m.group(1))), text)
    if "|" in text:
        text = _MD_TABLE_RULE.sub(" ", text)
    if "](" in text:
        text = _MD_IMAGE.sub(" ", text)
        text = _MD_LINK.sub(r"\1", text)
    if "<" in text:
        text = _MD_URL.sub(r"\1", text)
    text = _cut_marks(text)
    if "<" in text:
        text = _MD_HTML.sub(" ", text)
    text = text.replace("|", " ")  # the borders of table cells
    text = _KEPT_CHARS.sub(lambda m: chr(ord(m.group()) - _KEPT), text)
    return " ".join(text.split())  # whitespace as re's \s: runs folded, ends dropped


def _cut_marks(text: str) -> str:
    """``_MD_MARKS.sub("", text)``, the regex tried only where a match can start (the text's
    start and _MARK_STARTS): run at every position it cost most of a snippet's plain text."""
    out, pos = [], 0  # pos: the end of what was copied or cut so far
    for at in _mark_starts(text):
        if at < pos:
            continue
        m = _MD_MARKS.match(text, at)  # ^ and the look-behind see the text before ``at``
        if m:
            out.append(text[pos:at])
            pos = m.end()
    if not pos:
        return text
    out.append(text[pos:])
    return "".join(out)


def _mark_starts(text: str):
    """The positions where _MD_MARKS may match, in order (some twice)."""
    yield 0
    for m in _MARK_STARTS.finditer(text):
        yield m.end() if text[m.start()] == "\n" else m.start()


class Highlighter:
    """Finds the query's words in plain text and picks the best window (compiled once per query)."""

    def __init__(self, terms: list[qlang.Text]):
        parts = []
        self._checks = []  # per group: (stem to verify or None, must start at a word boundary)
        for item in terms:
            for pat, check, boundary in _patterns(item):
                parts.append(pat)
                self._checks.append((check, boundary))
        # no leading \b and no IGNORECASE (the text is lowercased): lets the regex engine
        # jump to the literal start of a term, several times faster on long notes. One regex
        # per term (see _leftmost): each then starts with a literal word beginning, which the
        # engine finds faster than the first letters of an alternation (a two-word scan ~2x)
        branches = [_branch(p) for p in parts]
        self._branches = [re.compile(b) for b in branches]
        self._alt = "|".join(branches)
        self._regex_i = None  # compiled when a text needs it (compiling costs ~1 ms a word)
        # a phrase's \W+ may run over a space: its matches need the whole text lowered
        self._piece = None if any(r"\W" in p for p in parts) else FIRST_PIECE

    def matches(self, text: str):
        """(start, end, group) of the query's words in ``text``, at most 500."""
        return list(islice(self._iter_matches(text), 500))

    def _iter_matches(self, text: str):
        checks = self._checks
        for gi, m in self._regex_matches(text):
            check, boundary = checks[gi]
            start = m.start()
            low = m.string  # the text lowercased (at least up to the match), or the text itself
            if boundary and start > 0 and (low[start - 1].isalnum() or low[start - 1] == "_"):
                continue
            if check is not None:
                word = m.group(0).lower()
                if word != check and stem(word) != check:
                    continue
            yield start, m.end(), gi

    def _regex_matches(self, text: str):
        """(group, match) of the query's regex (the alternation of its terms) in ``text``
        lowercased, as ``finditer`` finds them."""
        if not self._branches:
            return
        if _LOWER_LONGER in text:  # lowercased, the text would be longer: its offsets would shift
            if self._regex_i is None:
                self._regex_i = re.compile(self._alt, re.I)
            for m in self._regex_i.finditer(text):
                yield m.lastindex - 1, m
            return
        yield from _leftmost(self._branches, text, self._piece)

    def _window_matches(self, text: str, size: int) -> list:
        """The matches in ``text`` up to the first window (as :meth:`_best` measures one) that
        holds every word of the query: no later window has more of them, and the rest of a
        long note need not be read (at most 500)."""
        groups = len(self._checks)
        span = size - 40
        last: dict[int, int] = {}  # group -> start of its latest match
        out = []
        for match in self._iter_matches(text):
            out.append(match)
            last[match[2]] = match[0]
            if len(out) >= 500 or (len(last) == groups and min(last.values()) >= match[1] - span):
                break
        return out

    def snippet_markdown(self, markdown: str, size: int = SNIPPET_CHARS, skip: str = ""):
        """Snippet of a Markdown body: the best window is found in the raw text with one regex
        pass, and only that window is turned into plain text (cheap for long notes)."""
        matches = self._window_matches(markdown, size) if self._branches else []
        if matches:
            best = self._best(matches, size)
            start = matches[best][0]
            lo = max(0, start - 300)
            window = markdown[lo:start + size + 300]
            text = plain_text(window)
            if lo > 0:
                sp = text.find(" ")
                text = text[sp + 1:] if 0 <= sp < 40 else text
                snippet, highlights = self.snippet(text, size)
                if not snippet.startswith("…"):
                    snippet = "… " + snippet
                    highlights = [(a + 2, b + 2) for a, b in highlights]
                return snippet, highlights
        else:
            text = plain_text(markdown[:size * 4])
        if skip and text.startswith(skip):
            text = text[len(skip):].lstrip(" :-—")
        return self.snippet(text, size)

    def _best(self, matches, size: int) -> int:
        best, best_score = 0, -1
        j = 0
        for i, (start, _end, _g) in enumerate(matches):
            if j < i:
                j = i
            while j + 1 < len(matches) and matches[j + 1][1] - start <= size - 40:
                j += 1
            score = len({g for _, _, g in matches[i:j + 1]}) * 100 + (j - i)
            if score > best_score:
                best, best_score = i, score
        return best

    def snippet(self, text: str, size: int = SNIPPET_CHARS) -> tuple[str, list[tuple[int, int]]]:
        matches = self.matches(text)
        if not matches:
            cut = _cut(text, 0, size)
            return cut[0], []
        best = self._best(matches, size)
        start = matches[best][0]
        begin = max(0, start - 40)
        if begin > 0:
            sp = text.rfind(" ", max(0, begin - 20), start)
            begin = sp + 1 if sp >= 0 else begin
        snippet, offset = _cut(text, begin, size)
        highlights = []
        for s, e, _g in matches:
            s2, e2 = s - begin + offset, e - begin + offset
            if s2 >= offset and e2 <= len(snippet):
                highlights.append((s2, e2))
        return snippet, highlights


#: The only character whose lowercase is not one character (U+0130 "İ" -> "i̇"), checked for
#: the running Python's Unicode tables by the tests: a text without it keeps its offsets.
_LOWER_LONGER = "\u0130"
#: Characters lowercased first when a scan may stop early (a word's first snippet window is
#: usually near the start of a note), then twice as many at each step.
FIRST_PIECE = 2000


def _leftmost(branches: list[re.Pattern], text: str, piece: int | None):
    """(index, match) of the leftmost match of any of ``branches`` (the first of them where two
    start at one place) in ``text`` lowercased, then the next one after it: what ``finditer`` of
    their alternation finds.

    ``piece``: lower only the first this many characters (cut after a space) and more when the
    scan gets there; None: the whole text at once. A cut after a space changes nothing (none
    of the branches may match a space: the caller's duty): a match, and a failed try, ends
    before the space; Σ's lowercase (σ or final ς) depends on letters around it, not past a space."""
    end = len(text) if piece is None else _cut_after_space(text, 0, piece)
    low = text[:end].lower()
    nxt = [rx.search(low) for rx in branches]  # per branch: its next match, None: none before end
    pos = 0  # where the match before ended
    while True:
        for i, m in enumerate(nxt):
            if m is not None and m.start() < pos:  # inside the match before: look again after it
                nxt[i] = branches[i].search(low, pos)
        found = [(m.start(), i) for i, m in enumerate(nxt) if m is not None]
        if found:
            i = min(found)[1]
            m = nxt[i]
            yield i, m
            pos = m.end()
        elif end < len(text):
            end = _cut_after_space(text, end, 2 * end)
            low += text[len(low):end].lower()
            nxt = [rx.search(low, pos) for rx in branches]
        else:
            return


def _cut_after_space(text: str, start: int, at: int) -> int:
    """Where ``text`` may be cut, after ``start`` and near ``at``: just after the last space in
    ``text[start:at]``; the text's end if there is none."""
    sp = text.rfind(" ", start, at) if at < len(text) else -1
    return sp + 1 if sp >= 0 else len(text)


def _branch(pattern: str) -> str:
    """One term's branch of the query's regex: its group opened after its first letter when it
    starts with one (``g(over\\w*)`` for ``gover\\w*``). The same matches, the same group
    numbers; but with every branch starting with a literal the regex engine skips straight to
    the positions holding one of those letters, where a group first made it try each branch at
    every position (a query of two words cost five times one word's scan)."""
    if len(pattern) > 1 and pattern[0].isalnum():
        return f"{pattern[0]}({pattern[1:]})"
    return f"({pattern})"


def _cut(text: str, begin: int, size: int) -> tuple[str, int]:
    """text[begin:begin+size] trimmed at a word end, with '…' marks; returns (snippet, offset)."""
    end = begin + size
    piece = text[begin:end]
    if end < len(text):
        sp = piece.rfind(" ")
        if sp > size // 2:
            piece = piece[:sp]
        piece = piece.rstrip() + " …"
    prefix = "… " if begin > 0 else ""
    return prefix + piece, len(prefix)


def _patterns(item: qlang.Text):
    """(regex, stem to verify or None, starts at a word boundary) for one query term."""
    toks = tokenize(item.text)
    if not toks:
        return []
    seg = any(is_segmented(t) for t in toks)
    if item.kind == "phrase" or len(toks) > 1:
        if seg and item.kind != "prefix":
            # bigrams overlap: match the original characters instead
            raw = "".join(words(item.text))
            if raw:
                return [(re.escape(raw), None, False)]
        joiner = r"\W*" if seg else r"\W+"
        tail = r"\w*" if item.kind == "prefix" else ""
        return [(joiner.join(re.escape(t) for t in toks) + tail, None, not seg)]
    t = toks[0]
    if seg:
        return [(re.escape(t), None, False)]
    if item.kind == "prefix":
        return [(re.escape(t) + r"\w*", None, True)]
    stemmed = stem_prefix(t)
    if stemmed is None or len(stemmed[1]) < 2:
        return [(re.escape(t) + r"\b", None, True)]
    s, base = stemmed
    return [(re.escape(base) + r"\w*", s, True)]


def snippet_html(snippet: str, highlights) -> str:
    """``snippet`` escaped, with ``<b>`` around the ``(start, end)`` spans (overlaps clipped)."""
    out, pos = [], 0
    for start, end in sorted(highlights or ()):
        start, end = max(start, pos), min(end, len(snippet))
        if start >= end:
            continue
        out.append(html.escape(snippet[pos:start]))
        out.append("<b>" + html.escape(snippet[start:end]) + "</b>")
        pos = end
    out.append(html.escape(snippet[pos:]))
    return "".join(out)
