"""Hostile inputs for the import pipeline (hypothesis strategies) and the checks on what comes out.

Used by ``test_hostile.py`` and ``scripts/fuzz.py``.
"""

from __future__ import annotations

import re

from hypothesis import strategies as st

#: Characters a saved note or an indexed field must never hold: NUL and the other C0 controls
#: except tab and newline, and lone surrogates.
BAD_CHARS = re.compile("[\x00-\x08\x0b-\x1f\ud800-\udfff]")

HOSTILE_TITLES = [
    "../../etc/passwd", "..\\..\\windows\\system32", "CON", "con.md", "NUL", "aux.txt", "LPT1",
    "x" * 300, "é" * 200, "\u202egnp.exe", "a\u200fb\u202dc", "a/b", "a\\b", "...", " . ",
    "-rf", ".hidden", "title\x00with\x00nul", "tab\tand\nnewline", "\ud800lone", "emoji 🎉" * 30,
    "<script>alert(1)</script>", "---", "title: yaml: injection", "'quoted\"", "e\u0301", "",
]

# Text with every sort of trouble: controls, NUL, lone surrogates, bidi, combining marks.
any_char = st.characters(codec=None, categories=None)
nasty_char = st.sampled_from(["\x00", "\x01", "\x1b", "\x7f", "\r", "\x0c", "\ufeff", "\ufffe", "\u202e",
                              "\u2028", "\ud800", "\udfff", "\U0010ffff", "&", "<", ">", "\"", "'",
                              "&#0;", "&#x1;", "&#xd800;", "&#1114112;", "&nbsp;", "]]>", "-->"])
hostile_text = st.lists(st.one_of(any_char, nasty_char, st.sampled_from(HOSTILE_TITLES)),
                        max_size=60).map("".join)

TAGS = ["p", "div", "span", "a", "b", "i", "h1", "h2", "ul", "li", "table", "tr", "td", "pre",
        "code", "blockquote", "img", "script", "style", "title", "meta", "svg", "math", "iframe",
        "template", "noscript", "article", "main", "nav", "br", "hr", "object", "textarea", "xmp"]
ATTRS = ["href", "src", "class", "id", "style", "title", "alt", "content", "name", "onload",
         "charset", "lang", "dir", "srcset", "data-x"]
ATTR_VALUES = st.one_of(hostile_text, st.sampled_from([
    "javascript:alert(1)", "vbscript:x", "data:text/html,<script>x</script>", "file:///etc/passwd",
    "http://[::1", "//evil", "\x00", "https://example.org/a b?c=<d>", "og:title", "utf-16",
    "x-user-defined", "rtl", "author"]))


@st.composite
def elements(draw, depth=0):
    tag = draw(st.sampled_from(TAGS))
    attrs = draw(st.lists(st.tuples(st.sampled_from(ATTRS), ATTR_VALUES), max_size=3))
    attr_text = "".join(f' {k}="{v}"' if draw(st.booleans()) else f" {k}={v}" for k, v in attrs)
    if depth > 3:
        children = [draw(hostile_text)]
    else:
        children = draw(st.lists(st.one_of(hostile_text, elements(depth + 1)), max_size=4))
    close = draw(st.sampled_from([f"</{tag}>", f"</{tag}>", "", "</p>", "</div"]))
    return f"<{tag}{attr_text}>" + "".join(children) + close


@st.composite
def html_documents(draw):
    """Broken, nested, truncated, huge or plain weird HTML."""
    kind = draw(st.sampled_from(["doc", "fragment", "deep", "wide", "truncated", "title", "junk"]))
    if kind == "doc":
        title = draw(st.one_of(st.sampled_from(HOSTILE_TITLES), hostile_text))
        body = "".join(draw(st.lists(elements(), max_size=6)))
        meta = draw(st.sampled_from(["", '<meta charset="utf-16">', '<meta charset="bogus">',
                                     '<meta name="author" content="\x00\u202e">',
                                     '<meta property="og:title" content="../../x">']))
        return f"<!doctype html><html><head>{meta}<title>{title}</title></head><body>{body}</body></html>"
    if kind == "fragment":
        return "".join(draw(st.lists(elements(), min_size=1, max_size=8)))
    if kind == "deep":
        n = draw(st.sampled_from([100, 1000, 5000, 20000]))
        tag = draw(st.sampled_from(["div", "b", "blockquote", "li", "table"]))
        inner = draw(hostile_text) or "deep text"
        closing = f"</{tag}>" * n if draw(st.booleans()) else ""
        return f"<{tag}>" * n + inner + closing
    if kind == "wide":
        n = draw(st.sampled_from([1000, 20000]))
        return "<p>" + "word " * 20 + "</p>" + "<p>x</p>" * n
    if kind == "truncated":
        doc = "<html><head><title>T</title></head><body>" + "".join(draw(st.lists(elements(), max_size=5)))
        cut = draw(st.integers(0, max(0, len(doc))))
        return doc[:cut]
    if kind == "title":
        title = draw(st.sampled_from(HOSTILE_TITLES))
        return (f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
                f"<p>{'Some article text here. ' * 30}</p></article></body></html>")
    return draw(st.text(alphabet=st.sampled_from("<>/=\"'&;#!-[]x \x00\n"), max_size=400))


file_payloads = st.one_of(
    st.binary(max_size=4000),
    html_documents().map(lambda s: s.encode("utf-8", "surrogatepass")),
    html_documents().map(lambda s: s.encode("utf-16", "surrogatepass")),
    hostile_text.map(lambda s: s.encode("latin-1", "replace")),
    st.sampled_from([b"", b"\x00" * 1000, b"\xff\xfe", b"\xef\xbb\xbf", b"---\n: :\n---\nbody",
                     b"---\ntitle: [unclosed\n---\ntext", b"From: x\nContent-Type: multipart/related;"
                     b" boundary=q\n\n--q\nContent-Type: text/html\n\n<p>hi</p>\n--q--"]),
)
file_suffixes = st.sampled_from([".html", ".htm", ".txt", ".md", ".mhtml", "", ".bin", ".xhtml"])


def huge_inputs():
    """A few big cases (not drawn by hypothesis: too slow to generate)."""
    return [
        ("html", "<p>" + "lorem ipsum dolor " * 300_000 + "</p>"),  # ~5 MB of text
        ("html", "<div>" * 100_000 + "deep" + "</div>" * 100_000),
        ("text", ("line with words\n" * 200_000)),
        ("html", "<table>" + "<tr><td>c</td></tr>" * 100_000 + "</table>"),
        ("text", "\x00" * 1_000_000),
    ]


def bad_chars_in(value) -> list[str]:
    """The forbidden characters found in a string (or in the strings of a list/dict)."""
    if value is None:
        return []
    if isinstance(value, str):
        return BAD_CHARS.findall(value)
    if isinstance(value, dict):
        return [c for k, v in value.items() for c in bad_chars_in(str(k)) + bad_chars_in(v)]
    if isinstance(value, (list, tuple)):
        return [c for v in value for c in bad_chars_in(v)]
    return []


def is_internal_error(exc: BaseException) -> bool:
    """An InputError that is really a bug the sandbox papered over (a library exception)."""
    return str(exc).startswith("cannot convert this input (")
