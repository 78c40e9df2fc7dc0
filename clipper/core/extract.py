"""Page HTML -> the article (an HTML element) and its metadata.

``extract_article(html, url="", resources=None, mode="article") -> Article``.
trafilatura finds the main content and readability-lxml gives a second opinion; their texts are
compared (word 4-gram overlap) and readability's wins when it is the same article without the
extra blocks trafilatura kept, or when trafilatura kept only a fragment of it. trafilatura's
result only picks the page's blocks: the article is the page's own elements holding its text
(with their markup: code languages, list numbers, tables, footnotes, math), flattened into a run
of blocks. When both find nothing the whole page is kept (cleaned) with a warning: a note is
never silently empty. Then the title (unless it heads the article's sections), a standfirst,
teaser links before and comment/share boilerplate after the article are dropped, and footnotes
the article points to are brought along. ``mode="page"`` keeps the whole page. Nesting too deep
to convert is undone or flattened with a warning, never cut silently.

Why one module of this size: the candidate scoring, the trafilatura/readability calls and the
clean-up of their output share one set of measured thresholds; it is also the only importer
of trafilatura and readability (the import contract in ``pyproject.toml``).
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import os
import re
from bisect import bisect_right
from collections import Counter, defaultdict
from copy import deepcopy
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from urllib.parse import unquote, urljoin, urlsplit

from lxml import etree
from lxml import html as lxml_html

from clipper.core.convert import MAX_DEPTH
from clipper.core.errors import InputError
from clipper.core.lazyimport import defer_functions
from clipper.core.phrases import TAIL_HEADING, TAIL_PROMPT
from clipper.core.structure import (
    clean_heading_links,
    normalise_code,
    normalise_math,
    reduce_depth,
    table_kind,
)
from clipper.core.structure import remove as _remove  # one way to cut an element (keeps its tail)
from clipper.core.structure import xml_text as _xml_text
from clipper.core.textclean import STOPWORDS, byline_name, parse_date, strip_author_label

# htmldate and trafilatura import charset_normalizer's guess of a byte string's encoding (Clipper
# hands them parsed pages; its own decoding imports it when it needs a guess) and htmldate imports
# dateutil's date parser for one rare form of date string (met on 5 of 471 pages): ~50 ms of
# every `clipper extract` start, with a core idle, run only by the child that needs them.
defer_functions("charset_normalizer", "from_bytes")
defer_functions("dateutil.parser", "parse")

logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
logging.getLogger("htmldate").setLevel(logging.CRITICAL)
logging.getLogger("readability").setLevel(logging.CRITICAL)

LARGE_TREE = 40_000  # elements; above this readability's second opinion is skipped (time)
ATTACHMENT_PREFIX = "https://attachment.clipper.invalid/"

# trafilatura's internal XML -> plain HTML
_TAGS = {"list": "ul", "item": "li", "quote": "blockquote", "lb": "br", "graphic": "img", "ref": "a",
         "row": "tr", "del": "del"}
_HI = {"#b": "strong", "#i": "em", "#u": "u", "#t": "code", "#sub": "sub", "#sup": "sup"}
_BLOCK = {"p", "div", "head", "list", "table", "quote", "code", "graphic", "body", "item", "cell"}

_LAZY_SRC = ("data-src", "data-lazy-src", "data-original", "data-lazy", "data-url", "data-hi-res-src",
             "data-full-src", "data-srcset", "srcset")
_WS = re.compile(r"\s+")


def _split(url: str):
    """urlsplit that never raises (a page or caller may give 'http://[::1' and the like)."""
    try:
        return urlsplit(url)
    except ValueError:
        return urlsplit("")


def _join(base: str, url: str) -> str:
    try:
        return urljoin(base, url)
    except ValueError:
        return url


@dataclass
class Article:
    body: object  # lxml element (HTML) holding the article
    title: str = ""
    author: str = ""
    published: str = ""
    site: str = ""
    source: str = ""
    language: str = ""
    description: str = ""
    image: str = ""
    tags: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    method: str = ""  # trafilatura, readability or page
    debug: tuple = ()  # diagnostics: (trafilatura 4-grams, readability 4-grams, overlaps both ways)


# A soft hyphen written as an entity. (The pattern starts with a plain "&": one that is
# case-insensitive from its first character is tried at every character of the page, 4x slower.)
_SOFT_HYPHEN_ENTITY = re.compile(r"&(?i:shy;|#173;|#x0*ad;)")


def _class_lookup():
    """lxml.html's element classes (forms, inputs, labels, selects and text areas get their own),
    chosen in C: lxml.html's own lookup is a Python call for every element object made, a few
    per cent of an import's time."""
    default = etree.ElementDefaultClassLookup(
        element=lxml_html.HtmlElement, comment=lxml_html.HtmlComment, pi=lxml_html.HtmlProcessingInstruction,
        entity=lxml_html.HtmlEntity)
    lookup = etree.ElementNamespaceClassLookup(default)
    tags = lookup.get_namespace(None)
    for tag, cls in getattr(lxml_html.HtmlElementClassLookup, "_default_element_classes", {}).items():
        tags[tag] = cls
    return lookup


_CLASS_LOOKUP = _class_lookup()


def html_parser(**options):
    """An lxml.html parser with the same element classes, looked up faster."""
    parser = lxml_html.HTMLParser(**options)
    parser.set_element_class_lookup(_CLASS_LOOKUP)
    return parser


def parse_html(text: str):
    """Parse page HTML into an lxml tree that is never None (raises InputError if no markup)."""
    if "\x00" in text:
        text = text.replace("\x00", "")
    # Soft hyphens are hyphenation hints a reader never sees; kept, they split words for search
    # and for matching ("Baro\u00adlo").
    text = _SOFT_HYPHEN_ENTITY.sub("", text).replace("\u00ad", "")
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
    if not text.strip():
        raise InputError("the page is empty")
    # huge_tree: libxml2 otherwise stops reading at 256 levels of nesting (a page of unclosed
    # <p><font> loses everything after its 127th paragraph); with it the limit is 2048
    parser = html_parser(remove_comments=False, remove_pis=True, default_doctype=False, huge_tree=True)
    try:
        tree = lxml_html.document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise InputError(f"cannot read the page's HTML: {exc}") from exc
    if tree is None:
        raise InputError("the page has no content")
    if any("Excessive depth" in (e.message or "") for e in parser.error_log):
        tree.set("data-clipper-truncated", "depth")
    return tree


def text_of(el) -> str:
    # (str.split() parts on exactly the characters r"\s" matches: the same as
    # _WS.sub(" ", ...).strip(), at a fraction of the cost)
    return " ".join(" ".join(el.itertext()).split())


# --- preparing the tree ---------------------------------------------------------------------

def _resolve_images(tree, base_url: str, resources: dict[str, str]) -> None:
    """Point each <img> at its saved file (placeholder URL) or an absolute URL; pick lazy sources."""
    for pic in tree.iter("picture"):
        img = pic.find(".//img")
        if img is not None and not img.get("src"):
            src = next((s.get("srcset") for s in pic.iter("source") if s.get("srcset")), None)
            if src:
                img.set("src", src.split(",")[0].split()[0])
    for img in tree.iter("img"):
        candidates = []
        for attr in ("src", *_LAZY_SRC):
            value = (img.get(attr) or "").strip()
            if not value:
                continue
            if attr.endswith("srcset"):
                value = value.split(",")[0].strip().split(" ")[0]
            candidates.append(value)
        chosen = ""
        for value in candidates:
            name = _lookup(value, base_url, resources)
            if name:
                chosen = ATTACHMENT_PREFIX + name
                break
        if not chosen:
            for value in candidates:
                if value.startswith("data:") or value.startswith("about:"):
                    continue
                if _is_placeholder_gif(value):
                    continue
                try:
                    absolute = _join(base_url, value) if base_url else value
                except ValueError:
                    continue
                if _split(absolute).scheme in ("http", "https"):
                    chosen = absolute
                    break
        for attr in _LAZY_SRC:
            img.attrib.pop(attr, None)
        if chosen:
            img.set("src", chosen)
        else:
            img.attrib.pop("src", None)


_CAPTION_CLASS = re.compile(r"(?:^|[\s_-])(?:wp-caption-text|caption|image-caption|img-caption|photo-caption"
                            r"|figure-caption|media-caption|caption-text)(?:$|[\s_-])", re.I)


def _captions(tree):
    for el in tree.xpath("//figcaption|//*[contains(@class, 'aption')]"):
        if el.tag == "figcaption" or _CAPTION_CLASS.search(el.get("class") or ""):
            yield el


def _fold_captions(tree) -> None:
    """Move a figure's caption into its image's alt text, so it stays with the image."""
    for cap in list(_captions(tree)):
        if cap.getparent() is None or cap.find(".//img") is not None:
            continue
        text = text_of(cap)
        if not text or len(text) > 400:
            continue
        img = None
        node = cap
        for _ in range(3):
            parent = node.getparent()
            if parent is None or parent.tag in ("body", "article", "main"):
                break
            imgs = parent.xpath(".//img")
            if len(imgs) == 1:
                img = imgs[0]
                break
            if len(imgs) > 1:
                break
            node = parent
        if img is None or not img.get("src"):
            continue
        alt = _WS.sub(" ", img.get("alt") or "").strip()
        img.set("alt", text if not alt or _norm(alt) in _norm(text) else f"{alt}. {text}")
        _remove(cap)


def _is_placeholder_gif(value: str) -> bool:
    return value.lower().endswith(("blank.gif", "spacer.gif", "pixel.gif", "1x1.gif", "transparent.gif"))


def _lookup(value: str, base_url: str, resources: dict[str, str]) -> str:
    if not resources:
        return ""
    for key in (value, unquote(value), value.split("#")[0].split("?")[0]):
        if key in resources:
            return resources[key]
    if base_url:
        try:
            absolute = _join(base_url, value)
        except ValueError:
            return ""
        return resources.get(absolute, "")
    return ""


_JUNK_TAGS = ("script", "style", "noscript", "template", "rt", "rp", "iframe", "object", "embed", "svg",
              "canvas", "input")
# (one test per element: a union of three paths walked the page three times, ~40% slower)
_HIDDEN = etree.XPath("//*[@hidden or @aria-hidden='true' and not(.//img)"
                      " or @style and contains(translate(@style, ' ', ''), 'display:none')]")


def _is_junk(el) -> bool:
    """Of the elements with a tag of ``_JUNK_TAGS``: whether it goes."""
    if el.tag == "script":
        return el.get("type") != "application/ld+json"
    if el.tag == "input":
        return el.get("type") == "hidden" and next(el.iterancestors("form"), None) is not None
    return True


