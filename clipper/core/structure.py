"""Page HTML -> the same tree with its structure made plain for Markdown (lxml, in place).

``normalise_code(root)``: every code block becomes one ``<pre>`` holding exactly its code (token
spans, line-number gutters and copy buttons gone; ``<br>``/per-line elements become newlines) with
its language in ``data-clipper-lang``. ``normalise_math(root)``: MathML, KaTeX, MathJax and
``\\(…\\)`` sources become ``<clipper-math>TeX</clipper-math>`` (a block of its own:
``<clipper-displaymath>``).
``clean_heading_links(root)``: permalink anchors inside headings are dropped or unwrapped.
``footnotes(root)``: footnote references become ``<clipper-fnref>label</clipper-fnref>`` and the
notes are taken out of the tree, returned as ``[(label, element)]``. ``reduce_depth(root, n)``:
nesting deeper than ``n`` is undone (misnested blocks lifted out, then flattened), returning
whether any structure had to be flattened. ``table_kind(table)``: "layout", "pipe" or "html";
``clean_table_html(table, url_for)``: a table Markdown cannot hold as minimal, escaped HTML.
All are idempotent, so the extractor and the converter may both run them.

Why one module of this size: one pass over the lxml tree; its rules (code, tables, lists,
figures, headings) read and change the same nodes in an order that matters.
"""

from __future__ import annotations

import html as html_lib
import re

from lxml import etree

# Characters lxml refuses in .text/.tail (its HTML parser lets them through from the page).
_XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_WS = re.compile(r"\s+")


def xml_text(text: str) -> str:
    return _XML_UNSAFE.sub("", text)


def remove(el) -> None:
    """Take ``el`` out of the tree, keeping its tail text in place."""
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    if tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = xml_text((prev.tail or "") + tail)
        else:
            parent.text = xml_text((parent.text or "") + tail)
    parent.remove(el)


def unwrap(el) -> None:
    """Replace ``el`` by its children and text (lxml's drop_tag for any element)."""
    parent = el.getparent()
    if parent is None:
        return
    idx = parent.index(el)
    prev = el.getprevious()
    text, tail = el.text or "", el.tail or ""
    if text:
        if prev is not None:
            prev.tail = xml_text((prev.tail or "") + text)
        else:
            parent.text = xml_text((parent.text or "") + text)
    children = list(el)
    for i, child in enumerate(children):
        parent.insert(idx + i, child)
    if tail:
        last = children[-1] if children else el.getprevious()
        if last is not None and last is not el:
            last.tail = xml_text((last.tail or "") + tail)
        else:
            parent.text = xml_text((parent.text or "") + tail)
    parent.remove(el)


def _classes(el) -> str:
    return el.get("class") or "" if isinstance(el.tag, str) else ""


def _is_el(node) -> bool:
    return isinstance(node.tag, str)


# --- code blocks ----------------------------------------------------------------------------

_LANG_CLASS = re.compile(r"(?:^|\s)(?:lang(?:uage)?-|highlight-(?:source-)?|brush:\s*|hljs-lang-)"
                         r"([A-Za-z0-9_+#.-]{1,30})")
_LANG_WORDS = {
    "python", "py", "javascript", "js", "typescript", "ts", "java", "c", "cpp", "c++", "csharp", "cs",
    "go", "golang", "rust", "ruby", "rb", "php", "bash", "sh", "shell", "console", "zsh", "powershell",
    "sql", "html", "xml", "css", "scss", "json", "yaml", "yml", "toml", "ini", "kotlin", "swift", "scala",
    "r", "perl", "lua", "haskell", "elixir", "erlang", "clojure", "dart", "diff", "dockerfile",
    "makefile", "markdown", "md", "text", "plaintext", "objectivec", "matlab", "julia", "nginx", "jsx", "tsx",
}
_NOT_LANG = {"none", "nohighlight", "default", "plain", "notranslate", "source", "block", "inline", "wrap",
             "numbers", "line", "lines", "copy"}
