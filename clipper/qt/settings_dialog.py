"""Preferences: the vault folder, fetching dropped links, remote images in the preview, autosave."""

from __future__ import annotations

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
    QPushButton,
    QVBoxLayout,
    QWidget,
)

FETCH_CHOICES = [("ask", "Ask the first time"), ("yes", "Fetch the page"), ("no", "Never fetch")]


class SettingsDialog(QDialog):
    def __init__(self, settings, current_vault: str, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Clipper Settings")
        self.settings = settings

        self.vault = QLineEdit(current_vault, self)
        self.vault.setAccessibleName("Vault folder")
        browse = QPushButton("&Browse…", self)
        browse.clicked.connect(self._browse)
        row = QWidget(self)
        row_layout = QHBoxLayout(row)
        row_layout.setContentsMargins(0, 0, 0, 0)
        row_layout.addWidget(self.vault, 1)
        row_layout.addWidget(browse)

        self.fetch = QComboBox(self)
        self.fetch.setAccessibleName("Fetch dropped links")
        for key, text in FETCH_CHOICES:
            self.fetch.addItem(text, key)
        self.fetch.setCurrentIndex(max(0, [k for k, _ in FETCH_CHOICES].index(settings.get("fetch_links"))
                                       if settings.get("fetch_links") in dict(FETCH_CHOICES) else 0))
        self.remote_images = QCheckBox("Load &images from the web in the preview", self)
        self.remote_images.setChecked(settings.get("remote_images"))
        self.remote_images.setToolTip("Off: only images saved in the vault are shown (nothing is "
                                      "fetched when you read a note)")
        self.autosave = QCheckBox("&Save edits automatically", self)
        self.autosave.setChecked(settings.get("autosave"))

        form = QFormLayout()
        vault_label = QLabel("&Vault folder:", self)
        vault_label.setBuddy(self.vault)
        form.addRow(vault_label, row)
        fetch_label = QLabel("Dropped &links:", self)
        fetch_label.setBuddy(self.fetch)
        form.addRow(fetch_label, self.fetch)
        form.addRow("", self.remote_images)
        form.addRow("", self.autosave)
        note = QLabel("A new vault folder is used from the next start of Clipper.", self)
        note.setWordWrap(True)

        ok_cancel = QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        buttons = QDialogButtonBox(ok_cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(buttons)

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Vault folder", self.vault.text())
        if folder:
            self.vault.setText(folder)

    def apply(self) -> None:
        """Store the choices (the caller reacts to what changed)."""
        self.settings.set("vault", self.vault.text().strip())
        self.settings.set("fetch_links", self.fetch.currentData())
        self.settings.set("remote_images", self.remote_images.isChecked())
        self.settings.set("autosave", self.autosave.isChecked())
        self.settings.sync()