def _drop_junk(tree) -> None:
    """Scripts (not JSON-LD: metadata), styles, embedded objects, hidden inputs of forms, hidden
    parts and ruby annotations (the reading over a character: Markdown cannot set it above the
    text, and in line it would split every word) go."""
    # (the tags picked in one walk in C: an XPath union of twelve paths took twice as long)
    junk = [el for el in tree.iter(_JUNK_TAGS) if _is_junk(el)]
    for el in junk:
        _remove(el)
    for el in tree.iter(etree.Comment):
        _remove(el)
    for el in _HIDDEN(tree):
        _remove(el)


# Site-builder shortcodes left in a page's text (WordPress and its page builders):
# [caption id="…" width="300"]…[/caption], [button link="…"]Send us…[/button], [gallery ids="1,2"].
_SHORTCODE_HINT = re.compile(r"\[/[A-Za-z_][\w-]{0,40}\]|\[[A-Za-z_][\w-]{0,40}\s+[\w-]+\s*=")
_SC_ATTR = r"""\s+[\w-]+(?:\s*=\s*(?:"[^"\]]*"|'[^'\]]*'|[“”″][^\]]*?[“”″]|[^\s\]]+))?"""
_SC_OPEN = re.compile(rf"\[([A-Za-z_][\w-]{{0,40}})((?:{_SC_ATTR})*)\s*/?\]")
_SC_CLOSE = re.compile(r"\[/([A-Za-z_][\w-]{0,40})\]")
# Shortcodes of buttons, forms, ads and share boxes: what they hold is the widget's, not the text's.
_SC_WIDGET = re.compile(r"(?i)button|btn|cta|share|social|subscribe|signup|newsletter|donate|"
                        r"ad|ads|adsense|advert|banner|form|contact-form-\d*|mc4wp_form|gravityform|poll")
_SC_KEEP_IN = {"pre", "code", "kbd", "samp", "textarea"}  # a tutorial's shortcodes are its subject


def _strip_shortcodes(tree) -> None:
    """Remove shortcodes from the text: a tag with attributes, or whose closing tag the page has
    ("[sic]", "[1]" and "[edit]" stay); a widget's (button, form, ad) with what it encloses."""
    nodes = []
    for el in tree.iter():
        if not isinstance(el.tag, str):
            continue
        text, tail = el.text and "[" in el.text, el.tail and "[" in el.tail
        if not (text or tail) or any(a.tag in _SC_KEEP_IN for a in el.iterancestors()):
            continue
        if text and el.tag not in _SC_KEEP_IN:
            nodes.append((el, "text"))
        if tail:
            nodes.append((el, "tail"))
    closed = {m.group(1).lower() for el, attr in nodes for m in _SC_CLOSE.finditer(getattr(el, attr))}

    def is_code(m) -> bool:
        return bool(m.group(2).strip()) or m.group(1).lower() in closed

    def widget(m) -> str:
        name = m.group(1)
        return "" if _SC_WIDGET.fullmatch(name) and is_code(m) else m.group(0)

    paired = re.compile(r"\[([A-Za-z_][\w-]{0,40})(?:" + _SC_ATTR + r")*\s*\](.*?)\[/\1\]", re.S)
    for el, attr in nodes:
        text = getattr(el, attr)
        new = paired.sub(lambda m: "" if _SC_WIDGET.fullmatch(m.group(1)) else m.group(0), text)
        new = _SC_OPEN.sub(lambda m: widget(m) and ("" if is_code(m) else m.group(0)), new)
        new = _SC_CLOSE.sub(lambda m: "" if m.group(1).lower() in closed else m.group(0), new)
        if new != text:
            setattr(el, attr, new)


def _limit_elements(tree) -> int:
    """Very large trees make the extractors crawl: drop inline wrappers, then refuse."""
    from clipper.core.limits import check_elements

    count = sum(1 for _ in tree.iter())
    if count > 30_000:
        etree.strip_tags(tree, "span", "font", "abbr", "small", "wbr")
        count = sum(1 for _ in tree.iter())
    check_elements(count)
    return count


# --- trafilatura ----------------------------------------------------------------------------

def _metadata(tree, url: str):
    """trafilatura's metadata pass without the parts notes do not use (categories, tags, licence)."""
    try:
        from htmldate import find_date
        from trafilatura import metadata as tm
        from trafilatura.settings import set_date_params

        meta = tm.examine_meta(tree)
        if meta.author and " " not in meta.author:
            meta.author = None
        try:
            meta = tm.extract_meta_json(tree, meta)
        except Exception:  # noqa: BLE001 -- broken JSON-LD: keep what the meta tags gave
            pass
        if not meta.title:
            meta.title = tm.extract_title(tree)
        if not meta.author:
            meta.author = tm.extract_author(tree) if _may_name_author(tree) else None
        if not meta.url:
            meta.url = tm.extract_url(tree, url or None)
        params = set_date_params(False)  # dates from the page's markup, not any date in the text
        params["url"] = meta.url
        meta.date = find_date(tree, **params)
        if not meta.sitename:
            meta.sitename = tm.extract_sitename(tree)
        if meta.sitename:
            meta.sitename = meta.sitename.lstrip("@")
        meta.clean_and_trim()
        return meta
    except (ImportError, AttributeError, TypeError):  # trafilatura's internals moved: the public pass
        pass
    except Exception:  # noqa: BLE001 -- metadata is optional; a library bug must not lose the page
        return None
    from trafilatura.metadata import extract_metadata

    try:
        return extract_metadata(tree, url or None, None, False, None)
    except Exception:  # noqa: BLE001
        return None


_AUTHOR_XPATHS_SOURCE = "e7cdb233823cbb0a"  # trafilatura 2.3's AUTHOR_XPATHS
_AUTHOR_XPATHS_KNOWN: list = []
# a word each of those searches needs in one of these attributes of the element it selects
_AUTHOR_HINT = re.compile(r"[Aa]uthor|byl|Byline|BBL|username|zuozhe|bianji|xiaobian|channel-name"
                          r"|submitted-by|posted-by|journalist-name|screenname|writer")
_AUTHOR_ATTRIBUTES = etree.XPath("//@class|//@id|//@rel|//@itemprop|//@data-testid|//@data-component",
                                 smart_strings=False)


def _may_name_author(tree) -> bool:
    """Whether trafilatura's author searches can select anything in ``tree``. They select
    elements by their own tag and attributes (or an <author>, or a <rel> holding "me"), so a
    page where no attribute has one of their words has no author for them, also in their copy
    of the page with the comments and dates cut: that copy and its pruning (~a third of their
    cost, on about half the pages without an author in their meta tags) are skipped. True when
    trafilatura's searches are not the ones this was made from."""
    if not _AUTHOR_XPATHS_KNOWN:
        import hashlib

        try:
            from trafilatura.xpaths import AUTHOR_XPATHS

            source = "\n".join(x.path for x in AUTHOR_XPATHS)
        except (ImportError, AttributeError):
            source = ""
        _AUTHOR_XPATHS_KNOWN.append(hashlib.sha256(source.encode()).hexdigest()[:16] == _AUTHOR_XPATHS_SOURCE)
    if not _AUTHOR_XPATHS_KNOWN[0] or next(tree.iter("author", "rel"), None) is not None:
        return True
    return _AUTHOR_HINT.search(" ".join(_AUTHOR_ATTRIBUTES(tree))) is not None


_JUSTEXT_FAST: list = []


def _trafilatura(tree, url: str, second_opinion: bool = False):
    """trafilatura's result and, with ``second_opinion``, readability's article (a <div>, or None
    when it found nothing). trafilatura's own comparison with readability is given this same
    result, so that readability runs once per page."""
    from trafilatura import bare_extraction

    # Formatting is left out: only the text is used (the page's own elements give the markup),
    # and with it trafilatura keeps less of the article (measured: recall -0.01).
    opts = dict(include_comments=False, include_images=True, include_links=True,
                include_formatting=False, include_tables=True)
    seen = []

    def opinion():
        if not seen:
            seen.append(_readability(tree))
        return seen[0]

    if not _JUSTEXT_FAST:
        _JUSTEXT_FAST.append(True)
        _speed_up_justext()
    restore = _lend_readability(opinion) if second_opinion else None
    try:
        doc = bare_extraction(tree, url=url or None, with_metadata=False, fast=not second_opinion, **opts)
    except Exception:  # noqa: BLE001 -- a library bug must not lose the page; fall back below
        doc = None
    finally:
        if restore:
            restore()
    return doc, (opinion() if second_opinion else None)


def _all_stopwords() -> frozenset:
    """Every justext stop word, lower-cased: the set trafilatura's ``jt_stoplist_init`` builds
    (its fallback for a page in a language justext has no list for), kept in the user cache
    (:func:`wordlists.cached`). A child process reads it on its first such page (about one page
    in 12, so both children of most batches of 40): reading the cached set (marshal) takes about
    two thirds of the time of building it from justext's files (measured 75-95 ms against
    119-138 ms): the strings are still made and hashed, but not decoded, lower-cased and split."""
    from trafilatura import external

    from clipper.core import wordlists

    folder = _justext_stoplists()
    # (the entry is named after the stop lists' files: another justext, another set)
    stamp = f"{folder}:{_files_stamp(folder)}".encode("utf-8", "surrogateescape")
    name = f"justext-stopwords-{hashlib.sha256(stamp).hexdigest()[:12]}"
    words = wordlists.cached(name, lambda: _read_stopwords(folder))
    # what justext's define_stoplist makes of it (lower-casing twice changes nothing), once
    external.JT_STOPLIST = _READY_STOPLISTS[0] = frozenset(words)
    return external.JT_STOPLIST


def _justext_stoplists() -> str:
    import justext

    return os.path.join(os.path.dirname(justext.__file__), "stoplists")


def _files_stamp(folder: str) -> str:
    """The names, sizes and times of the files in ``folder`` (changed files: another stamp)."""
    try:
        with os.scandir(folder) as entries:
            return ";".join(sorted(f"{e.name}:{e.stat().st_size}:{e.stat().st_mtime_ns}" for e in entries))
    except OSError:
        return ""


def _read_stopwords(folder: str) -> frozenset:
    """The words of justext's stop lists in ``folder``, as ``jt_stoplist_init`` reads them."""
    words: set = set()
    for name in os.listdir(folder):
        if name.endswith(".txt"):
            with open(os.path.join(folder, name), "rb") as fh:
                # (as justext.get_stoplist: bytes.splitlines' line ends, then decode, lower-case)
                text = fh.read().decode("utf8").lower().replace("\r\n", "\n").replace("\r", "\n")
            lines = text.split("\n")
            if lines and not lines[-1]:
                lines.pop()
            words.update(lines)
    return frozenset(words)