# Line-number gutters (Pygments, rouge, Prism, highlight.js, Docusaurus, GitHub): digits only.
_GUTTER_CLASS = re.compile(r"line-?num|linenos?|lineno|gutter|(?:^|\s)lnt?(?:$|\s)|hljs-ln-n|blob-num", re.I)
_COPY_CLASS = re.compile(r"copy|clipboard|clip-btn|clip-button", re.I)
_LINE_CLASS = re.compile(r"(?:^|\s)(?:token-|code-|highlight-)?line(?:$|\s)", re.I)
_CODE_TABLE_CLASS = re.compile(r"highlight|code|hljs|blob|rouge|lineno|gutter|source|listing|syntax", re.I)
_DIGITS = re.compile(r"^[\s\d.:]*$")


def _lang_of(node, words: bool) -> str:
    lang = node.get("data-lang") or node.get("data-language") or ""
    if not lang:
        cls = _classes(node)
        m = _LANG_CLASS.search(cls)
        if m:
            lang = m.group(1)
        elif words:
            lang = next((w for w in cls.lower().split() if w in _LANG_WORDS), "")
    lang = lang.strip().lower()
    if lang and re.fullmatch(r"[a-z0-9_+#.-]{1,30}", lang) and lang not in _NOT_LANG:
        return lang
    return ""


def code_language(el) -> str:
    """The language a code block declares: its own or its code's ``class="language-x"``/``lang-x``/
    ``highlight-x``/``data-lang``, or a wrapper's (Sphinx, MkDocs, GitHub put it on a ``<div>``)."""
    if el.get("data-clipper-lang") is not None:
        return el.get("data-clipper-lang")
    for node in [el, *list(el.iterdescendants("code"))[:2]]:  # not token spans: Pygments' "go" is output
        lang = _lang_of(node, words=True)
        if lang:
            return lang
    for depth, node in enumerate(el.iterancestors()):
        if depth >= 3 or node.tag in ("body", "article", "main", "section"):
            break
        lang = _lang_of(node, words=False)
        if lang:
            return lang
    return ""


def _gutter_table(table):
    """The code of a table that lays a gutter of line numbers beside code, or None."""
    rows = table.xpath("./tr|./thead/tr|./tbody/tr")
    if not rows:
        return None
    cells = [r.xpath("./td|./th") for r in rows]
    if len(rows) <= 2:  # Pygments, rouge, Hugo, MkDocs: a gutter cell of numbers beside a cell of code
        for row in cells:
            code = [c for c in row if not _DIGITS.match("".join(c.itertext()))]
            gutter = [c for c in row if c not in code]
            if len(code) == 1 and code[0].xpath(".//pre") and gutter and all(
                    g.xpath(".//pre") or _GUTTER_CLASS.search(_classes(g)) for g in gutter):
                return ("pre", code[0].xpath(".//pre")[-1])
    hint = _CODE_TABLE_CLASS.search(_classes(table)) or any(
        _CODE_TABLE_CLASS.search(_classes(c)) for c in table.iter("td", "th"))
    if not hint or len(rows) < 2 or any(len(r) != 2 for r in cells):  # highlight.js, GitHub: a row a line
        return None
    if not all(_DIGITS.match("".join(r[0].itertext())) for r in cells):
        return None
    lines = ["".join(_code_text(r[1])).rstrip("\n") for r in cells]
    return ("lines", "\n".join(lines))


def _code_text(el) -> list[str]:
    """The text of a code element, with line breaks for <br> and per-line blocks."""
    out: list[str] = []

    def walk(node):
        if not _is_el(node):
            return
        if node.tag == "br":
            out.append("\n")
        else:
            if node.text:
                out.append(node.text)
            for child in node:
                walk(child)
                if child.tail:
                    out.append(child.tail)
            if (node.tag in ("div", "p", "li", "tr") or _LINE_CLASS.search(_classes(node))) \
                    and node is not el and out and not out[-1].endswith("\n") \
                    and not (node.tail or "").startswith("\n") and node.getnext() is not None:
                out.append("\n")

    walk(el)
    return out


