"""Article HTML -> safe Markdown (markdownify with Clipper's rules).

``element_to_markdown(root, base_url="", attachments=None) -> str``: the structure rules of
``structure`` first (code blocks as their plain code, math as TeX, footnotes as ``[^n]``), then
ATX headings, fenced code byte for byte with its language, nested lists with their numbers, pipe
tables with alignment (a table Markdown cannot hold stays as minimal escaped HTML), ``<sup>``/
``<sub>``, ``$…$``/``$$…$$``. Links: absolute http(s)/mailto (relative ones resolved against
``base_url``), in-note ``#anchors``, or with no page URL the page's own relative paths; any other
scheme keeps its text only. Images as ``![alt](attachments/<name>)`` when ``attachments`` maps
their (placeholder) URL to a saved file, else ``![alt](https://…)``. Text that would read as
Markdown or HTML syntax is escaped, so no raw ``<script>``, event handler or ``javascript:`` link
can reach the note. ``to_markdown(html, …)`` converts a string.
"""

from __future__ import annotations

import re

from clipper.core import structure
from clipper.core.lazyimport import defer
from clipper.core.links import safe_url

defer("soupsieve", "chardet")  # imported by bs4 for what notes never use (CSS selectors, byte guessing)

from bs4 import Tag  # noqa: E402
from markdownify import MarkdownConverter  # noqa: E402 -- after defer()

MAX_DEPTH = 80  # markdownify recurses per element; the extractor warns when a page is deeper
_INLINE_TAGS = {"a", "b", "strong", "i", "em", "code", "span", "sub", "sup", "s", "del", "u", "mark",
                "small", "abbr", "cite", "q", "kbd", "samp", "var", "time", "font", "br", "img"}


# --- escaping -------------------------------------------------------------------------------

_ESC_CHARS = re.compile(r"([\\`*|])")
_ESC_UNDERSCORE = re.compile(r"(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])")
_ESC_LT = re.compile(r"<(?=[A-Za-z/!?])")
_ESC_BRACKET = re.compile(r"\](?=[(\[:])")
_LINE_START_SYNTAX = [
    r"(\s*)(#{1,6}(?:\s|$))",
    r"(\s*)([-+=]+(?:\s|$))",
    r"(\s*)(>)",
    r"(\s*\d{1,9})([.)](?:\s|$))",
    r"(\s*)(~~~)",
]
_ESC_LINE_START = [re.compile(r"(^|\n)" + rx) for rx in _LINE_START_SYNTAX]
_ESC_NEW_LINE = [re.compile(r"(\n)" + rx) for rx in _LINE_START_SYNTAX]
_ESC_ANY = re.compile(r"[\\`*|_<\]]")  # a character one of the four substitutions acts on
_LINE_SYNTAX_ANY = re.compile(r"[#\-+=>~\d]")  # one every line-start syntax needs


def escape_text(text: str, line_start: bool = True) -> str:
    """Escape what Markdown would read as syntax (and anything that would become raw HTML).

    ``line_start=False``: the text continues a line, so list/heading/quote markers at its start
    are plain text (raw HTML, links and code are escaped wherever they are).
    """
    # (each substitution only where its character occurs: most text has none of them, and this
    # runs on every piece of text of every page)
    if _ESC_ANY.search(text):
        text = _ESC_CHARS.sub(r"\\\1", text)
        if "_" in text:
            text = _ESC_UNDERSCORE.sub(r"\\_", text)
        if "<" in text:
            text = _ESC_LT.sub(r"\\<", text)
        if "]" in text:
            text = _ESC_BRACKET.sub(r"\\]", text)
    if _LINE_SYNTAX_ANY.search(text):
        if "\n" in text:
            for rx in _ESC_LINE_START if line_start else _ESC_NEW_LINE:
                text = rx.sub(r"\1\2\\\3", text)
        elif line_start:
            # (one line: each pattern can only match at the start, and a search would try every
            # position; a match there is replaced as the substitution would)
            for rx in _ESC_LINE_START:
                m = rx.match(text)
                if m:
                    text = m.expand(r"\1\2\\\3") + text[m.end():]
    return text


def _fence(text: str) -> str:
    longest = max((len(m) for m in re.findall(r"`{3,}", text)), default=2)
    return "`" * max(3, longest + 1)