_READY_STOPLISTS: list = [None]  # the stop list justext can take as it is


def _speed_up_justext() -> None:
    try:
        import justext.core
        from trafilatura import external
    except ImportError:
        return
    if getattr(external, "jt_stoplist_init", None) is not None and hasattr(external, "JT_STOPLIST"):
        external.jt_stoplist_init = _all_stopwords
    original = getattr(justext.core, "define_stoplist", None)
    if original is not None and not getattr(original, "_clipper", False):
        # justext lower-cases and freezes the stop list on every call: 150,000 words of every
        # language each time trafilatura's fallback runs (~20 ms); the all-language set is
        # built that way once
        def define_stoplist(stoplist):
            return stoplist if stoplist is _READY_STOPLISTS[0] else original(stoplist)

        define_stoplist._clipper = True
        justext.core.define_stoplist = define_stoplist


def _lend_readability(opinion):
    """Make trafilatura's comparison step use ``opinion()`` (our readability result, computed
    once) instead of running readability again; returns the function that undoes it, or None
    when trafilatura's internals are not as expected (it then runs its own)."""
    try:
        from trafilatura import external
    except ImportError:
        return None
    original = getattr(external, "try_readability", None)
    if original is None:
        return None

    def lent(_htmlinput):
        body = opinion()
        return deepcopy(body) if body is not None else lxml_html.Element("div")

    external.try_readability = lent
    undo_compare = _compare_without_copy()

    def restore():
        external.try_readability = original
        if undo_compare:
            undo_compare()
    return restore


_EXTRACT_AND_COMPARE_SOURCE = "f7d056c2118222e8"  # trafilatura 2.3's _extract_and_compare
_COMPARE_EXTRACTION_SOURCE = "2d3d1ffea3ba469f"  # and its compare_extraction
_COMPARE_KNOWN: list = []


def _compare_without_copy():
    """With readability lent, trafilatura's comparison step reads the raw tree only to prune it
    in precision mode (never asked for here) and to hand it to readability (which ignores it):
    its copy of the whole page for that is skipped. Returns the function that undoes it, or None
    when trafilatura's code is not the one this was made from."""
    try:
        from trafilatura import core, external
    except ImportError:
        return None
    original = getattr(core, "_extract_and_compare", None)
    if original is None or getattr(original, "_clipper", False):
        return None
    if not _COMPARE_KNOWN:  # (reading the library's source costs a millisecond: once per process)
        _COMPARE_KNOWN.append(_known_source(original, _EXTRACT_AND_COMPARE_SOURCE)
                              and _known_source(external.compare_extraction, _COMPARE_EXTRACTION_SOURCE))
    if not _COMPARE_KNOWN[0]:
        return None
    extract_content, compare_extraction = core.extract_content, core.compare_extraction

    def extract_and_compare(cleaned_tree, cleaned_tree_backup, tree, options):
        postbody, temp_text = extract_content(cleaned_tree, options)
        if not options.fast:
            raw = tree if options.focus != "precision" else deepcopy(tree)
            postbody, temp_text = compare_extraction(cleaned_tree_backup, raw, postbody, temp_text, options)
        return postbody, temp_text

    extract_and_compare._clipper = True
    core._extract_and_compare = extract_and_compare

    def restore():
        core._extract_and_compare = original
    return restore


# --- the article's own elements -------------------------------------------------------------
# trafilatura's XML keeps the article's text but not its markup (classes, list numbers, table
# alignment, footnotes, math, definition lists). So its result only says *which* of the page's
# blocks are the article: each page word is "covered" when a 4-word run of the page's text around
# it is also a run of trafilatura's text, and the page's own elements holding those words are kept.

# Text-level elements; anything else (custom elements included) is a block.
_INLINE = {"a", "abbr", "b", "bdi", "bdo", "big", "br", "cite", "code", "data", "del", "dfn", "em", "font",
           "i", "img", "input", "ins", "kbd", "label", "mark", "nobr", "q", "rp", "rt", "ruby", "s", "samp",
           "small", "span", "strike", "strong", "sub", "sup", "time", "tt", "u", "var", "wbr", "picture",
           "source", "button", "select", "textarea", "output", "meter", "progress", "clipper-fnref",
           "clipper-math", "math", "svg", "video", "audio", "iframe", "object", "embed", "canvas"}
# Blocks kept or dropped whole: their parts belong together (a list's items, a table's rows).
_ATOMIC = {"clipper-displaymath", "p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "dl", "table", "pre",
           "blockquote", "figure",
           "details", "address", "hr", "menu", "li", "dd", "dt", "tr", "td", "th", "thead", "tbody", "tfoot",
           "caption", "figcaption", "summary", "legend", "colgroup", "col", "optgroup", "option"}
_WHOLE = {"table", "thead", "tbody", "tfoot", "tr", "td", "th", "pre", "math", "figure", "caption"}
# Words for matching text; scripts written without spaces (Chinese, Japanese, Thai, …) count
# each character, or a whole sentence would be one "word".
_NO_SPACES = "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_COVER_TOKEN = re.compile(f"[{_NO_SPACES}]|[^\\W{_NO_SPACES}]+")
_UNSEEN = {"script", "style", "template", "noscript", "title"}
_RUN = re.compile(b"\x01+")
KEEP_SHARE = 0.5  # a block is the article's when this share of its words is covered
MIN_RUN = 8  # words in a row shared with trafilatura's text that show a block is the same text


def _is_container(el) -> bool:
    """A block that only groups other blocks (it holds no text of its own)."""
    if el.tag in _INLINE or el.tag in _ATOMIC or (el.text or "").strip():
        return False
    return all(not (c.tail or "").strip() and (not isinstance(c.tag, str) or c.tag not in _INLINE)
               for c in el)


def _descends(el) -> bool:
    """Whether the projection looks inside ``el``: a non-atomic element holding blocks (also
    through inline wrappers: a <span> or <a> around blocks)."""
    if el.tag in _ATOMIC or el.tag in ("math", "svg"):
        return el.get("data-clipper-layout") is not None  # a table used for layout is a container
    return any(isinstance(c.tag, str) and (c.tag not in _INLINE or _descends(c)) for c in el)


def _coverage(root, xml_body):
    """Word counts under ``root``: (covered, total) per subtree, (covered, total) of each element's
    own text and its children's tails, and how many words trafilatura's text has."""
    t_words = [w.lower() for w in _COVER_TOKEN.findall(_plain_joined_text(xml_body, _XML_INLINE))]
    available = Counter(zip(t_words, t_words[1:], t_words[2:], t_words[3:]))
    text, offsets, pieces = _joined_text(root, _INLINE)
    found = list(_COVER_TOKEN.finditer(text))
    words = [m.group().lower() for m in found]
    owners = [pieces[bisect_right(offsets, m.start()) - 1] for m in found]
    grams = list(zip(words, words[1:], words[2:], words[3:]))
    # maximal runs of page 4-grams that trafilatura's text has (found in C: a byte per 4-gram)
    runs = [m.span() for m in _RUN.finditer(bytes([g in available for g in grams]))]
    # A word is covered when it lies in a run of at least MIN_RUN words that trafilatura's text also
    # has: shorter matches are chance (a breadcrumb ending in the title, a teaser sharing a phrase).
    # Each of trafilatura's 4-grams covers one place only, longest runs first: text the page repeats
    # (a summary, a teaser, the title in a breadcrumb) is covered where it continues the article.
    is_covered = [False] * len(words)
    t_grams = list(zip(t_words, t_words[1:], t_words[2:], t_words[3:]))
    t_at: defaultdict = defaultdict(list)  # (looked up only for 4-grams trafilatura's text has)
    for pos, g in enumerate(t_grams):
        t_at[g].append(pos)
    segments = []  # (page start, page end, trafilatura start, trafilatura end) in words
    for i, j in sorted(runs, key=lambda r: r[0] - r[1]):
        k = i
        while k < j:
            if not available[grams[k]]:
                k += 1
                continue
            m = k
            while m < j and available[grams[m]]:
                m += 1
            if m - k + 3 >= MIN_RUN:
                for g in grams[k:m]:
                    available[g] -= 1
                is_covered[k:m + 3] = [True] * (m + 3 - k)
                t = next((p for p in t_at[grams[k]] if p + m - k - 1 < len(t_grams)
                          and t_grams[p + m - k - 1] == grams[m - 1]), None)
                if t is not None:
                    segments.append((k, m + 3, t, t + m - k + 3))
            k = m
    _fill_gaps(words, t_words, segments, is_covered)
    own_total = dict(Counter(owners))
    own_cov = dict(Counter(itertools.compress(owners, is_covered)))
    covered, total = dict(own_cov), dict(own_total)
    for el in reversed(list(root.iter())):  # children come after their parents in document order
        if el not in total or el is root:  # (no words below it; covered words are counted words)
            continue
        parent = el.getparent()
        if parent is None:
            continue
        total[parent] = total.get(parent, 0) + total[el]
        if el in covered:
            covered[parent] = covered.get(parent, 0) + covered[el]
    return covered, total, own_cov, own_total, len(t_words)


_XML_INLINE = {"hi", "ref", "del"}  # trafilatura's inline elements
_INLINE_ANY = _INLINE | _XML_INLINE


def _joined_text(root, inline):
    """The text under ``root`` as a reader sees it: pieces inside a word stay joined across inline
    elements ('H<sub>2</sub>O' is one word, as trafilatura writes it), blocks and line breaks part
    words. Returns the text, each piece's start offset and each piece's owner (the element whose
    own text or child's tail it is)."""
    parts, offsets, owners = [], [], []
    size = 0
    for event, el in etree.iterwalk(root, events=("start", "end")):
        tag = el.tag if isinstance(el.tag, str) else None
        parts_words = tag is not None and (tag not in inline or tag in ("br", "img", "lb"))
        if event == "start":
            if parts_words:
                offsets.append(size)
                owners.append(el)
                parts.append(" ")
                size += 1
            # (JSON-LD scripts stay for metadata: their text is not the page's)
            text, owner = (el.text if tag is not None and tag not in _UNSEEN else None), el
        elif el is root:
            break
        else:
            text = el.tail
            if not (parts_words or text):
                continue
            owner = el.getparent()
            if parts_words:
                offsets.append(size)
                owners.append(owner)
                parts.append(" ")
                size += 1
        if text:
            offsets.append(size)
            owners.append(owner)
            parts.append(text)
            size += len(text)
    return "".join(parts), offsets, owners


