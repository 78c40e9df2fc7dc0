"""The search-box language, parsed into plain values (no Whoosh here).

    words            all must match (stemmed: "running" finds "runs")
    "a phrase"       words next to each other
    a OR b           either
    -word, NOT word  must not match
    word*            words starting with "word"
    tag:name         notes tagged name or name/... (several tag: terms = all of them)
    title: author: site: source:   the word, phrase or prefix in that field only
    created:2024  published:>2024-05  created:2024-01..2024-06  created:<=2023-12-31
    sort:newest / sort:oldest / sort:relevance  (also an argument of Library.search)

Malformed input never raises: unbalanced quotes are closed at the end, a lone OR/NOT or an
empty ``tag:`` is ignored, an unknown ``field:`` is searched as plain words, a bad date is
ignored.
"""

from __future__ import annotations

import calendar
import datetime as _dt
import re
from dataclasses import dataclass, field

from clipper.core.tags import normalize_tag

TEXT_FIELDS = {"title": "title", "author": "author", "site": "site", "source": "source",
               "url": "source", "body": "body", "text": "body"}
DATE_FIELDS = {"created": "created", "published": "published", "date": "created",
               "clipped": "created"}
TAG_FIELDS = {"tag", "tags", "#"}
SORTS = {"newest", "oldest", "relevance"}


@dataclass
class Text:
    """A word, phrase or prefix, in one field or (field None) in title+body."""

    kind: str  # "word" | "phrase" | "prefix"
    text: str
    field: str | None = None


@dataclass
class Tag:
    name: str
    prefix: bool = False  # search-as-you-type: the tag being typed


@dataclass
class DateRange:
    field: str  # created | published
    start: int | None  # YYYYMMDDhhmmss inclusive
    end: int | None


@dataclass
class Clause:
    """Alternatives joined by OR; the clause matches if one does (or must not, if negated)."""

    items: list = field(default_factory=list)
    negated: bool = False


@dataclass
class Parsed:
    clauses: list[Clause] = field(default_factory=list)
    sort: str | None = None

    @property
    def positive(self) -> list[Clause]:
        return [c for c in self.clauses if not c.negated]

    @property
    def negative(self) -> list[Clause]:
        return [c for c in self.clauses if c.negated]

    def has_text(self) -> bool:
        return any(isinstance(i, Text) for c in self.positive for i in c.items)

    def text_terms(self) -> list[Text]:
        """The positive words/phrases/prefixes (for highlighting and did-you-mean)."""
        return [i for c in self.positive for i in c.items if isinstance(i, Text)]

    def is_empty(self) -> bool:
        return not self.clauses


# --- dates -------------------------------------------------------------------------------

_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


def _period(text: str) -> tuple[int, int] | None:
    """'2024' / '2024-05' / '2024-05-03' -> (first, last) second of that period as ints."""
    m = _DATE.match(text.strip())
    if not m:
        return None
    year = int(m.group(1))
    month = int(m.group(2)) if m.group(2) else None
    day = int(m.group(3)) if m.group(3) else None
    if month is not None and not 1 <= month <= 12:
        return None
    if month is None:
        return year * 10**10 + 101000000, year * 10**10 + 1231235959
    last = calendar.monthrange(year, month)[1]
    if day is None:
        lo, hi = 1, last
    else:
        if not 1 <= day <= last:
            return None
        lo = hi = day
    base = year * 10**10 + month * 10**8
    return base + lo * 10**6, base + hi * 10**6 + 235959


def date_number(value) -> int | None:
    """An ISO 8601 date or date-time (or a year) as YYYYMMDDhhmmss, None if not a date."""
    if value is None:
        return None
    text = str(value).strip()
    m = re.match(r"^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?)?)?", text)
    if not m:
        return None
    parts = [int(g) if g else d for g, d in zip(m.groups(), (0, 1, 1, 0, 0, 0))]
    y, mo, d, h, mi, s = parts
    if not (1 <= mo <= 12 and 1 <= d <= 31 and h < 24 and mi < 60 and s < 62):
        return None
    return ((((y * 100 + mo) * 100 + d) * 100 + h) * 100 + mi) * 100 + min(s, 59)


def _shift(number: int, seconds: int) -> int:
    """A YYYYMMDDhhmmss number moved by ``seconds``."""
    dt = _dt.datetime.strptime(str(number).zfill(14), "%Y%m%d%H%M%S") + _dt.timedelta(seconds=seconds)
    return int(dt.strftime("%Y%m%d%H%M%S"))


