"""What identifies a note and finds its duplicates: note ids, content hashes (the file's bytes;
the article's text, white space and case folded), the text's sketch for near-duplicates, and
the canonical key of a source URL. Pure functions, no I/O."""

from __future__ import annotations

import hashlib
import heapq
import re
import secrets
import sys
import time
import unicodedata
import urllib.parse
from array import array

from clipper.core import analysis

_ID_OK = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,80}$")


def new_id() -> str:
    """A new note id: sortable by time, unique (``20261128T110720-3fa9c2d1``)."""
    return time.strftime("%Y%m%dT%H%M%S", time.gmtime()) + "-" + secrets.token_hex(4)


def path_id(relpath: str) -> str:
    """The stable id of a note without one in its front matter (derived from its path)."""
    norm = unicodedata.normalize("NFC", relpath).casefold()
    return "p-" + hashlib.sha1(norm.encode("utf-8")).hexdigest()[:16]


def valid_id(value) -> str | None:
    if value is None or isinstance(value, (dict, list, bool)):
        return None
    text = str(value).strip()
    return text if _ID_OK.match(text) else None


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


_HASH_SLICE = 1 << 18


def text_hash(body: str) -> str | None:
    """Hash of an article's text for duplicate detection (whitespace and case folded):
    sha256 of ``" ".join(body.split()).casefold()``, computed a slice at a time (see
    :func:`text_hash_chunks`): one C call over a long note would hold Python's GIL, and the
    app's window, for its whole length, and a list of every word of a huge note takes GBs."""
    body = body or ""
    return text_hash_chunks(body[i:i + _HASH_SLICE] for i in range(0, len(body), _HASH_SLICE))


_HASH_CHUNK = 1 << 20


def text_hash_chunks(chunks) -> str | None:
    """:func:`text_hash` of the text the ``chunks`` make up, in memory bounded by a chunk
    (words are cut only at whitespace; case folding is per character, so the result is the same)."""
    digest = hashlib.sha256()
    size = 0
    pending = ""
    for chunk in chunks:
        text = pending + chunk
        cut = len(text)
        while cut > 0 and not text[cut - 1].isspace():
            cut -= 1
        if cut == 0 and len(text) < 64 * _HASH_CHUNK:
            pending = text  # one long word so far
            continue
        if cut == 0:
            cut = len(text)  # a word of 64 M characters: cut it (no real text has one)
        text, pending = text[:cut], text[cut:]
        words = " ".join(text.split()).casefold()
        if words:
            if size:
                digest.update(b" ")
                size += 1
            data = words.encode("utf-8")
            digest.update(data)
            size += len(words)
    words = " ".join(pending.split()).casefold()
    if words:
        if size:
            digest.update(b" ")
            size += 1
        digest.update(words.encode("utf-8"))
        size += len(words)
    return digest.hexdigest() if size >= 40 else None


_MD_TARGET = re.compile(r"\]\([^)]*\)|<https?://[^>]+>")
SKETCH_SIZE = 16
SKETCH_LEAST = 30  # distinct grams a text needs for a sketch (fewer: too short to tell)
SKETCH_TEXT = 1_000_000  # characters read for a sketch: an article's copies differ from the start
#: the words' keys kept for the next text (a vault repeats its words); past this many, anew
SKETCH_WORD_KEYS = 50_000
_word_keys: dict[str, bytes] = {}


def _keys_of(word: str) -> bytes:
    """A word's four 8-byte keys, one per place in a 4-gram: its 32-byte BLAKE2b."""
    return hashlib.blake2b(word.encode("utf-8"), digest_size=32).digest()


def _joined_keys(words) -> bytes:
    """The keys (:func:`_keys_of`) of ``words`` one after another, through the kept keys."""
    keys = _word_keys
    try:
        return b"".join(map(keys.__getitem__, words))
    except KeyError:
        missing = set(words).difference(keys)
        if len(keys) + len(missing) > SKETCH_WORD_KEYS:
            keys = {}  # a new dict, not clear(): another thread may be reading the old one
            missing = set(words)
        keys.update(zip(missing, map(_keys_of, missing)))
        _set_word_keys(keys)
        return b"".join(map(keys.__getitem__, words))


