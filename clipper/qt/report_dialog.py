"""One dialog that lists what went wrong in an import (per-file errors, duplicates, skipped links)
instead of a storm of message boxes."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QListWidget, QVBoxLayout


def report_lines(outcome) -> list[str]:
    lines = [f"{label}: {message}" for label, message in outcome.errors]
    for label, note in outcome.duplicates:
        lines.append(f"{label}: already in the vault as “{note.title}” ({note.path.name})")
    for url in outcome.skipped_links:
        lines.append(f"{url}: not fetched (fetching links is off in Settings)")
    lines += [f"{label}: {message}" for label, message in outcome.warnings]
    return lines


class ImportReportDialog(QDialog):
    def __init__(self, outcome, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Import report")
        imported = len(outcome.created)
        problems = len(outcome.errors)
        summary = f"Imported {imported} note{'s' if imported != 1 else ''}."
        if problems:
            summary += f" {problems} item{'s' if problems != 1 else ''} could not be imported."
        if outcome.duplicates:
            summary += f" {len(outcome.duplicates)} already in the vault."
        warned = len({label for label, _m in outcome.warnings})
        if warned:
            summary += f" {warned} note{'s' if warned != 1 else ''} with a warning."
        if outcome.cancelled:
            summary += " The import was cancelled."
        self.summary = QLabel(summary, self)
        self.summary.setWordWrap(True)
        self.list = QListWidget(self)
        self.list.setAccessibleName("Import problems")
        self.list.addItems(report_lines(outcome))
        self.list.setMinimumWidth(520)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.list, 1)
        layout.addWidget(buttons)

    def lines(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count())]
