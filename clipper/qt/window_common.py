"""What the window's parts share: its timings and limits, the sort table, and small text helpers."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QLineEdit, QPlainTextEdit, QTextEdit

SORTS = [("relevance", "Relevance"), ("newest", "Newest first"), ("oldest", "Oldest first")]
SORT_MENU = {"relevance": "Sort by Rele&vance", "newest": "Ne&west First", "oldest": "O&ldest First"}
REFRESH_INTERVAL_MS = 30_000  # a full comparison now and then: files edited in place, missed events
#: ... but at most this share of the time: the interval grows with what the last comparison
#: took (a 100,000-note vault's takes 2-3 s of CPU, holding the GIL by turns with the window)
REFRESH_SHARE = 0.01
MAX_REFRESH_INTERVAL_MS = 600_000
UNDO_BAR_MS = 15_000
MAX_REMOTE_IMAGE = 8 * 1024 * 1024
PREWARM_MS = 1500
WHOLE_VAULT = object()  # a pending sync of everything (F5, the periodic refresh)


def refresh_interval_ms(last_seconds: float | None) -> int:
    """The periodic full comparison's interval after one that took ``last_seconds``."""
    if last_seconds is None:
        return REFRESH_INTERVAL_MS
    return int(min(MAX_REFRESH_INTERVAL_MS, max(REFRESH_INTERVAL_MS, 1000 * last_seconds / REFRESH_SHARE)))


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
