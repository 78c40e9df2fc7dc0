"""Plain text (pasted or .txt) -> :class:`Clip`: encoding repaired, site chrome trimmed,
title, byline, date, site and source URL found.

``extract_text(text, url=None, mode="article") -> Clip``; ``mode="verbatim"`` keeps the text
exactly as given (only the encoding repaired); ``mode="raw"`` not even that.
Placeholder until the pasted-text work lands.
"""

from __future__ import annotations

from clipper.core.errors import InputError
from clipper.core.model import Clip
from clipper.core.mojibake import repair


def extract_text(text: str, url: str | None = None, mode: str = "article") -> Clip:
    if not text.strip():
        raise InputError("the text is empty")
    if mode != "raw":
        text = repair(text)
    lines = [ln.strip() for ln in text.splitlines()]
    title = next((ln for ln in lines if ln), "")
    body = "\n\n".join(ln for ln in lines if ln)
    return Clip(markdown=body, title=title[:200], source=url or "", kind="text")