# Markers between the table cell/row converters and convert_table (no page text holds them:
# lxml cannot store these control characters), and around code blocks kept out of tidy().
_CELL, _CELL_END, _ROW, _ROW_END, _SEP = "\x01", "\x02", "\x03", "\x04", "\x05"
_BLOCK_MARK = re.compile(r"^(.*?)\x0e(\d+)\x0f[ \t]*$", re.M)
_MARKERS = re.compile("[\x01-\x06\x0e\x0f]")
_UNESCAPED_PIPE = re.compile(r"(?<!\\)((?:\\\\)*)\|")


class _Tag(Tag):
    """bs4's Tag with a quick ``find_parent(name)``: markdownify asks it of every element (is it
    inside a <pre>?), and bs4's general matcher made that a fifth of the conversion's time."""

    def find_parent(self, name=None, attrs=None, **kwargs):
        if not isinstance(name, str) or ":" in name or attrs or kwargs:
            return super().find_parent(name, attrs, **kwargs)
        node = self.parent
        while node is not None:
            if node.name == name:
                return node
            node = node.parent
        return None


class _Converter(MarkdownConverter):
    def __init__(self, base_url: str = "", attachments: dict | None = None, **options):
        options.setdefault("heading_style", "ATX")
        options.setdefault("bs4_options", {"features": "lxml", "element_classes": {Tag: _Tag}})
        options.setdefault("bullets", "-")
        options.setdefault("escape_asterisks", False)
        options.setdefault("escape_underscores", False)
        options.setdefault("escape_misc", False)
        options.setdefault("table_infer_header", True)
        options.setdefault("wrap", False)  # the page's line breaks stay (Markdown reads them as spaces)
        options.setdefault("wrap_width", None)
        options.setdefault("newline_style", "BACKSLASH")
        options.setdefault("keep_inline_images_in", ["td", "th", "a"])
        super().__init__(**options)
        self.base_url = base_url
        self.attachments = attachments or {}
        self.blocks: list[str] = []  # fenced code, put back after tidy() (which must not touch it)

    def process_text(self, el, parent_tags=None):
        self._line_start = _starts_line(el)
        return super().process_text(el, parent_tags)

    def escape(self, text, parent_tags):
        return escape_text(text, getattr(self, "_line_start", True)) if text else ""

    def convert_a(self, el, text, parent_tags):
        if "_noformat" in parent_tags:
            return text
        prefix, suffix, text = _chomp(text)
        if not text:
            return ""
        if re.fullmatch(r"(!\[[^\]]*\]\([^)\s]*\)\s*)+", text):
            return prefix + text + suffix  # a linked image: keep the image, drop the link
        href = safe_url(el.get("href") or "", self.base_url)
        if not href:
            return prefix + text + suffix
        if text.replace("\\", "") == href and href.startswith("http"):
            return f"{prefix}<{href}>{suffix}"
        return f"{prefix}[{text}]({href}){suffix}"

    def image_url(self, src: str) -> str:
        target = self.attachments.get(src)
        if target is None:
            target = safe_url(src, self.base_url)
            if not target.startswith("http"):
                target = ""
        return target

    def convert_img(self, el, text, parent_tags):
        target = self.image_url(el.get("src") or "")
        alt = re.sub(r"\s+", " ", el.get("alt") or el.get("title") or "").strip()
        alt = alt.replace("[", "(").replace("]", ")").replace("\\", "")
        if not target:
            return ""
        image = f"![{alt}]({target})"
        parent, prev = el.parent, el.previous_sibling
        after_text = prev is not None and not getattr(prev, "name", None) and str(prev).strip()
        if parent is not None and parent.name in _PICTURE_PARENTS and "_inline" not in parent_tags \
                and not after_text:
            return f"\n\n{image}\n\n"  # a picture of its own, not one inside a line of text
        return image

    def convert_pre(self, el, text, parent_tags):
        if not text.strip():
            return ""
        lang = el.get("data-clipper-lang") or ""
        text = text.rstrip("\n")
        if "_inline" in parent_tags:  # a code block in a heading or table cell: inline code
            return self.convert_code(el, re.sub(r"\s*\n\s*", " ", text), parent_tags - {"_noformat"})
        fence = _fence(text)
        self.blocks.append(f"{fence}{lang}\n{text}\n{fence}")
        return f"\n\n\x0e{len(self.blocks) - 1}\x0f\n\n"

    def convert_hN(self, n, el, text, parent_tags):  # noqa: N802 (markdownify's name)
        if not text.strip():
            return ""
        return super().convert_hN(n, el, text.replace("\n", " "), parent_tags)

    # tables: each cell and row is marked, convert_table lays them out
    def convert_td(self, el, text, parent_tags):
        kind = "h" if el.name == "th" else "d"
        align = structure.cell_align(el)[:1]
        cell = re.sub(r"\s*\n\s*", " ", text.strip())
        return f"{_CELL}{kind}{align}{_SEP}{cell}{_CELL_END}"

    convert_th = convert_td

    def convert_tr(self, el, text, parent_tags):
        head = "H" if el.parent is not None and el.parent.name == "thead" else ""
        return f"{_ROW}{head}{text}{_ROW_END}"

    def convert_table(self, el, text, parent_tags):
        rows = []
        for row in re.findall(f"{_ROW}(H?)(.*?){_ROW_END}", text, re.S):
            cells = re.findall(f"{_CELL}([hd])([lrc]?){_SEP}(.*?){_CELL_END}", row[1], re.S)
            if cells:
                rows.append((bool(row[0]), cells))
        if not rows:
            return _MARKERS.sub("", text)
        width = max(len(cells) for _, cells in rows)
        if not any(c[2].strip() for _, cells in rows for c in cells):
            return ""
        body = [r for i, r in enumerate(rows) if i == 0 or any(c[2].strip() for c in r[1])]
        aligns = [""] * width
        for _, cells in body[:2]:
            for i, cell in enumerate(cells):
                aligns[i] = aligns[i] or cell[1]
        marks = {"": "---", "l": ":---", "r": "---:", "c": ":---:"}

        def line(cells):
            values = [_UNESCAPED_PIPE.sub(r"\1\\|", c[2].strip()) for c in cells]
            values += [""] * (width - len(values))
            return "| " + " | ".join(values) + " |"
        out = [line(body[0][1]), "| " + " | ".join(marks[a] for a in aligns) + " |"]
        out += [line(cells) for _, cells in body[1:]]
        if "_inline" in parent_tags:
            return " " + " ".join(_MARKERS.sub("", c[2]) for _, cells in body for c in cells) + " "
        return "\n\n" + "\n".join(out) + "\n\n"

    def convert_li(self, el, text, parent_tags):
        if "td" in parent_tags or "th" in parent_tags:
            text = text.strip()
            return f"{text}; " if text else ""
        return super().convert_li(el, text, parent_tags)

    def convert_list(self, el, text, parent_tags):
        if "td" in parent_tags or "th" in parent_tags:
            return " " + text.strip().rstrip(";") + " "
        return super().convert_list(el, text, parent_tags)

    convert_ul = convert_list
    convert_ol = convert_list

    def convert_br(self, el, text, parent_tags):
        if "td" in parent_tags or "th" in parent_tags:
            return "<br>"  # GitHub-flavoured tables hold line breaks this way
        parent = el.parent
        if parent is not None and parent.name in _INLINE_TAGS:
            rest = el.next_sibling
            while rest is not None and not getattr(rest, "name", None) and not str(rest).strip():
                rest = rest.next_sibling
            if rest is None:
                return " "  # a break that ends bold/italic/link text would break its markup
        return super().convert_br(el, text, parent_tags)

    def convert_code(self, el, text, parent_tags):
        if "_noformat" not in parent_tags:
            text = re.sub(r"[ \t]*\n\s*", " ", text)  # inline code is one line (Markdown reads it so)
        return super().convert_code(el, text, parent_tags)

    convert_kbd = convert_code
    convert_samp = convert_code

    def convert_sup(self, el, text, parent_tags):
        return _tagged("sup", text, parent_tags)

    def convert_sub(self, el, text, parent_tags):
        return _tagged("sub", text, parent_tags)

    def convert_clipper_math(self, el, text, parent_tags):
        tex = el.get_text().strip()
        if not tex:
            return ""
        tex = re.sub(r"<\s*", r"\\lt ", re.sub(r">\s*", r"\\gt ", tex))  # never raw HTML, even in math
        tex = tex.replace("](", "] (")  # nor a link, where math is not rendered (TeX ignores the space)
        tex = re.sub(r"\n\s*\n", "\n", tex)
        if el.name == "clipper-displaymath" and "_inline" not in parent_tags:
            return f"\n\n$$\n{tex}\n$$\n\n"
        tex = re.sub(r"\s*\n\s*", " ", tex).replace("$", r"\$")
        return f"${tex}$"

    convert_clipper_displaymath = convert_clipper_math

    def convert_clipper_fnref(self, el, text, parent_tags):
        label = el.get_text().strip()
        return f"[^{label}]" if label else ""

    def convert_clipper_html(self, el, text, parent_tags):
        markup = el.get_text()
        if "_inline" in parent_tags:
            return " " + markup + " "
        return f"\n\n{markup}\n\n"

    def convert_figcaption(self, el, text, parent_tags):
        text = text.strip()
        return f"\n\n*{text}*\n\n" if text else ""

    def convert_script(self, el, text, parent_tags):
        return ""

    convert_style = convert_script
    convert_noscript = convert_script
    convert_template = convert_script

    def convert_input(self, el, text, parent_tags):
        if (el.get("type") or "").lower() == "checkbox":
            return "[x] " if el.has_attr("checked") else "[ ] "
        return ""