def _drop_code_chrome(pre) -> None:
    for node in list(pre.iterdescendants()):
        if not _is_el(node) or node.getparent() is None:
            continue
        text = "".join(node.itertext())
        cls = _classes(node)
        if node.tag in ("button", "script", "style", "svg", "input") \
                or cls and _COPY_CLASS.search(cls) and len(text.strip()) <= 30 \
                or cls and _GUTTER_CLASS.search(cls) and _DIGITS.match(text) \
                or node.get("data-line-number") is not None and _DIGITS.match(text):
            remove(node)  # its tail (the code after an inline line number) stays


def _set_code(pre, text: str, lang: str) -> None:
    for child in list(pre):
        pre.remove(child)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text[1:] if text.startswith("\n") else text  # HTML drops one newline after <pre>
    pre.text = xml_text(re.sub(r"(?:\n[ \t]*)+\Z", "", text).rstrip("\n"))
    pre.set("data-clipper-lang", lang)


def normalise_code(root) -> None:
    """Each code block becomes one ``<pre data-clipper-lang=…>`` holding its plain code."""
    for table in list(root.iter("table")):
        if table.getparent() is None:
            continue
        found = _gutter_table(table)
        if found is None:
            continue
        kind, value = found
        if kind == "pre":
            lang = code_language(value) or code_language(table)
            _drop_code_chrome(value)
            text = "".join(_code_text(value))
        else:
            lang, text = code_language(table), value
        inside = next((a for a in table.iterancestors("pre")), None)
        if inside is not None:  # highlight.js puts its line table inside <pre><code>
            lang = lang or code_language(inside)
            _set_code(inside, text, lang)
            continue
        pre = etree.Element("pre")
        _set_code(pre, text, lang)
        pre.tail = table.tail
        table.getparent().replace(table, pre)
    for code in list(root.iter("code")):  # a <code> used as a block (white-space: pre in CSS)
        parent = code.getparent()
        if parent is None or next(code.iterancestors("pre"), None) is not None:
            continue
        text = "".join(code.itertext())
        alone = not (parent.text or "").strip() and not any(
            (c.tail or "").strip() or c is not code and "".join(c.itertext()).strip() for c in parent)
        if "\n" in text.strip() and alone and parent.tag not in ("td", "th", "li", "a", "p"):
            code.tag = "pre"
            code.set("data-clipper-code", "block")
    for pre in list(root.iter("pre")):
        if pre.get("data-clipper-lang") is not None or pre.getparent() is None:
            continue
        if next(pre.iterancestors("pre"), None) is not None:
            continue
        lang = code_language(pre)
        _drop_code_chrome(pre)
        _set_code(pre, "".join(_code_text(pre)), lang)
        _drop_copy_buttons(pre)


def _drop_copy_buttons(pre) -> None:
    """Copy buttons and toolbars beside a code block, inside the wrapper that holds just it."""
    code_len = len(pre.text or "")
    for depth, wrapper in enumerate(pre.iterancestors()):
        if depth >= 3 or wrapper.tag in ("body", "article", "main", "section", "td", "li") \
                or len("".join(wrapper.itertext())) - code_len > 100:
            break
        for node in list(wrapper.iter()):
            if not _is_el(node) or node is pre or node.getparent() is None or pre in node.iterancestors():
                continue
            if node in set(pre.iterancestors()):
                continue
            text = "".join(node.itertext()).strip()
            if len(text) <= 30 and (node.tag == "button" or _COPY_CLASS.search(_classes(node))
                                    or node.tag == "clipboard-copy"):
                remove(node)


# --- math -----------------------------------------------------------------------------------

_TEX_DELIMS = re.compile(r"^\s*(\\\(|\\\[|\$\$|\$)(.+?)(\\\)|\\\]|\$\$|\$)\s*$", re.S)
_MATH_CLASS = re.compile(r"(?:^|[\s_-])(?:math|arithmatex|tex|latex)(?:$|[\s_-])", re.I)
_DISPLAYSTYLE = re.compile(r"^\{\\(?:display|text)style\s*(.*)\}$", re.S)


def _math_el(tex: str, display: bool):
    el = etree.Element("clipper-displaymath" if display else "clipper-math")
    el.text = xml_text(tex.strip())
    return el


def _replace(old, new) -> None:
    new.tail = old.tail
    old.getparent().replace(old, new)


