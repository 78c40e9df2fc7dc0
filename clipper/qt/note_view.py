"""Safe note preview: a QTextBrowser that runs no script, loads only the vault's own image files
(remote images only if the user allowed them), never follows ``file:``/``javascript:`` links and
opens web links in the system browser. Notes are shown bounded (the first part of a big one,
with "Show all") from a document built off the GUI thread (:func:`render`).

QTextBrowser would read any local file named by ``<img src="file:///…">`` and show a clicked
``file:`` link (Qt does both by default), hence ``loadResource`` and ``setOpenLinks(False)``. And when
``loadResource`` answers None, QTextDocument falls back to reading the file itself: every refusal
returns a value (a placeholder image showing the image's alt text, an empty style sheet), and
documents built elsewhere (:class:`SafeDocument`) ask the view, never the disk.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QPointF, QRectF, Qt, QUrl, Signal
from PySide6.QtGui import (
    QColor,
    QDesktopServices,
    QFont,
    QFontMetricsF,
    QImage,
    QPainter,
    QPalette,
    QPen,
    QTextBlockFormat,
    QTextCursor,
    QTextDocument,
    QTextFormat,
)
from PySide6.QtWidgets import QTextBrowser, QTextEdit

from clipper.core import confine

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp", ".svg", ".avif", ".ico"}
EXTERNAL_SCHEMES = ("http", "https", "mailto")
MAX_IMAGE_BYTES = 20 * 1024 * 1024

FIRST_PART = 100_000  # characters of Markdown rendered before the user asks for all of it
LONG_PARAGRAPH = 10_000  # longer paragraphs are shown in pieces: one block's layout grows with it
LINE_HEIGHT = 145  # percent: reading text needs more leading than a widget's label
TEXT_COLUMN_EM = 38  # the widest text column (about 75 characters a line)
SHOW_ALL = "clipper:show-all"  # the link at the end of a note shown in part
LOAD_IMAGES = "clipper:load-images"  # the link above a note whose web images are not shown
MARK_LIMIT = 500  # search words marked in one note
RENDER_CHUNK = 50_000  # characters of Markdown turned into the document by one Qt call


def is_external(url: QUrl) -> bool:
    """A web or mail link (the only links that leave the app)."""
    scheme = url.scheme().lower()
    if not url.isValid() or scheme not in EXTERNAL_SCHEMES:
        return False
    return bool(url.path()) if scheme == "mailto" else bool(url.host())


def open_external(url: QUrl) -> bool:
    """Open http/https/mailto links in the system browser; anything else does nothing.
    False also when no browser could be started."""
    return is_external(url) and bool(system_open(url))


def system_open(url: QUrl) -> bool:
    """The one place that hands a URL to the desktop (tests replace it)."""
    return QDesktopServices.openUrl(url)


# --- building the document (any thread) -----------------------------------------------------


def _size(chars: int) -> str:
    if chars >= 10 * 2**20:
        return f"{chars / 2**20:.0f} MB"
    if chars >= 2**20:
        return f"{chars / 2**20:.1f} MB"
    return f"{max(1, chars // 1024)} KB"


def _pieces(paragraph: str) -> list[str]:
    """A paragraph longer than LONG_PARAGRAPH cut at line ends or spaces into pieces no longer
    than that."""
    out, start = [], 0
    while len(paragraph) - start > LONG_PARAGRAPH:
        window = (start + LONG_PARAGRAPH // 2, start + LONG_PARAGRAPH)
        end = max(paragraph.rfind("\n", *window), paragraph.rfind(" ", *window))
        end = end if end > 0 else start + LONG_PARAGRAPH
        out.append(paragraph[start:end])
        start = end
    out.append(paragraph[start:])
    return out


def _paragraphs(text: str):
    """The paragraphs of ``text`` (split at blank lines) one at a time: ``str.split`` of a long
    note is one C call that holds Python's GIL, and so the window, for its whole length."""
    start = 0
    while True:
        end = text.find("\n\n", start)
        if end < 0:
            yield text[start:]
            return
        yield text[start:end]
        start = end + 2


