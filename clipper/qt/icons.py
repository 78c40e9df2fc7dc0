"""Icons of the main actions: the desktop's icon theme when it has them (the look follows the
desktop), else Clipper's own line icons (``resources/icons/actions/NAME.svg``) drawn in the
palette's text colour, so that they read on light and dark themes alike."""

from __future__ import annotations

from functools import lru_cache

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QGuiApplication, QIcon, QImage, QPainter, QPalette, QPixmap

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
SIZES = (16, 24, 32, 48)


def _svg(name: str) -> bytes | None:
    from clipper.resources import resource_path

    try:
        return resource_path("icons", "actions", f"{name}.svg").read_bytes()
    except (FileNotFoundError, OSError):
        return None


def _color() -> str:
    app = QGuiApplication.instance()
    palette = app.palette() if app is not None else QPalette()
    return palette.color(QPalette.ColorRole.WindowText).name()


@lru_cache(maxsize=128)
def _drawn(name: str, color: str) -> QIcon:
    from PySide6.QtSvg import QSvgRenderer

    data = _svg(name)
    if data is None:
        return QIcon()
    renderer = QSvgRenderer(QByteArray(data.replace(b"currentColor", color.encode("ascii"))))
    out = QIcon()
    for size in SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        renderer.render(painter, QRectF(0, 0, size, size))
        painter.end()
        out.addPixmap(QPixmap.fromImage(image))
    return out


def icon(name: str) -> QIcon:
    """The icon for one of the app's actions (see THEME_NAMES)."""
    themed = THEME_NAMES.get(name)
    if themed and QIcon.hasThemeIcon(themed):
        return QIcon.fromTheme(themed)
    return _drawn(name, _color())


def attach(obj, name: str):
    """Give a button or an action its icon, and remember which (for :func:`refresh`)."""
    obj.setProperty("clipper_icon", name)
    obj.setIcon(icon(name))
    return obj


def refresh(root) -> None:
    """Draw again the icons under ``root`` (a window): the palette changed."""
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QAbstractButton

    for obj in [root, *root.findChildren(QAbstractButton), *root.findChildren(QAction)]:
        name = obj.property("clipper_icon")
        if name:
            obj.setIcon(icon(str(name)))