def _mathml_tex(node) -> str:
    """A TeX reading of presentation MathML (the common elements; others give their text)."""
    if not _is_el(node):
        return ""
    tag = etree.QName(node).localname if "}" in str(node.tag) else node.tag
    kids = [k for k in node if _is_el(k)]
    parts = [_mathml_tex(k) for k in kids]

    def arg(i):
        return "{" + (parts[i] if i < len(parts) else "") + "}"
    if tag in ("mi", "mn", "mo", "mtext", "ms"):
        text = (node.text or "").strip()
        return {"∑": r"\sum ", "∫": r"\int ", "∞": r"\infty ", "≤": r"\le ", "≥": r"\ge ", "≠": r"\ne ",
                "→": r"\to ", "×": r"\times ", "⋅": r"\cdot ", "±": r"\pm "}.get(text, text)
    if tag == "msup":
        return arg(0) + "^" + arg(1)
    if tag == "msub":
        return arg(0) + "_" + arg(1)
    if tag == "msubsup":
        return arg(0) + "_" + arg(1) + "^" + arg(2)
    if tag == "mfrac":
        return r"\frac" + arg(0) + arg(1)
    if tag == "msqrt":
        return r"\sqrt{" + "".join(parts) + "}"
    if tag == "mroot":
        return r"\sqrt[" + (parts[1] if len(parts) > 1 else "") + "]" + arg(0)
    if tag in ("annotation", "annotation-xml"):
        return ""
    if tag == "mtable":
        return r"\begin{matrix}" + r" \\ ".join(parts) + r"\end{matrix}"
    if tag == "mtr":
        return " & ".join(parts)
    return "".join(parts)


def _tex_of_math(math) -> str:
    for ann in math.iter():
        if _is_el(ann) and str(ann.tag).endswith("annotation") and \
                "tex" in (ann.get("encoding") or "").lower():
            return "".join(ann.itertext()).strip()
    alt = (math.get("alttext") or "").strip()
    if alt:
        m = _DISPLAYSTYLE.match(alt)
        return m.group(1).strip() if m else alt
    return _mathml_tex(math).strip()


# Whatever normalise_math acts on shows in one cheap look: one of these elements, or a class or
# script type naming math (a superset of its searches; its XPaths cost milliseconds on a big page,
# and most pages have no math).
_MATH_TAGS = ("math", "mjx-container", "math-renderer")
_MATH_ATTR = re.compile(r"katex|(?i:math|(?:^|[\s_-])(?:arithmatex|tex|latex)(?:$|[\s_-]))")


def _may_hold_math(root) -> bool:
    if next(root.iter(*_MATH_TAGS), None) is not None:
        return True
    values = root.xpath(".//@class|.//script/@type", smart_strings=False)
    return _MATH_ATTR.search(" ".join(values)) is not None