def _plain_joined_text(root, inline) -> str:
    """``_joined_text(root, inline)[0]`` without the offsets and owners (their lists are half its
    work; the 4-gram comparisons of whole texts need only the text)."""
    parts = []
    for event, el in etree.iterwalk(root, events=("start", "end")):
        tag = el.tag if isinstance(el.tag, str) else None
        parts_words = tag is not None and (tag not in inline or tag in ("br", "img", "lb"))
        if event == "start":
            if parts_words:
                parts.append(" ")
            if tag is not None and tag not in _UNSEEN and el.text:
                parts.append(el.text)
        elif el is root:
            break
        else:
            if parts_words:
                parts.append(" ")
            if el.tail:
                parts.append(el.tail)
    return "".join(parts)


def _fill_gaps(words, t_words, segments, is_covered) -> None:
    """Between two matched stretches, the page words that trafilatura's text has between the same
    two stretches are covered too, however short (a heading over a block trafilatura dropped)."""
    segments = sorted(segments)
    anchors = [(0, 0, 0, 0), *segments, (len(words), len(words), len(t_words), len(t_words))]
    for (_, e1, _, t1), (s2, _, t2, _) in itertools.pairwise(anchors):
        if not (e1 < s2 and t1 < t2) or s2 - e1 > 3000 or t2 - t1 > 300:
            continue  # (a long stretch of trafilatura's text unmatched here: the match went astray)
        gap, t_gap = words[e1:s2], t_words[t1:t2]
        for a, _, size in SequenceMatcher(None, gap, t_gap, autojunk=False).get_matching_blocks():
            if size >= min(3, len(t_gap)):
                for w in range(e1 + a, e1 + a + size):
                    is_covered[w] = True


_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


def _heading_only(el, total) -> bool:
    """A block whose words are a heading's (a short one) or a code block's, give or take a
    button label: structure trafilatura sometimes drops (a code block in a toolbar wrapper)."""
    words = total.get(el, 0)
    if el.tag in _HEADINGS:
        return words <= 20
    if el.tag == "pre":
        return True
    parts = [h for h in el.iterdescendants(*_HEADINGS, "pre")
             if not any(a.tag in _HEADINGS or a.tag == "pre" for a in h.iterancestors())]
    inside = sum(total.get(h, 0) for h in parts)
    heading_words = sum(total.get(h, 0) for h in parts if h.tag != "pre")
    return bool(parts) and words - inside <= 3 and heading_words <= 20


def _own_elements(tree, xml_body):
    """The page's own elements holding trafilatura's article (a copy), or None when they cannot
    be told apart (then trafilatura's XML is converted instead)."""
    root = tree.find(".//body")
    if root is None:
        root = tree
    elements = list(root.iter())  # keeps the element proxies (dictionary keys) alive
    for table in root.iter("table"):  # a table that lays out the page: look inside its cells
        if table_kind(table) == "layout":
            table.set("data-clipper-layout", "1")
            for part in table.xpath("./*|./*/tr|./tr/td|./tr/th|./*/tr/td|./*/tr/th"):
                part.set("data-clipper-layout", "1")
    covered, total, own_cov, own_total, n_words = _coverage(root, xml_body)
    if n_words < MIN_RUN:
        return None
    srcs = Counter(g.get("src") for g in xml_body.iter("graphic") if g.get("src"))
    page_title = _norm(tree.findtext(".//title") or "") or "\0"
    kept, dropped, bare = [], [], []  # bare: elements whose own text and inline children go

    def wanted_image(el, take: bool = True) -> bool:  # trafilatura's pictures, as often as it kept them
        found = False
        for img in el.iter("img"):
            if srcs[img.get("src")] > 0:
                if not take:
                    return True
                srcs[img.get("src")] -= 1
                found = True
        return found

    def walk(el):
        children = [c for c in el if isinstance(c.tag, str)]
        inline = [c for c in children if c.tag in _INLINE and not _descends(c)]
        words = own_total.get(el, 0) + sum(total.get(c, 0) for c in inline)
        if words:
            if own_cov.get(el, 0) + sum(covered.get(c, 0) for c in inline) >= KEEP_SHARE * words:
                kept.append(el)
            else:
                bare.append(el)
        elif el is not root and any(wanted_image(c) for c in inline):
            kept.append(el)
        blocks = [c for c in children if c not in inline]
        walked, verdicts = [], []
        for child in blocks:
            words = total.get(child, 0)
            cov = covered.get(child, 0)
            if _descends(child) and (cov or wanted_image(child, take=False)):
                walk(child)
                walked.append(True)
                verdicts.append(True)
                continue
            walked.append(False)
            if not cov and words and _heading_only(child, total):
                verdicts.append(None)  # a heading trafilatura dropped: kept between kept blocks
            elif child.tag == "clipper-displaymath":
                verdicts.append(None)  # TeX is not text trafilatura keeps: kept between kept blocks
            elif words:
                verdicts.append(cov >= KEEP_SHARE * words)
            elif _descends(child):
                verdicts.append(None)
            else:
                verdicts.append(True if wanted_image(child) else None)
        for i, (child, verdict) in enumerate(zip(blocks, verdicts, strict=True)):
            if walked[i]:
                continue
            if verdict is None:  # between kept blocks: a rule, a heading, display math stay (pictures
                before = next((v for v in reversed(verdicts[:i]) if v is not None), None)  # stay
                after = next((v for v in verdicts[i + 1:] if v is not None), False)  # if trafilatura's)
                if before is None:  # first: only the heading that names the page, over kept text
                    before = _heading_only(child, total) and _norm(text_of(child)) in page_title
                verdict = before and after and child.find(".//img") is None and child.tag != "img"
            (kept if verdict else dropped).append(child)

    walk(root)
    if not kept:
        return None
    for el in kept:  # inside a block kept whole, the parts trafilatura left out still go
        if el.tag in _WHOLE and el.get("data-clipper-layout") is None:
            continue
        subs = el.iterdescendants() if not _descends(el) else (
            n for c in el if isinstance(c.tag, str) and c.tag in _INLINE for n in c.iter())
        for sub in subs:
            if not isinstance(sub.tag, str) or covered.get(sub, 0):
                continue
            words = total.get(sub, 0)
            if (words >= 2 or words and sub.tag not in _INLINE) and not any(
                    a.tag in _WHOLE and a.get("data-clipper-layout") is None for a in sub.iterancestors()):
                dropped.append(sub)
    if sum(own_cov.get(el, 0) if _descends(el) else covered.get(el, 0) for el in kept) < 0.8 * n_words:
        return None  # trafilatura's text is not the page's (it rewrote or reordered it)
    chain = list(reversed([kept[0], *kept[0].iterancestors()]))
    for el in kept[1:]:
        ancestors = {el, *el.iterancestors()}
        while chain[-1] not in ancestors:
            chain.pop()
    top = chain[-1]
    if not _descends(top) and top.getparent() is not None:
        top = top.getparent()
    copy = deepcopy(top)
    twin = dict(zip(top.iter(), copy.iter(), strict=True))
    inside = set(top.iter())
    for el in bare:
        if el in inside:
            mine = twin[el]
            mine.text = None
            for child in list(mine):
                if isinstance(child.tag, str) and child.tag in _INLINE and not _descends(child):
                    mine.remove(child)
                else:
                    child.tail = None
    for el in dropped:
        if el in inside and el is not top:
            _remove(twin[el])
    del elements
    return copy


def _flatten(body) -> None:
    """Unwrap the containers inside ``body`` (a code block's language found on a wrapper is kept on
    the block first), so the article is a flat run of blocks like trafilatura's. Text and inline
    elements beside blocks in a container become a paragraph of their own (as a browser shows them)."""
    from clipper.core.structure import code_language, unwrap

    for pre in body.iter("pre"):
        if pre.get("data-clipper-lang") is None:
            pre.set("data-clipper-lang", code_language(pre))
    for el in reversed(list(body.iter())):
        if el is body or not isinstance(el.tag, str) or el.tag in _INLINE or not _descends(el):
            continue
        if not _is_container(el):
            _wrap_inline_runs(el)
        if _is_container(el):
            unwrap(el)
    if (body.text or "").strip() or any(isinstance(c.tag, str) and c.tag in _INLINE or (c.tail or "").strip()
                                        for c in body):
        _wrap_inline_runs(body)  # the trimming below looks at the body's blocks
    body.tag = "div"


def _attach_notes(body, tree) -> None:
    """The footnotes the article refers to, when the extractor left them out (docutils puts them
    in an <aside>, many sites after the article's element): they are part of the article."""
    from clipper.core.structure import note_label, note_of

    wanted = [a.get("href").strip()[1:] for a in body.iter("a") if note_label(a) is not None]
    if not wanted:
        return
    have = {el.get("id") for el in body.iter() if isinstance(el.tag, str) and el.get("id")}
    wanted = [name for name in dict.fromkeys(wanted) if name not in have]
    if not wanted:
        return
    page = {el.get("id"): el for el in tree.iter() if isinstance(el.tag, str) and el.get("id")}
    box = lxml_html.Element("div")
    for name in wanted:
        target = page.get(name)
        if target is None or target.tag in ("h1", "h2", "h3", "h4", "h5", "h6", "body", "main", "article") \
                or len(text_of(target)) > 5000:
            continue
        note = note_of(target)
        if note is not target and note.get("id") is None:
            note = deepcopy(note)
            note.set("id", name)  # the reference must find it
        else:
            note = deepcopy(note)
        note.tail = None
        box.append(note)
    if len(box):
        body.append(box)


def _wrap_inline_runs(el) -> None:
    """Each run of text and inline elements between the blocks of ``el`` goes into a <p>."""
    def flush(run, text, after):
        if not (text or "").strip() and all(
                isinstance(n.tag, str) and n.tag == "br" and not (n.tail or "").strip() for n in run):
            for node in run:  # line breaks between blocks: nothing a reader sees
                el.remove(node)
            return
        p = lxml_html.Element("p")
        p.text = text
        for node in run:
            p.append(node)
        if after is None:
            el.insert(0, p)
        else:
            after.addnext(p)

    children = list(el)
    text, el.text = el.text, None
    run, prev_block = [], None
    for child in children:
        if isinstance(child.tag, str) and child.tag not in _INLINE:
            tail, child.tail = child.tail, None
            flush(run, text, prev_block)
            prev_block, run, text = child, [], tail
        else:
            run.append(child)
    flush(run, text, prev_block)


