"""Light and dark: the app follows the desktop's colour scheme (Qt's style hints) unless the user
chose one in Settings ("appearance": system | light | dark), and follows a change of it while
running. A chosen scheme uses the Fusion style with Clipper's palettes, which every platform draws
the same; "system" keeps the platform's own style and palette when the platform has a dark one."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

APPEARANCES = [("system", "Follow the system"), ("light", "Light"), ("dark", "Dark")]

#: (colour role, dark, light): one row a role
_COLOURS = [
    ("Window", "#2b2d30", "#f3f3f3"),
    ("WindowText", "#e6e6e6", "#1f1f1f"),
    ("Base", "#1e1f22", "#ffffff"),
    ("AlternateBase", "#26282b", "#f5f6f7"),
    ("Text", "#e6e6e6", "#1f1f1f"),
    ("Button", "#35373b", "#f0f0f0"),
    ("ButtonText", "#e6e6e6", "#1f1f1f"),
    ("Highlight", "#3d6fb4", "#2f6fca"),
    ("HighlightedText", "#ffffff", "#ffffff"),
    ("Link", "#7cb3ff", "#1a5fb4"),
    ("LinkVisited", "#b89cff", "#6b3fa0"),
    ("PlaceholderText", "#9a9da3", "#6e6e73"),
    ("ToolTipBase", "#35373b", "#ffffe8"),
    ("ToolTipText", "#e6e6e6", "#1f1f1f"),
    ("BrightText", "#ff6b6b", "#c01c28"),
    ("Light", "#45474b", "#ffffff"),
    ("Midlight", "#3a3c40", "#e4e4e4"),
    ("Mid", "#2f3134", "#c4c4c4"),
    ("Dark", "#1b1c1f", "#9f9f9f"),
    ("Shadow", "#111214", "#767676"),
]
_DARK = {getattr(QPalette.ColorRole, role): dark for role, dark, _light in _COLOURS}
_LIGHT = {getattr(QPalette.ColorRole, role): light for role, _dark, light in _COLOURS}
_DISABLED = {"dark": "#74777c", "light": "#9a9a9a"}

_state = {"style": None, "palette": None, "followed": False, "mode": "system"}


def palette(scheme: str) -> QPalette:
    """Clipper's palette for ``scheme`` ("light" or "dark")."""
    p = QPalette()
    for role, color in (_DARK if scheme == "dark" else _LIGHT).items():
        p.setColor(role, QColor(color))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText, QPalette.ColorRole.WindowText):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor(_DISABLED[scheme]))
    return p


def system_scheme(app) -> str:
    """"dark", "light", or "" when the platform does not say."""
    scheme = app.styleHints().colorScheme()
    if scheme == Qt.ColorScheme.Dark:
        return "dark"
    if scheme == Qt.ColorScheme.Light:
        return "light"
    return ""


def is_dark(pal: QPalette) -> bool:
    return pal.color(QPalette.ColorRole.Window).lightness() < 128


def apply(app: QApplication, mode: str = "system") -> str:
    """Use ``mode`` ("system", "light", "dark"); returns the scheme now shown."""
    if _state["style"] is None:  # what the platform gave, to go back to
        _state["style"] = app.style().name()
        _state["palette"] = QPalette(app.palette())
    _state["mode"] = mode if mode in dict(APPEARANCES) else "system"
    if not _state["followed"]:
        app.styleHints().colorSchemeChanged.connect(lambda _s: apply(app, _state["mode"]))
        _state["followed"] = True
    wanted = _state["mode"] if _state["mode"] != "system" else system_scheme(app)
    native = _state["palette"]
    if _state["mode"] == "system" and (not wanted or is_dark(native) == (wanted == "dark")):
        # the platform's own look already matches what it asks for
        _set_style(app, _state["style"])
        app.setPalette(native)
        return "dark" if is_dark(native) else "light"
    _set_style(app, "Fusion")
    app.setPalette(palette(wanted or "light"))
    return wanted or "light"


def _set_style(app: QApplication, name: str | None) -> None:
    known = [k.lower() for k in QStyleFactory.keys()]  # noqa: SIM118 (a list, not a dict)
    if name and app.style().name().lower() != name.lower() and name.lower() in known:
        app.setStyle(name)