def normalise_math(root) -> None:
    """Rendered or source math becomes ``<clipper-math>``/``<clipper-displaymath>`` holding its TeX."""
    if not _may_hold_math(root):
        return
    # (XPath picks the candidates: walking every element of a big page in Python is slow)
    scripts = root.xpath(".//script[starts-with(translate(@type, 'MATHEX', 'mathex'), 'math/tex')]")
    if scripts:  # MathJax 2: the TeX is in a script, the rendering beside it
        for el in root.xpath(".//*[starts-with(@class, 'MathJax') or starts-with(@class, 'MJX')]"):
            if el.getparent() is not None:
                remove(el)
        for s in scripts:
            if s.getparent() is not None:
                _replace(s, _math_el(s.text or "", "mode=display" in (s.get("type") or "")))
    katex = re.compile(r"(?:^|\s)katex(?:-display)?(?:$|\s)")
    for el in [e for e in root.xpath(".//*[contains(@class, 'katex')]") if katex.search(_classes(e))]:
        if el.getparent() is None:  # KaTeX: the TeX is in an annotation
            continue
        tex = next(("".join(a.itertext()) for a in el.iter("annotation")
                    if "tex" in (a.get("encoding") or "")), None)
        if tex is not None:
            _replace(el, _math_el(tex, "katex-display" in _classes(el)))
    for el in list(root.iter("mjx-container")):  # MathJax 3: assistive MathML inside
        math = next(el.iter("math"), None)
        if el.getparent() is not None and math is not None:
            _replace(el, _math_el(_tex_of_math(math), el.get("display") == "true"))
    for math in list(root.iter("math")):
        if math.getparent() is None:
            continue
        text = _WS.sub(" ", "".join(math.itertext())).strip()
        target = math
        for anc in math.iterancestors():  # wrappers holding only this math and fallback images
            if anc.tag not in ("span", "div") or anc.getparent() is None:
                break
            if _WS.sub(" ", "".join(anc.itertext())).strip() != text:
                break
            target = anc
        display = math.get("display") == "block" or "display" in _classes(target) \
            or "block" in _classes(target)
        _replace(target, _math_el(_tex_of_math(math), display))
    lower = "translate(@class, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"
    for el in root.xpath(f".//math-renderer|.//*[self::span or self::div or self::script]"
                         f"[contains({lower}, 'math') or contains({lower}, 'tex')]"):  # pandoc, GitHub…
        if el.getparent() is None or len(el) or not (
                el.tag == "math-renderer" or _MATH_CLASS.search(_classes(el))):
            continue
        m = _TEX_DELIMS.match(el.text or "")
        if m and (m.group(1) in ("\\(", "$") and m.group(3) in ("\\)", "$")
                  or m.group(1) in ("\\[", "$$") and m.group(3) in ("\\]", "$$")):
            _replace(el, _math_el(m.group(2), m.group(1) in ("\\[", "$$") or el.tag == "div"))


# --- headings -------------------------------------------------------------------------------

_PERMALINK_CLASS = re.compile(r"anchor|permalink|headerlink|hash-link|header-link", re.I)


def clean_heading_links(root) -> None:
    """Permalink anchors (¶, #, an empty link) in headings and definition terms are dropped, and a
    heading that links to itself keeps its text; elsewhere a permalink-classed link with no words."""
    # (only links in headings or terms, or with a class: walking every link of a page is slow)
    for el in root.xpath(".//h1//a|.//h2//a|.//h3//a|.//h4//a|.//h5//a|.//h6//a|.//dt//a|.//a[@class]"):
        if el.getparent() is None:
            continue
        href = (el.get("href") or "").strip()
        words = re.search(r"\w", "".join(el.itertext())) or el.find(".//img") is not None
        in_title = next((a for a in el.iterancestors("h1", "h2", "h3", "h4", "h5", "h6", "dt")), None)
        permalink = _PERMALINK_CLASS.search(_classes(el)) is not None
        if in_title is not None and (href.startswith("#") or permalink):
            if words:
                unwrap(el)
            else:
                remove(el)
        elif permalink and not words and href.startswith("#"):
            remove(el)


# --- footnotes ------------------------------------------------------------------------------

_NOTE_LABEL = re.compile(r"^\[?\s*([\w*†‡§¶]{1,8})\s*\]?$")
_NOTE_HINT = re.compile(r"footnote|fnref|noteref|note-ref|fn-ref", re.I)
_BACKREF_TEXT = re.compile(r"^[\s↩↑⤴^︎\u21a9\ufe0e\ufe0f]*(?:[a-z]\s*)?$")


def _is_backref(a, ref_ids: set) -> bool:
    href = (a.get("href") or "").strip()
    text = "".join(a.itertext()).strip()
    if href.startswith("#") and href[1:] in ref_ids:
        return True
    if re.search(r"backref|backlink|footnote-back|fn-back|reversefootnote", _classes(a) + " "
                 + (a.get("role") or "") + " " + " ".join(a.keys()), re.I):
        return True
    return href.startswith("#") and bool(text) and _BACKREF_TEXT.match(text) is not None


def _sup_of(a):
    parent = a.getparent()
    for el in (parent, parent.getparent() if parent is not None else None):
        if el is not None and el.tag == "sup":
            return el
    return None