def _xml_to_html(body):
    """trafilatura's XML body (head/list/item/hi/ref/graphic/row/cell/code) -> HTML element."""
    try:
        body = etree.fromstring(etree.tostring(body))  # a private copy
    except etree.XMLSyntaxError:  # names or character references XML cannot read back
        body = deepcopy(body)
    for el in list(body.iter()):  # a list: code elements below drop their children as we go
        if not isinstance(el.tag, str):
            continue
        tag = el.tag
        if tag == "head":
            rend = el.get("rend") or "h3"
            level = int(rend[1:]) if re.fullmatch(r"h[1-6]", rend) else 3
            el.tag = f"h{level}"
            el.attrib.clear()
        elif tag == "list":
            el.tag = "ol" if el.get("rend") == "ol" else "ul"
            el.attrib.clear()
        elif tag == "hi":
            el.tag = _HI.get(el.get("rend") or "#i", "em")
            el.attrib.clear()
        elif tag == "ref":
            el.tag = "a"
            target = el.get("target") or ""
            el.attrib.clear()
            if target:
                el.set("href", target)
        elif tag == "graphic":
            el.tag = "img"
            keep = {k: el.get(k) for k in ("src", "alt", "title") if el.get(k)}
            el.attrib.clear()
            el.attrib.update(keep)
        elif tag == "cell":
            el.tag = "th" if el.get("role") == "head" else "td"
            span = el.get("span") or el.get("colspan")
            el.attrib.clear()
            if span and span.isdigit():
                el.set("colspan", span)
        elif tag == "code":
            parent = el.getparent()
            inner = el.find("code")
            cls = " ".join(filter(None, [el.get("class"), inner.get("class") if inner is not None else ""]))
            text = "".join(el.itertext())
            is_block = ("\n" in text.strip() or inner is not None or parent is None
                        or parent.tag in _BLOCK and not (parent.text or "").strip()
                        and not (el.tail or "").strip() and len(parent) == 1 and parent.tag != "p")
            if parent is not None and parent.tag in ("body", "div", "item", "quote", "cell"):
                is_block = is_block or not (el.tail or "").strip()
            for child in list(el):
                el.remove(child)
            el.text = _xml_text(text)
            el.attrib.clear()
            if is_block:
                el.tag = "pre"
                if cls:
                    el.set("class", cls)
        elif tag in _TAGS:
            el.tag = _TAGS[tag]
            if el.tag != "td":
                el.attrib.clear()
        elif tag not in ("a", "img"):
            el.attrib.clear()
    body.tag = "div"
    return body


# --- readability (second opinion) -----------------------------------------------------------

_READABILITY = []


_RD_RUN = re.compile(r"\s{255,}")
_RD_LINE = re.compile(r"\s*\n\s*")
_RD_SPACES = re.compile(r"\t|[ \t]{2,}")


def _readability_clean(text: str) -> str:
    """readability's ``clean`` (run on the text of every paragraph and link it scores, a third of
    its time), each of its three substitutions skipped where it cannot match: the same text."""
    if len(text) >= 255:
        text = _RD_RUN.sub(" " * 255, text)
    if "\n" in text:
        text = _RD_LINE.sub("\n", text)
    if "\t" in text or "  " in text:
        text = _RD_SPACES.sub(" ", text)
    return text.strip()


def _readability_class():
    """readability's Document, minus its own cleaning pass (the tree is already cleaned here)."""
    if not _READABILITY:
        from readability import Document
        from readability import readability as rd

        if callable(getattr(rd, "clean", None)):
            rd.clean = _readability_clean

        class _Document(Document):
            def _parse(self, input):  # noqa: A002 -- readability's signature
                self.encoding = "utf-8"
                return input

        if _known_source(Document.transform_misused_divs_into_paragraphs, _MISUSED_DIVS_SOURCE):
            _Document.transform_misused_divs_into_paragraphs = _transform_misused_divs
        if _known_source(Document.remove_unlikely_candidates, _UNLIKELY_SOURCE):
            _Document.remove_unlikely_candidates = _remove_unlikely_candidates

        _READABILITY.append(_Document)
    return _READABILITY[0]


def _known_source(func, digest: str) -> bool:
    """Whether ``func``'s source is the one a replacement here was made from (another version
    of the library keeps its own)."""
    import hashlib

    try:
        return hashlib.sha256(_source_lines(func).encode()).hexdigest()[:16] == digest
    except (OSError, TypeError, AttributeError, ValueError):
        return False


def _source_lines(func) -> str:
    """``func``'s source: the lines of its file from its first line to the last line its code
    (nested functions too) runs; for the functions checked here the text inspect.getsource
    gives, without the tokenizer, which took ~30 ms of every process's start. Any change of the
    function's code changes these lines (a line outside them only if it runs no code)."""
    import linecache

    code = func.__code__

    def last(c) -> int:
        ends = [line for _start, _end, line in c.co_lines() if line]
        ends += [last(k) for k in c.co_consts if hasattr(k, "co_lines")]
        return max(ends, default=c.co_firstlineno)

    lines = linecache.getlines(code.co_filename)
    if not lines:
        raise OSError("no source")
    return "".join(lines[code.co_firstlineno - 1: last(code)])


_MISUSED_DIVS_SOURCE = "a28437d3bf4acf2c"  # readability-lxml 0.9
# the tags readability's divToPElementsRe finds after a "<" (it matches their first letters)
_DIV_BLOCK_PREFIXES = ("blockquote", "dl", "div", "img", "ol", "p", "table", "ul")


def _holds_block(div) -> bool:
    """readability's test of a <div> (its divToPElementsRe searched in the serialised children),
    without serialising: a descendant whose tag starts with one of the names, or a comment or
    processing instruction whose markup holds one (text and attributes are escaped when
    serialised). Serialising every div's children cost a tenth of readability's time: an outer
    div's whole subtree, once for each div around it."""
    from readability.readability import REGEXES

    for node in div.iterdescendants():
        tag = node.tag
        if isinstance(tag, str):
            if tag.lower().startswith(_DIV_BLOCK_PREFIXES):
                return True
        elif REGEXES["divToPElementsRe"].search(str(etree.tostring(node, encoding="utf-8", with_tail=False))):
            return True
    return False


_UNLIKELY_SOURCE = "ad62d2637793aee7"  # readability-lxml 0.9
_UNLIKELY_LOWER: list = []


def _remove_unlikely_candidates(self):
    """readability-lxml 0.9's ``remove_unlikely_candidates``, its case-insensitive pattern
    searched as a case-sensitive one in the lower-cased class and id when they are ASCII (the
    same matches: the pattern is lower-case ASCII; twice as fast, run on every element)."""
    from readability.readability import REGEXES

    unlikely = REGEXES["unlikelyCandidatesRe"]
    if not _UNLIKELY_LOWER:
        _UNLIKELY_LOWER.append(re.compile(unlikely.pattern) if unlikely.pattern.isascii()
                               and unlikely.pattern == unlikely.pattern.lower() else None)
    lower = _UNLIKELY_LOWER[0]
    for elem in self.html.findall(".//*"):
        s = "{} {}".format(elem.get("class", ""), elem.get("id", ""))
        if len(s) < 2:
            continue
        if (
            (lower.search(s.lower()) if lower is not None and s.isascii() else unlikely.search(s))
            and (not REGEXES["okMaybeItsACandidateRe"].search(s))
            and elem.tag not in ["html", "body"]
            and not elem.xpath("ancestor-or-self::pre | ancestor-or-self::code")
            and not elem.xpath(
                "descendant-or-self::main | descendant-or-self::article | "
                "descendant-or-self::math"
            )
        ):
            elem.drop_tree()


def _transform_misused_divs(self):
    """readability-lxml 0.9's ``transform_misused_divs_into_paragraphs`` with its first test
    made by :func:`_holds_block`; the rest is its code as it is."""
    from readability.readability import REGEXES

    inline_tags = {"a", "b", "cite", "code", "em", "font", "i", "small", "span", "strong", "sub", "sup", "u"}
    for elem in self.tags(self.html, "div"):
        if not _holds_block(elem):
            elem.tag = "p"

    for elem in self.tags(self.html, "div"):
        children = list(elem)
        paragraph = None
        if elem.text and elem.text.strip():
            p = lxml_html.fragment_fromstring("<p/>")
            p.text = elem.text
            elem.text = None
            elem.insert(0, p)
            paragraph = p

        for child in children:
            if child.tag == "br":
                paragraph = None
                continue
            if child.tag not in inline_tags or REGEXES["divToPElementsRe"].search(
                    etree.tounicode(child, method="html")):
                paragraph = None
                continue
            if paragraph is None:
                paragraph = lxml_html.fragment_fromstring("<p/>")
                child.addprevious(paragraph)
            paragraph.append(child)

        for pos, child in reversed(list(enumerate(elem))):
            if child.tail and child.tail.strip():
                p = lxml_html.fragment_fromstring("<p/>")
                p.text = child.tail
                child.tail = None
                elem.insert(pos + 1, p)
            if child.tag == "br":
                child.drop_tree()


def _readability_body(html):
    """readability's summary document (as trafilatura parsed it) -> a <div> of its article."""
    body = html.find(".//body") if html.tag != "body" else html
    if body is None:
        body = html
    inner = [c for c in body if isinstance(c.tag, str)]
    div = inner[0] if len(inner) == 1 and inner[0].tag == "div" else body
    div = deepcopy(div)
    div.tag = "div"
    return div


def _holds_article_text(el) -> bool:
    """Whether ``el`` holds running text: paragraphs of some length, a few hundred characters."""
    total = 0
    for p in el.iter("p"):
        n = len(text_of(p))
        if n >= 80:
            total += n
            if total >= 400:
                return True
    return False


def _readability(tree):
    try:
        document = _readability_class()
    except ImportError:  # optional second opinion
        return None
    try:
        copy = deepcopy(tree)
        for el in copy.xpath("//nav|//header|//footer|//aside|//select|//button"):
            if el.tag in ("header", "aside") and _holds_article_text(el):
                continue  # (some sites put the article in an <aside> or its lead in a <header>)
            _remove(el)  # page chrome readability would score away anyway; half the elements
        summary = document(copy).summary(html_partial=True)
        if not summary:
            return None
        parser = html_parser(huge_tree=True)  # deep pages: see parse_html
        return lxml_html.fragment_fromstring(summary, create_parent="div", parser=parser)
    except Exception:  # noqa: BLE001 -- a second opinion that fails is just absent
        return None