def _tagged(tag: str, text: str, parent_tags) -> str:
    if "_noformat" in parent_tags:
        return text
    prefix, suffix, text = _chomp(text)
    return f"{prefix}<{tag}>{text}</{tag}>{suffix}" if text else prefix + suffix


_PICTURE_PARENTS = ("div", "figure", "body", "section", "article", "p", "[document]")


def _starts_line(node) -> bool:
    """Whether a text node begins a line of the output (so '- ' or '# ' there would be syntax)."""
    while True:
        prev = node.previous_sibling
        while prev is not None and not getattr(prev, "name", None) and not str(prev).strip():
            prev = prev.previous_sibling
        if prev is not None:
            return getattr(prev, "name", None) == "br"
        parent = node.parent
        if parent is None or parent.name not in _INLINE_TAGS:
            return True
        if parent.name in _MARKED:
            return False  # the line starts with the element's own mark ('**', '[', '<sub>')
        node = parent


_MARKED = {"a", "b", "strong", "i", "em", "code", "sub", "sup", "s", "del", "u", "mark", "q", "kbd", "samp"}
_SAME = {"b": "strong", "i": "em", "strike": "s"}  # tags written with the same mark


def merge_adjacent_marks(root) -> None:
    """``<b>one </b><b>two</b>`` -> ``<b>one two</b>``: editors split a bold or italic run into
    pieces; converted one by one, with nothing between them, they give '**one ****two**', which
    Markdown reads as something else."""
    for el in list(root.iter(*_MARKED)):  # empty ones first: they would keep the pieces apart
        if not len(el) and not el.text and el.tag != "a" and el.getparent() is not None:
            structure.remove(el)
    for el in list(root.iter()):
        if not isinstance(el.tag, str) or el.getparent() is None or el.tag not in _MARKED \
                or el.tag in ("a", "code", "sub", "sup"):
            continue
        kind = _SAME.get(el.tag, el.tag)
        while True:
            nxt = el.getnext()
            if nxt is None or not isinstance(nxt.tag, str) or _SAME.get(nxt.tag, nxt.tag) != kind \
                    or el.tail or nxt.attrib != el.attrib:
                break
            if len(el):
                el[-1].tail = (el[-1].tail or "") + (nxt.text or "")
            else:
                el.text = (el.text or "") + (nxt.text or "")
            for child in list(nxt):
                el.append(child)
            el.tail = nxt.tail
            el.getparent().remove(nxt)


