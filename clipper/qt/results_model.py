"""The result list: a QAbstractListModel over plain search hits, and a delegate that draws the title,
site, date, tags and the snippet with the matches highlighted (colours from the palette).

A hit may come without its snippet (the search makes only the first page's): the model asks for
it (``snippets_wanted``) when the list paints the row, and ``set_snippets`` fills it in
(``clipper.qt.snippet_filler`` does the asking)."""

from __future__ import annotations

import dataclasses
import html
from collections import OrderedDict

from PySide6.QtCore import QAbstractListModel, QModelIndex, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QAbstractTextDocumentLayout, QFont, QFontMetrics, QPalette, QTextDocument
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from clipper.core import snippets

HitRole = Qt.ItemDataRole.UserRole + 1
IdRole = Qt.ItemDataRole.UserRole + 2
SnippetHtmlRole = Qt.ItemDataRole.UserRole + 3
MetaRole = Qt.ItemDataRole.UserRole + 4
_WANT_SNIPPET = (SnippetHtmlRole, Qt.ItemDataRole.AccessibleTextRole)  # roles that show the snippet


def hit_date(hit) -> str:
    for value in (getattr(hit, "published", None), getattr(hit, "created", None)):
        if value:
            return str(value)[:10]
    return ""


def hit_meta(hit) -> str:
    parts = [p for p in (getattr(hit, "site", "") or "", hit_date(hit)) if p]
    tags = list(getattr(hit, "tags", None) or [])
    if tags:
        parts.append(" ".join("#" + t for t in tags[:6]) + (" …" if len(tags) > 6 else ""))
    return "  ·  ".join(parts)


def snippet_html(hit) -> str:
    """Escaped snippet with ``<b>`` around the matches (built from ``highlights``)."""
    return snippets.snippet_html(getattr(hit, "snippet", "") or "", getattr(hit, "highlights", None))


