"""Article HTML -> safe Markdown (markdownify with Clipper's rules).

``to_markdown(html, base_url="", attachments=None) -> str``: ATX headings, pipe tables, fenced
code with the language when known, links absolute against ``base_url``; images as
``![alt](attachments/<name>)`` when ``attachments`` maps their (placeholder) URL to a saved file,
else ``![alt](https://…)``. Only http, https and mailto links (and ``attachments/…``) survive;
any other scheme keeps its text only. Text that would read as Markdown or HTML syntax is
escaped, so no raw ``<script>``, event handler or ``javascript:`` link can reach the note.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urljoin, urlsplit

from markdownify import MarkdownConverter

SAFE_SCHEMES = ("http", "https", "mailto")
MAX_DEPTH = 80  # deeper nesting is flattened (markdownify recurses per element)

_LANG_CLASS = re.compile(
    r"(?:^|\s)(?:language|lang|highlight-source|highlight|brush:?|sourceCode)-?\s*([A-Za-z0-9_+#.-]{1,30})",
)
_LANG_WORDS = {
    "python", "py", "javascript", "js", "typescript", "ts", "java", "c", "cpp", "c++", "csharp", "cs",
    "go", "golang", "rust", "ruby", "rb", "php", "bash", "sh", "shell", "console", "zsh", "powershell",
    "sql", "html", "xml", "css", "scss", "json", "yaml", "yml", "toml", "ini", "kotlin", "swift", "scala",
    "r", "perl", "lua", "haskell", "elixir", "erlang", "clojure", "dart", "diff", "dockerfile",
    "makefile", "markdown", "md", "text", "plaintext", "objectivec", "matlab", "julia", "nginx", "jsx", "tsx",
}
_INLINE_TAGS = {"a", "b", "strong", "i", "em", "code", "span", "sub", "sup", "s", "del", "u", "mark",
                "small", "abbr", "cite", "q", "kbd", "samp", "var", "time", "font", "br", "img"}


def code_language(el) -> str:
    """The language a code block declares (``class="language-python"`` and friends), or ""."""
    for node in [el, *el.iterdescendants()][:4]:
        if not isinstance(node.tag, str):
            continue
        lang = node.get("data-lang") or node.get("data-language") or ""
        if not lang:
            cls = node.get("class") or ""
            m = _LANG_CLASS.search(cls)
            if m:
                lang = m.group(1)
            else:
                lang = next((w for w in cls.lower().split() if w in _LANG_WORDS), "")
        lang = lang.strip().lower()
        if lang and re.fullmatch(r"[a-z0-9_+#.-]{1,30}", lang) and lang not in ("none", "nohighlight"):
            return lang
    return ""


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


def escape_text(text: str, line_start: bool = True) -> str:
    """Escape what Markdown would read as syntax (and anything that would become raw HTML).

    ``line_start=False``: the text continues a line, so list/heading/quote markers at its start
    are plain text (raw HTML, links and code are escaped wherever they are).
    """
    text = _ESC_CHARS.sub(r"\\\1", text)
    text = _ESC_UNDERSCORE.sub(r"\\_", text)
    text = _ESC_LT.sub(r"\\<", text)
    text = _ESC_BRACKET.sub(r"\\]", text)
    for rx in _ESC_LINE_START if line_start else _ESC_NEW_LINE:
        text = rx.sub(r"\1\2\\\3", text)
    return text


def safe_url(href: str, base_url: str = "") -> str:
    """An absolute http(s)/mailto URL (or ``attachments/…``) for ``href``, or "" if unsafe/useless."""
    href = (href or "").strip()
    href = re.sub(r"[\x00-\x1f\x7f]+", "", href)  # browsers drop tabs and newlines inside URLs
    if not href or href.startswith("#"):
        return ""
    if href.startswith("attachments/") and ".." not in href:
        return href
    try:
        if base_url:
            href = urljoin(base_url, href)
        parts = urlsplit(href)
    except ValueError:
        return ""
    if parts.scheme.lower() not in SAFE_SCHEMES:
        return ""
    if parts.scheme.lower() != "mailto" and not parts.netloc:
        return ""
    return quote(href, safe="/:?#[]@!$&'*+,;=%~-._")  # keeps the URL, encodes spaces and ( )


def _fence(text: str) -> str:
    longest = max((len(m) for m in re.findall(r"`{3,}", text)), default=2)
    return "`" * max(3, longest + 1)


class _Converter(MarkdownConverter):
    def __init__(self, base_url: str = "", attachments: dict | None = None, **options):
        options.setdefault("heading_style", "ATX")
        options.setdefault("bs4_options", "lxml")
        options.setdefault("bullets", "-")
        options.setdefault("escape_asterisks", False)
        options.setdefault("escape_underscores", False)
        options.setdefault("escape_misc", False)
        options.setdefault("table_infer_header", True)
        options.setdefault("wrap", True)  # with no width: newlines in the source become spaces
        options.setdefault("wrap_width", None)
        options.setdefault("newline_style", "BACKSLASH")
        options.setdefault("keep_inline_images_in", ["td", "th", "a"])
        super().__init__(**options)
        self.base_url = base_url
        self.attachments = attachments or {}

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

    def convert_img(self, el, text, parent_tags):
        src = el.get("src") or ""
        target = self.attachments.get(src)
        if target is None:
            target = safe_url(src, self.base_url)
            if not target.startswith("http"):
                target = ""
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
        text = text.strip("\n")
        fence = _fence(text)
        return f"\n\n{fence}{lang}\n{text}\n{fence}\n\n"

    def convert_hN(self, n, el, text, parent_tags):  # noqa: N802 (markdownify's name)
        if not text.strip():
            return ""
        return super().convert_hN(n, el, text.replace("\n", " "), parent_tags)

    def convert_td(self, el, text, parent_tags):
        return " " + re.sub(r"\s*\n\s*", " ", text.strip()) + " |" * _colspan(el)

    convert_th = convert_td

    def convert_tr(self, el, text, parent_tags):
        if not text.strip(" |"):
            return ""
        return super().convert_tr(el, text, parent_tags)

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
        parent = el.parent
        if parent is not None and parent.name in _INLINE_TAGS:
            rest = el.next_sibling
            while rest is not None and not getattr(rest, "name", None) and not str(rest).strip():
                rest = rest.next_sibling
            if rest is None:
                return " "  # a break that ends bold/italic/link text would break its markup
        return super().convert_br(el, text, parent_tags)

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
        node = parent


def _colspan(el) -> int:
    value = el.get("colspan") or ""
    return max(1, min(50, int(value))) if value.isdigit() else 1


def _chomp(text: str):
    prefix = " " if text and text[0] == " " else ""
    suffix = " " if text and text[-1] == " " else ""
    return prefix, suffix, text.strip()


# Characters lxml refuses in .text (its HTML parser lets them through from the page).
_XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _xml_text(text: str) -> str:
    return _XML_UNSAFE.sub("", text)


def _flatten_deep(root, max_depth: int = MAX_DEPTH) -> None:
    """Unwrap elements nested deeper than ``max_depth`` (keeps their text)."""
    stack = [(root, 0)]
    while stack:
        el, depth = stack.pop()
        children = list(el)
        if depth >= max_depth:
            for child in children:
                if isinstance(child.tag, str) and len(child):
                    for sub in child.iterdescendants():
                        if isinstance(sub.tag, str):
                            sub.tag = "span" if sub.tag not in ("br", "img") else sub.tag
                    child.tag = "div" if child.tag not in _INLINE_TAGS else child.tag
                    # drop all structure below this level
                    text = "".join(child.itertext())
                    tail = child.tail
                    child.clear()
                    child.text = _xml_text(text)
                    child.tail = tail
            continue
        for child in children:
            stack.append((child, depth + 1))


_BLOCKS = ("p", "div", "ul", "ol", "table", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre",
           "section")


def _is_layout_table(table) -> bool:
    """A table used for page layout (or holding whole paragraphs): pipe syntax would mangle it."""
    rows = table.xpath("./tr|./thead/tr|./tbody/tr|./tfoot/tr")
    if not rows:
        return True
    if table.xpath(".//table"):
        return True
    widths = [len(r.xpath("./td|./th")) for r in rows]
    if max(widths, default=0) <= 1:
        return True
    for cell in table.xpath(".//td|.//th"):
        blocks = [c for c in cell if isinstance(c.tag, str) and c.tag in _BLOCKS]
        if len(blocks) > 1 or len("".join(cell.itertext())) > 400:
            return True
    return False


def _unwrap_layout_tables(root) -> None:
    """Layout tables become plain blocks (each cell its own paragraph), innermost first."""
    for table in reversed(list(root.iter("table"))):
        if table.getparent() is None or not _is_layout_table(table):
            continue
        table.tag = "div"
        table.attrib.clear()
        for el in table.iter():
            if el is table or not isinstance(el.tag, str):
                continue
            if el.tag in ("tr", "td", "th", "tbody", "thead", "tfoot", "caption"):
                el.tag = "div"
                el.attrib.pop("colspan", None)


def element_to_markdown(root, base_url: str = "", attachments: dict | None = None) -> str:
    """Convert an lxml HTML element (an article body) to Markdown."""
    from lxml import etree

    _flatten_deep(root)
    _unwrap_layout_tables(root)
    for pre in root.iter("pre"):
        lang = code_language(pre)
        if lang:
            pre.set("data-clipper-lang", lang)
        # keep only text inside code blocks (markdownify would otherwise format spans)
        text = "".join(pre.itertext())
        for child in list(pre):
            pre.remove(child)
        pre.text = _xml_text(text)
    html = etree.tostring(root, encoding="unicode", method="html")
    return to_markdown(html, base_url=base_url, attachments=attachments)


def to_markdown(html: str, base_url: str = "", attachments: dict | None = None) -> str:
    md = _Converter(base_url=base_url, attachments=attachments).convert(html)
    return tidy(md)


def tidy(md: str) -> str:
    """Normalise blank lines and trailing spaces; drop empty links and lines of only markup."""
    md = md.replace("\r\n", "\n").replace("\u00a0", " ")
    md = re.sub(r"^[ \t\u200b\u200c\u200d\ufeff]+$", "", md, flags=re.M)
    md = re.sub(r"[ \t]+\n", "\n", md)
    md = re.sub(r"(?<!\\)\\\n(?=[ \t]*\n|[ \t]*\Z)", "\n", md)  # a line break that ends a block
    md = re.sub(r"(?<!\\)\\\s*\Z", "", md)
    md = re.sub(r"(?<!!)\[\]\([^)]*\)", "", md)  # empty links
    lines, out, in_fence = md.split("\n"), [], False
    for line in lines:
        if line.startswith(("```", "~~~")):
            in_fence = not in_fence
        if not in_fence and re.fullmatch(r"\s*([-*+]|\d+\.)?\s*", line) and line.strip():
            continue  # an empty list item
        if not in_fence and out and out[-1].endswith("\\") and not out[-1].endswith("\\\\"):
            line = line.lstrip(" \t")  # the line after a hard break (a lazy continuation line)
        out.append(line)
    md = "\n".join(out)
    md = re.sub(r"\n{3,}", "\n\n", md)
    return md.strip("\n") + "\n" if md.strip() else ""
