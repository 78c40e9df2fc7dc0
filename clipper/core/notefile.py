"""Note files as bytes: decode any note (BOM-aware), read huge ones in bounded memory, and change
one header key while every other byte (encoding, BOM, line endings, NULs, other keys) stays.

Notes come from other programs and synced folders: Latin-1 or UTF-16 files, CRLF or CR line
endings, NUL bytes, duplicate keys. :func:`set_key` edits such a file in its own encoding and
line-ending style, or raises :class:`EditRefused` with the reason, never an approximation.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from dataclasses import dataclass

from clipper.core import frontmatter

_BOMS = (  # UTF-32 first: its little-endian BOM starts with UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_CHUNK = 4 * 1024 * 1024


class EditRefused(ValueError):
    """The note cannot be changed without changing more than asked; the message says why."""


def sniff(data: bytes) -> tuple[bytes, str]:
    """(byte-order mark, codec) of a note: a BOM names its encoding, else UTF-8."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return bom, codec
    return b"", "utf-8"


def decode(data: bytes) -> str:
    """A note's text for reading: UTF-8 (a BOM kept as U+FEFF, as the header parser expects),
    or the UTF-16/32 its BOM names; undecodable bytes become U+FFFD."""
    bom, codec = sniff(data)
    if codec == "utf-8":
        return data.decode("utf-8", "replace")
    return data[len(bom):].decode(codec, "replace")


# --- reading big notes ---------------------------------------------------------------------


@dataclass
class Head:
    """The start of a note too big to decode whole, with hashes over all of it."""

    text: str  # the first ``head_bytes`` decoded
    hash: str  # sha256 of every byte
    body_hash: str | None  # notekeys.text_hash of the whole body (the text after the header)


def read_head(fh, head_bytes: int, clean, text_hash_of) -> Head:
    """Decode only the first ``head_bytes`` of the open file ``fh``; hash all of it in chunks.

    ``clean`` is applied to the decoded text as the whole-file reader does; ``text_hash_of``
    (an iterable of text chunks -> hash) gets the cleaned body in chunks, so memory stays bounded
    by the chunk size whatever the size of the note.
    """
    digest = hashlib.sha256()
    first = fh.read(head_bytes)
    digest.update(first)
    bom, codec = sniff(first)
    decoder = codecs.getincrementaldecoder(codec)("replace")
    text = decoder.decode(first[len(bom):] if codec != "utf-8" else first)
    text = clean(text)
    _meta, body, _error = frontmatter.split(text)

    def body_chunks():
        yield body
        while True:
            chunk = fh.read(_CHUNK)
            if not chunk:
                tail = decoder.decode(b"", final=True)
                if tail:
                    yield clean(tail)
                return
            digest.update(chunk)
            yield clean(decoder.decode(chunk))

    body_hash = text_hash_of(body_chunks())
    return Head(text, digest.hexdigest(), body_hash)


# --- changing one key ----------------------------------------------------------------------


def _flow(value) -> str:
    shown = frontmatter.one_line(value)
    if shown is None:
        raise EditRefused("the new value cannot be written on one line")
    return shown


def _key_lines(header: str, key: str) -> int:
    return len(re.findall(rf"(?m)^{re.escape(key)}[ \t]*:", header))


def _set_key_text(text: str, key: str, value) -> tuple[str, int]:
    """(new text, end of the old header in ``text``) with ``key`` set; raises EditRefused."""
    eol = "\r\n" if "\r\n" in text else "\n"
    found = frontmatter.find_header(text)
    if found is not None and found[2]:  # "---\n---\n": an empty header gets the key after its opening line
        cut = text.index("\n") + 1
        return text[:cut] + f"{key}: {_flow(value)}" + eol + text[cut:], found[1]
    if found is None:
        if text.lstrip("\ufeff \t\r\n").startswith("---"):
            raise EditRefused("it starts with '---' but its front matter has no closing '---' line")
        return "---" + eol + f"{key}: {_flow(value)}" + eol + "---" + eol + text, 0
    header, header_end, _empty = found
    if re.search("[\ud800-\udfff]", header):
        raise EditRefused("its front matter holds bytes that are not UTF-8 text")
    _meta, _body, error = frontmatter.split(text)
    if error:
        raise EditRefused(f"it has {error}")
    if _key_lines(header, key) > 1:
        raise EditRefused(f"its front matter has the key '{key}' more than once")
    new = frontmatter.set_key(text, key, value)
    if new is None:
        raise EditRefused(f"its front matter writes '{key}' in a form Clipper cannot change "
                          "without rewriting the header")
    return new, header_end


def set_key(data: bytes, key: str, value) -> bytes:
    """``data`` (a whole note file) with ``key`` of its header set to ``value``, in the file's own
    encoding, BOM and line endings; every byte outside that key's lines is kept. A note without
    a header gets one (in front of its unchanged text). Raises EditRefused with the reason."""
    bom, codec = sniff(data)
    errors = "strict"
    try:
        text = data[len(bom):].decode(codec)
    except UnicodeDecodeError as exc:
        if codec != "utf-8":
            raise EditRefused(f"it is not valid {codec.upper()} text") from None
        # Bytes that are not UTF-8 (a Latin-1 "é") are carried through unchanged.
        text = data[len(bom):].decode("utf-8", "surrogateescape")
        errors = "surrogateescape"
        del exc
    cr_only = "\r" in text and "\n" not in text  # classic Mac line endings
    if cr_only:
        text = text.replace("\r", "\n")
    elif "\r" in text.replace("\r\n", ""):
        raise EditRefused("it mixes CR line endings with others")
    new, header_end = _set_key_text(text, key, value)
    if cr_only:
        new = new.replace("\n", "\r")
    try:
        out = bom + new.encode(codec, errors)
    except UnicodeEncodeError:
        raise EditRefused(f"the new value cannot be written in {codec.upper()}") from None
    _check_outside_header(data, out, len(bom) + len(text[:header_end].encode(codec, errors)))
    return out


def _check_outside_header(old: bytes, new: bytes, header_end: int) -> None:
    """Every byte of ``old`` after its header is at the end of ``new``, unchanged."""
    if not new.endswith(old[header_end:]):
        raise EditRefused("the change would touch more than the front matter")