def note_label(a):
    """The label of a footnote reference (``<sup><a href="#fn1">1</a></sup>``, a link classed or
    roled as a note reference), or None for any other link."""
    href = (a.get("href") or "").strip()
    if not href.startswith("#") or len(href) < 2:
        return None
    m = _NOTE_LABEL.match("".join(a.itertext()).strip())
    if not m:
        return None
    sup = _sup_of(a)
    hinted = _NOTE_HINT.search(" ".join([_classes(a), a.get("role") or "", " ".join(a.keys()),
                                         _classes(sup) if sup is not None else ""]))
    return m.group(1) if sup is not None or hinted else None


def note_of(target):
    """The element holding a footnote's text, given the element its reference points to."""
    if target.tag == "dt" and target.getnext() is not None and target.getnext().tag == "dd":
        return target.getnext()  # docutils' old footnote lists: the label in <dt>, the note in <dd>
    text = _WS.sub("", "".join(target.itertext()))
    if len(text) <= 8 and target.getparent() is not None and target.tag not in ("li", "aside", "div", "p"):
        return target.getparent()  # an anchor marks the note: its parent holds it
    return target


def footnotes(root) -> list:
    """Footnote references become ``<clipper-fnref>``; the notes leave the tree: ``[(label, el)]``."""
    ids = {}
    for el in root.iter():
        if _is_el(el) and el.get("id"):
            ids.setdefault(el.get("id"), el)
    if not ids:
        return []
    order = {el: i for i, el in enumerate(root.iter())}
    found = []  # (ref element to replace, label, note element, ref ids)
    for a in list(root.iter("a")):
        href = (a.get("href") or "").strip()
        label = note_label(a)
        if label is None or href[1:] not in ids:
            continue
        text = "".join(a.itertext()).strip()
        sup = _sup_of(a)
        note = ids[href[1:]]
        if order.get(note, -1) < order.get(a, 0) or note.tag in ("h1", "h2", "h3", "h4", "h5", "h6") \
                or len("".join(note.itertext())) > 5000:
            continue
        target, note = note, note_of(note)
        ref = sup if sup is not None and "".join(sup.itertext()).strip() == text else a
        ref_ids = {x.get("id") for x in (a, ref, a.getparent()) if x is not None and x.get("id")}
        found.append((ref, label, note, ref_ids, target))
    if not found:
        return []
    notes, labels, used = [], {}, set()
    for ref, label, note, ref_ids, target in found:
        if target is not note and target.tag == "dt" and target.getparent() is not None:
            remove(target)  # the label of a <dl> note
        if note in labels:
            label = labels[note]
        else:
            base, n = label, 2
            while label in used:
                label, n = f"{base}-{n}", n + 1
            used.add(label)
            labels[note] = label
            notes.append([label, note, set()])
        next(n for n in notes if n[1] is note)[2].update(ref_ids)
        new = etree.Element("clipper-fnref")
        new.text = label
        _replace(ref, new)
    out = []
    for label, note, ref_ids in notes:
        parent = note.getparent()
        if parent is None:
            continue
        for a in list(note.iter("a")):
            if _is_backref(a, ref_ids):
                remove(a)
        for el in list(note.iter()):
            if _is_el(el) and el.getparent() is not None and re.search(
                    r"(?:^|\s)(?:label|fn-bracket|mw-cite-backlink|footnote-label)(?:$|\s)", _classes(el)):
                remove(el)
        before = note.getprevious()
        remove(note)
        while parent is not None and parent is not root and parent.find(".//img") is None \
                and not _text_beside_headings(parent):
            up = parent.getparent()  # the notes' box, now empty or holding only its "Notes" title
            before = parent.getprevious()
            remove(parent)
            parent = up
        if before is not None and before.tag in _HEADING_TAGS and before.getparent() is not None:
            after = before.getnext()  # the notes' heading, left over a section that is now empty
            if after is None or after.tag in _HEADING_TAGS and after.tag <= before.tag:
                remove(before)
        out.append((label, note))
    return out


_HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6")


def _text_beside_headings(el) -> bool:
    parts = [el.text or ""]
    for child in el:
        if _is_el(child) and child.tag not in ("h1", "h2", "h3", "h4", "h5", "h6"):
            parts.append("".join(child.itertext()))
        parts.append(child.tail or "")
    return bool("".join(parts).strip())


# --- depth ----------------------------------------------------------------------------------

