"""Preferences: the vault folder, the look (light/dark), fetching dropped links, remote images in
the preview, autosave. A new vault folder is opened by the window at once (no restart)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QWidget,
)

from clipper.qt.theme import APPEARANCES
from clipper.qt.widgets import dialog_layout

FETCH_CHOICES = [("ask", "Ask the first time"), ("yes", "Fetch the page"), ("no", "Never fetch")]
IMAGE_CHOICES = [("ask", "Ask the first time"), ("yes", "Always"), ("no", "Never")]
MIN_PATH_CHARS = 48  # the vault field shows at least this many characters of a path


def ask_download_images(parent) -> bool:
    """The one question before the first import that may hold web images (the answer becomes
    the "Download images of imported pages" setting)."""
    box = QMessageBox(QMessageBox.Icon.Question, "Download images of imported pages?",
                      "Pictures of a page that were not saved with it (an \u201cHTML only\u201d save, a "
                      "copied selection, a fetched link) are on the web: offline the note shows only "
                      "their descriptions.\n\nMay Clipper download them into the vault beside the "
                      "note?\n\nYour answer is remembered; change it in Settings.", parent=parent)
    download = box.addButton("&Download images", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("&Keep web links", QMessageBox.ButtonRole.RejectRole)
    box.exec()
    return box.clickedButton() is download


def _choose(box: QComboBox, choices, current: str) -> None:
    for key, text in choices:
        box.addItem(text, key)
    keys = [k for k, _ in choices]
    box.setCurrentIndex(keys.index(current) if current in keys else 0)


class SettingsDialog(QDialog):
    def __init__(self, settings, current_vault: str, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Clipper Settings")
        self.settings = settings

        self.vault = QLineEdit(current_vault, self)
        self.vault.setAccessibleName("Vault folder")
        self.vault.setToolTip(current_vault)
        fm = QFontMetrics(self.vault.font())
        # wide enough for the whole path (up to a point): a cut-off path cannot be checked
        wanted = max(fm.horizontalAdvance("x" * MIN_PATH_CHARS), fm.horizontalAdvance(current_vault) + 24)
        self.vault.setMinimumWidth(min(wanted, 900))
        browse = QPushButton("&Browse…", self)
        browse.setAccessibleName("Choose the vault folder")
        browse.clicked.connect(self._browse)
        row = QWidget(self)
        row_layout = QHBoxLayout(row)
        row_layout.setContentsMargins(0, 0, 0, 0)
        row_layout.addWidget(self.vault, 1)
        row_layout.addWidget(browse)

        self.appearance = QComboBox(self)
        self.appearance.setAccessibleName("Appearance")
        _choose(self.appearance, APPEARANCES, settings.get("appearance"))
        self.fetch = QComboBox(self)
        self.fetch.setAccessibleName("Fetch dropped links")
        _choose(self.fetch, FETCH_CHOICES, settings.get("fetch_links"))
        self.remote_images = QCheckBox("Load &images from the web in the preview", self)
        self.remote_images.setChecked(settings.get("remote_images"))
        self.remote_images.setToolTip("Off: only images saved in the vault are shown (nothing is "
                                      "fetched when you read a note)")
        self.download_images = QComboBox(self)
        self.download_images.setAccessibleName("Download images of imported pages")
        _choose(self.download_images, IMAGE_CHOICES, settings.get("download_images"))
        self.download_images.setToolTip("Web images of an imported page saved in the vault beside its "
                                        "note, so that it is complete offline")
        self.autosave = QCheckBox("&Save edits automatically", self)
        self.autosave.setChecked(settings.get("autosave"))

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        for text, field in (("&Vault folder:", row), ("A&ppearance:", self.appearance),
                            ("Dropped &links:", self.fetch),
                            ("Download i&mages of imported pages:", self.download_images)):
            label = QLabel(text, self)
            label.setBuddy(self.vault if field is row else field)
            form.addRow(label, field)
        form.addRow("", self.remote_images)
        form.addRow("", self.autosave)
        note = QLabel("Another vault folder is opened as soon as you press OK; your notes stay "
                      "where they are.", self)
        note.setWordWrap(True)

        ok_cancel = QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        dialog_layout(self, form, note, QDialogButtonBox(ok_cancel, self))

    def _browse(self) -> None:
        start = self.vault.text().strip() or str(Path.home())
        folder = QFileDialog.getExistingDirectory(self, "Vault folder", start)
        if folder:
            self.vault.setText(folder)

    def vault_folder(self) -> str:
        return self.vault.text().strip()

    def apply(self) -> None:
        """Store the choices but the vault (the window opens it, then stores it)."""
        self.settings.set("appearance", self.appearance.currentData())
        self.settings.set("fetch_links", self.fetch.currentData())
        self.settings.set("remote_images", self.remote_images.isChecked())
        self.settings.set("download_images", self.download_images.currentData())
        self.settings.set("autosave", self.autosave.isChecked())
        self.settings.sync()