# --- whole page -----------------------------------------------------------------------------

_CHROME = ("//nav", "//header", "//footer", "//aside", "//form", "//button", "//select", "//menu",
           "//*[@role='navigation' or @role='banner' or @role='contentinfo' or @aria-hidden='true']",
           "//*[@hidden]")


# what the converter reads: links, pictures, table spans and alignment, list numbers, footnote ids
# and classes, code languages, checkboxes
_PAGE_ATTRIBUTES = ("href", "src", "alt", "title", "colspan", "rowspan", "align", "style", "class", "id",
                    "start", "value", "role", "type", "checked", "data-clipper-lang", "data-footnote-ref")


def whole_page(tree, strip_chrome: bool = True):
    """The page body with scripts, styles, forms and (optionally) navigation chrome removed."""
    body = tree.find(".//body")
    if body is None:
        body = tree
    body = deepcopy(body)
    if strip_chrome:
        for xp in _CHROME:
            for el in body.xpath(xp):
                _remove(el)
    for el in body.iter():
        if not isinstance(el.tag, str):
            continue
        keep = {}
        for k in _PAGE_ATTRIBUTES:
            v = el.get(k)
            if v is not None and (k != "style" or el.tag in ("td", "th")):
                keep[k] = _xml_text(v)
        el.attrib.clear()
        el.attrib.update(keep)
    body.tag = "div"
    return body


# --- metadata -------------------------------------------------------------------------------

def _meta(tree, *names) -> str:
    """The first non-empty content of a <meta> whose property, name or itemprop is one of
    ``names`` (in that order of preference)."""
    # (one walk over the page's <meta> elements: an XPath per name is compiled at every call)
    metas = [el for el in tree.iter("meta") if el.get("content")]
    for name in names:
        for el in metas:
            if name in (el.get("property"), el.get("name"), el.get("itemprop")):
                value = el.get("content").strip()
                if value:
                    return value
    return ""


def _canonical(tree, base_url: str) -> str:
    for el in tree.xpath("//link[@href]"):
        rel = (el.get("rel") or "").lower().split()
        if "canonical" in rel:
            href = el.get("href").strip()
            try:
                href = _join(base_url, href) if base_url else href
            except ValueError:
                continue
            if _split(href).scheme in ("http", "https"):
                return href
    return ""


def _iso_date(value: str) -> str:
    value = (value or "").strip()
    m = re.match(r"(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2})?)([+-]\d{2}:?\d{2}|Z)?)?", value)
    if not m:
        return ""
    return m.group(1)


def _fill_metadata(art: Article, tree, doc, url: str) -> None:
    title = (doc.title if doc is not None and doc.title else "") or _meta(tree, "og:title", "twitter:title")
    if not title:
        t = tree.find(".//title")
        title = text_of(t) if t is not None else ""
    if not title:
        h1 = tree.find(".//h1")
        title = text_of(h1) if h1 is not None else ""
    art.title = _WS.sub(" ", title).strip()[:300]
    if doc is not None:
        art.author = "; ".join(strip_author_label(a) for a in (doc.author or "").split(";") if a.strip())
        art.published = _iso_date(doc.date or "")
        art.site = (doc.sitename or "").strip()
        art.description = (doc.description or "").strip()
        art.image = (doc.image or "").strip()
    if not art.published:
        art.published = _iso_date(_meta(tree, "article:published_time", "datePublished", "date"))
    if not art.site:
        art.site = _meta(tree, "og:site_name", "application-name")
    if not art.description:
        art.description = _meta(tree, "description", "og:description")
    lang = tree.get("lang") or tree.get("{http://www.w3.org/XML/1998/namespace}lang") or ""
    if not lang:
        lang = _meta(tree, "og:locale", "language", "content-language")
    lang = lang.strip().replace("_", "-")
    art.language = lang if re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*", lang) else ""
    canonical = _canonical(tree, url)
    og_url = _meta(tree, "og:url")
    if og_url and _split(og_url).scheme not in ("http", "https"):
        og_url = ""
    if url and _split(url).scheme not in ("http", "https"):
        url = ""
    art.source = canonical or url or og_url
    if art.image.startswith(ATTACHMENT_PREFIX):
        art.image = "attachments/" + art.image[len(ATTACHMENT_PREFIX):]
    elif art.image and _split(art.image).scheme not in ("http", "https"):
        art.image = ""
    handle = _meta(tree, "twitter:site").lstrip("@")
    if not _meta(tree, "og:site_name") and (not art.site or art.site == handle):
        # a Twitter handle ('Wday_') or nothing: the publisher the page names, or its title's suffix
        t = tree.find(".//title")
        page_title = _WS.sub(" ", text_of(t)) if t is not None else art.title
        suffix, rest = _title_site(page_title, art.source, tree)
        art.site = _publisher_name(tree) or suffix or art.site
        if suffix and art.site == suffix and _norm(art.title) == _norm(page_title):
            art.title = rest
    if not art.site and art.source:
        art.site = _split(art.source).hostname or ""
    if art.site.startswith("www.") and " " not in art.site:
        art.site = art.site[4:]
    art.title = _strip_site_suffix(art.title, art.site)
    shown = _shown_headline(tree, (art.title, _page_title(tree), _meta(tree, "og:title", "twitter:title")),
                            art.site)
    if shown:
        art.title = shown
    for name, limit in (("title", 300), ("author", 200), ("site", 120), ("description", 1000),
                        ("published", 40), ("source", 2000), ("image", 2000)):
        setattr(art, name, _clean_field(getattr(art, name), limit))


def _page_title(tree) -> str:
    t = tree.find(".//title")
    return _WS.sub(" ", text_of(t)).strip() if t is not None else ""


# Scripts written without spaces: their words are compared as character pairs.
_DENSE = re.compile(r"[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")


def _title_words(text: str, drop: frozenset[str] = frozenset()) -> set[str]:
    """A title's content words, case-folded (function words and ``drop`` aside; character pairs
    for scripts written without spaces)."""
    words = {w for w in re.findall(r"\w+", text.casefold()) if w not in STOPWORDS and w not in drop}
    dense = _DENSE.findall(text)
    if dense:
        words = {w for w in words if not _DENSE.search(w)} | {a + b for a, b in zip(dense, dense[1:])}
    return words


def _covered(words: set[str], other: set[str]) -> float:
    """The share of ``words`` that ``other`` also has (a word matches one that shares its first
    five letters: inflected forms, plurals)."""
    if not words:
        return 0.0
    stems = {w[:5] for w in other if len(w) >= 5}
    return sum(w in other or (len(w) >= 5 and w[:5] in stems) for w in words) / len(words)


# Class names that hide an element from sight but not from screen readers ("Headline:" labels).
_UNSEEN_CLASS = re.compile(r"(?i)(?:^|\s)(?:visually-?hidden|sr-only|screen-reader(?:-text)?|"
                           r"element-invisible|a11y-hidden|u-hidden|offscreen)(?:\s|$)")


def _unseen(el) -> bool:
    return bool(_UNSEEN_CLASS.search(el.get("class") or ""))


def _seen_text(el) -> str:
    """The element's text as shown: inline parts joined as written (ruby bases, a word split by
    a tag), parts hidden from sight left out. (A walk, not a recursion: a heading may hold
    thousands of unclosed tags.)"""
    out: list[str] = []
    skip = None
    for action, node in etree.iterwalk(el, events=("start", "end")):
        if action == "start":
            if skip is not None:
                continue
            if node is not el and isinstance(node.tag, str) and _unseen(node):
                skip = node
                continue
            if isinstance(node.tag, str):
                out.append(node.text or "")
        else:
            if node is el:
                break
            if node is skip:
                skip = None
            if skip is None:
                out.append(node.tail or "")
    return "".join(out)


def _shown_headline(tree, titles, site: str) -> str:
    """The headline the page shows, when its metadata words it otherwise: the ``<h1>`` that
    tells the same story as the page's title (og:title, ``<title>``), in other words. Sites give
    search engines and social cards a shorter or older wording ("Sweden drops Assange rape
    investigation" for the shown "Julian Assange: Sweden drops rape investigation"); the note
    should carry the headline its reader saw, which is also the one a copy of the page's text
    holds. "" when no ``<h1>`` qualifies: it must hold most of a title's words, at least two
    (the site's name aside: a site or section name in an ``<h1>`` holds few), and a third of its
    own words must be the title's (a heading, not a paragraph that happens to use them)."""
    drop = frozenset(_title_words(site)) if site else frozenset()
    refs = [w for w in (_title_words(t, drop) for t in titles if t) if len(w) >= 2]
    if not refs:
        return ""
    normed = [_norm(t) for t in titles if t]
    best, best_score = "", 0.0
    for h1 in itertools.islice(tree.iter("h1"), 20):
        if _unseen(h1) or any(_unseen(a) for a in h1.iterancestors()):
            continue
        text = _WS.sub(" ", _seen_text(h1)).strip()
        norm = _norm(text)
        if not norm or len(text) > 300 or norm == normed[0]:
            continue
        parts = [h1.text or ""] + [y for c in h1 if isinstance(c.tag, str) and not _unseen(c)
                                   for y in (_seen_text(c), c.tail or "")]
        pieces = [p for p in map(_norm, parts) if p]
        if len(pieces) > 1 and any(t in pieces or norm not in t and all(p in t for p in pieces)
                                   for t in normed):
            continue  # a title with a kicker or a subtitle beside it in one heading: the title is right
        own = _title_words(text, drop)
        if len(own) < 2:
            continue
        fits = [(_covered(ref, own), _covered(own, ref)) for ref in refs]
        fits = [(a, b) for (a, b), ref in zip(fits, refs) if a >= 0.75 and a * len(ref) >= 2 and b >= 1 / 3]
        score = max((a + 0.5 * b for a, b in fits), default=0.0)
        if score > best_score:
            best, best_score = _strip_site_suffix(text, site), score
    return best


def _publisher_name(tree) -> str:
    """The publisher's name in the page's microdata (JSON-LD's is trafilatura's)."""
    for pub in tree.xpath("//*[@itemprop='publisher']"):
        for el in pub.xpath(".//*[@itemprop='name']"):
            name = _WS.sub(" ", el.get("content") or text_of(el)).strip()
            if 1 < len(name) <= 80:
                return name
    return ""


