"""Light and dark: the app follows the desktop's colour scheme (Qt's style hints) unless the user
chose one in Settings ("appearance": system | light | dark), and follows a change of it while
running. A chosen scheme uses the Fusion style with Clipper's palettes, which every platform draws
the same; "system" keeps the platform's own style and palette when the platform has a dark one."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

APPEARANCES = [("system", "Follow the system"), ("light", "Light"), ("dark", "Dark")]

_DARK = {
    QPalette.ColorRole.Window: "#2b2d30", QPalette.ColorRole.WindowText: "#e6e6e6",
    QPalette.ColorRole.Base: "#1e1f22", QPalette.ColorRole.AlternateBase: "#26282b",
    QPalette.ColorRole.Text: "#e6e6e6", QPalette.ColorRole.Button: "#35373b",
    QPalette.ColorRole.ButtonText: "#e6e6e6", QPalette.ColorRole.Highlight: "#3d6fb4",
    QPalette.ColorRole.HighlightedText: "#ffffff", QPalette.ColorRole.Link: "#7cb3ff",
    QPalette.ColorRole.LinkVisited: "#b89cff", QPalette.ColorRole.PlaceholderText: "#9a9da3",
    QPalette.ColorRole.ToolTipBase: "#35373b", QPalette.ColorRole.ToolTipText: "#e6e6e6",
    QPalette.ColorRole.BrightText: "#ff6b6b", QPalette.ColorRole.Light: "#45474b",
    QPalette.ColorRole.Midlight: "#3a3c40", QPalette.ColorRole.Mid: "#2f3134",
    QPalette.ColorRole.Dark: "#1b1c1f", QPalette.ColorRole.Shadow: "#111214",
}
_LIGHT = {
    QPalette.ColorRole.Window: "#f3f3f3", QPalette.ColorRole.WindowText: "#1f1f1f",
    QPalette.ColorRole.Base: "#ffffff", QPalette.ColorRole.AlternateBase: "#f5f6f7",
    QPalette.ColorRole.Text: "#1f1f1f", QPalette.ColorRole.Button: "#f0f0f0",
    QPalette.ColorRole.ButtonText: "#1f1f1f", QPalette.ColorRole.Highlight: "#2f6fca",
    QPalette.ColorRole.HighlightedText: "#ffffff", QPalette.ColorRole.Link: "#1a5fb4",
    QPalette.ColorRole.LinkVisited: "#6b3fa0", QPalette.ColorRole.PlaceholderText: "#6e6e73",
    QPalette.ColorRole.ToolTipBase: "#ffffe8", QPalette.ColorRole.ToolTipText: "#1f1f1f",
    QPalette.ColorRole.BrightText: "#c01c28", QPalette.ColorRole.Light: "#ffffff",
    QPalette.ColorRole.Midlight: "#e4e4e4", QPalette.ColorRole.Mid: "#c4c4c4",
    QPalette.ColorRole.Dark: "#9f9f9f", QPalette.ColorRole.Shadow: "#767676",
}
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
