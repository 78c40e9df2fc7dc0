"""Encoding repair: undo UTF-8 text that was decoded with a legacy code page (mojibake).

``repair(text)`` must leave clean text in any script unchanged (a false repair is worse than
none). Placeholder until the pasted-text work lands: ftfy with conservative settings.
"""

from __future__ import annotations


def repair(text: str) -> str:
    import ftfy

    return ftfy.fix_encoding(text)