_INLINE = {"a", "b", "strong", "i", "em", "code", "span", "sub", "sup", "s", "del", "u", "mark", "small",
           "abbr", "cite", "q", "kbd", "samp", "var", "time", "font", "big", "tt", "strike", "ins", "label",
           "nobr", "bdi", "bdo"}
_BLOCKS = {"p", "div", "ul", "ol", "dl", "table", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre",
           "section", "article", "figure", "hr", "li", "center", "address", "details", "form", "header",
           "footer", "aside", "nav", "main"}


def depth_of(root) -> int:
    deepest, stack = 0, [(root, 0)]
    while stack:
        el, d = stack.pop()
        deepest = max(deepest, d)
        stack.extend((c, d + 1) for c in el if _is_el(c))
    return deepest


def _lift_misnested(root) -> None:
    """What browsers do with '<p><font>a<p><font>b…' (nothing closed): an inline element holding
    blocks is unwrapped, and a paragraph inside a paragraph moves after it."""
    for el in list(root.iter()):
        if _is_el(el) and el.tag in _INLINE and el is not root and el.getparent() is not None \
                and any(_is_el(c) and c.tag in _BLOCKS for c in el):
            unwrap(el)
    moved = True
    while moved:
        moved = False
        for p in list(root.iter("p")):
            outer = next(p.iterancestors("p"), None)
            if outer is None or outer.getparent() is None:
                continue
            remove(p)  # its tail stays where it was
            p.tail = outer.tail
            outer.tail = None
            outer.addnext(p)
            moved = True


def _block_text(el) -> str:
    """The text of ``el`` with a line break where a block element starts or ends."""
    out = []
    for event, node in etree.iterwalk(el, events=("start", "end")):
        if not _is_el(node):
            continue
        if event == "start":
            if node.tag not in _INLINE and out and not out[-1].endswith("\n"):
                out.append("\n")
            out.append(node.text or "")
        else:
            if node.tag not in _INLINE or node.tag == "br":
                out.append("\n")
            if node is not el:
                out.append(node.tail or "")
    return re.sub(r"\n\s*\n+", "\n", "".join(out)).strip("\n")


def flatten_deep(root, max_depth: int) -> bool:
    """Unwrap elements nested deeper than ``max_depth`` (their text kept); True if any was."""
    flattened = False
    stack = [(root, 0)]
    while stack:
        el, depth = stack.pop()
        children = [c for c in el if _is_el(c)]
        if depth >= max_depth:
            for child in children:
                if len(child):
                    flattened = True
                    text = _block_text(child)
                    tail = child.tail
                    tag = child.tag if child.tag in _INLINE or child.tag in ("br", "img") else "div"
                    child.clear()
                    child.tag = tag
                    child.text = xml_text(text)
                    child.tail = tail
            continue
        stack.extend((child, depth + 1) for child in children)
    return flattened


def reduce_depth(root, max_depth: int) -> bool:
    """Bring nesting within ``max_depth``; True if structure below it had to be flattened."""
    if depth_of(root) <= max_depth:
        return False
    _lift_misnested(root)
    if depth_of(root) <= max_depth:
        return False
    return flatten_deep(root, max_depth)


# --- tables ---------------------------------------------------------------------------------

_CELL_BLOCKS = {"p", "div", "ul", "ol", "dl", "pre", "blockquote", "table", "h1", "h2", "h3", "h4", "h5",
                "h6", "hr", "figure", "section"}


def _rows(table):
    return table.xpath("./tr|./thead/tr|./tbody/tr|./tfoot/tr")


