"""Syntax highlighting of a note's Markdown in the editor: the front matter (keys and values),
headings, emphasis, links and images, inline code and fenced code blocks, quotes and list marks.
Colours come from the palette, so light and dark themes both read well."""

from __future__ import annotations

import re

from PySide6.QtGui import QColor, QFont, QFontDatabase, QPalette, QSyntaxHighlighter, QTextCharFormat

# block states (a fenced code block or the front matter goes on over lines)
NORMAL, FRONT_MATTER, CODE = 0, 1, 2

_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+|$)")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_QUOTE = re.compile(r"^ {0,3}(>+)")
_LIST = re.compile(r"^[ \t]*([-*+]|\d{1,9}[.)])[ \t]+(\[[ xX]\][ \t]+)?")
_RULE = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_KEY = re.compile(r"^([A-Za-z_][\w-]*)(:)")
_INLINE = [
    ("code", re.compile(r"(`+)(?!`).+?(?<!`)\1(?!`)")),
    ("link", re.compile(r"!?\[[^\]\n]*\]\([^)\n]*\)|<https?://[^>\s]+>|https?://[^\s)>\]]+")),
    ("strong", re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")),
    ("emphasis", re.compile(r"(?<![*\w])\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?![*\w])"
                            r"|(?<![_\w])_(?=\S)(.+?)(?<=\S)_(?![_\w])")),
    ("strike", re.compile(r"~~(?=\S)(.+?)(?<=\S)~~")),
]


def _mix(a: QColor, b: QColor, t: float) -> QColor:
    return QColor(round(a.red() * (1 - t) + b.red() * t), round(a.green() * (1 - t) + b.green() * t),
                  round(a.blue() * (1 - t) + b.blue() * t))


class MarkdownHighlighter(QSyntaxHighlighter):
    """Call :meth:`set_palette` when the palette changes (then everything is highlighted again)."""

    def __init__(self, document, palette: QPalette):
        super().__init__(document)
        self.formats: dict[str, QTextCharFormat] = {}
        self.set_palette(palette, rehighlight=False)

    def set_palette(self, palette: QPalette, rehighlight: bool = True) -> None:
        text = palette.color(QPalette.ColorRole.Text)
        base = palette.color(QPalette.ColorRole.Base)
        link = palette.color(QPalette.ColorRole.Link)
        dark = base.lightness() < 128
        accent = QColor("#d19a66" if dark else "#a0522d")  # keys, list marks: a warm brown
        green = QColor("#98c379" if dark else "#2e7d32")
        dim = _mix(text, base, 0.45)

        def fmt(color=None, bold=False, italic=False, mono=False, background=None, strike=False):
            f = QTextCharFormat()
            if color is not None:
                f.setForeground(color)
            if bold:
                f.setFontWeight(QFont.Weight.Bold)
            if italic:
                f.setFontItalic(True)
            if strike:
                f.setFontStrikeOut(True)
            if mono:
                f.setFontFamilies([QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont).family()])
            if background is not None:
                f.setBackground(background)
            return f

        self.formats = {
            "heading": fmt(link, bold=True),
            "mark": fmt(dim),
            "quote": fmt(dim, italic=True),
            "list": fmt(accent, bold=True),
            "code": fmt(green, mono=True, background=_mix(base, text, 0.06)),
            "link": fmt(link),
            "strong": fmt(bold=True),
            "emphasis": fmt(italic=True),
            "strike": fmt(dim, strike=True),
            "fence": fmt(dim, mono=True),
            "key": fmt(accent),
            "front": fmt(dim),
        }
        if rehighlight:
            self.rehighlight()

    def highlightBlock(self, text: str) -> None:  # noqa: N802 (Qt's name)
        previous = self.previousBlockState()
        block = self.currentBlock()
        first = block.blockNumber() == 0
        if first and text.rstrip() == "---":
            self.setFormat(0, len(text), self.formats["front"])
            self.setCurrentBlockState(FRONT_MATTER)
            return
        if previous == FRONT_MATTER:
            if text.rstrip() in ("---", "..."):
                self.setFormat(0, len(text), self.formats["front"])
                self.setCurrentBlockState(NORMAL)
                return
            key = _KEY.match(text)
            if key:
                self.setFormat(0, key.end(1), self.formats["key"])
                self.setFormat(key.end(1), 1, self.formats["front"])
            elif text.lstrip().startswith("- "):
                self.setFormat(0, text.index("-") + 1, self.formats["list"])
            self.setCurrentBlockState(FRONT_MATTER)
            return
        fence = _FENCE.match(text)
        if previous == CODE:
            if fence:
                self.setFormat(0, len(text), self.formats["fence"])
                self.setCurrentBlockState(NORMAL)
            else:
                self.setFormat(0, len(text), self.formats["code"])
                self.setCurrentBlockState(CODE)
            return
        self.setCurrentBlockState(NORMAL)
        if fence:
            self.setFormat(0, len(text), self.formats["fence"])
            self.setCurrentBlockState(CODE)
            return
        heading = _HEADING.match(text)
        if heading:
            self.setFormat(0, len(text), self.formats["heading"])
            return
        if _RULE.match(text):
            self.setFormat(0, len(text), self.formats["mark"])
            return
        quote = _QUOTE.match(text)
        if quote:
            self.setFormat(0, len(text), self.formats["quote"])
        item = _LIST.match(text)
        if item:
            self.setFormat(item.start(1), item.end(1) - item.start(1), self.formats["list"])
        taken = [False] * len(text)
        for name, regex in _INLINE:
            for m in regex.finditer(text):
                if any(taken[m.start():m.end()]):
                    continue  # inside code or a link already
                self.setFormat(m.start(), m.end() - m.start(), self.formats[name])
                if name in ("code", "link"):
                    taken[m.start():m.end()] = [True] * (m.end() - m.start())
