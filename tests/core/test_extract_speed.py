"""The extraction's shortcuts give exactly what the slower code they replace gives."""
import re

from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import html as lxml_html

from clipper.core import extract


def test_all_stopwords_is_trafilaturas_stoplist():
    from trafilatura import external

    saved = external.JT_STOPLIST
    try:
        theirs = {w for language in external.get_stoplists() for w in external.get_stoplist(language)}
        assert set(extract._all_stopwords()) == theirs
        assert set(external.JT_STOPLIST) == theirs
    finally:
        external.JT_STOPLIST = saved


def test_all_stopwords_are_read_from_the_cache_once_built(monkeypatch):
    from trafilatura import external

    from clipper.core import wordlists

    saved = external.JT_STOPLIST
    try:
        wordlists._reset()
        built = extract._all_stopwords()
        read = []
        monkeypatch.setattr(extract, "_read_stopwords", lambda folder: read.append(folder) or frozenset())
        wordlists._reset()  # (a new process)
        assert extract._all_stopwords() == built
        assert not read
    finally:
        external.JT_STOPLIST = saved
        wordlists._reset()


def test_justext_takes_the_all_language_stop_list_as_it_is():
    import justext.core
    from trafilatura import external

    extract._speed_up_justext()
    saved = external.JT_STOPLIST
    try:
        ready = extract._all_stopwords()
        assert justext.core.define_stoplist(ready) is ready
        assert justext.core.define_stoplist(tuple(ready)) == ready  # (justext's own, for other lists)
        assert justext.core.define_stoplist(("The", "und")) == {"the", "und"}
    finally:
        external.JT_STOPLIST = saved


def _readabilitys_clean(text):  # readability 0.9's clean(), as it is
    text = re.sub(r"\s{255,}", " " * 255, text)
    text = re.sub(r"\s*\n\s*", "\n", text)
    text = re.sub(r"\t|[ \t]{2,}", " ", text)
    return text.strip()


_PIECES = ["a", "b", ",", " ", "  ", "\t", "\n", "\r", "\u00a0", "\u2003", " " * 300, "\n" * 260, "é"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=40).map("".join))
def test_readabilitys_text_clean_up_is_kept_exactly(text):
    assert extract._readability_clean(text) == _readabilitys_clean(text)


def test_readability_uses_the_faster_clean_up():
    from readability import readability as rd

    extract._readability_class()
    assert rd.clean is extract._readability_clean


def test_text_of_collapses_whitespace_as_the_regex_did():
    el = lxml_html.fragment_fromstring("<div> a\u00a0\u2003b <b>\tc\u2028</b>\x1cd\u3000 </div>")
    assert extract.text_of(el) == re.sub(r"\s+", " ", " ".join(el.itertext())).strip()


def test_shingles_of_short_and_long_texts():
    assert extract._shingles("") == set()
    assert extract._shingles("one two") == {("one", "two")}
    assert extract._shingles("a b c d e") == {("a", "b", "c", "d"), ("b", "c", "d", "e")}


def test_parsed_pages_have_lxml_htmls_element_classes():
    page = ("<html><body><form><label>L</label><input name=a><select><option>o</option></select>"
            "<textarea>t</textarea></form><!-- c --><p>x</p></body></html>")
    ours = extract.parse_html(page)
    theirs = lxml_html.document_fromstring(page)
    assert [type(e) for e in ours.iter()] == [type(e) for e in theirs.iter()]
    assert isinstance(ours.find(".//form"), lxml_html.FormElement)


def test_soft_hyphens_go_as_the_single_pattern_did():
    old = re.compile(r"\u00ad|&shy;|&#173;|&#x0*ad;", re.I)
    for text in ["Baro\u00adlo", "a&shy;b&SHY;c&#173;d&#xAD;e&#x00ad;f", "&s\u00adhy; &sh&shy;y;",
                 "&amp;shy;", "plain &amp; text", "\u00ad&#x0AD;\u00ad"]:
        page = f"<html><body><p>{text}</p></body></html>"
        assert lxml_html.tostring(extract.parse_html(page)) == lxml_html.tostring(
            lxml_html.document_fromstring(old.sub("", page)))


