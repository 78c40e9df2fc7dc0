"""Small Qt helpers the parts share: a single-shot timer, a dialog's form/note/buttons layout."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QVBoxLayout


def single_shot(parent, interval_ms: int, slot) -> QTimer:
    """A stopped single-shot timer of ``parent`` that calls ``slot``; ``start()`` (re)arms it."""
    timer = QTimer(parent)
    timer.setSingleShot(True)
    timer.setInterval(interval_ms)
    timer.timeout.connect(slot)
    return timer


def dialog_layout(dialog, form, below, buttons) -> None:
    """``form`` on top, the ``below`` widget (a hint, a note), then ``buttons`` (OK/accept, Cancel)."""
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    layout.addLayout(form)
    layout.addWidget(below)
    layout.addWidget(buttons)