def parse_date_filter(fieldname: str, value: str) -> DateRange | None:
    value = value.strip()
    if ".." in value:
        a, _, b = value.partition("..")
        pa = _period(a) if a.strip() else None
        pb = _period(b) if b.strip() else None
        if (a.strip() and not pa) or (b.strip() and not pb) or not (pa or pb):
            return None
        return DateRange(fieldname, pa[0] if pa else None, pb[1] if pb else None)
    for op in (">=", "<=", ">", "<", "="):
        if value.startswith(op):
            p = _period(value[len(op):])
            if not p:
                return None
            if op == ">=":
                return DateRange(fieldname, p[0], None)
            if op == "<=":
                return DateRange(fieldname, None, p[1])
            if op == ">":
                return DateRange(fieldname, _shift(p[1], 1), None)
            if op == "<":
                return DateRange(fieldname, None, _shift(p[0], -1))
            return DateRange(fieldname, p[0], p[1])
    p = _period(value)
    return DateRange(fieldname, p[0], p[1]) if p else None


# --- tokens ------------------------------------------------------------------------------

_TOKEN = re.compile(r'''(?P<neg>-)?(?:(?P<field>[\w#]+):)?'''
                    r'''(?:"(?P<quoted>[^"]*)(?:"|$)|(?P<word>[^\s"()]+))''')


def _lex(query: str):
    """Yield (negated, field, text, quoted) tuples; never fails."""
    query = query.replace("“", '"').replace("”", '"').replace("„", '"')
    pos = 0
    n = len(query)
    while pos < n:
        ch = query[pos]
        if ch.isspace() or ch in "()":
            pos += 1
            continue
        m = _TOKEN.match(query, pos)
        if not m or m.end() == pos:
            pos += 1
            continue
        pos = m.end()
        quoted = m.group("quoted")
        text = quoted if quoted is not None else (m.group("word") or "")
        yield bool(m.group("neg")), m.group("field"), text, quoted is not None


def parse(query: str, *, as_you_type: bool = False) -> Parsed:
    """Parse the search box text. ``as_you_type``: the last bare word counts as a prefix."""
    query = str(query or "")
    tokens = list(_lex(query))
    ends_with_space = not query or query[-1].isspace()
    out = Parsed()
    pending_or = False
    pending_not = False
    for idx, (neg, fieldname, text, quoted) in enumerate(tokens):
        is_last = idx == len(tokens) - 1
        if fieldname is None and not quoted and not neg:
            if text == "OR":
                pending_or = bool(out.clauses) and not out.clauses[-1].negated
                continue
            if text == "AND":
                continue
            if text == "NOT":
                pending_not = True
                continue
        if text.startswith("-") and not quoted and fieldname is None and len(text) > 1 and neg:
            text = text.lstrip("-")
        item = _item(fieldname, text, quoted, out,
                     prefix_last=as_you_type and is_last and not ends_with_space and not quoted)
        if item is None:
            pending_or = False
            continue
        if isinstance(item, str):  # sort:...
            continue
        negated = neg or pending_not
        pending_not = False
        if pending_or and not negated and out.clauses:
            out.clauses[-1].items.append(item)
        else:
            out.clauses.append(Clause([item], negated))
        pending_or = False
    return out


def _item(fieldname, text, quoted, out: Parsed, prefix_last: bool):
    if fieldname is not None:
        key = fieldname.lower()
        if key in TAG_FIELDS:
            name = normalize_tag(text.rstrip("*"))
            return Tag(name, prefix=prefix_last or text.endswith("*")) if name else None
        if key in DATE_FIELDS:
            return parse_date_filter(DATE_FIELDS[key], text)
        if key == "sort":
            if text.lower() in SORTS:
                out.sort = text.lower()
            return "sort"
        if key in TEXT_FIELDS:
            return _text(text, quoted, TEXT_FIELDS[key], prefix_last)
        # unknown field: search the whole token as plain words
        text = f"{fieldname} {text}"
        return _text(text, True, None, False)
    if not quoted and text.endswith(":") and text[:-1].lower() in (
            TAG_FIELDS | set(TEXT_FIELDS) | set(DATE_FIELDS) | {"sort"}):
        return None  # "tag:" with nothing after it
    if text.startswith("#") and len(text) > 1 and not quoted:
        name = normalize_tag(text)
        return Tag(name) if name else None
    return _text(text, quoted, None, prefix_last)


def _text(text: str, quoted: bool, fieldname: str | None, prefix_last: bool):
    text = text.strip()
    if quoted:
        text = text.strip("*").strip()
        if not text:
            return None
        return Text("phrase", text, fieldname)
    if text.endswith("*"):
        stem = text.rstrip("*")
        if not stem.strip("*"):
            return None
        return Text("prefix", stem.replace("*", ""), fieldname)
    text = text.replace("*", "")
    if not text.strip("-'.,;:!?"):
        return None
    if prefix_last:
        return Text("prefix", text, fieldname)
    return Text("word", text, fieldname)