MATH_PAGES = [
    '<p>Area <script type="math/tex">\\pi r^2</script><span class="MathJax">πr2</span>.</p>',
    '<p>Area <script type="MATH/TeX; mode=display">\\pi r^2</script><span class="MJX-x">πr2</span>.</p>',
    '<p>Sum:</p><mjx-container class="MathJax" display="true"><mjx-math>Σ</mjx-math><mjx-assistive-mml>'
    '<math display="block"><mi>a</mi></math></mjx-assistive-mml></mjx-container>',
    '<p><span class="katex"><annotation encoding="application/x-tex">a^2</annotation></span></p>',
    '<p>x <span class="katex-display"><annotation encoding="application/x-tex">b</annotation></span></p>',
    '<p>Pandoc <span class="math inline">\\(a_1\\)</span> and</p><span class="math display">\\[b\\]</span>',
    '<p><span class="arithmatex">\\(x\\)</span> <div class="Tex">$$y$$</div>'
    ' <span class="my_latex">$z$</span></p>',
    '<p><math-renderer>$w$</math-renderer> <math><mn>1</mn></math></p>',
    '<p>No math here: a text-center context, <span class="mathematics">words</span>.</p>',
]


def test_math_is_looked_for_only_where_the_cheap_look_finds_its_signs(monkeypatch):
    from clipper.core import structure

    def converted(fragment, look=True):
        root = lxml_html.fragment_fromstring(fragment, create_parent="div")
        if not look:
            monkeypatch.setattr(structure, "_may_hold_math", lambda root: True)
        structure.normalise_math(root)
        monkeypatch.undo()
        return lxml_html.tostring(root)

    for fragment in MATH_PAGES:
        assert converted(fragment) == converted(fragment, look=False), fragment
    assert structure._may_hold_math(lxml_html.fragment_fromstring(MATH_PAGES[0], create_parent="div"))
    assert not structure._may_hold_math(lxml_html.fragment_fromstring(
        "<div class='text-center context'><p>Plain words about mathematics.</p></div>"))


# --- the saved-page input's scans and the metadata look-ups (issue 16: speed) -----------------

