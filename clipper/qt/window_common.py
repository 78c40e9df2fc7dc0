"""What the window's parts share: its timings and limits, the sort table, and small text helpers."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QLineEdit, QPlainTextEdit, QTextEdit

SORTS = [("relevance", "Relevance"), ("newest", "Newest first"), ("oldest", "Oldest first")]
SORT_MENU = {"relevance": "Sort by Rele&vance", "newest": "Ne&west First", "oldest": "O&ldest First"}
REFRESH_INTERVAL_MS = 30_000  # a full comparison now and then: files edited in place, missed events
UNDO_BAR_MS = 15_000
MAX_REMOTE_IMAGE = 8 * 1024 * 1024
PREWARM_MS = 1500
WHOLE_VAULT = object()  # a pending sync of everything (F5, the periodic refresh)


def is_text_input(widget) -> bool:
    if isinstance(widget, QLineEdit):
        return not widget.isReadOnly()
    if isinstance(widget, (QPlainTextEdit, QTextEdit)):
        return not widget.isReadOnly()
    return False


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def refused_text(result) -> str:
    """The sentence naming the notes a tag change left as they were (and why), or ""."""
    refused = getattr(result, "refused", None) or []
    if not refused:
        return ""
    path, reason = refused[0]
    more = f" and {len(refused) - 1} more" if len(refused) > 1 else ""
    return f" Not changed: {Path(path).name}{more} ({reason})."


def message_text(text: str) -> str:
    """``text`` for a message box, shown as it is: a box renders anything that looks like HTML,
    and an error message can hold a file name or a note title (``<img src=/abs/…>``)."""
    from PySide6.QtGui import Qt as QtGuiNamespace

    return QtGuiNamespace.convertFromPlainText(text, QtGuiNamespace.WhiteSpaceMode.WhiteSpaceNormal)