def bounded_markdown(markdown: str, limit: int | None = FIRST_PART) -> tuple[str, bool]:
    """``markdown`` cut after its last whole paragraph within ``limit`` characters (None: all);
    returns (text, whether it is all there)."""
    if limit is None or len(markdown) <= limit:
        return markdown, True
    cut = markdown.rfind("\n\n", 0, limit)
    if cut < limit // 2:
        cut = markdown.rfind("\n", 0, limit)
    if cut < limit // 2:
        cut = markdown.rfind(" ", 0, limit)
    return markdown[: cut if cut > 0 else limit], False


class SafeDocument(QTextDocument):
    """A document that asks ``loader`` (the view's guarded ``loadResource``) for every image or
    style sheet and never the file system; without a loader it loads nothing."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.loader = None

    def loadResource(self, kind, url):  # noqa: N802 (Qt's name)
        if self.loader is not None:
            return self.loader(kind, url)
        return QImage() if kind == QTextDocument.ResourceType.ImageResource else ""


@dataclass
class Rendered:
    """A note made ready to show: built on a worker, shown by :meth:`NoteView.show_rendered`."""

    document: SafeDocument
    complete: bool  # the whole note (False: its first part, with a "Show all" link)
    shown: int  # characters of Markdown in the document
    total: int
    text: str  # the document's plain text: offsets in it are document positions
    marks: list = field(default_factory=list)  # (start, end) of the search's words in ``text``
    images: dict = field(default_factory=dict)  # image URL -> alt text
    remote_images: int = 0  # web images in the note


def _typeset(doc: QTextDocument, start: int = 0) -> None:
    """Reading text: more leading (one format merged into every block from ``start`` on)."""
    fmt = QTextBlockFormat()
    fmt.setLineHeight(LINE_HEIGHT, QTextBlockFormat.LineHeightTypes.ProportionalHeight.value)
    cursor = QTextCursor(doc)
    cursor.setPosition(start)
    cursor.movePosition(QTextCursor.MoveOperation.End, QTextCursor.MoveMode.KeepAnchor)
    cursor.mergeBlockFormat(fmt)


def _chunks(text: str, size: int):
    """``text`` in pieces of about ``size`` characters, cut between paragraphs and never inside
    a fenced code block; a paragraph longer than LONG_PARAGRAPH goes in pieces of its own."""
    piece: list[str] = []
    length, fenced = 0, False
    for para in (p for whole in _paragraphs(text)
                 for p in (_pieces(whole) if len(whole) > LONG_PARAGRAPH else (whole,))):
        # best before a plain paragraph (not a list, heading, quote, table or code)
        plain = para[:1].isalnum() or para[:1] in "\"'“‘([" or (para[:1] in "*_" and para[1:2].strip() != "")
        if piece and not fenced and (length >= size and plain or length >= 2 * size):
            yield "\n\n".join(piece)
            piece, length = [], 0
        piece.append(para)
        length += len(para) + 2
        if len(_FENCE.findall(para)) % 2:
            fenced = not fenced
    if piece:
        yield "\n\n".join(piece)


def _build(doc: QTextDocument, text: str) -> str:
    """Fill ``doc`` with the Markdown ``text`` a chunk at a time and return its plain text.

    Each Qt call holds Python's GIL while it runs, so one setMarkdown of a long note would hold
    up the GUI thread for as long (seconds): in chunks, the window gets its turn between them.
    """
    cursor = QTextCursor(doc)
    plain: list[str] = []
    # leading blank lines (the one after the front matter) would be an empty first block
    text = text.lstrip("\r\n")
    for i, chunk in enumerate(_chunks(text, RENDER_CHUNK)):
        start = cursor.position()
        if i:
            cursor.insertBlock(QTextBlockFormat())
            start = cursor.position()
            # the chunk's first block lands in the block just made: give it its own format
            # (a heading stays a heading)
            head = QTextDocument()
            head.setMarkdown(chunk[: chunk.find("\n\n")] if "\n\n" in chunk else chunk)
            first = head.begin().blockFormat()
        cursor.insertMarkdown(chunk)
        if i:
            fix = QTextCursor(doc)
            fix.setPosition(start)
            fix.setBlockFormat(first)
        _typeset(doc, start)
        part = QTextCursor(doc)
        part.setPosition(start)
        part.movePosition(QTextCursor.MoveOperation.End, QTextCursor.MoveMode.KeepAnchor)
        # selectedText marks block ends with U+2029 and keeps U+FFFC for images: one character
        # per document position, as toPlainText, whose newlines the chunk seams become here too
        plain.append(part.selectedText().replace("\u2029", "\n").replace("\u2028", "\n"))
    return "\n".join(plain)


def _images(doc: QTextDocument) -> dict[str, str]:
    out = {}
    block = doc.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fmt = it.fragment().charFormat()
            if fmt.isImageFormat():
                image = fmt.toImageFormat()
                out.setdefault(image.name(), str(image.property(QTextFormat.Property.ImageAltText) or ""))
            it += 1
        block = block.next()
    return out


_REMOTE_IMAGE = re.compile(r"!\[[^\]\n]*\]\(\s*<?https?://|<img\b[^>]*\bsrc\s*=\s*[\"']?https?://", re.I)
_FENCE = re.compile(r"(?m)^ {0,3}(?:```|~~~)")


def _notices(markdown: str, text: str, complete: bool, remote_images: bool) -> tuple[str, int]:
    """``text`` with a line above it when web images are not shown, and one below it when it
    is the first part of ``markdown`` only (each with the link that does the rest)."""
    step = 1 << 20  # a slice at a time (see _paragraphs)
    remote = sum(len(_REMOTE_IMAGE.findall(text, i, i + step)) for i in range(0, len(text), step))
    if not complete:
        closing = "\n```" if len(_FENCE.findall(text)) % 2 else ""  # cut inside a code block
        text += (f"{closing}\n\n---\n\n*This is the first part of a long note ({_size(len(text))} "
                 f"of {_size(len(markdown))}).* [Show all]({SHOW_ALL})\n")
    if remote and not remote_images:
        n = f"{remote} image{'s' if remote != 1 else ''} from the web {'are' if remote != 1 else 'is'}"
        text = f"*{n} not shown.* [Show them]({LOAD_IMAGES})\n\n" + text
    return text, remote


def render(markdown: str, *, limit: int | None = FIRST_PART, base_dir: Path | None = None,
           font: QFont | None = None, remote_images: bool = False, marks_for=None) -> Rendered:
    """Build the display document of ``markdown`` (on any thread; it is handed to the GUI
    thread at the end). ``marks_for(text)`` gives the spans of the search's words to mark."""
    markdown = markdown or ""
    text, complete = bounded_markdown(markdown, limit)
    text, remote = _notices(markdown, text, complete, remote_images)
    doc = SafeDocument()
    if font is not None:
        doc.setDefaultFont(font)
    doc.setDocumentMargin(16)
    if base_dir is not None:
        doc.setBaseUrl(QUrl.fromLocalFile(str(base_dir) + os.sep))
    plain = _build(doc, text)
    marks = list(marks_for(plain))[:MARK_LIMIT] if marks_for is not None else []
    app = QCoreApplication.instance()
    if app is not None and doc.thread() is not app.thread():
        doc.moveToThread(app.thread())
    return Rendered(doc, complete, len(text), len(markdown), plain, marks, _images(doc), remote)