def _chomp(text: str):
    prefix = " " if text and text[0] == " " else ""
    suffix = " " if text and text[-1] == " " else ""
    return prefix, suffix, text.strip()


def _prepare_tables(root, url_for, image_for) -> None:
    """Layout tables become plain blocks, tables Markdown cannot hold become clean HTML, a pipe
    table's caption becomes the paragraph above it. Outermost first."""
    from lxml import etree

    for table in list(root.iter("table")):
        if table is not root and root not in set(table.iterancestors()):
            continue  # inside a table already kept as HTML
        kind = structure.table_kind(table)
        if kind == "layout":
            table.tag = "div"
            table.attrib.clear()
            parts = table.xpath("./thead|./tbody|./tfoot|./caption|./colgroup")
            rows = table.xpath("./tr|./thead/tr|./tbody/tr|./tfoot/tr")
            cells = [c for r in rows for c in r.xpath("./td|./th")]
            for el in (*parts, *rows, *cells):
                el.tag = "div"
                el.attrib.pop("colspan", None)
        elif kind == "html":
            html = structure.clean_table_html(table, url_for, image_for)
            new = etree.Element("clipper-html")
            new.text = html
            new.tail = table.tail
            table.getparent().replace(table, new) if table.getparent() is not None else None
        else:
            for caption in table.xpath("./caption"):
                text = "".join(caption.itertext()).strip()
                table.remove(caption)
                if text and table.getparent() is not None:
                    p = etree.Element("p")
                    p.text = structure.xml_text(text)
                    table.addprevious(p)


