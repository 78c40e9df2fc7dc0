"""Bytes -> text: BOM, then the page's own declaration (``<meta charset>``, http-equiv,
``<?xml encoding?>``), then strict UTF-8, then charset-normalizer. Binary data -> InputError.

``decode_html(data, declared=None) -> (text, encoding)``; ``decode_text(data) -> (text, encoding)``.
``declared`` is an outside declaration (an MHTML part's ``charset=``), used after the BOM.
"""

from __future__ import annotations

import codecs
import re

from clipper.core.errors import InputError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_:.+-]{1,40})""", re.I)
_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9_.:+-]{1,40})["']""", re.I)
_SNIFF_BYTES = 16384

# Labels browsers map elsewhere (WHATWG Encoding Standard): a page that says latin-1 is cp1252.
_ALIASES = {
    "iso-8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252", "ascii": "cp1252",
    "us-ascii": "cp1252", "iso-8859-9": "cp1254", "tis-620": "cp874", "iso-8859-11": "cp874",
    "x-sjis": "shift_jis", "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030",
    "ks_c_5601-1987": "cp949", "euc-kr": "cp949", "big5": "big5hkscs", "utf8": "utf-8",
    "unicode": "utf-16", "utf-16": "utf-16",
}


def normalise_encoding(label: str | None) -> str | None:
    """A Python codec name for an encoding label, or None if unknown."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    label = _ALIASES.get(label, label)
    try:
        name = codecs.lookup(label).name
    except (LookupError, ValueError):
        return None
    if name in ("utf-16-le", "utf-16-be", "utf-16", "utf-32", "utf-32-le", "utf-32-be"):
        # a page read as bytes that declares UTF-16 yet is ASCII-compatible is really UTF-8
        return None
    return name


def sniff_declared(data: bytes) -> str | None:
    """The encoding the document declares in its first bytes (meta charset / http-equiv / xml)."""
    head = data[:_SNIFF_BYTES]
    m = _XML_DECL.search(head) or _META_CHARSET.search(head)
    return normalise_encoding(m.group(1).decode("ascii", "ignore")) if m else None


_CONTROL_BYTES = bytes(b for b in range(32) if b < 9 or 13 < b < 32 and b != 27)


def looks_binary(data: bytes) -> bool:
    """True for data that is plainly not text (images, archives, executables)."""
    sample = data[:8192]
    if not sample:
        return False
    if sample.startswith((b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"PK\x03\x04", b"%PDF", b"\x7fELF",
                          b"\x1f\x8b", b"BZh", b"\xfd7zXZ", b"Rar!", b"7z\xbc\xaf", b"MZ", b"\x00asm",
                          b"RIFF", b"OggS", b"fLaC", b"ID3", b"wOFF", b"wOF2", b"SQLite format")):
        return True
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return controls > len(sample) * 0.1


def _bom(data: bytes):
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name, len(bom)
    return None, 0


def _decode(data: bytes, declared: str | None, sniff: bool) -> tuple[str, str]:
    if not data or not data.strip():
        raise InputError("the file is empty")
    name, skip = _bom(data)
    if name:
        return data[skip:].decode(name, "replace"), name
    if looks_binary(data):
        raise InputError("this is not a text or HTML file (binary data)")
    for enc in (normalise_encoding(declared), sniff_declared(data) if sniff else None):
        if enc:
            try:
                return data.decode(enc), enc
            except (UnicodeDecodeError, LookupError):
                # a wrong declaration: strict UTF-8 may still fit; else keep the declared one
                try:
                    return data.decode("utf-8"), "utf-8"
                except UnicodeDecodeError:
                    return data.decode(enc, "replace"), enc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if _mostly_utf8(data):
        # UTF-8 with a few damaged bytes: detectors guess a legacy code page for these
        return data.decode("utf-8", "replace"), "utf-8"
    guess = _guess(data)
    if guess is None:
        raise InputError("this is not a text or HTML file (its encoding cannot be detected)")
    return data.decode(guess, "replace"), guess


_UTF8_MULTI = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def _mostly_utf8(data: bytes) -> bool:
    sample = data[:1_000_000]
    good = len(_UTF8_MULTI.findall(sample))
    bad = sample.decode("utf-8", "replace").count("\ufffd")
    return good >= 3 and bad <= good // 4


# Legacy encodings web pages really use; a detector's other guesses (cp775, mac_*, …) on a page
# with a few accented letters are almost always Windows-1252 in fact.
_WEB_LEGACY = {"cp1250", "cp1251", "cp1252", "cp1253", "cp1254", "cp1255", "cp1256", "cp1257", "cp1258",
               "koi8-r", "koi8-u", "shift_jis", "cp932", "euc_jp", "iso2022_jp", "gb18030", "big5hkscs",
               "big5", "cp949", "euc_kr", "cp874", "iso8859-2", "iso8859-5", "iso8859-7", "iso8859-8",
               "iso8859-15", "mac-cyrillic"}


def _guess(data: bytes) -> str | None:
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover
        return None
    matches = list(from_bytes(data[:200_000]))
    if not matches:
        return None
    names = [normalise_encoding(m.encoding) for m in matches]
    if names[0] == "utf-8":
        return None
    best_chaos = matches[0].chaos
    tied = [n for m, n in zip(matches, names) if m.chaos <= best_chaos + 0.01]
    sample = data[:200_000]
    high = len(sample) - len(sample.translate(None, bytes(range(0x80, 0x100))))
    letters = len(sample) - len(sample.translate(None, bytes(range(65, 91)) + bytes(range(97, 123))))
    if "cp1252" in tied and high < 0.3 * (high + letters):
        return "cp1252"  # mostly Latin letters: the web's default for unlabelled Western pages
    for name in names:
        if name in _WEB_LEGACY:
            return name
    return "cp1252"


def decode_html(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Decode a saved page. Raises InputError for empty or binary data."""
    return _decode(data, declared, sniff=True)


def decode_text(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Decode a plain-text file (no markup declarations are looked for)."""
    return _decode(data, declared, sniff=False)