# --- the view -------------------------------------------------------------------------------


class NoteView(QTextBrowser):
    """Shows a note's Markdown body. ``base_dir`` is the note's folder; ``vault`` bounds local files."""

    link_opened = Signal(QUrl)  # a web link handed to the system browser
    link_blocked = Signal(QUrl)  # a link that was not followed (file:, javascript:, …)
    link_failed = Signal(QUrl)  # a web link no browser could be started for
    remote_image_wanted = Signal(QUrl)  # with remote images allowed, the window fetches it
    show_all_requested = Signal()  # the "Show all" link of a note shown in part
    load_images_requested = Signal()  # "Show them": the web images of this note, this once

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.setSearchPaths([])
        self.document().setDocumentMargin(12)
        self.setAccessibleName("Note preview")
        self.anchorClicked.connect(self._on_anchor)
        self.vault: Path | None = None
        self.base_dir: Path | None = None
        self.remote_images = False
        self.blocked_resources: list[str] = []  # what the page tried to load and did not get
        self.rendered: Rendered | None = None
        self._marks: list[QTextEdit.ExtraSelection] = []  # the search's words
        self._found: list[QTextEdit.ExtraSelection] = []  # find in note

    def reading_font(self) -> QFont:
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 1.1)
        return font

    def show_markdown(self, markdown: str, base_dir: Path | None = None, *, limit: int | None = FIRST_PART,
                      marks_for=None) -> None:
        """Render on the GUI thread (small texts: the editor's preview, tests)."""
        self.show_rendered(render(markdown, limit=limit, base_dir=base_dir, font=self.reading_font(),
                                  remote_images=self.remote_images, marks_for=marks_for), base_dir)

    def show_rendered(self, rendered: Rendered, base_dir: Path | None = None) -> None:
        """Show a document built by :func:`render` (on a worker)."""
        self.base_dir = base_dir
        self.blocked_resources = []
        rendered.document.loader = self.loadResource
        old = self.rendered
        self.setDocument(rendered.document)
        self.rendered = rendered  # the old one goes only now: the view no longer shows it
        del old
        self._found = []
        self._fit_column()
        self.set_marks(rendered.marks)

    # -- typography --------------------------------------------------------------------------
    def resizeEvent(self, event):  # noqa: N802
        super().resizeEvent(event)
        self._fit_column()

    def _fit_column(self) -> None:
        """Lines no longer than TEXT_COLUMN_EM: the text column is centred in a wide pane."""
        doc = self.document()
        width = self.viewport().width()
        em = QFontMetricsF(doc.defaultFont()).horizontalAdvance("M")
        side = max(4.0, (width - TEXT_COLUMN_EM * em) / 2 - doc.documentMargin())
        frame = doc.rootFrame()
        fmt = frame.frameFormat()
        if abs(fmt.leftMargin() - side) > 1:
            fmt.setLeftMargin(side)
            fmt.setRightMargin(side)
            frame.setFrameFormat(fmt)

    # -- marks: the search's words, and what find in note found ------------------------------
    def set_marks(self, spans) -> None:
        """Mark the search's words (``(start, end)`` document positions)."""
        dark = self.palette().color(QPalette.ColorRole.Base).lightness() < 128
        color = QColor("#6a5514" if dark else "#ffe98a")  # a highlighter pen, readable on both
        self._marks = [self._selection(a, b, color) for a, b in list(spans)[:MARK_LIMIT]]
        self._update_selections()

    def marked_text(self) -> list[str]:
        return [s.cursor.selectedText() for s in self._marks]

    def set_found(self, selections) -> None:
        self._found = list(selections)
        self._update_selections()

    def _selection(self, start: int, end: int, color: QColor) -> QTextEdit.ExtraSelection:
        sel = QTextEdit.ExtraSelection()
        cursor = QTextCursor(self.document())
        last = max(0, self.document().characterCount() - 1)
        cursor.setPosition(min(start, last))
        cursor.setPosition(min(end, last), QTextCursor.MoveMode.KeepAnchor)
        sel.cursor = cursor
        sel.format.setBackground(color)
        return sel

    def _update_selections(self) -> None:
        self.setExtraSelections(self._marks + self._found)

    # -- resources ---------------------------------------------------------------------------
    def loadResource(self, kind, url):  # noqa: N802 (Qt's name)
        """Every refusal returns a value: None would make QTextDocument read the file itself."""
        if kind != QTextDocument.ResourceType.ImageResource:
            self.blocked_resources.append(url.toString())
            return ""
        image = self._load_image(url)
        return image if image is not None else self.placeholder(url)

    def _load_image(self, url) -> QImage | None:
        scheme = url.scheme().lower()
        if scheme in ("http", "https"):
            if self.remote_images:
                self.remote_image_wanted.emit(url)
            else:
                self.blocked_resources.append(url.toString())
            return None
        path = self._vault_file(url)
        if path is None:
            self.blocked_resources.append(url.toString())
            return None
        try:
            if path.stat().st_size > MAX_IMAGE_BYTES:
                return None
            if path.suffix.lower() == ".svg":
                # Qt's SVG renderer loads the files an SVG names (<image href="/abs/…">):
                # only a self-contained SVG is drawn.
                data = path.read_bytes()
                if not confine.svg_is_self_contained(data):
                    self.blocked_resources.append(url.toString())
                    return None
                image = QImage.fromData(data, "SVG")
            else:
                image = QImage(str(path))
        except OSError:
            return None
        return None if image.isNull() else image

    def placeholder(self, url: QUrl) -> QImage:
        """A quiet box with the image's alt text, where an image is not shown."""
        alts = self.rendered.images if self.rendered is not None else {}
        alt = (alts.get(url.toString()) or "").strip()
        remote = url.scheme().lower() in ("http", "https")
        label = alt or ("web image" if remote else "image")
        if len(label) > 80:
            label = label[:79] + "…"
        font = QFont(self.document().defaultFont())
        font.setItalic(True)
        font.setPointSizeF(font.pointSizeF() * 0.9)
        fm = QFontMetricsF(font)
        ratio = max(1.0, self.devicePixelRatioF())
        glyph = fm.height() * 0.8  # a small framed picture, drawn (no font has to have one)
        width, height = fm.horizontalAdvance(label) + glyph + 22, fm.height() + 8
        image = QImage(int(width * ratio), int(height * ratio), QImage.Format.Format_ARGB32_Premultiplied)
        image.setDevicePixelRatio(ratio)
        image.fill(Qt.GlobalColor.transparent)
        pal = self.palette()
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pen = QPen(pal.color(QPalette.ColorRole.PlaceholderText))
        pen.setStyle(Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.drawRoundedRect(QRectF(0.5, 0.5, width - 1, height - 1), 4, 4)
        pen.setStyle(Qt.PenStyle.SolidLine)
        painter.setPen(pen)
        top = (height - glyph) / 2
        painter.drawRect(QRectF(8, top, glyph, glyph))
        painter.drawPolyline([QPointF(8, top + glyph), QPointF(8 + glyph * 0.45, top + glyph * 0.4),
                              QPointF(8 + glyph, top + glyph * 0.85)])
        painter.setFont(font)
        painter.drawText(QRectF(14 + glyph, 4, width - glyph - 20, height - 8), Qt.AlignmentFlag.AlignVCenter,
                         label)
        painter.end()
        return image

    def _vault_file(self, url: QUrl) -> Path | None:
        """The local image file ``url`` names, if it is inside the vault; else None."""
        if self.vault is None or url.scheme().lower() not in ("", "file"):
            return None
        raw = url.toLocalFile() if url.isLocalFile() else url.path()
        if not raw:
            return None
        candidate = Path(raw)
        if not candidate.is_absolute():
            candidate = (self.base_dir or self.vault) / candidate
        try:
            real = Path(os.path.realpath(candidate))
            vault = Path(os.path.realpath(self.vault))
        except (OSError, ValueError):
            return None
        if vault not in real.parents or real.suffix.lower() not in IMAGE_SUFFIXES:
            return None
        if any(part.startswith(".") for part in real.relative_to(vault).parts):
            return None  # .trash, .git, …
        return real if real.is_file() else None

    def add_remote_image(self, url: QUrl, image: QImage) -> None:
        """Called by the window once a remote image (allowed by the user) has been fetched."""
        self.document().addResource(QTextDocument.ResourceType.ImageResource, url, image)
        self.document().markContentsDirty(0, self.document().characterCount())

    # -- links -------------------------------------------------------------------------------
    def _on_anchor(self, url: QUrl) -> None:
        if url.toString() == SHOW_ALL:
            self.show_all_requested.emit()
            return
        if url.toString() == LOAD_IMAGES:
            self.load_images_requested.emit()
            return
        if url.scheme() == "" and url.hasFragment() and not url.path():
            self.scrollToAnchor(url.fragment())
            return
        if not is_external(url):
            self.link_blocked.emit(url)
        elif system_open(url):
            self.link_opened.emit(url)
        else:
            self.link_failed.emit(url)

    def doSetSource(self, url, kind=QTextDocument.ResourceType.UnknownResource):  # noqa: N802
        """Navigation is never done by the browser itself (a belt to setOpenLinks(False))."""
        if not url.isEmpty():
            self.link_blocked.emit(url)