def element_to_markdown(root, base_url: str = "", attachments: dict | None = None) -> str:
    """Convert an lxml HTML element (an article body) to Markdown (the element is changed)."""
    from lxml import etree

    conv = _Converter(base_url=base_url, attachments=attachments)
    structure.normalise_math(root)
    structure.normalise_code(root)
    structure.reduce_depth(root, MAX_DEPTH)
    structure.clean_heading_links(root)
    merge_adjacent_marks(root)
    notes = structure.footnotes(root)
    _prepare_tables(root, lambda href: safe_url(href, base_url), conv.image_url)
    html = etree.tostring(root, encoding="unicode", method="html")
    md = _convert(conv, html)
    defs = []
    for label, note in notes:
        note.tag = "div"
        note.tail = None
        text = _convert(_Converter(base_url=base_url, attachments=attachments),
                        etree.tostring(note, encoding="unicode", method="html")).strip()
        if text:
            defs.append(f"[^{label}]: " + text.replace("\n", "\n    ").replace("\n    \n", "\n\n"))
    if defs:
        md = md.rstrip("\n") + "\n\n" + "\n\n".join(defs) + "\n"
    return md


def to_markdown(html: str, base_url: str = "", attachments: dict | None = None) -> str:
    return _convert(_Converter(base_url=base_url, attachments=attachments), html)


def _convert(conv: _Converter, html: str) -> str:
    md = tidy(_MARKERS_OUTSIDE.sub("", conv.convert(html)))

    def put_back(m):
        prefix, block = m.group(1), conv.blocks[int(m.group(2))]
        rest = re.sub(r"[^\s>]", " ", prefix)
        lines = block.split("\n")
        return "\n".join([prefix + lines[0]] + [(rest + ln) if ln else rest.rstrip() for ln in lines[1:]])
    md = _BLOCK_MARK.sub(put_back, md) if conv.blocks else md
    return _MARKERS.sub("", md)


_MARKERS_OUTSIDE = re.compile("[\x01-\x06]")


def tidy(md: str) -> str:
    """Normalise blank lines and trailing spaces; drop empty links and lines of only markup."""
    md = md.replace("\r\n", "\n").replace("\u00a0", " ")
    md = re.sub(r"^[ \t\u200b\u200c\u200d\ufeff]+$", "", md, flags=re.M)
    md = re.sub(r"[ \t]+\n", "\n", md)
    md = re.sub(r"(?<!\\)\\\n(?=[ \t]*\n|[ \t]*\Z)", "\n", md)  # a line break that ends a block
    md = re.sub(r"(?<!\\)\\\s*\Z", "", md)
    md = re.sub(r"(?<!!)\[\]\([^)]*\)", "", md)  # empty links
    out = []
    for line in md.split("\n"):
        if re.fullmatch(r"\s*([-*+]|\d+\.)?\s*", line) and line.strip():
            continue  # an empty list item
        if out and out[-1].endswith("\\") and not out[-1].endswith("\\\\"):
            line = line.lstrip(" \t")  # the line after a hard break (a lazy continuation line)
        out.append(line)
    md = "\n".join(out)
    md = re.sub(r"\n{3,}", "\n\n", md)
    return md.strip("\n") + "\n" if md.strip() else ""
