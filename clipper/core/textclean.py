"""Line-level helpers for plain-text articles: function words, and finding the byline, date and
site name in text copied from a web page (the boilerplate phrases are in :mod:`phrases`). Pure
functions, no state.
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass

from clipper.core.lazyimport import lazy_compile
from clipper.core.phrases import BOILERPLATE, NOT_TITLE

# Function words of the languages most often clipped (jusText-style stop-word density).
_STOPWORDS = """
a about above after again against all also am an and any are as at be because been before being
below between both but by can could did do does doing down during each few for from further had
has have having he her here hers herself him himself his how i if in into is it its itself just
me more most my myself no nor not now of off on once only or other our ours out over own same
she should so some such than that the their theirs them then there these they this those through
to too under until up very was we were what when where which while who whom why will with would
you your yours yourself said says one new
der die das und ist nicht ein eine einen dem den des mit von zu auf für sich auch es im als
wie bei nach aus wird werden hat sind noch nur oder aber so kann
le la les et est un une des du en dans pour que qui sur pas au avec ce il elle ne se sont plus par
el los las y es lo por con para una su al como más pero sus le ya o este sí porque esta entre
o os as e é um uma do da dos das em no na para com não por mais mas foi ao ele isso
il lo gli e è di che per non una sono della del con si ha le ma come anche
het een en van de dat is op te in voor met zijn niet aan er ook als bij
и в не на я что с он а как это по но из у к его за же то от все так было она для
yang dan di ini itu dengan untuk tidak dari dalam akan pada juga ke ada
"""
STOPWORDS = frozenset(_STOPWORDS.split())

_CAPITAL = "A-ZÀ-ÖØ-ÞĀ-ŽА-ЯΑ-Ω\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af"  # or a CJK/kana/Hangul start
_NAME_WORD = rf"(?:[{_CAPITAL}][\w'’.\-]*|van|von|de|der|da|di|del|la|le|bin|al|el)"
_NAME = rf"{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,5}}"
# Words that label an author's name, in the languages most often clipped: "By", "Von", "Por",
# "Texto:", "Текст". The one list for bylines in text and author names in a page's metadata.
# Label words that are also ordinary words ("Text", "Autor") label a byline line only before a
# colon; an author name from the page's metadata loses them either way.
_COMMON_WORD_LABEL = (r"текст|автор|texto|testo|text|tekst|teksti|texte|autor|autora|autore|auteur|"
                      r"author|verfasser|forfatter|författare|redaktion|redacción")
AUTHOR_LABEL = (r"(?:(?:written|posted|reported|words|text|story|photos?|geschrieben|publicado)\s+)?"
                rf"(?:by|von|por|par|di|door|av|af|przez|от|{_COMMON_WORD_LABEL})")
_LABEL_START = lazy_compile(rf"^(?i:{AUTHOR_LABEL})(?:\s*:\s*|\s+)(?=\S)")


def strip_author_label(name: str) -> str:
    """'Текст Венера Ерофеева', 'Texto: Ana Ruiz', 'By Jane Doe' -> the name alone (a name that is
    only a label word, or where no capitalised word would remain, is left as it is)."""
    name = (name or "").strip()
    m = _LABEL_START.match(name)
    if not m:
        return name
    rest = name[m.end():].strip()
    label = name[:m.end()].strip().lower()
    if label in _PARTICLES and len(rest.split()) < 2:
        return name  # 'Von Trapp', 'Di Maria': a name's own particle
    return rest if rest and rest[0].isupper() else name


_PARTICLES = {"von", "di", "door", "av", "af", "par"}  # label words that also begin names


_BYLINE = lazy_compile(
    rf"^(?i:(?:(?:written|posted|reported|words|text|story|photos?)\s+)?(?:by|von|por|par|di|door|av|"
    rf"af|przez|от|автор:?|(?:{_COMMON_WORD_LABEL})\s*:))"
    rf"[:\s]\s*({_NAME}(?:\s*(?:,|and|&|und|y|et|e)\s*{_NAME})*)"
    rf"(?:\s*(?:[,|•·—–\-/／]|(?i:\b(?:on|updated|published|posted|publiziert|veröffentlicht|am|le|el|il|em)\b)).*)?$"
)
# "Chris Davies - Nov 19, 2019, 10:31 pm CST": a name, a separator, then a date.
_NAME_DATE = lazy_compile(rf"^({_NAME})\s+[-–—|•·]\s+(?=.*\d{{4}})")

# Month names and their usual abbreviations, in English and the languages most pages are in
# (a date line below a headline is written in the page's language: "3. Mai 2019",
# "12 de octubre de 2019", "5 février 2021", "3 мая 2019").
_MONTH_NAMES = {
    1: "january jan janvier janv januar jän enero ene gennaio gen janeiro januari styczeń stycznia "
       "leden ledna январь января ocak",
    2: "february feb février févr fevrier februar febrero febbraio fevereiro fev februari luty lutego "
       "únor února февраль февраля şubat",
    3: "march mar mars märz maerz marzo março marco maart marzec marca březen března март марта mart",
    4: "april apr avril abril aprile abr kwiecień kwietnia duben dubna апрель апреля nisan",
    5: "may mai mayo maggio maio mei maj maja květen května май мая mayıs",
    6: "june jun juin juni junio giugno junho czerwiec czerwca červen června июнь июня haziran",
    7: "july jul juillet juil juli julio luglio julho lipiec lipca červenec července июль июля temmuz",
    8: "august aug août aout agosto ago augustus sierpień sierpnia srpen srpna август августа ağustos",
    9: "september sep sept septembre septiembre setiembre settembre setembro set wrzesień września "
       "září сентябрь сентября eylül",
    10: "october oct octobre oktober okt octubre ottobre outubro out październik października říjen "
        "října октябрь октября ekim",
    11: "november nov novembre noviembre novembro listopad listopada листопад ноябрь ноября kasım",
    12: "december dec décembre decembre dezember dez diciembre dic dicembre dezembro grudzień grudnia "
        "prosinec prosince декабрь декабря aralık",
}
_MONTHS = {name: month for month, names in _MONTH_NAMES.items() for name in names.split()}
_MONTH_RE = "(?P<mon>" + "|".join(sorted(map(re.escape, _MONTHS), key=len, reverse=True)) + ")"
_DATES = [
    lazy_compile(r"\b(?P<y>(?:19|20)\d\d)-(?P<m>[01]?\d)-(?P<d>[0-3]?\d)\b"),
    lazy_compile(rf"\b{_MONTH_RE}\.?\s+(?P<d>[0-3]?\d)(?:st|nd|rd|th)?,?\s+(?P<y>(?:19|20)\d\d)\b", re.I),
    lazy_compile(rf"\b(?P<d>[0-3]?\d)(?:st|nd|rd|th|er|º)?\.?\s+(?:de\s+)?{_MONTH_RE}\b\.?,?\s+(?:de\s+)?"
               rf"(?P<y>(?:19|20)\d\d)\b", re.I),
    lazy_compile(r"\b(?P<m>[01]?\d)/(?P<d>[0-3]?\d)/(?P<y>(?:19|20)\d\d)\b"),
    lazy_compile(r"\b(?P<d>[0-3]?\d)\.(?P<m>[01]?\d)\.(?P<y>(?:19|20)\d\d)\b"),
]

_DOMAIN = r"(?:[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?\.)+(?:com|org|net|edu|gov|io|co|news|info|biz|tv|me|" \
          r"uk|us|ca|au|de|fr|it|es|nl|ru|br|in|jp|cn|pt|pl|se|no|dk|fi|ch|at|be|ie|nz|za|mx|ar)"
_READ_ON = lazy_compile(rf"^(?:read|view|see|continue reading|originally published)\b.{{0,80}}?\b"
                      rf"(?:on|at)\s+(?:the\s+)?({_DOMAIN}|[A-Z][\w&' ]{{1,40}})\.?$", re.I)
READ_ON = _READ_ON  # "Read Full Article on Site.com": the end of an article and its site
_NOT_SOURCE = lazy_compile(r"(?:^|\.)(?:t\.co|bit\.ly|goo\.gl|amzn\.to|tinyurl\.com|ow\.ly|buff\.ly|"
                         r"scorecardresearch\.com|doubleclick\.net|google-analytics\.com|facebook\.com|"
                         r"twitter\.com|instagram\.com|pinterest\.com|youtube\.com|linkedin\.com)$", re.I)
_URL_LABEL = lazy_compile(r"(?i)\b(?:source|link|url|read|via|originally|permalink|from)\b")
_URL = lazy_compile(r"https?://[^\s<>\"']+", re.I)


_ROLE = lazy_compile(r"\b(?:staff|editor|writer|correspondent|reporter|columnist|contributor|"
                   r"senior|associate|producer|analyst|press|news|wire|desk|team|agency|bureau|"
                   r"updated|published|posted)\b", re.I)
_GLUED_ROLE = lazy_compile(
    r"(?<=[a-z])(?:[A-Z]\w*\s+)?(?:Columnist|Writer|Editor|Reporter|Correspondent)\b.*$")
_TRAILING_DAY = lazy_compile(r"(?:,|\s+on)?\s+(?:mon|tues|wednes|thurs|fri|satur|sun)day\b.*$", re.I)
_DOMAIN_RE = lazy_compile(r"\w\.(?:com|org|net|co\.uk|ru|de)\b", re.I)
_COPYRIGHT = lazy_compile(r"^(?:©|\(c\)|copyright)\s*(?:©\s*)?(?:\d{4}\s*(?:[-–]\s*\d{4})?\s*)?"
                        r"(?:by\s+)?([^.|,;©]{2,60}?)(?:,?\s*(?:inc|llc|ltd|gmbh|plc|company|co)\b\.?)?"
                        r"\s*(?:[.|,;]|all rights|$)", re.I)


@dataclass
class Byline:
    index: int
    name: str


def find_byline(lines: list[str], start: int, end: int) -> Byline | None:
    """The byline nearest the article: above it first, then inside, then just after it."""
    order = list(range(start - 1, max(-1, start - 30), -1)) + list(range(start, end))
    order += list(range(end, min(len(lines), end + 25)))
    for i in order:
        name = byline_name(lines[i])
        if name:
            return Byline(i, name)
    return None


def byline_name(line: str) -> str:
    if len(line) > 160:
        return ""
    m = _BYLINE.match(line)
    if m:
        name = m.group(1)
    else:
        m = _NAME_DATE.match(line)
        if not m or len(m.group(1).split()) < 2:
            return ""
        name = m.group(1)
    name = re.sub(r"\s+", " ", name).strip(" ,.")
    name = _GLUED_ROLE.sub("", name)
    name = _TRAILING_DAY.sub("", name).strip(" ,.")
    parts = [p.strip() for p in name.split(",")]
    name = ", ".join(p for p in parts if p and not _ROLE.search(p) and not _DOMAIN_RE.search(p)) or parts[0]
    if not name or len(name) > 100 or not any(c.isupper() for c in name):
        return ""
    return name


def find_date(lines: list[str], start: int, end: int, byline_at: int | None,
              title_at: int | None) -> str:
    """An ISO date from the lines around the title and byline (or the top of the article)."""
    spots: list[int] = []
    for anchor in (byline_at, title_at):
        if anchor is not None:
            spots += [anchor, anchor + 1, anchor - 1, anchor + 2, anchor + 3]
    spots += list(range(start - 1, max(-1, start - 12), -1)) + list(range(start, min(end, start + 3)))
    seen = set()
    for i in spots:
        if i in seen or not 0 <= i < len(lines):
            continue
        seen.add(i)
        line = lines[i]
        if len(line) > 200:
            continue
        if len(line.split()) > 20:
            # a paragraph: only a wire story's dateline at its start ("WASHINGTON, May 3, 2024 -
            # The Senate …") dates the story; a date inside a sentence is what the story is about
            line = line[:60]
        iso = parse_date(line)
        if iso:
            return iso
    return ""


_ANY_DIGIT = lazy_compile(r"\d")


def parse_date(text: str) -> str:
    if not _ANY_DIGIT.search(text):  # every date form has digits
        return ""
    for rx in _DATES:
        m = rx.search(text)
        if not m:
            continue
        g = m.groupdict()
        if g.get("mon"):
            month = _MONTHS.get(g["mon"].lower(), 0)
        else:
            month = int(g["m"])
        day, year = int(g["d"]), int(g["y"])
        if 1 <= month <= 12 and 1 <= day <= 31:
            return f"{year:04d}-{month:02d}-{day:02d}"
    return ""


def is_site_home(url: str | None) -> bool:
    """Is ``url`` a site's home page (no path, query or ``#!``/``#/`` route), not an article's
    own address?"""
    try:
        parts = urllib.parse.urlsplit(str(url or "").strip())
    except ValueError:
        return False
    if not parts.scheme or not parts.netloc:
        return False
    route = parts.fragment.startswith(("!", "/")) and parts.fragment.strip("!/")
    return not parts.path.strip("/") and not parts.query and not route


def find_site(lines: list[str], url: str | None) -> tuple[str, str, str]:
    """(site name, source URL, site home page) from "Read … on Site.com", URL lines, lone
    repeated name lines. The source is the article's own address only: a home page found in
    the text (or given) is the site's address, not the article's."""
    domain, source, home = "", url or "", ""
    if url:
        m = re.match(r"https?://(?:www\.)?([^/:]+)", url, re.I)
        domain = m.group(1) if m else ""
        if is_site_home(url):
            source, home = "", url
    named = ""
    for line in lines:
        m = _READ_ON.match(line)
        if m:
            found = m.group(1).strip()
            if re.fullmatch(_DOMAIN, found, re.I):
                domain = domain or re.sub(r"^www\.", "", found.lower())
                home = home or f"https://{found.lower()}/"
                named_home = True
            else:
                named = named or found
                named_home = False
            break
    else:
        named_home = False
    if not source:
        for line in lines:
            m = _URL.search(line)
            if not m or len(line) > 160:
                continue
            found = m.group(0).rstrip(".,);]")
            host = re.match(r"https?://(?:www\.)?([^/:?#]+)", found, re.I)
            if not host or _NOT_SOURCE.search(host.group(1)):
                continue
            if len(line) - len(m.group(0)) > 40 and not _URL_LABEL.search(line):
                continue  # a link inside a sentence, not the page's address
            if is_site_home(found):
                if not home or (named_home and host.group(1).lower() == domain):
                    home, named_home = found, False  # the address as written beats one made up
                domain = domain or host.group(1).lower()
                continue
            source = found
            domain = domain or host.group(1).lower()
            break
    site = named or _site_line(lines, domain)
    if not site:
        for line in reversed(lines):
            m = _COPYRIGHT.match(line)
            if m:
                site = _clean_site(m.group(1))
                if site:
                    break
    if not site and domain:
        site = domain
    return site, source, home


_NOT_SITE = lazy_compile(r"^(?:facebook|twitter|instagram|youtube|google|all rights reserved|and reprint.*|"
                       r"experience|copyright|the)$", re.I)


def _clean_site(name: str) -> str:
    name = re.sub(r"(?i)\b(?:copyright|all rights reserved|inc|llc|ltd|pvt|pty|gmbh|plc)\b\.?", " ", name)
    name = re.sub(r"\(c\)|©|\b(?:19|20)\d\d\b(?:\s*[-–]\s*(?:19|20)\d\d)?|\(?www\.?.*$", " ", name)
    name = re.sub(r"\s+", " ", name).strip(" -–—|,.&:;()")
    if len(re.findall(r"\w", name)) < 3 or _NOT_SITE.match(name) or len(name) > 50:
        return ""
    return name


def _site_line(lines: list[str], domain: str) -> str:
    """A short line naming the site: it matches the domain, or stands alone more than once."""
    key = re.sub(r"[^a-z0-9]", "", domain.split(".")[0].lower()) if domain else ""
    counts: dict[str, int] = {}
    for line in lines:
        if 1 <= len(line.split()) <= 5 and len(line) <= 50:
            counts[line] = counts.get(line, 0) + 1
    if key:
        for line in counts:
            squashed = re.sub(r"[^a-z0-9]", "", line.lower())
            if squashed and (squashed == key or squashed == "the" + key):
                return line
    return ""


_TIME = lazy_compile(r"\b\d{1,2}:\d\d\b")
_LOWER_OK = {"a", "an", "the", "and", "or", "of", "in", "on", "at", "to", "for", "by", "with", "from",
             "as", "is", "vs", "via", "into", "its", "it", "but", "nor", "up", "out", "off"}


def heading_like(line: str, site: str = "") -> bool:
    """Could this line be an article's title? (A few words, no final full stop, not chrome.)"""
    words = line.split()
    if not 3 <= len(words) <= 30 or len(line) > 250:
        return False
    if line.endswith((".", ",", ":", ";")) and not line.endswith("..."):
        return False
    if BOILERPLATE.match(line) or byline_name(line) or NOT_TITLE.search(line):
        return False
    if parse_date(line) and (len(words) < 8 or _TIME.search(line)):
        return False
    if site and site.lower() in line.lower():
        return False
    if line.isupper() and len(words) <= 4:
        return False
    letters = [w for w in words if w[:1].isalpha()]
    return len(letters) >= 2
