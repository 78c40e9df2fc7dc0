"""Icons of the main actions: the desktop's icon theme when it has them (the look follows the
desktop), else Clipper's own line icons (``resources/icons/actions/NAME.svg``) drawn in the
palette's text colour, so that they read on light and dark themes alike."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QRectF, QSize, Qt
from PySide6.QtGui import QGuiApplication, QIcon, QIconEngine, QImage, QPainter, QPalette, QPixmap

#: our name -> the freedesktop icon-theme name
THEME_NAMES = {
    "import": "document-import",
    "paste": "edit-paste",
    "find": "edit-find",
    "edit": "document-edit",
    "save": "document-save",
    "delete": "edit-delete",
    "undo": "edit-undo",
    "open-source": "internet-web-browser",
    "folder": "folder-open",
    "settings": "preferences-system",
    "tag": "tag",
    "refresh": "view-refresh",
    "preview": "view-split-left-right",
}
_ENGINES: list = []  # the icons' engines live as long as the app (Qt holds them through QIcon)


def _svg(name: str) -> bytes | None:
    from clipper.resources import resource_path

    try:
        return resource_path("icons", "actions", f"{name}.svg").read_bytes()
    except (FileNotFoundError, OSError):
        return None


class _LineIcon(QIconEngine):
    """Draws one of Clipper's SVG line icons when it is painted, in the palette's colour of
    that moment (so it follows a switch to dark), at the size asked; nothing is read or drawn
    before an icon first shows (start-up stays cheap)."""

    def __init__(self, name: str):
        super().__init__()
        self.name = name
        self._data: bytes | None = None
        self._cache: dict = {}

    def clone(self):
        twin = _LineIcon(self.name)
        _ENGINES.append(twin)
        return twin

    def _color(self, mode) -> str:
        app = QGuiApplication.instance()
        palette = app.palette() if app is not None else QPalette()
        group = QPalette.ColorGroup.Disabled if mode == QIcon.Mode.Disabled else QPalette.ColorGroup.Active
        return palette.color(group, QPalette.ColorRole.WindowText).name()

    def pixmap(self, size, mode, state):  # noqa: N802 (Qt's names)
        color = self._color(mode)
        key = (size.width(), size.height(), color)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        from PySide6.QtSvg import QSvgRenderer

        if self._data is None:
            self._data = _svg(self.name) or b""
        image = QImage(max(1, size.width()), max(1, size.height()), QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        if self._data:
            renderer = QSvgRenderer(QByteArray(self._data.replace(b"currentColor", color.encode("ascii"))))
            painter = QPainter(image)
            side = min(size.width(), size.height())
            left, top = (size.width() - side) / 2, (size.height() - side) / 2
            renderer.render(painter, QRectF(left, top, side, side))
            painter.end()
        self._cache[key] = QPixmap.fromImage(image)
        return self._cache[key]

    def paint(self, painter, rect, mode, state):
        ratio = painter.device().devicePixelRatioF() if painter.device() is not None else 1.0
        pm = self.pixmap(QSize(round(rect.width() * ratio), round(rect.height() * ratio)), mode, state)
        painter.drawPixmap(rect, pm)


def icon(name: str) -> QIcon:
    """The icon for one of the app's actions (see THEME_NAMES)."""
    themed = THEME_NAMES.get(name)
    if themed and QIcon.hasThemeIcon(themed):
        return QIcon.fromTheme(themed)
    engine = _LineIcon(name)
    _ENGINES.append(engine)
    return QIcon(engine)


def attach(obj, name: str):
    """Give a button or an action its icon, and remember which (for :func:`refresh`)."""
    obj.setProperty("clipper_icon", name)
    obj.setIcon(icon(name))
    return obj


def refresh(root) -> None:
    """Set again the icons under ``root`` (a window) after the palette changed: widgets that
    keep a drawn pixmap take the new colours too."""
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QAbstractButton

    for obj in [root, *root.findChildren(QAbstractButton), *root.findChildren(QAction)]:
        name = obj.property("clipper_icon")
        if name:
            obj.setIcon(icon(str(name)))