def table_kind(table) -> str:
    """"layout" (a table used to place blocks: unwrap it), "pipe" (Markdown can hold it) or "html"."""
    if (table.get("role") or "").lower() in ("presentation", "none"):
        return "layout"
    rows = _rows(table)
    if not rows:
        return "layout"
    widths = [len(r.xpath("./td|./th")) for r in rows]
    if max(widths, default=0) <= 1:
        return "layout"
    has_head = bool(table.xpath("./thead|./tr/th|./tbody/tr/th"))
    complex_ = False
    for cell in table.xpath(".//td|.//th"):
        blocks = [c for c in cell if _is_el(c) and c.tag in _CELL_BLOCKS]
        text = len("".join(cell.itertext()))
        if text > 400 or len(blocks) > 3 or cell.xpath(".//h1|.//h2|.//h3|.//h4|.//h5|.//h6"):
            return "layout"
        if cell.xpath(".//table") and not has_head:
            return "layout"
        if len(blocks) > 1 or any(b.tag != "p" for b in blocks):
            complex_ = True
        for attr in ("colspan", "rowspan"):
            value = (cell.get(attr) or "1").strip()
            if value.isdigit() and int(value) > 1:
                complex_ = True
    return "html" if complex_ else "pipe"


def cell_align(cell) -> str:
    value = (cell.get("align") or "").strip().lower()
    if not value:
        m = re.search(r"text-align\s*:\s*(left|right|center)", cell.get("style") or "", re.I)
        value = m.group(1).lower() if m else ""
    return value if value in ("left", "right", "center") else ""


_HTML_KEEP = {"table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "p", "br", "ul", "ol", "li",
              "dl", "dt", "dd", "pre", "code", "strong", "em", "a", "img", "sup", "sub", "del", "blockquote",
              "kbd", "hr"}
_HTML_RENAME = {"b": "strong", "i": "em", "s": "del", "strike": "del", "tt": "code", "samp": "code",
                **{f"h{n}": "strong" for n in range(1, 7)}}
_VOID = {"br", "img", "hr"}


def clean_table_html(table, url_for, image_for) -> str:
    """The table as minimal HTML: only table/text tags, safe links and images, text escaped, no
    blank line (a blank line would end the HTML block in Markdown)."""
    out: list[str] = []

    def text(s: str, in_pre: bool) -> str:
        s = html_lib.escape(xml_text(s), quote=False)
        return s.replace("\n", "&#10;") if in_pre else _WS.sub(" ", s)

    def walk(el, in_pre: bool):
        if not _is_el(el):
            return
        tag = _HTML_RENAME.get(el.tag, el.tag)
        attrs = ""
        if tag in ("clipper-math", "clipper-displaymath"):
            mark = "$$" if tag == "clipper-displaymath" else "$"
            out.append(text(mark + (el.text or "") + mark, False))
            return
        if tag == "clipper-fnref":
            out.append(text(f"[^{el.text or ''}]", False))
            return
        if tag in ("script", "style", "template", "button", "input", "select", "textarea"):
            return
        if tag in ("td", "th"):
            for attr in ("colspan", "rowspan"):
                v = (el.get(attr) or "").strip()
                if v.isdigit() and 1 < int(v) <= 1000:
                    attrs += f' {attr}="{v}"'
            align = cell_align(el)
            if align:
                attrs += f' align="{align}"'
        elif tag == "ol":
            v = (el.get("start") or "").strip()
            if v.isdigit():
                attrs += f' start="{v}"'
        elif tag == "a":
            href = url_for(el.get("href") or "")
            if href:
                attrs += f' href="{html_lib.escape(href)}"'
            else:
                tag = ""
        elif tag == "img":
            src = image_for(el.get("src") or "")
            if not src:
                return
            attrs += f' src="{html_lib.escape(src)}"'
            alt = _WS.sub(" ", el.get("alt") or "").strip()
            if alt:
                attrs += f' alt="{html_lib.escape(alt)}"'
        keep = tag in _HTML_KEEP
        if keep:
            out.append(f"<{tag}{attrs}>")
        if tag in _VOID:
            if el.tail:
                out.append(text(el.tail, in_pre))
            return
        if el.text:
            out.append(text(el.text, in_pre or tag == "pre"))
        for child in el:
            walk(child, in_pre or tag == "pre")
        if keep:
            out.append(f"</{tag}>")
        if el.tail and el is not table:
            out.append(text(el.tail, in_pre))

    walk(table, False)
    return _BETWEEN_TAGS.sub("><", "".join(out))


_BETWEEN_TAGS = re.compile(r">\s+<(?=/?(?:table|thead|tbody|tfoot|tr|td|th|caption|ul|ol|li|dl|dt|dd|p)\b)")