def shingles(body: str) -> set[int]:
    """The distinct :func:`_gram_hashes` of ``body``."""
    return set(_gram_hashes(body))


def _gram_hashes(body: str) -> array:
    """Hashes of the word 4-grams of an article's visible text (the index's lowercase tokens,
    link targets left out): what two copies of one article share however each was imported.
    Only the first SKETCH_TEXT characters count, so a huge note costs bounded memory.

    A gram's hash is the XOR of its words' keys for their places, each key a signed
    little-endian 64-bit integer (simple tabulation hashing, good for bottom-k sketches). The
    XOR runs over whole columns of keys as big integers: no Python work per gram (a
    cryptographic hash per gram was a quarter of a first index's time)."""
    toks = _sketch_tokens((body or "")[:SKETCH_TEXT])
    n = len(toks)
    if n < 4:
        return array("q")
    row = _joined_keys(toks)
    q = memoryview(row).cast("Q")  # word i's key for place p is q[4 * i + p]
    grams = n - 3
    x = 0
    for place in range(4):
        column = q[5 * place:5 * place + 4 * grams:4].tobytes()  # words place .. place + grams - 1
        x ^= int.from_bytes(column, "little")
    values = array("q", x.to_bytes(8 * grams, "little"))
    if sys.byteorder == "big":
        values.byteswap()
    return values


def _sketch_tokens(text: str) -> list[str]:
    """The index's tokens of ``text`` without those of its link targets."""
    linked = visible_spans(text)
    if linked is None:
        return analysis.tokenize(text)
    everything, spans = linked
    return [t for a, b in spans for t in everything[a:b]]


def visible_spans(text: str) -> tuple[list[str], list[tuple[int, int]]] | None:
    """(the index's tokens of ``text``, the (start, end) ranges of those that are not of its
    link targets), or None when ``text`` has no link (all of its tokens count).

    A target starts and ends with a non-word character, so the text's tokens are those of
    its pieces in a row: they are handed to the index's tokenizer (:func:`analysis.remember`),
    which would find the same again."""
    if "](" not in text and "<http" not in text:
        return None
    everything: list[str] = []
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _MD_TARGET.finditer(text):
        piece = analysis.tokenize(text[start:m.start()])
        spans.append((len(everything), len(everything) + len(piece)))
        everything += piece
        everything += analysis.tokenize(m.group())
        start = m.end()
    piece = analysis.tokenize(text[start:])
    spans.append((len(everything), len(everything) + len(piece)))
    everything += piece
    analysis.remember(text, everything)
    return everything, spans


def _set_word_keys(keys: dict) -> None:
    global _word_keys
    _word_keys = keys


def text_sketch(body: str, grams: set[int] | None = None) -> list[int]:
    """The SKETCH_SIZE smallest shingle hashes (a bottom-k sketch): notes sharing several are
    candidates for the same article. Empty for texts of fewer than SKETCH_LEAST distinct grams.

    Without ``grams`` (a first index: a sketch for every note) the smallest values are taken
    from the grams with their repeats first: when twice SKETCH_SIZE of them hold SKETCH_LEAST
    distinct values, the sketch is among them and no set of all grams is made (that set and
    its bottom-k were a third of the sketch's time)."""
    if grams is None:
        values = _gram_hashes(body)
        head = sorted(set(heapq.nsmallest(2 * SKETCH_SIZE, values)))
        if len(head) >= SKETCH_LEAST:
            return head[:SKETCH_SIZE]
        grams = set(values)
    return heapq.nsmallest(SKETCH_SIZE, grams) if len(grams) >= SKETCH_LEAST else []