class ResultsModel(QAbstractListModel):
    """An adapter over a plain list of hits; ``set_hits`` replaces them all."""

    #: a row without its snippet was painted (or otherwise asked for its snippet): see
    #: :meth:`take_wanted`; emitted once until then
    snippets_wanted = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self._hits: list = []
        self._has_snippet: list[bool] = []  # per row: its hit carries its snippet
        self._wanted: set[int] = set()  # rows asked for theirs (not yet handed to take_wanted)
        self._asked: set[str] = set()  # ids handed out by take_wanted, snippet not yet set
        #: rises with each set_hits: snippets made for the hits before are dropped
        self.generation = 0

    def rowCount(self, parent=QModelIndex()):  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._hits)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._hits):
            return None
        hit = self._hits[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return hit.title or "(untitled)"
        if role == Qt.ItemDataRole.ToolTipRole:  # escaped: a tooltip renders what looks like HTML
            return f"<p style='white-space:pre'>{html.escape(str(hit.path))}</p>"
        if role in _WANT_SNIPPET and not self._has_snippet[index.row()]:
            self._want(index.row())  # shown or read out: its snippet follows (dataChanged)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{hit.title}. {hit_meta(hit)}. {hit.snippet}"
        if role == HitRole:
            return hit
        if role == IdRole:
            return hit.id
        if role == SnippetHtmlRole:
            return snippet_html(hit)
        if role == MetaRole:
            return hit_meta(hit)
        return None

    def flags(self, index):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def set_hits(self, hits, with_snippets: int | None = None) -> None:
        """Show ``hits``; only the first ``with_snippets`` (None: all) carry their snippets."""
        self.beginResetModel()
        self._hits = list(hits)
        upto = len(self._hits) if with_snippets is None else with_snippets
        self._has_snippet = [row < upto for row in range(len(self._hits))]
        self._wanted.clear()
        self._asked.clear()
        self.generation += 1
        self.endResetModel()

    def hits(self) -> list:
        return list(self._hits)

    def row_of(self, note_id) -> int:
        for row, hit in enumerate(self._hits):
            if hit.id == note_id:
                return row
        return -1

    def remove_id(self, note_id) -> None:
        row = self.row_of(note_id)
        if row >= 0:
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._hits[row]
            del self._has_snippet[row]
            self._wanted = {r - (r > row) for r in self._wanted if r != row}
            self.endRemoveRows()

    # -- snippets made when their rows are shown ---------------------------------------------
    def _want(self, row: int) -> None:
        if not self._wanted:
            self.snippets_wanted.emit()
        self._wanted.add(row)

    def take_wanted(self, margin: int = 0) -> list[str]:
        """Ids of the hits without snippets from ``margin`` rows before the first row asked for
        to ``margin`` rows after the last (the next page is ready when the list scrolls on),
        leaving out those already handed out."""
        if not self._wanted:
            return []
        first = max(0, min(self._wanted) - margin)
        last = min(len(self._hits), max(self._wanted) + margin + 1)
        self._wanted.clear()
        ids = [self._hits[row].id for row in range(first, last)
               if not self._has_snippet[row] and self._hits[row].id not in self._asked]
        self._asked.update(ids)
        return ids

    def set_snippets(self, generation: int, made: dict) -> None:
        """Fill in ``{id: (snippet, highlights)}`` made for the hits of ``generation`` (dropped
        if other hits are shown now)."""
        if generation != self.generation:
            return
        rows = [row for row, hit in enumerate(self._hits) if hit.id in made and not self._has_snippet[row]]
        for row in rows:
            hit = self._hits[row]
            snippet, highlights = made[hit.id]
            self._hits[row] = dataclasses.replace(hit, snippet=snippet, highlights=list(highlights))
            self._has_snippet[row] = True
            self._asked.discard(hit.id)
        if rows:
            self.dataChanged.emit(self.index(rows[0]), self.index(rows[-1]))


class ResultDelegate(QStyledItemDelegate):
    """Three parts per row: the title (bold), a dim line of site · date · #tags, two lines of snippet."""

    PAD = 8
    SNIPPET_LINES = 2
    #: laid-out snippets kept: a repaint of a row already seen (scrolling back, hovering, a
    #: snippet filled in beside it) draws its document instead of parsing and laying it out again
    KEPT_SNIPPETS = 256

    def __init__(self, parent=None):
        super().__init__(parent)
        self._font_sets: dict[str, tuple[QFont, QFont]] = {}
        self._snippets: OrderedDict[tuple, QTextDocument] = OrderedDict()

    def _fonts(self, option):
        key = option.font.key()
        fonts = self._font_sets.get(key)
        if fonts is None:
            title = QFont(option.font)
            title.setBold(True)
            title.setPointSizeF(option.font.pointSizeF() * 1.05)
            small = QFont(option.font)
            small.setPointSizeF(option.font.pointSizeF() * 0.9)
            fonts = self._font_sets[key] = (title, small)
        return fonts

    def _snippet_doc(self, snippet: str, font: QFont, fg, accent, width: int) -> QTextDocument:
        """The snippet's rich text laid out at ``width``, from the cache when it was drawn so before."""
        key = (snippet, font.key(), fg.rgba(), accent.rgba(), width)
        doc = self._snippets.get(key)
        if doc is not None:
            self._snippets.move_to_end(key)
            return doc
        doc = QTextDocument()
        doc.setDocumentMargin(0)
        doc.setDefaultFont(font)
        doc.setDefaultStyleSheet(f"b {{ color: {accent.name()}; }}")
        doc.setHtml(f'<span style="color:{fg.name()}">{snippet}</span>')
        doc.setTextWidth(width)
        self._snippets[key] = doc
        if len(self._snippets) > self.KEPT_SNIPPETS:
            self._snippets.popitem(last=False)
        return doc

    def sizeHint(self, option, index):
        title, small = self._fonts(option)
        h = (QFontMetrics(title).height() + QFontMetrics(small).height()
             + self.SNIPPET_LINES * QFontMetrics(option.font).lineSpacing() + 2 * self.PAD + 6)
        return QSize(200, h)

    def paint(self, painter, option, index):
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        widget = opt.widget
        style = widget.style() if widget else None
        text_save = opt.text
        opt.text = ""
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        opt.text = text_save

        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        group = (QPalette.ColorGroup.Active if opt.state & QStyle.StateFlag.State_Active
                 else QPalette.ColorGroup.Inactive)
        pal = opt.palette
        fg = pal.color(group, QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text)
        dim = pal.color(group, QPalette.ColorRole.HighlightedText if selected
                        else QPalette.ColorRole.PlaceholderText)
        accent = fg if selected else pal.color(group, QPalette.ColorRole.Link)

        title_font, small_font = self._fonts(opt)
        rect = opt.rect.adjusted(self.PAD, self.PAD // 2 + 2, -self.PAD, -self.PAD // 2)
        painter.save()
        painter.setClipRect(opt.rect)
        # Title
        painter.setFont(title_font)
        painter.setPen(fg)
        fm = QFontMetrics(title_font)
        title = fm.elidedText(index.data(Qt.ItemDataRole.DisplayRole) or "", Qt.TextElideMode.ElideRight,
                              rect.width())
        painter.drawText(rect.left(), rect.top() + fm.ascent(), title)
        y = rect.top() + fm.height()
        # Meta line
        painter.setFont(small_font)
        painter.setPen(dim)
        sfm = QFontMetrics(small_font)
        meta = sfm.elidedText(index.data(MetaRole) or "", Qt.TextElideMode.ElideRight, rect.width())
        painter.drawText(rect.left(), y + sfm.ascent(), meta)
        y += sfm.height() + 2
        # Snippet (rich text, clipped to a few lines)
        doc = self._snippet_doc(index.data(SnippetHtmlRole) or "", opt.font, fg, accent, rect.width())
        painter.translate(rect.left(), y)
        lines = self.SNIPPET_LINES * QFontMetrics(opt.font).lineSpacing()
        clip = QRectF(0, 0, rect.width(), max(0, min(rect.bottom() - y, lines)))
        ctx = QAbstractTextDocumentLayout.PaintContext()
        ctx.clip = clip
        painter.setClipRect(clip)
        doc.documentLayout().draw(painter, ctx)
        painter.restore()
