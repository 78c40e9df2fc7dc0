"""Safe note preview: a QTextBrowser that runs no script, loads only the vault's own image files
(remote images only if the user allowed them), never follows ``file:``/``javascript:`` links and
opens web links in the system browser.

QTextBrowser would read any local file named by ``<img src="file:///…">`` and show a clicked
``file:`` link (see FIELD-NOTES), hence ``loadResource`` and ``setOpenLinks(False)``.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QDesktopServices, QImage, QTextDocument
from PySide6.QtWidgets import QTextBrowser

from clipper.core import confine

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp", ".svg", ".avif", ".ico"}
EXTERNAL_SCHEMES = ("http", "https", "mailto")
MAX_IMAGE_BYTES = 20 * 1024 * 1024


def open_external(url: QUrl) -> bool:
    """Open http/https/mailto links in the system browser; anything else does nothing."""
    scheme = url.scheme().lower()
    if not url.isValid() or scheme not in EXTERNAL_SCHEMES:
        return False
    if scheme == "mailto" and not url.path() or scheme != "mailto" and not url.host():
        return False
    return bool(system_open(url))


def system_open(url: QUrl) -> bool:
    """The one place that hands a URL to the desktop (tests replace it)."""
    return QDesktopServices.openUrl(url)


class NoteView(QTextBrowser):
    """Shows a note's Markdown body. ``base_dir`` is the note's folder; ``vault`` bounds local files."""

    link_opened = Signal(QUrl)  # a web link handed to the system browser
    link_blocked = Signal(QUrl)  # a link that was not followed (file:, javascript:, …)
    remote_image_wanted = Signal(QUrl)  # with remote images allowed, the window fetches it

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

    def show_markdown(self, markdown: str, base_dir: Path | None = None) -> None:
        self.base_dir = base_dir
        self.blocked_resources = []
        if base_dir is not None:
            self.document().setBaseUrl(QUrl.fromLocalFile(str(base_dir) + os.sep))
        self.setMarkdown(markdown)

    # -- resources ---------------------------------------------------------------------------
    def loadResource(self, kind, url):
        if kind != QTextDocument.ResourceType.ImageResource:
            self.blocked_resources.append(url.toString())
            return None
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
        if url.scheme() == "" and url.hasFragment() and not url.path():
            self.scrollToAnchor(url.fragment())
            return
        if open_external(url):
            self.link_opened.emit(url)
        else:
            self.link_blocked.emit(url)

    def doSetSource(self, url, kind=QTextDocument.ResourceType.UnknownResource):  # noqa: N802
        """Navigation is never done by the browser itself (a belt to setOpenLinks(False))."""
        if not url.isEmpty():
            self.link_blocked.emit(url)