def _title_site(title: str, source: str, tree) -> tuple[str, str]:
    """('Valley Gazette', 'Article') from 'Article | Valley Gazette' when the last part names the
    site: it matches the host name (valley.example), or the page's own title for the article
    (og:title, the <h1>) is the rest; else ('', title)."""
    parts = _TITLE_SEP.split(title or "")
    if len(parts) < 2:
        return "", title
    suffix = parts[-1].strip()
    rest = title[: title.rfind(suffix)].rstrip()
    rest = re.sub(r"\s*(?:[-|–—·•:]|::|»)$", "", rest).strip()
    if not suffix or len(suffix) > 50 or len(suffix.split()) > 5 or len(rest) < 10:
        return "", title
    key = re.sub(r"\W+", "", suffix.lower())
    host = (_split(source).hostname or "").lower() if source else ""
    labels = [lab for lab in host.split(".")[:-1] if lab != "www" and len(lab) >= 3]
    named = any(key.startswith(lab.replace("-", "")) or lab.replace("-", "") in key for lab in labels)
    if not named and re.search(r"\s(?:[|–—·•»]|::)\s+" + re.escape(suffix) + "$", title):
        # (after a hyphen or a colon the last part is as often the title's own: 'Part 2')
        h1 = tree.find(".//h1")
        own = {_norm(_meta(tree, "og:title", "twitter:title")), _norm(text_of(h1) if h1 is not None else "")}
        named = _norm(rest) in own - {""}
    return (suffix, rest) if named else ("", title)


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u200b\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def _clean_field(value: str, limit: int) -> str:
    """One line of plain text: no control or bidi-override characters, whitespace collapsed."""
    value = _CONTROL.sub(" ", value or "")
    value = _WS.sub(" ", value).strip()
    if len(value) > limit:
        value = value[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    return value


_TITLE_SEP = re.compile(r"\s+(?:[-|–—·•:]|::|»)\s+")


def _strip_site_suffix(title: str, site: str) -> str:
    """'Article title - Site Name' -> 'Article title' when the part split off names the site."""
    if not title or not site:
        return title
    site_key = _norm(site.split(".")[0] if "." in site and " " not in site else site).replace(" ", "")
    parts = _TITLE_SEP.split(title)
    if len(parts) < 2 or not site_key:
        return title
    for candidate in (parts[-1], parts[0]):
        key = _norm(candidate).replace(" ", "")
        trailing = candidate is parts[-1]
        if key and (key == site_key or trailing and len(key) > 3 and (
                key.startswith(site_key) or site_key.startswith(key))):
            rest = title[: title.rfind(candidate)].rstrip() if trailing else \
                title[len(candidate):].lstrip()
            rest = re.sub(r"^(?:[-|–—·•:]|::|»)\s*|\s*(?:[-|–—·•:]|::|»)$", "", rest).strip()
            if len(rest) >= 10:
                return rest
    return title


# --- choosing -------------------------------------------------------------------------------

_NOT_MAIN = re.compile(r"comment|sidebar|\bnav|menu|footer|related|widget|promo|teaser", re.I)


def _main_block_text(tree) -> int:
    """Length of the paragraph text in the block that holds the most of it (a rough article size)."""
    scores: dict = {}
    for p in tree.iter("p"):
        n = len(text_of(p))
        if n < 60:
            continue
        parent = p.getparent()
        if parent is None or any(_NOT_MAIN.search((a.get("class") or "") + " " + (a.get("id") or ""))
                                 for a in p.iterancestors()):
            continue
        scores[parent] = scores.get(parent, 0) + n
    return max(scores.values(), default=0)


def _strip_title_heading(body, title: str) -> None:
    """Drop a leading paragraph, or level-1 heading, that repeats the title (front matter holds it).
    A level-1 title that sections follow is the root of the article's outline and stays, as does a
    lower-level heading worded like the title (a section heading of the page's own)."""
    norm = _norm(title)
    if not norm:
        return
    children = [c for c in body if isinstance(c.tag, str)]
    for i, el in enumerate(children[:3]):
        text = _norm(text_of(el))
        if el.tag in ("h1", "h2", "h3", "p", "div") and text and (text == norm or (
                el.tag in ("h1", "h2") and len(text) > 10 and (text in norm or norm in text))):
            if el.tag in ("h2", "h3") or el.tag == "h1" and _sections_follow(children[i + 1:]):
                return
            _remove(el)
            return
        if text:
            return


def _sections_follow(blocks) -> bool:
    """Whether level-2 sections divide the text below a level-1 title (a heading right under the
    title, before any text, is a standfirst)."""
    seen_text = False
    for el in blocks:
        if el.tag == "h2" and seen_text:
            return True
        if el.tag not in ("h1", "h2", "h3", "h4", "h5", "h6") and len(text_of(el)) >= 40:
            seen_text = True
    return False


def _strip_standfirst(body, description: str) -> None:
    """Drop a leading heading that repeats the page's description (the front matter has it)."""
    norm = _norm(description).rstrip(". ")
    if len(norm) < 30:
        return
    for el in list(body)[:2]:
        if not isinstance(el.tag, str):
            continue
        text = _norm(text_of(el))
        if not text:
            continue
        if el.tag in ("h2", "h3", "h4") and text.rstrip(". ") == norm:
            _remove(el)  # a standfirst heading; a lead paragraph equal to it is the article's own
        return


def _trim_tail(body) -> None:
    """Drop trailing boilerplate: a 'Comments' / 'Related' heading with little after it, or such a
    line; whatever the language, what ends the article only by heading or announcing what is not
    there (a heading that is not a sentence, a pull quote; a line ending in a colon: the box of
    links it introduced was left out) and a run of link-only teasers at the end."""
    _trim_dangling(body)
    children = [c for c in body if isinstance(c.tag, str)]
    after = 0
    for el in reversed(children):
        text = text_of(el)
        if after < 200 and el.tag in ("h2", "h3", "h4", "h5", "h6", "p", "div") \
                and (TAIL_HEADING.match(_norm(text) or "-") or len(text) < 100 and TAIL_PROMPT.search(text)):
            idx = children.index(el)
            for junk in children[idx:]:
                _remove(junk)
            children = children[:idx]
            after = 0
            continue
        after += len(text)
        if after >= 200:
            break


def _trim_dangling(body) -> None:
    children = [c for c in body if isinstance(c.tag, str)]
    total = len(text_of(body))
    removed = 0
    while children:
        el = children[-1]
        text = text_of(el)
        if not text and el.find(".//img") is None:
            children.pop()  # an empty block: look past it
            continue
        teasers = []
        for c in reversed(children):
            t = text_of(c)
            if t and _link_share(c) >= 0.9 and len(t) < 300:
                teasers.append(c)
            elif t or c.find(".//img") is not None:
                break
        heading = el.tag in _HEADINGS and len(text) < 80 and not text.endswith((".", "!", "?", "…"))
        if heading or (len(text) < 150 and text.rstrip().endswith((":", "："))
                                   and el.find(".//img") is None):
            drop = [el]
        elif len(teasers) >= 2:
            drop = children[children.index(teasers[-1]):]
        else:
            return
        size = sum(len(text_of(c)) for c in drop)
        if total - removed - size < 500:
            return
        for c in drop:
            _remove(c)
            children.remove(c)
        removed += size


def _link_share(el) -> float:
    text = len(text_of(el))
    links = sum(len(text_of(a)) for a in el.iter("a"))
    return links / text if text else 0.0


def _trim_head(body) -> None:
    """Drop leading teasers (blocks that are only links to other articles, their pictures, a short
    heading over them) before the article's first real paragraph."""
    children = [c for c in body if isinstance(c.tag, str)]
    total = len(text_of(body))
    run, pending, removed_text = [], [], 0
    for i, el in enumerate(children):
        text = text_of(el)
        if not text:
            pending.append(el)  # a picture: goes if more teasers follow
            continue
        nxt = next((c for c in children[i + 1:] if text_of(c)), None)
        if _link_share(el) >= 0.9:
            run += pending + [el]
        elif el.tag in ("h2", "h3", "h4", "h5", "h6") and len(text) < 60 and nxt is not None \
                and _link_share(nxt) >= 0.9:
            run += pending + [el]  # a short heading over a teaser list
        else:
            break
        pending = []
        removed_text += len(text)
    if run and total - removed_text >= 500 and removed_text < 0.4 * total:
        for el in run:
            _remove(el)


def _norm(text: str) -> str:
    return re.sub(r"\W+", " ", text or "").strip().lower()


def extract_article(html: str, url: str = "", resources: dict[str, str] | None = None,
                    mode: str = "article", byline: bool = True) -> Article:
    """Find the article (or keep the whole page in ``mode="page"``) and its metadata; with
    ``byline``, a byline line at the top of the article gives the author and date and goes."""
    tree = parse_html(html)
    base = tree.find(".//base[@href]")
    base_url = url
    if base is not None:
        try:
            base_url = _join(url, base.get("href").strip()) if url else base.get("href").strip()
        except ValueError:
            pass
        if _split(base_url).scheme not in ("http", "https"):
            base_url = url
    normalise_math(tree)  # before the scripts and hidden MathML it reads from go
    _drop_junk(tree)
    if _SHORTCODE_HINT.search(html):
        _strip_shortcodes(tree)
    large = _limit_elements(tree) > LARGE_TREE
    normalise_code(tree)
    clean_heading_links(tree)  # a heading that links to itself is a heading, not a teaser link
    _resolve_images(tree, base_url, resources or {})
    _fold_captions(tree)

    meta = _metadata(tree, url or "")
    art = Article(body=None)
    _fill_metadata(art, tree, meta, url or "")
    doc, seen = _trafilatura(tree, base_url, second_opinion=not large) if mode == "article" else (None, None)

    if mode == "article":
        body = _choose(tree, doc, base_url, art, second_opinion=not large, seen=seen)
    else:
        body = whole_page(tree, strip_chrome=False)
        art.method = "page"
    _flatten(body)
    if reduce_depth(body, MAX_DEPTH):
        art.warnings.append(f"the page is nested more than {MAX_DEPTH} levels deep: the structure below "
                            "that level was flattened (its text is kept)")
    if tree.get("data-clipper-truncated") == "depth":
        art.warnings.append("the page is nested more than 2048 levels deep: the part below that level "
                            "could not be read")
    _strip_title_heading(body, art.title)
    _strip_standfirst(body, art.description)
    if art.method != "page":
        _trim_tail(body)
        _trim_head(body)
    if byline:
        _take_byline(body, art)
    _attach_notes(body, tree)
    art.body = body
    return art


def _take_byline(body, art: Article) -> None:
    """A line among the first blocks that is only a byline ('By Jane Doe · March 3, 2024', 'Texto:
    Ana Ruiz'): its name and date fill the author and date when the page's metadata had none, and
    the line leaves the text (the front matter holds it)."""
    seen = 0
    for el in [c for c in body if isinstance(c.tag, str)][:6]:
        text = text_of(el)
        if not text:
            continue
        if el.tag in _HEADINGS:
            continue
        seen += 1
        if seen > 3:
            return
        if len(text) > 160 or el.tag not in ("p", "div", "address", "span", "small", "time"):
            continue
        name = byline_name(text)
        if not name:
            continue
        if not art.author:
            art.author = name
        if not art.published:
            art.published = parse_date(text)
        _remove(el)
        return


def _shingles(text: str) -> set:
    toks = _COVER_TOKEN.findall(text.lower())  # (a character a word in Chinese, Japanese, Thai)
    if len(toks) < 4:
        return {tuple(toks)} if toks else set()
    return set(zip(toks, toks[1:], toks[2:], toks[3:]))


def _grams(el) -> set:
    """Word 4-grams of an element's text as read (words joined across inline elements)."""
    return _shingles(_plain_joined_text(el, _INLINE_ANY))


def _no_text_message(tree) -> str:
    if tree.get("data-clipper-truncated") == "depth":
        return "the page is nested too deeply to read (more than 2048 levels of elements)"
    return "the page has no text"


def _choose(tree, doc, base_url: str, art: Article, second_opinion: bool = True, seen=None):
    """trafilatura's result, unless readability's clearly fits the article better."""
    t_body = _xml_to_html(doc.body) if doc is not None and doc.body is not None else None
    t_text = text_of(t_body) if t_body is not None else ""
    if second_opinion:
        r_body = seen
    else:
        r_body = _readability(tree) if len(t_text) < 200 else None
    r_text = text_of(r_body) if r_body is not None else ""
    ts = _grams(t_body) if t_body is not None else set()
    rs = _grams(r_body) if r_body is not None else set()
    common = len(ts & rs)
    t_in_r = common / len(ts) if ts else 0.0  # share of trafilatura's text readability also has
    r_in_t = common / len(rs) if rs else 0.0
    pick = "t"
    xml_body = doc.body if doc is not None else None
    if len(ts) < 30 and len(rs) > max(30, 2 * len(ts)):
        pick = "r"  # trafilatura found (almost) nothing
    elif t_in_r >= 0.97 and r_in_t <= 0.6 and len(rs) >= 2 * len(ts):
        pick = "r"  # trafilatura kept only a part of the article readability found
    elif t_in_r < 0.5 and r_in_t < 0.5 and len(rs) >= 2 * len(ts):
        pick = "r"  # they disagree: trafilatura's much shorter text is likely a side block
    elif r_body is not None and len(rs) >= 20 and r_in_t >= 0.5 and xml_body is not None:
        merged = _merge(xml_body, r_body, ts, rs)  # the same article: where do its ends lie?
        if merged is not None and not merged[1]:
            xml_body = merged[0]
        elif r_in_t >= 0.97 and 0.2 <= t_in_r <= 0.8:
            pick = "r"  # trafilatura's blocks mix the article with much else: readability's text
    art.debug = (len(ts), len(rs), round(t_in_r, 2), round(r_in_t, 2))
    body, text = (r_body, r_text) if pick == "r" else (t_body, t_text)
    art.method = "readability" if pick == "r" else "trafilatura"
    if 80 <= len(text) < 5000:
        main = _main_block_text(tree)
        if main > 2000 and len(text) < 0.3 * main:
            art.warnings.append("the article found may be incomplete; "
                                "import the whole page to keep everything")
    if body is None or len(text) < 80:
        other, other_text = (t_body, t_text) if pick == "r" else (r_body, r_text)
        if other is not None and len(other_text) > len(text) and len(other_text) >= 80:
            art.method = "trafilatura" if pick == "r" else "readability"
            return _own_or(tree, xml_body, other) if pick == "r" else other
        page = whole_page(tree)
        if not text_of(page) and not page.xpath(".//img[@src]"):
            page = whole_page(tree, strip_chrome=False)
        if not text_of(page) and not page.xpath(".//img[@src]"):
            if body is not None and (text or body.xpath(".//img[@src]")):
                return _own_or(tree, xml_body, body) if pick == "t" else body
            raise InputError(_no_text_message(tree))
        art.method = "page"
        art.warnings.append("no article found: the whole page was kept")
        return page
    return _own_or(tree, xml_body, body) if pick == "t" else body


_PROSE_CHARS = 150  # a block this long, mostly not link text, is running text (not a teaser, a menu)


def _is_prose(el) -> bool:
    if el.tag in ("head", *_HEADINGS):
        return False
    text = text_of(el)
    if len(text) < _PROSE_CHARS:
        return False
    links = sum(len(text_of(a)) for a in el.iter("ref", "a"))
    return links < 0.5 * len(text)


def _merge(xml_body, r_body, ts: set, rs: set):
    """trafilatura's blocks, cut where readability's article ends, extended where it goes on.

    Both found the same article, but each often misses an end of it: trafilatura keeps the lead
    paragraphs readability leaves in a sibling container and goes on after the article into a
    newsletter box, related links or an author box; readability keeps closing paragraphs
    trafilatura cut. So: trafilatura's blocks from the last page furniture (a menu, teaser links)
    above readability's first block down to readability's last block (unless what follows is as
    long as half readability's article: then it is more of it, the replies of a thread, the rest
    of a page readability read only a part of), with readability's running text beyond
    trafilatura's first or last block. Returns the new XML body (a copy) and whether
    one block of trafilatura's holds much of readability's article and much else (blocks cannot
    tell them apart), or None when no block of trafilatura's is mostly readability's."""
    blocks = [c for c in xml_body if isinstance(c.tag, str)]
    grams = [_shingles(text_of(b)) for b in blocks]  # (trafilatura's text has no inline markup)
    r_blocks = _leaf_blocks(r_body)
    r_lines = {_norm(text_of(b)) for b in r_blocks}
    shared = [i for i, (b, g) in enumerate(zip(blocks, grams, strict=True))
              if g and (len(g & rs) >= 0.5 * len(g) if len(next(iter(g))) == 4
                        else _norm(text_of(b)) in r_lines)]  # (a line of under four words: as a line)
    shares = [_share(b, ts) for b in r_blocks]  # (the runs beyond the shared part read them again)
    r_shared = [i for i, share in enumerate(shares) if share >= 0.5]
    if not shared or not r_shared:
        return None
    start = _lead_start(blocks, shared[0])
    big = max(shared, key=lambda i: len(grams[i]))
    mixed = len(grams[big]) >= 0.5 * len(rs) and len(grams[big] & rs) < 0.8 * len(grams[big])
    end = shared[-1] + 1
    if len(set().union(*grams[end:])) >= 0.5 * len(rs):
        end = len(blocks)  # as much again as readability's article: more of it (a thread's replies)
    r_pictures = {img.get("src") for img in r_body.iter("img")}
    while end < len(blocks) and not text_of(blocks[end]) and _pictures(blocks[end]) \
            and _pictures(blocks[end]) <= r_pictures:
        end += 1  # the article's closing pictures (readability's too): text matching cannot see them
    keep = [b for b in blocks[start:end] if not _stops_lead(b) or blocks.index(b) >= shared[0]]
    before = _prose_run(r_blocks[: r_shared[0]][::-1], shares[: r_shared[0]][::-1])[::-1]
    after = _prose_run(r_blocks[r_shared[-1] + 1:], shares[r_shared[-1] + 1:])
    if len(keep) == len(blocks) and not before and not after:
        return xml_body, mixed
    merged = etree.Element(xml_body.tag)
    for b in before:
        etree.SubElement(merged, "p").text = _xml_text(text_of(b))
    for b in keep:
        merged.append(deepcopy(b))
        merged[-1].tail = None
    for b in after:
        etree.SubElement(merged, "p").text = _xml_text(text_of(b))
    return merged, mixed


def _pictures(el) -> set:
    return {g.get("src") for g in el.iter("graphic", "img")}


def _leaf_blocks(body) -> list:
    """The outermost blocks of ``body`` that hold text and no other blocks, in order."""
    out = []

    def walk(el):
        for c in el:
            if not isinstance(c.tag, str):
                continue
            if c.tag not in _INLINE and not _descends(c):
                if text_of(c):
                    out.append(c)
            elif c.tag not in _INLINE or _descends(c):
                walk(c)

    walk(body)
    return out


def _lead_start(blocks, first: int) -> int:
    """Where the article starts among trafilatura's ``blocks``, readability's starting at
    ``first``: going up, the blocks above it are its lead, up to page furniture (see
    :func:`_stops_lead`) with no running text above it (furniture between the lead and the body,
    a table of contents, goes with the furniture)."""
    start = first
    i = first - 1
    while i >= 0:
        if not _stops_lead(blocks[i]):
            start = i
            i -= 1
            continue
        j = i - 1
        while j >= 0 and not _stops_lead(blocks[j]):
            j -= 1
        if not any(_is_prose(b) for b in blocks[j + 1: i]):
            break
        start, i = j + 1, j
    return start


def _stops_lead(el) -> bool:
    """Whether a block of trafilatura's before readability's article is page furniture (a menu,
    a breadcrumb, teaser links), above which nothing is the article's: a link list or list of
    short items, or a text block that is mostly links. Headings, pictures and paragraphs above
    the article are its title, standfirst, byline and lead."""
    text = text_of(el)
    if not text or el.tag in ("head", *_HEADINGS):
        return False
    links = sum(len(text_of(a)) for a in el.iter("ref", "a"))
    if links >= 0.5 * len(text):
        return True
    if el.tag in ("list", "ul", "ol", "dl"):
        items = [i for i in el if isinstance(i.tag, str)]
        return not items or len(text) / len(items) < 40
    return el.tag not in ("p", "quote", "blockquote", "code", "pre")


def _prose_run(blocks, shares) -> list:
    """The running text readability has that trafilatura's text lacks, from the shared article
    outwards (``blocks`` in that order, ``shares`` the share of each that trafilatura's text
    has), up to the first block of another kind (headings between are kept by the projection
    when the text around them is)."""
    run = []
    for b, share in zip(blocks, shares, strict=True):
        if b.tag in _HEADINGS:
            continue
        if not _is_prose(b) or share >= 0.5:
            break
        run.append(b)
    return run


def _share(el, grams: set) -> float:
    own = _grams(el)
    return len(own & grams) / len(own) if own else 0.0


def _own_or(tree, xml_body, converted):
    own = _own_elements(tree, xml_body)
    return own if own is not None else converted