_OLD_SRC_ATTR = re.compile(r"""\b(?:src|data-src|data-lazy-src|data-original|srcset|data-srcset|poster)"""
                           r"""\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)
_OLD_DATA_URI = re.compile(
    r"data:([a-z]+/[a-z0-9.+-]+)?((?:;[a-z0-9-]+=[^;,\"']*)*)(;base64)?,([^\"'\s)>]*)", re.I)
_MARKUP = ["src", "SRC", "Src", "ſrc", "srcset", "data-src", "DATA-LAZY-SRC", "data-original", "data-srcset",
           "poster", "Poster", "data:", "DATA:", "Data:", "image/png", "text/html", ";base64", ";charset=x",
           ",", "=", " = ", '"', "'", "a", "_", "-", "é", "1", " ", ">", "<img ", "x", "iVBOR", "%20", ")"]


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(_MARKUP), max_size=30).map("".join))
def test_image_reference_scans_find_what_the_case_insensitive_patterns_found(text):
    from clipper.core import inputs

    for old, new in ((_OLD_SRC_ATTR, inputs._SRC_ATTR), (_OLD_DATA_URI, inputs._DATA_URI)):
        assert [m.span() + m.groups() for m in new.finditer(text)] == \
            [m.span() + m.groups() for m in old.finditer(text)]


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(_MARKUP + ["dat", "ata:", "d", "A:", ":", "data:data:"]), max_size=30)
       .map("".join))
def test_data_uris_found_from_their_colon_are_those_the_pattern_replaced(text):
    from clipper.core import inputs

    def numbered(calls):
        def repl(m, whole):
            calls.append((whole, m.groups()))
            return f"<{len(calls)}>"
        return repl

    ours, theirs = [], []
    mine = numbered(theirs)
    assert inputs._replace_data_uris(text, numbered(ours)) == \
        inputs._DATA_URI.sub(lambda m: mine(m, m.group(0)), text)
    assert ours == theirs


def _old_meta(tree, *names) -> str:
    for name in names:
        for el in tree.xpath(f"//meta[@property='{name}' or @name='{name}' or @itemprop='{name}']"):
            value = (el.get("content") or "").strip()
            if value:
                return value
    return ""


def test_meta_look_up_gives_what_one_xpath_per_name_gave():
    page = extract.parse_html(
        "<html><head><meta name=description content='  '><meta property=og:title content=' A '>"
        "<meta itemprop=description content=D><meta name=og:title content=B><meta name=x></head>"
        "<body><meta property=og:site_name content=S><div itemprop=author>no meta</div></body></html>")
    for names in [("description",), ("og:title", "twitter:title"), ("twitter:title", "og:title"),
                  ("og:site_name", "application-name"), ("x",), ("missing",), ("content",)]:
        assert extract._meta(page, *names) == _old_meta(page, *names), names


def _old_escape_text(text: str, line_start: bool = True) -> str:
    from clipper.core import convert

    text = convert._ESC_CHARS.sub(r"\\\1", text)
    text = convert._ESC_UNDERSCORE.sub(r"\\_", text)
    text = convert._ESC_LT.sub(r"\\<", text)
    text = convert._ESC_BRACKET.sub(r"\\]", text)
    for rx in convert._ESC_LINE_START if line_start else convert._ESC_NEW_LINE:
        text = rx.sub(r"\1\2\\\3", text)
    return text


_TEXT_BITS = ["a", "_", "a_b", "\r", "\u2028", "\x85",
              "\\", "`", "*", "|", "<", "<b", "</", "<!", "]", "](", "][", "]:", "#", "## ",
              "-", "+", "=", "> ", "1", "12", "٣", ".", ")", "~~~", " ", "\n", "\t", "é"]


@settings(max_examples=800, deadline=None)
@given(st.lists(st.sampled_from(_TEXT_BITS), max_size=25).map("".join), st.booleans())
def test_markdown_escaping_skips_only_substitutions_that_cannot_apply(text, line_start):
    from clipper.core.convert import escape_text

    assert escape_text(text, line_start) == _old_escape_text(text, line_start)


_TAGS = ["div", "p", "pre", "picture", "span", "a", "b", "img", "ol", "option", "ul", "u", "dl", "dd",
         "table", "td", "blockquote", "section", "em", "o:p", "param", "i"]


def _fragment(draw, depth=0):
    tag = draw(st.sampled_from(_TAGS))
    kids = draw(st.lists(st.integers(0, 3), max_size=3)) if depth < 3 else []
    inner = "".join(_fragment(draw, depth + 1) if k else draw(st.sampled_from(
        ["text", "&lt;p&gt; escaped", "<!-- <div> in a comment -->", "<!-- note -->", "x<br>y"]))
        for k in kids)
    attr = draw(st.sampled_from(["", " title='<p>'", " class='img'"]))
    return f"<{tag}{attr}>{inner}</{tag}>"


@settings(max_examples=400, deadline=None)
@given(st.data())
def test_misused_div_test_gives_what_readabilitys_regex_on_the_serialised_children_gave(data):
    from lxml import etree
    from readability.readability import REGEXES

    body = _fragment(data.draw) + _fragment(data.draw)
    page = extract.parse_html(f"<html><body><div>{body}</div></body></html>")
    for div in page.iter("div"):
        serialised = str(b"".join(etree.tostring(child, encoding="utf-8") for child in div))
        assert extract._holds_block(div) == bool(REGEXES["divToPElementsRe"].search(serialised))


def test_readability_uses_the_faster_misused_div_pass():
    from readability import Document

    cls = extract._readability_class()
    if extract._known_source(Document.transform_misused_divs_into_paragraphs, extract._MISUSED_DIVS_SOURCE):
        assert cls.transform_misused_divs_into_paragraphs is extract._transform_misused_divs
    if extract._known_source(Document.remove_unlikely_candidates, extract._UNLIKELY_SOURCE):
        assert cls.remove_unlikely_candidates is extract._remove_unlikely_candidates
    page = ("<html><body><div>lead text<span>inline</span> tail<br><div><p>para</p></div> after"
            "<div>only text</div><a>link</a><b>bold <p>block</p></b></div></body></html>")
    ours, theirs = cls(extract.parse_html(page)), cls(extract.parse_html(page))
    ours._html(True)
    theirs._html(True)
    ours.transform_misused_divs_into_paragraphs()
    Document.transform_misused_divs_into_paragraphs(theirs)
    assert lxml_html.tostring(ours.html) == lxml_html.tostring(theirs.html)


_CLASS_BITS = ["comment", "COMMENT", "Sidebar", "main", "content", "ad-break", "x", "-", " ", "é", "ſ", "K",
               "foot", "FOOTER", "menu", "and", "article", "pager"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_CLASS_BITS), max_size=5).map("".join),
       st.lists(st.sampled_from(_CLASS_BITS), max_size=3).map("".join))
def test_unlikely_candidates_go_as_readability_removed_them(cls, ident):
    from readability import Document

    page = (f"<html><body><div class='{cls}' id='{ident}'><p>text</p></div><div class='{cls}'>"
            "<pre>code</pre></div><article>kept</article></body></html>")
    ours, theirs = extract._readability_class()(extract.parse_html(page)), Document(extract.parse_html(page))
    theirs._parse = ours._parse
    ours._html(True)
    theirs._html(True)
    ours.remove_unlikely_candidates()
    Document.remove_unlikely_candidates(theirs)
    assert lxml_html.tostring(ours.html) == lxml_html.tostring(theirs.html)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_plain_joined_text_is_the_joined_texts_text(data):
    body = _fragment(data.draw) + "tail <b>in</b>line" + _fragment(data.draw)
    page = extract.parse_html(f"<html><body><div>{body}<script>x</script><br>end</div></body></html>")
    for root in page.iter("body", "div", "p", "b"):
        for inline in (extract._INLINE, extract._XML_INLINE, extract._INLINE_ANY):
            assert extract._plain_joined_text(root, inline) == extract._joined_text(root, inline)[0]


def test_quick_find_parent_finds_what_bs4s_finds():
    from bs4 import BeautifulSoup, Tag

    from clipper.core.convert import _Tag

    html = ("<div><pre><code>x<b>y</b></code></pre><p>a <i>b <u>c</u></i></p>"
            "<o:p>d<span>e</span></o:p><table><tr><td><pre>z</pre></td></tr></table></div>")
    soup = BeautifulSoup(html, "lxml", element_classes={Tag: _Tag})
    theirs = BeautifulSoup(html, "lxml")
    ours_tags, their_tags = soup.find_all(True), theirs.find_all(True)
    assert all(type(t) is _Tag for t in ours_tags)
    for ours, their in zip(ours_tags, their_tags, strict=True):
        for name in ("pre", "code", "p", "td", "table", "o:p", "div", "body", "nothing"):
            a, b = ours.find_parent(name), their.find_parent(name)
            assert (a.name if a is not None else None) == (b.name if b is not None else None), (ours, name)
        assert ours.find_parent(["pre", "code"]) is not None or their.find_parent(["pre", "code"]) is None


def test_trafilaturas_comparison_step_is_borrowed_without_its_copy_and_given_back():
    from trafilatura import core

    before = core._extract_and_compare
    undo = extract._compare_without_copy()
    assert undo is not None, "trafilatura's code changed: check _compare_without_copy against it"
    try:
        assert core._extract_and_compare is not before and core._extract_and_compare._clipper
        assert extract._compare_without_copy() is None  # (never wrapped twice)
    finally:
        undo()
    assert core._extract_and_compare is before


def test_an_extraction_leaves_trafilatura_as_it_was():
    from trafilatura import core, external

    before = core._extract_and_compare, external.try_readability
    page = "<html><body><article>" + "<p>Some words of a short article for the test here.</p>" * 12
    art = extract.extract_article(page + "</article></body></html>", url="https://example.org/a")
    assert "Some words" in extract.text_of(art.body)
    assert (core._extract_and_compare, external.try_readability) == before


def test_source_lines_are_inspects_source_for_the_replaced_library_functions():
    import inspect

    from readability import Document
    from trafilatura import core, external

    for func in (Document.transform_misused_divs_into_paragraphs, Document.remove_unlikely_candidates,
                 core._extract_and_compare, external.compare_extraction, extract._coverage):
        assert extract._source_lines(func) == inspect.getsource(func), func.__name__
    assert not extract._known_source(len, "0" * 16)  # (a builtin has no source: not known)


# --- junk removal: one walk for the tags, one test per element for hidden parts --------------

_JUNK_UNION = ("//script[not(@type='application/ld+json')]|//style|//noscript|//template|//rt|//rp"
               "|//iframe|//object|//embed|//svg|//canvas|//form//input[@type='hidden']")
_HIDDEN_UNION = ("//*[@hidden]|//*[@aria-hidden='true'][not(.//img)]"
                 "|//*[@style][contains(translate(@style, ' ', ''), 'display:none')]")
_JUNK_PARTS = ["<script>x()</script>", "<script type='application/ld+json'>{}</script>",
               "<script type='module'>y</script>", "<style>p{}</style>", "<noscript><img src=a></noscript>",
               "<template><p>t</p></template>", "<ruby>漢<rp>(</rp><rt>kan</rt><rp>)</rp></ruby>",
               "<iframe src=f></iframe>", "<object></object>", "<embed>", "<svg><g></g></svg>",
               "<canvas></canvas>", "<input type=hidden name=h>", "<input type=text>", "<form>", "</form>",
               "<div>", "</div>", "<p hidden>h</p>", "<span aria-hidden='true'>*</span>",
               "<div aria-hidden=true><img src=b></div>", "<div style='display: none'>n</div>",
               "<div style='DISPLAY:NONE'>N</div>", "<p style='color:red'>c</p>",
               "<p>text</p>", "tail ", "<!-- note -->"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_JUNK_PARTS), max_size=25).map("".join))
def test_junk_goes_as_the_xpath_unions_removed_it(body):
    tree = extract.parse_html(f"<html><body>{body}<p>end</p></body></html>")
    assert [el for el in tree.iter(extract._JUNK_TAGS) if extract._is_junk(el)] == tree.xpath(_JUNK_UNION)
    assert extract._HIDDEN(tree) == tree.xpath(_HIDDEN_UNION)


# --- the author searches skipped where they cannot select anything ---------------------------

_AUTHOR_TAGS = ["a", "address", "div", "link", "p", "span", "strong", "h3", "h4", "section", "author", "rel"]
_AUTHOR_ATTRS = ["", " rel=author", " id=author", " class=author", " itemprop='author name'", " class=byline",
                 " class=username", " class=byl", " class=BBL", " itemprop=x-author", " id=zuozhe-1",
                 " class=post-AuthorName", " class=channel-name", " class=journalist-name",
                 " class=screenname", " class=writer", " class=Byline", " data-testid=AuthorCard",
                 " data-component=xByline", " id=mainAuthor", " class=AUTHOR", " class=other", " id=x",
                 " title=author", " class=comments", " class=date"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_AUTHOR_TAGS), st.sampled_from(_AUTHOR_ATTRS),
                          st.sampled_from(["Jane Doe", "me", "", "A Name Here"])), max_size=6))
def test_author_searches_are_skipped_only_where_they_select_nothing(parts):
    from trafilatura import metadata as tm
    from trafilatura.xpaths import AUTHOR_XPATHS

    body = "".join(f"<{tag}{attrs}>{text}</{tag}>" for tag, attrs, text in parts)
    tree = extract.parse_html(f"<html><body>{body}<p>end</p></body></html>")
    if not extract._may_name_author(tree):
        assert not any(x(tree) for x in AUTHOR_XPATHS)
        assert tm.extract_author(tree) is None
    assert extract._AUTHOR_XPATHS_KNOWN == [True], "AUTHOR_XPATHS changed: check _may_name_author"