class GramKeys:
    """The keys of a growing vocabulary's words (:func:`_keys_of`) by word id, for the sketch
    of a text given as word ids (:meth:`sketch`). A first build's index already holds each
    note's text as word ids (``SegmentBuilder.body_tokens``): its sketch then takes a few
    numpy calls, not a pass of its own over the words (a quarter of a first build's time).
    Only bulk builds use it: numpy is imported here, not for one note."""

    def __init__(self):
        self._words: list[str] | None = None
        self._table = None  # (4, capacity) int64: row p the keys for place p of word id i
        self._count = 0

    def table(self, words: list[str]):
        """The (4, len(words)) keys of ``words`` (a list that only grows; another starts anew)."""
        import numpy as np

        if words is not self._words:
            self._words, self._count = words, 0
            self._table = np.empty((4, max(1024, len(words))), dtype="<i8")
        n = len(words)
        if n > self._count:
            if n > self._table.shape[1]:
                grown = np.empty((4, max(n, 2 * self._table.shape[1])), dtype="<i8")
                grown[:, :self._count] = self._table[:, :self._count]
                self._table = grown
            fresh = np.frombuffer(_joined_keys(words[self._count:n]), dtype="<i8")
            self._table[:, self._count:n] = fresh.reshape(-1, 4).T
            self._count = n
        return self._table[:, :n]

    def sketch(self, ids, words: list[str], spans=None) -> list[int]:
        """:func:`text_sketch` of a text whose tokens are ``words[i] for i in ids`` (a numpy
        int array); ``spans``: the ranges of :func:`visible_spans` of the text."""
        import numpy as np

        if spans is not None:
            ids = np.concatenate([ids[a:b] for a, b in spans]) if spans else ids[:0]
        grams = len(ids) - 3
        if grams < 1:
            return []
        keys = self.table(words)
        values = keys[0].take(ids[:grams])  # as in _gram_hashes: word j + p's key for place p
        for place in (1, 2, 3):
            values ^= keys[place].take(ids[place:place + grams])
        values.sort()  # (np.unique hashes first: slower on a few hundred values)
        distinct = values[np.concatenate(([True], values[1:] != values[:-1]))]
        return distinct[:SKETCH_SIZE].tolist() if len(distinct) >= SKETCH_LEAST else []


def _title_key(title: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", (title or "").casefold()).split())


def same_article(a: set[int], b: set[int], title_a: str = "", title_b: str = "") -> bool:
    """Are two texts (as shingle sets) one article? One holds most of the other and they are of
    similar size, and their titles agree (one may hold the other, as with a site's name
    added); without agreeing titles only texts that are all but identical are."""
    if not a or not b:
        return False
    shared = len(a & b)
    small, big = min(len(a), len(b)), max(len(a), len(b))
    if shared < 0.7 * small or shared < 0.4 * big:
        return False
    ta, tb = _title_key(title_a), _title_key(title_b)
    short, long_ = sorted((ta, tb), key=len)
    if short and (short == long_ or (short in long_ and len(short) >= 0.5 * len(long_))):
        return True
    return shared >= 0.97 * big


_TRACKING = re.compile(r"^(utm_.*|fbclid|gclid|mc_cid|mc_eid|ref|ref_src|igshid|_ga|yclid|spm)$", re.I)


def normalize_url(url) -> str | None:
    """Canonical form of a source URL for duplicate checks (scheme/host case, www., fragment,
    tracking parameters, trailing slash and default ports ignored). A ``#!`` or ``#/`` route
    (hash-routed sites) is part of the address."""
    if not url:
        return None
    text = str(url).strip()
    try:
        parts = urllib.parse.urlsplit(text)
    except ValueError:
        return text.lower() or None
    if not parts.scheme or not parts.netloc:
        return text.lower() or None
    host = (parts.hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    port = parts.port if parts.port not in (None, 80, 443) else None
    netloc = host + (f":{port}" if port else "")
    query = urllib.parse.urlencode(sorted((k, v) for k, v in urllib.parse.parse_qsl(parts.query, True)
                                          if not _TRACKING.match(k)))
    path = parts.path.rstrip("/") or ""
    scheme = "https" if parts.scheme.lower() in ("http", "https") else parts.scheme.lower()
    fragment = parts.fragment if parts.fragment.startswith(("!", "/")) else ""
    fragment = fragment.rstrip("/") if fragment.strip("!/") else ""
    return urllib.parse.urlunsplit((scheme, netloc, path, query, fragment))
