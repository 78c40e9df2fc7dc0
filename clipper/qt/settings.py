"""User preferences and window state: one table of defaults over a QSettings given by ``main()``."""

from __future__ import annotations

from PySide6.QtCore import QSettings

#: Every preference with its default. Window state (geometry, splitters) is kept apart under
#: ``window/`` and is not a preference.
DEFAULTS: dict[str, object] = {
    "vault": "",  # "" = the default vault (clipper.core.paths.default_vault())
    "fetch_links": "ask",  # "ask" (asked once, then remembered) | "yes" | "no"
    "remote_images": False,  # load http(s) images in the preview
    "download_images": "ask",  # web images of imported pages as attachments: "ask" (once) | "yes" | "no"
    "autosave": True,  # save the editor a moment after typing stops
    "appearance": "system",  # system | light | dark (clipper.qt.theme)
    "editor_preview": True,  # the live preview beside the Markdown editor
    "last_folder": "",  # where the file dialogs were last used ("" = the home folder)
    "sort": "relevance",  # relevance | newest | oldest
    "last_search": "",
    "welcomed": False,  # the welcome note was created once
}


class Settings:
    """Typed access to the preferences in :data:`DEFAULTS`; ``qsettings`` is created by the caller."""

    def __init__(self, qsettings: QSettings):
        self.qsettings = qsettings

    def get(self, key: str):
        default = DEFAULTS[key]
        value = self.qsettings.value(key, default)
        if isinstance(default, bool):
            if isinstance(value, str):
                return value.strip().lower() in ("1", "true", "yes", "on")
            return bool(value)
        return type(default)(value) if value is not None else default

    def set(self, key: str, value) -> None:
        if key not in DEFAULTS:
            raise KeyError(key)
        self.qsettings.setValue(key, value)

    def window_state(self, name: str):
        """Bytes saved by :meth:`set_window_state` (a QByteArray) or None."""
        value = self.qsettings.value(f"window/{name}")
        return value if value else None

    def set_window_state(self, name: str, value) -> None:
        self.qsettings.setValue(f"window/{name}", value)

    def sync(self) -> None:
        self.qsettings.sync()


def open_settings(path: str | None = None) -> QSettings:
    """The app's QSettings: an INI file at ``path`` or in the user's config folder."""
    if path:
        return QSettings(path, QSettings.Format.IniFormat)
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "Clipper", "Clipper")
