"""The Whoosh full-text index: a per-machine cache of the vault, rebuilt whenever in doubt.

Design (each choice measured on 10,000 to 100,000 notes; ``docs/ARCHITECTURE.md`` has the map):
- Text is indexed unstemmed with a fast tokenizer (``\\w+`` runs, lowercased; Chinese,
  Japanese and Thai as character bigrams). Stemming happens at query time: a query word is
  expanded to the indexed words with the same stem (English Porter2, Russian Snowball), which
  keeps the build fast, phrases exact and prefix queries correct.
- The body field starts with the title, whose words weigh TITLE_WEIGHT (BM25F over title and
  text in one posting list per word); ``title:`` has its own field. Dates are columns only
  (:class:`DateField`; ranges: :class:`ColumnRange`), not Whoosh's 16 trie terms per value.
- Positions are stored as raw arrays; postings are pooled in memory per term
  (``_CompactPool``) and written straight into Whoosh's W3 posting blocks of BLOCK_POSTINGS,
  a field at a time (``_write_pool``); a text block's values are one bytes object with
  offsets (:class:`PackedValues`: no object per posting when writing or reading).
- A first build writes independent segments (:class:`SegmentBuilder`, numbered from 0, in a
  side folder, without the lock) two at a time, one per core, and commits them in order
  (:meth:`SearchIndex.add_segments`; the scheduling is the library's). Single-note commits
  never merge: once a tier of small segments is full (MERGE_TIERS), a thread merges it beside
  the index, without the write lock, and swaps the result in with one short commit
  (:meth:`SearchIndex.merge_once`). Small segments keep their term table in memory.
- Prefix queries expand to at most PREFIX_TERMS of the most frequent matching words and score
  as a constant (a bare prefix takes the first matches from the heads of the posting lists).
- Snippets are computed from the note's text with one regular expression, not by Whoosh's
  highlighter. After a commit the searcher is opened anew (never ``refresh()``), keeping the
  readers of unchanged segments; what a segment reader learns (term infos, length bytes,
  date columns, long posting lists) stays with it.
- Relevance searches of words, phrases, OR, NOT and tags are scored from whole posting lists
  read in one piece (numpy arrays: a mask of documents per leaf, one score array per
  segment; BM25F exactly as Whoosh computes it, a test compares the two), and a phrase's
  positions are checked only for the best-scoring candidates; sorting by date uses the same
  path with the created column. Other shapes (date ranges, tag prefixes, prefixes of several
  words) run through Whoosh.
- Writers: a timeout, never AsyncWriter; a failed commit cancels; no mmap (old readers'
  mappings stayed resident until a garbage collection).

This is the search engine behind one door: the only module that imports ``whoosh`` (an import
contract checks it), used by the library through :class:`SearchIndex` (write, delete, add
segments, run a query, vocabulary: doc_frequency/known/completion, suggest: correct). Why one
module of this size: its writer and its direct reader share Whoosh's W3 segment format
(posting blocks, term infos, length bytes), which must change together and is pinned to one
Whoosh version (``check_block_format`` verifies it at run time). Text analysis lives in
``clipper.core.analysis``, snippets in ``clipper.core.snippets``, the query language in
``clipper.core.query``."""

from __future__ import annotations

import contextlib
import hashlib
import heapq
import io
import logging
import math
import operator
import os
import pickle
import random
import re
import shutil
import struct
import sys
import threading
import time
import zlib
from array import array
from bisect import bisect_left, bisect_right
from collections import Counter
from itertools import accumulate, chain, islice, repeat
from pathlib import Path

import whoosh
import whoosh.util
from whoosh import fields, formats
from whoosh import query as wq
from whoosh.analysis import Token, Tokenizer
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3Codec, W3FieldWriter, W3TermInfo
from whoosh.fields import NUMERIC as _NUMERIC
from whoosh.filedb import filetables
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.filetables import OrderedHashReader, OrderedHashWriter, md5_hash
from whoosh.matching import ListMatcher, NullMatcher, NullMatcherClass
from whoosh.matching.wrappers import ConstantScoreWrapperMatcher, FilterMatcher
from whoosh.query.compound import DefaultOr
from whoosh.reading import TermNotFound
from whoosh.scoring import BM25F
from whoosh.system import pack_ushort
from whoosh.util.numeric import byte_to_length
from whoosh.util.numlists import GrowableArray
from whoosh.writing import SegmentWriter

from clipper.core import query as qlang
from clipper.core.analysis import stem, stem_prefix, tokenize
from clipper.core.errors import VaultError

log = logging.getLogger(__name__)


class _LazyModule:
    """A module imported when first used: numpy takes ~0.1 s to import, which the app's
    start-up need not pay (the first search does, well inside its budget)."""

    def __init__(self, name: str):
        self._name = name

    def __getattr__(self, attr):
        import importlib

        module = importlib.import_module(self._name)
        globals()["np"] = module  # later look-ups go straight to it
        return getattr(module, attr)


np = _LazyModule("numpy")

# Whoosh names segment and temporary files with the process-wide ``random`` module: code that
# seeds it (a test framework, a plug-in) would make two commits pick the same file names.
whoosh.util.random = random.SystemRandom()

class _OrderedHashReader(OrderedHashReader):
    """Whoosh's reader of a segment's term file, with its directory of 256 hash tables read in
    one piece: Whoosh reads each entry on its own, 256 small reads (a seek and a read of the
    compound file each) every time a segment is opened, at each reopen and after each commit."""

    def __init__(self, dbfile, length=None, magic=b"HSH3", startoffset=0):
        if length is None:
            dbfile.seek(0, os.SEEK_END)
            length = dbfile.tell() - startoffset
        head = dbfile.get(startoffset, 13)
        if head[:4] != magic:
            raise filetables.FileFormatError(f"Unknown file header {head[:4]!r}")
        self.dbfile = dbfile
        self.startoffset = startoffset
        self.is_closed = False
        self.hashtype = head[4]
        self.hashfn = filetables._hash_functions[self.hashtype]
        self.startofdata = startoffset + 13  # magic, hash type, two unused ints
        exptr = startoffset + length - 4
        expos = exptr - dbfile.get_int(exptr)
        dbfile.seek(expos)
        self._read_extras()
        entry = filetables._dir_entry
        table = dbfile.get(expos - filetables._directory_size, filetables._directory_size)
        self.tables = [entry.unpack_from(table, i * entry.size) for i in range(256)]
        self.endofdata = self.tables[0][0]


def _fast_term_files() -> None:
    """Have Whoosh's W3 terms reader open term files with :class:`_OrderedHashReader`, if
    this Whoosh reads them as the pinned version does (else leave it as it is)."""
    if (OrderedHashReader.__init__ is filetables.HashReader.__init__
            and hasattr(filetables, "_dir_entry") and hasattr(filetables, "_hash_functions")):
        filetables.OrderedHashReader = _OrderedHashReader


_fast_term_files()

#: Bump when the schema or the tokenizer changes: the index is then rebuilt from the files.
SCHEMA_VERSION = 8  # 8: no path/hash terms, dates as columns, packed text values
INDEX_NAME = "MAIN"
MAX_INDEXED_CHARS = 1_000_000
PREFIX_TERMS = 8
TITLE_WEIGHT = 3.0
#: Separates the title from the text in the body field (title words weigh more).
TITLE_SEP = "\x00"
VARIANT_SCAN = 3000

# --- the tokenizer Whoosh calls (clipper.core.analysis does the work) -------------

class ClipperTokenizer(Tokenizer):
    """Whoosh-compatible wrapper of :func:`tokenize` (for Whoosh's own tools)."""

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize_=True, mode="", **kwargs):
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for i, word in enumerate(tokenize(value)):
            t.text = word
            t.boost = 1.0
            t.stopped = False
            if keeporiginal:
                t.original = word
            if positions:
                t.pos = start_pos + i
            yield t


def _title_and_body(value: str) -> tuple[list[str] | None, list[str]]:
    """The tokens of a title/body value's title (None: the value has no title) and body.

    A title before TITLE_SEP comes first (BM25F: each title occurrence weighs TITLE_WEIGHT);
    one position is skipped after it so that no phrase spans the title/body border."""
    head, sep, tail = value.partition(TITLE_SEP) if TITLE_SEP in value[:2000] else ("", "", value)
    return (tokenize(head) if sep else None), tokenize(tail)


def _text_positions(value: str):
    """(positions by word, title occurrences by word, token count) of a title/body value
    (see :func:`_title_and_body`)."""
    title, body = _title_and_body(value)
    sep = title is not None
    title = title or []
    tokens = title + [""] + body if sep else body  # "" (never a token) takes the skipped position
    poses: dict[str, list[int]] = {}
    get = poses.get
    for i, word in enumerate(tokens):
        plist = get(word)
        if plist is None:
            poses[word] = [i]
        else:
            plist.append(i)
    if sep:
        del poses[""]
    return poses, Counter(title), len(title) + len(body)


class ArrayPositions(formats.Positions):
    """Positions stored as a raw uint32 array (pickling a list per posting was the cost)."""

    def word_values(self, value, analyzer, **kwargs):
        poses, in_title, _length = _text_positions(value)
        fb = self.field_boost
        extra = TITLE_WEIGHT - 1.0
        for word, plist in poses.items():
            weight = (len(plist) + extra * in_title.get(word, 0)) * fb
            yield word, len(plist), weight, array("I", plist).tobytes()

    def decode_positions(self, valuestring):
        return array("I", valuestring).tolist()

    def decode_position_boosts(self, valuestring):
        return [(p, 1.0) for p in self.decode_positions(valuestring)]


class FastText(fields.TEXT):
    def __init__(self, field_boost=1.0, **kwargs):
        super().__init__(analyzer=ClipperTokenizer(), phrase=True, field_boost=field_boost, **kwargs)
        self.format = ArrayPositions(field_boost=field_boost)


class DateField(fields.NUMERIC):
    """A date as YYYYMMDDhhmmss in a column only (sorting, date ranges: :class:`ColumnRange`),
    0 where a note has none. Whoosh's NUMERIC also indexes 16 trie terms per value for its
    range queries: with a date to the second in every note, most of a segment's terms."""

    indexed = False

    def __init__(self):
        super().__init__(numtype=int, bits=64, signed=True, sortable=True, default=0)


def make_schema() -> fields.Schema:
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        path=fields.STORED(),
        title=FastText(),
        body=FastText(),
        tags=fields.KEYWORD(lowercase=False, commas=False, scorable=False),
        author=FastText(),
        site=FastText(),
        source=FastText(),
        created=DateField(),
        published=DateField(),
        language=fields.ID(),
    )


class _PreloadedLengths:
    """Per-document field lengths read once per field (Whoosh looked one up per posting:
    a file seek + read for each of ~600 postings per note, a fifth of the build time)."""

    def __init__(self, pdr):
        self._pdr = pdr
        self._count = pdr.doc_count_all()
        self._cache: dict[str, list[int]] = {}

    def doc_field_length(self, docnum, fieldname, default=0):
        lengths = self._cache.get(fieldname)
        if lengths is None:
            dfl = self._pdr.doc_field_length
            lengths = self._cache[fieldname] = [dfl(d, fieldname, 0) for d in range(self._count)]
        try:
            return lengths[docnum]
        except IndexError:
            return default

    def lengths(self, fieldname) -> list[int]:
        """The field's (approximate, as stored) length of every document."""
        self.doc_field_length(0, fieldname)
        return self._cache[fieldname]


class _CompactPool:
    """In-memory posting pool grouped by field and term (replaces Whoosh's PostingPool).

    Whoosh keeps one 5-tuple per posting (~200 bytes) and sorts all of them at commit; this
    keeps a few arrays per term (~12 bytes plus the value per posting) and sorts only the
    distinct terms. A 10k-note build needs a fraction of the memory and no spill files, so
    bulk builds can use large chunks (fewer segments, faster queries).

    Text fields (ArrayPositions) are keyed by the word and keep (docnum, frequency, title
    frequency) triples and the positions, one array each: the weight follows from the
    frequencies when the segment is written. Other fields are keyed by the term bytes and
    keep docnums, weights, value ends and the values concatenated."""

    def __init__(self, schema, textual=None, staged: bool = False):
        self.fieldnames: set[str] = set()
        # ``staged``: text postings of new documents wait as token ids (:class:`_Staged`)
        self._staging: dict[str, _Staged] | None = {} if staged else None
        self._fields: dict[str, dict] = {}
        self._schema = schema
        self._textual = set(textual) if textual is not None else textual_fields(schema)
        # text postings (from merged segments) whose weight is not the one their frequencies
        # give: (field, word) -> {docnum: weight}
        self._weights: dict[tuple, dict] = {}
        # whether postings may have come out of docnum order (merged segments come after
        # the new documents, one term at a time)
        self._top = -1
        self._disordered = False

    def _terms(self, fieldname: str) -> dict:
        terms = self._fields.get(fieldname)
        if terms is None:
            terms = self._fields[fieldname] = {}
            self.fieldnames.add(fieldname)
        return terms

    def add(self, item) -> None:
        """One posting (Whoosh's pool interface, used when segments are merged)."""
        fieldname, tbytes, docnum, weight, vbytes = item
        if self._staging and fieldname in self._staging:
            self._unstage(fieldname)  # postings in the order they came
        if docnum < self._top:
            self._disordered = True
        self._top = docnum
        terms = self._terms(fieldname)
        if fieldname in self._textual:
            word = tbytes.decode("utf-8")
            positions = array("I", vbytes)
            freq = len(positions)
            boost = self._schema[fieldname].format.field_boost
            extra = TITLE_WEIGHT - 1.0
            in_title = max(0, round((weight / boost - freq) / extra)) if boost and extra else 0
            if _weight(freq, in_title, boost) != weight:
                self._weights.setdefault((fieldname, word), {})[docnum] = weight
            entry = terms.get(word)
            if entry is None:
                entry = terms[word] = (array("I"), array("I"))
            entry[0].extend((docnum, freq, in_title))
            entry[1].extend(positions)
            return
        entry = terms.get(tbytes)
        if entry is None:
            entry = terms[tbytes] = (array("I"), array("f"), array("I"), bytearray())
        elif type(entry) is array:  # plain postings so far (see add_plain)
            entry = terms[tbytes] = (entry, array("f", [1.0]) * len(entry), array("I", bytes(4 * len(entry))),
                                     bytearray())
        docs, weights, ends, data = entry
        docs.append(docnum)
        weights.append(weight)
        if vbytes:
            data += vbytes
        ends.append(len(data))

    def add_plain(self, fieldname: str, docnum: int, terms) -> None:
        """Postings of weight 1 without a value (ids, numbers): only the docnum is kept."""
        if docnum < self._top:
            self._disordered = True
        self._top = docnum
        pool = self._terms(fieldname)
        get = pool.get
        for tbytes in terms:
            entry = get(tbytes)
            if entry is None:
                pool[tbytes] = array("I", (docnum,))
            elif type(entry) is array:
                entry.append(docnum)
            else:
                self.add((fieldname, tbytes, docnum, 1.0, b""))

    def add_text(self, fieldname: str, docnum: int, value: str) -> int:
        """Add one document's postings of a text field; returns the field length."""
        if docnum < self._top:
            self._disordered = True
        self._top = docnum
        if self._staging is not None:
            staged = self._staging.get(fieldname)
            if staged is not None and len(staged.ids) >= STAGE_TOKENS:
                # before the next value, not after the last: that one stays staged for
                # staged_tail
                self._unstage(fieldname)
                staged = None
            if staged is None:
                staged = self._staging[fieldname] = _Staged()
                self._terms(fieldname)
            return staged.add(docnum, value)
        poses, in_title, length = _text_positions(value)
        terms = self._terms(fieldname)
        get = terms.get
        # fromlist, not extend: extend takes a list or tuple an item at a time through the
        # iterator protocol, growing the array for each (this loop runs once per distinct
        # word of every note: fromlist halved its cost)
        for word, plist in poses.items():
            entry = get(word)
            if entry is None:
                terms[word] = (array("I", (docnum, len(plist), 0)), array("I", plist))
            else:
                heads, data = entry
                heads.fromlist([docnum, len(plist), 0])
                data.fromlist(plist)
        for word, count in in_title.items():
            terms[word][0][-1] = count  # this document's title frequency, just added
        return length

    def terms(self, fieldname: str):
        """(term bytes, docnums, weights, values) of a field's terms in term order, the
        postings of each in docnum order."""
        if self._staging and fieldname in self._staging:
            self._unstage(fieldname)
        terms = self._fields.get(fieldname, {})
        textual = fieldname in self._textual
        boost = self._schema[fieldname].format.field_boost if textual else 1.0
        extra = TITLE_WEIGHT - 1.0
        keyed = sorted((k.encode("utf-8") if isinstance(k, str) else k, k) for k in terms)
        for tbytes, key in keyed:
            if textual:
                heads, data = terms[key]
                if len(heads) == 3:  # one posting (most words)
                    docs = heads[:1]
                    weights = array("f", ((heads[1] + extra * heads[2]) * boost,))
                    freqs = heads[1:2]
                else:
                    docs = heads[0::3]
                    freqs = heads[1::3].tolist()
                    in_title = heads[2::3]
                    if any(in_title):  # (freq + extra * in_title) * boost, as in _weight
                        wl = list(map(operator.add, freqs, map(operator.mul, in_title, repeat(extra))))
                    else:
                        wl = freqs
                    if boost != 1.0:
                        wl = list(map(operator.mul, wl, repeat(boost)))
                    weights = array("f", wl)
                odd = self._weights.get((fieldname, key)) if self._weights else None
                if odd:
                    for i, d in enumerate(docs):
                        if d in odd:
                            weights[i] = odd[d]
                raw = data.tobytes()
                if len(docs) == 1:
                    vals = (raw,)
                else:
                    ends = array("I", accumulate(map(operator.mul, freqs, repeat(data.itemsize))))
                    vals = PackedValues(raw, ends)
                    if len(docs) < PACK_MIN:  # a tuple is quicker for a few
                        vals = tuple(vals)
            elif type(terms[key]) is array:  # plain postings (see add_plain)
                docs = terms[key]
                weights = array("f", [1.0]) * len(docs)
                vals = [b""] * len(docs)
            else:
                docs, weights, ends, data = terms[key]
                raw = bytes(data)
                vals = list(map(raw.__getitem__, map(slice, chain((0,), ends), ends)))
            if self._disordered and any(map(operator.ge, docs, docs[1:])):
                order = sorted(range(len(docs)), key=docs.__getitem__)
                docs = array("I", [docs[i] for i in order])
                weights = array("f", [weights[i] for i in order])
                vals = [vals[i] for i in order]
                if textual:
                    vals = PackedValues(b"".join(vals), array("I", accumulate(map(len, vals))))
            yield tbytes, docs, weights, vals

    def iter_postings(self):
        """Whoosh's pool interface: (field, term bytes, docnum, weight, value) in order."""
        for fieldname in sorted(self._fields):
            for tbytes, docs, weights, vals in self.terms(fieldname):
                for i, docnum in enumerate(docs):
                    yield fieldname, tbytes, docnum, weights[i], vals[i]

    def staged_tail(self, fieldname: str):
        """(word ids, words by id) of the tokens after the title of the last value staged for
        ``fieldname`` (:func:`_title_and_body`), if it was staged and had a title; else None."""
        staged = self._staging.get(fieldname) if self._staging else None
        if staged is None or staged.body_start < 0:
            return None
        start = staged.body_start
        # a copy: a view would keep the array from growing (BufferError)
        return np.frombuffer(staged.ids[start:], dtype=np.int32), staged.vocab.words

    def _unstage(self, fieldname: str) -> None:
        """Move a field's staged postings into its terms, as :meth:`add_text` adds them."""
        get = self._fields[fieldname].get
        terms = self._fields[fieldname]
        for word, heads, positions in self._staging.pop(fieldname).postings():
            entry = get(word)
            if entry is None:
                terms[word] = (array("I", heads), array("I", positions))
            else:
                entry[0].frombytes(heads)
                entry[1].frombytes(positions)

    def cleanup(self) -> None:
        if self._staging is not None:
            self._staging = {}
        self._fields = {}
        self._weights = {}
        self._top = -1
        self._disordered = False


#: a staged pool (:class:`_Staged`) sorts a field's tokens into its postings once it holds
#: this many (the sort's arrays take about 40 bytes a token for that moment: 10 MB)
STAGE_TOKENS = 1 << 18


class _Vocabulary(dict):
    """word -> id, ids given in the order words are first seen; ``words``: the words by id."""

    def __init__(self):
        super().__init__()
        self.words: list[str] = []

    def __missing__(self, word: str) -> int:
        i = self[word] = len(self.words)
        self.words.append(word)
        return i


class _Staged:
    """A text field's postings of new documents, kept as one array of word ids in document order
    until :meth:`postings` sorts them all at once (numpy: a stable sort of the ids, then runs
    of one word in one document). A first build's pool (``_CompactPool(staged=True)``) gathers
    postings this way: a dict of positions for every document and an append to two arrays for
    every distinct word of it were half of the build's analysis time. The postings are those
    :meth:`_CompactPool.add_text` makes, byte for byte (a test compares them)."""

    def __init__(self):
        self.vocab = _Vocabulary()
        self.vocab[""]  # id 0: the position skipped after a title
        self.ids = array("i")
        self.docnums = array("I")
        self.sizes = array("I")  # tokens of each document, the skipped position included
        self.titles = array("I")  # title tokens of each document
        self.body_start = -1  # where the last document's tokens after its title start (-1: no title)

    def add(self, docnum: int, value: str) -> int:
        """Stage one document's value; returns the field length."""
        title, body = _title_and_body(value)
        word_id = self.vocab.__getitem__
        start = len(self.ids)
        if title is not None:
            self.ids.extend(map(word_id, title))
            self.ids.append(0)
        self.body_start = len(self.ids) if title is not None else -1
        self.ids.extend(map(word_id, body))
        self.docnums.append(docnum)
        self.sizes.append(len(self.ids) - start)
        self.titles.append(len(title) if title else 0)
        return len(self.ids) - start - (title is not None)

    def postings(self):
        """(word, heads, positions) for each staged word, in no particular order: ``heads`` the
        bytes of (docnum, frequency, title frequency) uint32 triples of its documents in the
        order they were staged, ``positions`` the bytes of their positions (uint32), document
        after document."""
        ids = np.frombuffer(self.ids, dtype=np.int32)
        if not len(ids):
            return
        sizes = np.frombuffer(self.sizes, dtype=np.uint32).astype(np.int64)
        doc = np.repeat(np.arange(len(sizes), dtype=np.int32), sizes)
        starts = np.repeat(np.cumsum(sizes) - sizes, sizes)
        pos = (np.arange(len(ids), dtype=np.int64) - starts).astype(np.uint32)
        del starts
        in_title = pos < np.repeat(np.frombuffer(self.titles, dtype=np.uint32), sizes)
        order = np.argsort(ids, kind="stable")  # by word; documents and positions stay in order
        ids, doc, pos, in_title = ids[order], doc[order], pos[order], in_title[order]
        del order
        if ids[0] == 0:  # the skipped positions come first: leave them out
            skip = int(np.searchsorted(ids, 1))
            ids, doc, pos, in_title = ids[skip:], doc[skip:], pos[skip:], in_title[skip:]
        n = len(ids)
        if not n:
            return
        # a run of one word in one document is one posting
        firsts = np.flatnonzero((ids[1:] != ids[:-1]) | (doc[1:] != doc[:-1])) + 1
        firsts = np.concatenate(([0], firsts))
        freqs = np.diff(np.append(firsts, n))
        heads = np.empty((len(firsts), 3), dtype=np.uint32)
        heads[:, 0] = np.frombuffer(self.docnums, dtype=np.uint32)[doc[firsts]]
        heads[:, 1] = freqs
        heads[:, 2] = np.add.reduceat(in_title.astype(np.uint32), firsts)
        head_bytes = heads.tobytes()
        pos_bytes = pos.tobytes()
        # a run of one word is its postings
        word_ids = ids[firsts]
        word_firsts = np.flatnonzero(word_ids[1:] != word_ids[:-1]) + 1
        bounds = np.concatenate(([0], word_firsts, [len(firsts)])).tolist()
        token_bounds = np.append(firsts, n).tolist()
        words = self.vocab.words
        for k, word_id in enumerate(word_ids[np.concatenate(([0], word_firsts))].tolist()):
            a, b = bounds[k], bounds[k + 1]
            yield (words[word_id], head_bytes[12 * a:12 * b],
                   pos_bytes[4 * token_bounds[a]:4 * token_bounds[b]])


def body_value(title: str, text: str) -> str:
    """The body field's value: the title (its words weigh TITLE_WEIGHT) and the text's first
    MAX_INDEXED_CHARS characters."""
    return title + TITLE_SEP + text[:MAX_INDEXED_CHARS]


def textual_fields(schema) -> set[str]:
    return {name for name, field in schema.items() if isinstance(field.format, ArrayPositions)}


def _numeric_terms(field, value: int) -> list[bytes]:
    """The terms NUMERIC.index gives for one number (its sortable form computed once)."""
    from whoosh.util.numeric import to_sortable

    x = to_sortable(field.numtype, field.bits, field.signed, field.prepare_number(value))
    if not field.shift_step:
        return [field.sortable_to_bytes(x)]
    return [field.sortable_to_bytes(x, shift) for shift in range(0, field.bits, field.shift_step)]


def _weight(freq: int, in_title: int, boost: float) -> float:
    """A text posting's weight (BM25F: a title occurrence counts TITLE_WEIGHT times), as the
    float32 the posting list stores."""
    return _F32.unpack(_F32.pack((freq + (TITLE_WEIGHT - 1.0) * in_title) * boost))[0]


_F32 = struct.Struct("f")


class _Writer(SegmentWriter):
    """SegmentWriter with a compact posting pool, a direct path from the analyser to the pool,
    preloaded field lengths and no block compression.

    ``write_blocks``: posting lists are written by :func:`_write_pool` (False: by Whoosh's
    field writer, one posting at a time; the tests compare the two)."""

    write_blocks = True

    def __init__(self, ix, **kwargs):
        super().__init__(ix, **kwargs)
        self.pool.cleanup()
        self.pool = _CompactPool(self.schema)

    def add_document(self, **fields):
        # Whoosh's add_document, minus what this schema never uses (boosts, spelling fields,
        # term vectors), with FastText postings going straight into the pool.
        self._check_state()
        schema = self.schema
        perdocwriter = self.perdocwriter
        pool = self.pool
        docnum = self.docnum
        fieldnames = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(schema, fieldnames)
        perdocwriter.start_doc(docnum)
        try:
            for fieldname in fieldnames:
                value = fields[fieldname]
                if value is None:
                    continue
                field = schema[fieldname]
                if field.separate_spelling() or field.vector:
                    raise ValueError(f"field {fieldname} needs Whoosh's own writer")
                length = 0
                if field.indexed:
                    if isinstance(field.format, ArrayPositions) and isinstance(value, str):
                        length = pool.add_text(fieldname, docnum, value)
                    elif type(field) is _NUMERIC and type(value) is int:
                        pool.add_plain(fieldname, docnum, _numeric_terms(field, value))
                    elif type(field.format) is formats.Existence and not field.scorable:
                        pool.add_plain(fieldname, docnum, [t for t, *_ in field.index(value)])
                    else:
                        scorable = field.scorable
                        for tbytes, freq, weight, vbytes in field.index(value):
                            if scorable:
                                length += freq
                            pool.add((fieldname, tbytes, docnum, weight, vbytes))
                perdocwriter.add_field(fieldname, field, value if field.stored else None, length)
                column = field.column_type
                if column:
                    perdocwriter.add_column_value(fieldname, column, field.to_column_value(value))
        except Exception:
            perdocwriter.cancel_doc()
            raise
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1

    def _flush_segment(self):
        self.perdocwriter.close()
        pdr = self.per_document_reader() if self.codec.length_stats else None
        fw = self.fieldwriter
        if self.write_blocks and _block_format_ok() and _writes_blocks(fw):
            _write_pool(fw, self.schema, pdr, self.pool)
        else:
            lengths = _PreloadedLengths(pdr) if pdr is not None else None
            fw.add_postings(self.schema, lengths, self.pool.iter_postings())
        fw.close()
        if pdr is not None:
            pdr.close()


#: postings per block (Whoosh: 128); the direct search path reads whole posting lists, so
#: fewer, larger blocks mean less work per block when writing and reading
BLOCK_POSTINGS = 512


def _codec() -> W3Codec:
    """The segment format: Whoosh 2.7's W3, uncompressed, with BLOCK_POSTINGS blocks."""
    return W3Codec(blocklimit=BLOCK_POSTINGS, compression=0)


#: side folders (in the index folder) where :class:`SegmentBuilder` writes; a dot keeps
#: Whoosh's clean-up of unused files away from them
BUILD_PREFIX = ".building-"


class BuiltSegment:
    """A finished segment waiting in its side folder (picklable: it comes from a helper
    process)."""

    def __init__(self, folder: str, segment):
        self.folder = folder
        self.segment = segment

    @property
    def doc_count(self) -> int:
        return self.segment.doc_count_all()


class SegmentBuilder:
    """Writes one new segment of new documents in a side folder of the index, in any
    process and without the index's write lock (:meth:`SearchIndex.add_segments` moves it
    in and commits it). Segments number their documents from 0 and do not depend on one
    another, so a first build writes two at a time, one per core."""

    write_blocks = True

    def __init__(self, index_folder):
        self.folder = Path(index_folder) / f"{BUILD_PREFIX}{os.getpid()}-{whoosh.util.random_name(12)}"
        self.folder.mkdir(parents=True)
        self.storage = FileStorage(str(self.folder), supports_mmap=False)
        self.schema = make_schema()
        self.codec = _codec()
        self.newsegment = self.codec.new_segment(self.storage, INDEX_NAME)
        self.perdocwriter = self.codec.per_document_writer(self.storage, self.newsegment)
        self.fieldwriter = self.codec.field_writer(self.storage, self.newsegment)
        self.pool = _CompactPool(self.schema, staged=True)
        self.docnum = 0
        self.is_closed = False
        self._added = False

    # the writer's own document and flush code (no lock, no table of contents involved)
    add_document = _Writer.add_document
    _flush_segment = _Writer._flush_segment
    _check_state = SegmentWriter._check_state
    _check_fields = SegmentWriter._check_fields
    get_segment = SegmentWriter.get_segment
    per_document_reader = SegmentWriter.per_document_reader
    write_per_doc = SegmentWriter.write_per_doc

    def body_tokens(self):
        """(word ids as a numpy array, words by id) of the tokens after the title in the body
        field of the document added last (its text's tokens: :func:`body_value`), or None."""
        return self.pool.staged_tail("body")

    def add_reader(self, reader, cancelled=None) -> dict[int, int]:
        """Append the live documents of a segment's reader (a merge); returns the new docnum
        of each of its documents. ``cancelled()`` is asked now and then: true raises
        :class:`MergeCancelled`."""
        self._check_state()
        base = self.docnum
        docmap = self.write_per_doc(set(self.schema.names()), reader)
        if docmap is None:  # no deletions: the documents keep their order from ``base``
            docmap = {d: base + d for d in range(reader.doc_count_all())}
        schema = self.schema
        add = self.pool.add
        for n, (fieldname, tbytes, docnum, weight, vbytes) in enumerate(reader.iter_postings()):
            if fieldname in schema:
                add((fieldname, tbytes, docmap[docnum], weight, vbytes))
            if cancelled is not None and n % 4096 == 4095 and cancelled():
                raise MergeCancelled()
        self._added = True
        return docmap

    def finish(self) -> BuiltSegment | None:
        """Write the segment (one compound file); None if no document was added."""
        self._check_state()
        if not self.docnum:
            self.cancel()
            return None
        try:
            self._flush_segment()
            self.pool.cleanup()
            segment = self.get_segment()
            segment.create_compound_file(self.storage)
        except BaseException:
            self.cancel()
            raise
        self.is_closed = True
        return BuiltSegment(str(self.folder), segment)

    def cancel(self) -> None:
        for w in (self.perdocwriter, self.fieldwriter):
            if not w.is_closed:
                try:
                    w.close()
                except Exception:  # noqa: BLE001 -- the folder goes anyway
                    pass
        self.pool.cleanup()
        self.is_closed = True
        discard_build(self.folder)


class MergeCancelled(Exception):
    """A background merge stopped before it was done (the index is as it was)."""


def discard_build(folder) -> None:
    import shutil

    shutil.rmtree(folder, ignore_errors=True)


def discard_stale_builds(index_folder) -> None:
    """Remove side folders of segment builds whose process is gone (killed mid-build)."""
    try:
        entries = list(Path(index_folder).iterdir())
    except OSError:
        return
    for entry in entries:
        if not entry.name.startswith(BUILD_PREFIX):
            continue
        pid = entry.name[len(BUILD_PREFIX):].split("-")[0]
        if pid.isdigit() and _alive(int(pid)):
            continue
        discard_build(entry)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


#: text postings in a term from which its blocks' values are packed (fewer: a tuple is quicker)
PACK_MIN = 16


class PackedValues:
    """The posting values (positions) of a text field's block: one bytes object and the end
    offset of each value. Whoosh's reader indexes a block's values as a sequence, so blocks
    hold this instead of a tuple of bytes objects, one per posting: pickled and unpickled in
    one piece (writing a segment and reading a posting list do no work per posting), each
    value sliced out only when asked for (phrases).

    Blocks pickle a reference to this class by its module and name: moving or renaming it
    needs a SCHEMA_VERSION bump (the index is then rebuilt)."""

    __slots__ = ("data", "ends")

    def __init__(self, data: bytes, ends):
        self.data = data
        self.ends = ends

    def __len__(self) -> int:
        return len(self.ends)

    def __getitem__(self, i: int) -> bytes:
        ends = self.ends
        if i < 0:
            i += len(ends)
        return self.data[ends[i - 1] if i else 0:ends[i]]

    def __iter__(self):
        return map(self.data.__getitem__, map(slice, chain((0,), self.ends), self.ends))

    def __eq__(self, other) -> bool:
        return tuple(self) == tuple(other)

    def __hash__(self):
        return hash(tuple(self))

    def __reduce__(self):
        return (PackedValues, (self.data, self.ends))

    def part(self, start: int, end: int) -> PackedValues:
        """Values ``start`` to ``end`` (a block's), their offsets from 0 in the smallest array."""
        ends = self.ends
        base = ends[start - 1] if start else 0
        top = ends[end - 1]
        rebased = list(map(operator.sub, ends[start:end], repeat(base))) if base else ends[start:end].tolist()
        return PackedValues(self.data[base:top], array("H" if top - base < 65536 else "I", rebased))


#: the open-time self-check's verdict on this process's Whoosh (None: not yet checked)
_blocks_verified: bool | None = None
_check_lock = threading.Lock()


def _block_format_ok() -> bool:
    """Whether :func:`_write_pool` may write (the self-check runs once, on first need)."""
    if _blocks_verified is None:
        check_block_format()
    return bool(_blocks_verified)


_CHECK_BLOCK = 8  # postings per block in the check's index: lists of several blocks, cheaply


def _check_docs():
    # lists of one posting and of more than one block, titles (heavier), a word per script
    for i in range(_CHECK_BLOCK * 2 + 3):
        title = "river" if i % 3 == 0 else ""
        body = f"river road {i} москва 北京大学" + (" river" * (i % 4))
        yield {"id": f"n{i}", "path": f"{i}.md", "title": title, "body": title + TITLE_SEP + body,
               "tags": "news" if i % 2 else "", "created": 20240101000000 + i, "language": "en"}


def _check_dump(write_blocks: bool) -> list:
    """Postings and term infos of a small in-memory index, read back by Whoosh's own reader."""
    from whoosh.filedb.filestore import RamStorage

    class _Ram(RamStorage):
        def temp_storage(self, name=None):
            # Whoosh names a writer's temp folder after the index: "/tmp/MAIN.tmp" for every
            # process, and one that ended removed it under another one's check (which then
            # failed, and that process wrote with Whoosh's slow writer): a random name
            return super().temp_storage(None)

    store = _Ram()
    ram = store.create_index(make_schema(), indexname=INDEX_NAME)
    writer = _Writer(ram, codec=W3Codec(blocklimit=_CHECK_BLOCK, compression=0))
    writer.write_blocks = write_blocks
    for doc in _check_docs():
        writer.add_document(**doc)
    writer.commit()
    out = []
    with ram.searcher() as s:
        r = s.reader()
        for fieldname, word in (("body", "river"), ("body", "7"), ("body", "москва"), ("body", "北京"),
                                ("title", "river"), ("tags", "news"), ("id", "n5")):
            ti = r.term_info(fieldname, word)
            m = r.postings(fieldname, word)  # Whoosh's block reader and matcher
            postings = []
            while m.is_active():
                postings.append((m.id(), m.weight(), m.value()))
                m.next()
            out.append((fieldname, word, ti.doc_frequency(), ti.weight(), ti.max_weight(),
                        ti.min_length(), ti.max_length(), postings))
    ram.close()
    return out


def check_block_format() -> bool:
    """The self-check, once per process (when an index is created, else before the first
    segment is written; not on a read-only open, which it would slow by ~0.1 s): a small index
    written with :func:`_write_pool`, read back through Whoosh's own reader, must equal the one
    Whoosh's own writer gives. On a mismatch (another Whoosh than the pinned one) this process
    writes with Whoosh's writer, and says so in the log."""
    global _blocks_verified
    with _check_lock:
        if _blocks_verified is not None:
            return _blocks_verified
        _blocks_verified = True  # while checking: the first dump takes the fast path
        try:
            ok = _check_dump(True) == _check_dump(False)
            why = "its reader reads other postings back"
        except Exception as exc:  # noqa: BLE001 -- any failure means: do not write blocks here
            ok, why = False, f"{type(exc).__name__}: {exc}"
        if not ok:
            log.warning("index: the posting blocks Clipper writes do not match Whoosh %s (%s); "
                        "writing with Whoosh's own writer (slower)", _whoosh_version(), why)
        _blocks_verified = ok
        return ok


def _whoosh_version() -> str:
    return ".".join(map(str, getattr(whoosh, "__version__", ("?",))))


def _writes_blocks(fw) -> bool:
    """Whether :func:`_write_pool` knows how to write for this field writer (Whoosh 2.7's W3
    format, no inlined postings, its ordered hash file of terms)."""
    codec = getattr(fw, "_codec", None)
    tindex = getattr(fw, "_tindex", None)
    return (type(fw) is W3FieldWriter and type(codec) is W3Codec and codec._inlinelimit <= 1
            and all(hasattr(fw, name) for name in ("_postfile", "_fieldid"))
            and type(tindex) is OrderedHashWriter and tindex.hashfn is md5_hash
            and isinstance(getattr(tindex, "index", None), GrowableArray)
            and all(hasattr(tindex, name) for name in ("dbfile", "buckets", "lastkey")))


_TERMINFO = struct.Struct("!BfIBBfIIqi")  # W3TermInfo._struct + posting list offset and length
_HASH_LENGTHS = struct.Struct("!ii")  # filetables: key and value length before each pair

def _write_pool(fw, schema, pdr, pool) -> None:
    """Write the pool's posting lists straight into W3 blocks, and their terms into the
    segment's term file, a field at a time.

    Whoosh's add_postings takes the postings one by one (a method call and a dozen checks
    each, half of a bulk build's time) and re-groups what the pool already holds grouped;
    its term file writer takes a term at a time. The files are the ones Whoosh writes (a
    test reads both back and compares), except that a block's data is pickled with
    protocol 5 instead of 2: Whoosh reads it with pickle.loads all the same, and 2 stores
    each value through a codecs call (8x slower to write and to read, twice the size).
    Field lengths are handled as the length bytes Whoosh stores (its block and term
    statistics only keep those)."""
    blocklimit = fw._codec._blocklimit
    compression = fw._codec._compression
    postfile = fw._postfile
    for fieldname in sorted(pool.fieldnames):
        fieldobj = schema[fieldname]
        terms = pool.terms(fieldname)
        first = next(terms, None)
        if first is None:
            continue
        fw.start_field(fieldname, fieldobj)
        fixedsize = fieldobj.format.fixed_value_size()
        lens = None
        if pdr is not None:
            got = _load_lengths(pdr, fieldname)
            lens = got._data if got is not None and any(got._data) else None
        prefix = pack_ushort(fw._fieldid)
        keys, infos, chunks = [], [], []
        offset = postfile.tell()
        pending = 0
        for tbytes, docs, weights, vals in chain((first,), terms):
            plist, stats = _posting_list(docs, weights, vals, lens, fixedsize, blocklimit, compression)
            size = len(plist)
            keys.append(prefix + tbytes)
            infos.append(_TERMINFO.pack(*stats, offset, size))
            chunks.append(plist)
            offset += size
            pending += size
            if pending > 1 << 22:
                postfile.write(b"".join(chunks))
                chunks, pending = [], 0
        postfile.write(b"".join(chunks))
        _add_terms(fw._tindex, keys, infos)
        fw.finish_field()


def _add_terms(tindex, keys, values) -> None:
    """OrderedHashWriter.add for each key (in increasing order) and value, in one write."""
    dbfile = tindex.dbfile
    start = dbfile.tell()
    records = list(map(b"".join, zip(map(_HASH_LENGTHS.pack, map(len, keys), map(len, values)),
                                     keys, values)))
    where = list(accumulate(map(len, records), initial=start))
    where.pop()
    if keys[0] <= tindex.lastkey:
        raise ValueError(f"Keys must increase: {tindex.lastkey!r}..{keys[0]!r}")
    dbfile.write(b"".join(records))
    buckets = tindex.buckets
    digest = hashlib.md5
    for key, pos in zip(keys, where):
        h = int.from_bytes(digest(key, usedforsecurity=False).digest()[12:], "big")  # md5_hash
        buckets[h & 255].append((h, pos))
    index = tindex.index
    for pos in where:
        index.append(pos)
    tindex.lastkey = keys[-1]


def _posting_list(docs, weights, vals, lens, fixedsize, blocklimit, compression):
    """(bytes, term statistics) of one posting list, as W3PostingsWriter and W3TermInfo
    write them; ``lens``: the field's length byte of each document, or None."""
    count = len(docs)
    if count == 1:  # most terms: one block of one posting
        d = docs[0]
        w = weights[0]
        b = lens[d] if lens is not None else 0
        maxweight = w if w > 0 else 0
        v = vals[0]
        if fixedsize is None or fixedsize < 0:
            mini_values = (v,) if v else ()
        elif fixedsize == 0:
            mini_values = None
        else:
            mini_values = v
        data = pickle.dumps(((d,), None if w == 1.0 else w, mini_values), 5)
        if compression:
            data = zlib.compress(data, compression)
        head = pickle.dumps((1, d, maxweight, compression, b, b), 2)
        size = len(head) + len(data)
        return (b"".join((WHOOSH3_HEADER_MAGIC, _BLOCK_LEN.pack(-size), head, data)),
                (0, w, 1, b, b, maxweight, d, d))
    packed = type(vals) is PackedValues and fixedsize is None
    chunks = [WHOOSH3_HEADER_MAGIC]
    total = 0.0
    minb, maxb, topweight = None, 0, 0
    for s in range(0, count, blocklimit):
        e = min(s + blocklimit, count)
        ids = docs[s:e]
        ws = weights[s:e]
        top = max(ws)
        maxweight = top if top > 0 else 0
        bmin = bmax = 0
        if lens is not None:
            got = operator.itemgetter(*ids)(lens) if len(ids) > 1 else (lens[ids[0]],)
            bmax = max(got)
            if bmax:
                bmin = min(got) if 0 not in got else min(filter(None, got))
        total += sum(ws)  # W3TermInfo.add_block, in the same order
        if bmin and (minb is None or bmin < minb):
            minb = bmin
        if bmax > maxb:
            maxb = bmax
        if maxweight > topweight:
            topweight = maxweight
        w0 = ws[0]
        if ws.count(w0) == len(ws):
            mini_weights = None if w0 == 1.0 else w0
        else:
            mini_weights = ws if packed else tuple(ws)
        deltas = list(map(operator.sub, ids, chain((0,), ids)))
        if packed:  # arrays (Whoosh's reader takes any sequence): no object per posting
            mini_values = vals.part(s, e)
            ids_array = array("H" if max(deltas) < 65536 else "I", deltas)
            data = pickle.dumps((ids_array, mini_weights, mini_values), 5)
        else:
            values = vals[s:e]
            if b"" in values:  # Whoosh leaves out empty values
                values = [v for v in values if v]
            if fixedsize is None or fixedsize < 0:
                mini_values = tuple(values)
            elif fixedsize == 0:
                mini_values = None
            else:
                mini_values = b"".join(values)
            data = pickle.dumps((tuple(deltas), mini_weights, mini_values), 5)
        if compression:
            data = zlib.compress(data, compression)
        head = pickle.dumps((len(ids), ids[-1], maxweight, compression, bmin, bmax), 2)
        size = len(head) + len(data)
        chunks.append(_BLOCK_LEN.pack(-size if e == count else size))
        chunks.append(head)
        chunks.append(data)
    return b"".join(chunks), (0, total, count, minb or 0, maxb, topweight, docs[0], docs[-1])


#: (segment size limit, how many such segments trigger a merge of them): a tier holds the
#: segments from the previous tier's limit up to its own, so a merge folds segments of like
#: size. Merging reads every posting list of the merged segments (Whoosh's reader costs
#: milliseconds per note), so single-note commits merge rarely and never fold a first build's
#: big segments into a handful of new notes; a few dozen tiny segments cost a query well
#: under a millisecond. Merges run in the background (:meth:`SearchIndex.merge_once`), never
#: in the commit of the note that makes a tier full.
MERGE_TIERS = ((300, 24), (5000, 10))


def _merge_plan(segments) -> tuple[int, list]:
    """(tier, segments to merge) by MERGE_TIERS: small segments of like size, never big ones;
    (-1, []) when no tier is full."""
    lower = 0
    for tier, (limit, count) in enumerate(MERGE_TIERS):
        small = [s for s in segments if lower <= s.doc_count_all() < limit]
        lower = limit
        if len(small) >= count:
            return tier, small
    return -1, []


def _merge_none(writer, segments):
    return segments


# --- the index ---------------------------------------------------------------------------


class SearchIndex:
    """A Whoosh index in ``folder``. Not thread-safe for writes: the Library serialises them
    (its background merges are the index's own: :meth:`merge_once`)."""

    #: searches computed from whole posting lists (see :meth:`_run_direct`); False
    #: leaves every search to Whoosh's matchers (the tests compare the two)
    direct = True
    #: seconds a background merge waits for the write lock to swap its segment in (held by
    #: another process: the merge is dropped and tried again after a later commit)
    merge_lock_timeout = 10.0

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.ix = None
        self._searcher = None
        self._stale = False
        self._lock = threading.RLock()
        self._variants: dict = {}
        self._expand: dict = {}
        self._write_lock = threading.Lock()  # this process's commits, one at a time
        self._merge_lock = threading.Lock()  # guards the three below
        self._merger: threading.Thread | None = None
        self._merge_wanted = False
        self._merge_tier = -1  # the tier the running merge folds
        self._no_more_merges = threading.Event()
        self._cancel_merge = threading.Event()

    # lifecycle
    def open(self) -> None:
        """Open the existing index (raises if it is missing or unreadable)."""
        self.close()
        self.ix = self._storage().open_index(INDEX_NAME)
        if set(self.ix.schema.names()) != set(make_schema().names()):
            raise ValueError("index schema differs")
        # probe: read the TOC, open the segments and read a term; the searcher stays (opening
        # a segment reads its tables: the search after the open would do it again)
        s = self.searcher()
        s.doc_count()
        next(iter(s.reader().iter_prefix("title", "a")), None)

    def create(self) -> None:
        self.close()
        self.folder.mkdir(parents=True, exist_ok=True)
        self.ix = self._storage().create_index(make_schema(), indexname=INDEX_NAME)
        check_block_format()  # a build follows; otherwise the first write of a process checks

    def clear(self) -> None:
        """Remove every segment file (never Whoosh's lock file: an fcntl lock whose
        removal with a live holder would let a second writer in) and create anew."""
        self.close()
        if self.folder.exists():
            for child in self.folder.iterdir():
                if "LOCK" in child.name.upper():
                    continue
                with contextlib.suppress(OSError):
                    if child.is_dir():
                        shutil.rmtree(child)
                    else:
                        child.unlink()
        self.create()

    def _storage(self):
        # no mmap: old readers' mappings stayed resident (+27 MB per commit) until a GC cycle
        return FileStorage(str(self.folder), supports_mmap=False)

    def close(self) -> None:
        self._stop_merging()
        with self._lock:
            searcher, ix, self._searcher, self.ix = self._searcher, self.ix, None, None
            for opened in (searcher, ix):
                if opened is not None:
                    with contextlib.suppress(Exception):  # closing what may be half broken
                        opened.close()

    def doc_count(self) -> int:
        return self.searcher().doc_count()

    def searcher(self):
        """The current searcher, reopened (never ``refresh()``-ed) once the index has changed."""
        with self._lock:
            s = self._searcher
            if s is not None and not self._stale:
                try:
                    if s.up_to_date():
                        return s
                except Exception:
                    pass
            self._searcher = None
            self._stale = False
            for attempt in range(_REOPEN_TRIES):
                try:
                    self._searcher = _reopen(self.ix, s)
                    break
                except FileNotFoundError:
                    # a merge's commit deleted a segment of the table of contents just read, before
                    # its files were opened: read the new one (as Whoosh's own reader() does)
                    if attempt == _REOPEN_TRIES - 1:
                        raise
                    time.sleep(0.02)
            _preload_lengths(self._searcher)
            self._variants = {}
            self._expand = {}
            return self._searcher

    def invalidate(self) -> None:
        """Mark the searcher stale (after a commit). It is replaced by the next search, not
        closed here: another thread may be searching with it right now."""
        self._stale = True

    # writing
    def write(self, docs=(), delete_ids=(), *, bulk=False, timeout=60.0) -> int:
        """Add/replace ``docs`` (dicts) and delete ``delete_ids`` in one commit; returns docs written.

        ``bulk``: documents are known to be new (no delete look-up) and nothing is merged.
        A doc's ``_new`` (true: it replaces nothing, no delete look-up) and ``_replaces`` (an
        id whose documents it replaces besides its own: the file's id changed) are not stored.
        """
        written = 0
        writer = None
        try:
            with self._write_lock:
                writer = _Writer(self.ix, timeout=timeout, limitmb=256 if bulk else 32,
                                 codec=_codec())
                for note_id in delete_ids:
                    writer.delete_by_term("id", note_id)
                for doc in docs:
                    replaced = doc.pop("_replaces", None)
                    if replaced is not None and replaced != doc.get("id"):
                        writer.delete_by_term("id", replaced)
                    if doc.pop("_new", False) or bulk:
                        writer.add_document(**doc)
                    else:
                        writer.update_document(**doc)
                    written += 1
                w, writer = writer, None
                # never a merge here: the caller waits for this commit (see merge_once)
                _commit(w, mergetype=_merge_none)
        except BaseException as exc:
            if writer is not None:
                _abandon(writer)
            if isinstance(exc, OSError):  # full disk, read-only cache: a clear one-line message
                raise _index_error(exc) from exc
            raise
        finally:
            self.invalidate()
        if not bulk:
            self._schedule_merge()
        return written

    # merging (in the background)
    def merge_once(self, cancelled=None) -> bool:
        """Merge the segments of one full tier (MERGE_TIERS), if there is one; returns whether
        it did. The merged segment is written in a side folder without the write lock, while
        notes are added and searched; only replacing the merged segments by it in the table
        of contents takes the lock, and deletions made meanwhile in the merged segments are
        carried over to it. Killed at any moment, the index stays as it was (the side folder
        is discarded at the next open; Whoosh's next commit removes a segment file moved in
        but never listed). ``cancelled()`` true stops it (:class:`MergeCancelled`)."""
        from whoosh.reading import SegmentReader

        ix = self.ix
        if ix is None:
            return False
        toc = ix._read_toc()
        tier, chosen = _merge_plan(toc.segments)
        if not chosen:
            return False
        self._merge_tier = tier
        builder = SegmentBuilder(self.folder)
        built = None
        try:
            merged = []  # (segment id, its deletions when read, its docnum -> merged docnum)
            for seg in chosen:
                if cancelled is not None and cancelled():
                    raise MergeCancelled()
                reader = SegmentReader(ix.storage, toc.schema, seg)
                try:
                    deleted = set(seg.deleted_docs())
                    merged.append((seg.segment_id(), deleted, builder.add_reader(reader, cancelled)))
                finally:
                    reader.close()
            built = builder.finish()
            return self._swap_in(built, merged)
        except BaseException:
            if not builder.is_closed:
                builder.cancel()
            raise
        finally:
            if built is not None:
                discard_build(built.folder)
            self._merge_tier = -1

    def _swap_in(self, built, merged) -> bool:
        """Replace the merged segments by ``built`` (None: all their documents were deleted)
        in one commit; False if one of them is gone meanwhile (merged by another process,
        the index cleared)."""
        with self._write_lock:
            writer = _Writer(self.ix, timeout=self.merge_lock_timeout, limitmb=32, codec=_codec())
            try:
                current = {s.segment_id(): s for s in writer.segments}
                if any(segid not in current for segid, _d, _m in merged):
                    _abandon(writer)
                    return False
                if built is not None:
                    for segid, before, docmap in merged:
                        for docnum in set(current[segid].deleted_docs()) - before:
                            built.segment.delete_document(docmap[docnum])
                    name = built.segment.make_filename(built.segment.COMPOUND_EXT)
                    os.replace(os.path.join(built.folder, name), self.folder / name)
            except BaseException:
                _abandon(writer)
                raise
            gone = {segid for segid, _d, _m in merged}
            extra = [built.segment] if built is not None else []
            _commit(writer, mergetype=lambda _w, existing: [s for s in existing
                                                            if s.segment_id() not in gone] + extra)
        self.invalidate()
        return True

    def _schedule_merge(self) -> None:
        """Start the merge thread if a tier is full (it merges until none is)."""
        try:
            due = bool(_merge_plan(self.ix._segments())[1])
        except Exception:  # noqa: BLE001 -- no merge now; the next commit looks again
            return
        if not due:
            return
        with self._merge_lock:
            self._merge_wanted = True
            if self._merger is not None or self._no_more_merges.is_set():
                return
            from clipper.core import limits

            self._merger = limits.fork_safe(threading.Thread(target=self._merge_loop,
                                                             name="clipper-merge", daemon=True))
            self._merger.start()

    def _merge_loop(self) -> None:
        while True:
            with self._merge_lock:
                if not self._merge_wanted or self._no_more_merges.is_set():
                    self._merger = None
                    return
                self._merge_wanted = False
            try:
                while not self._no_more_merges.is_set() and self.merge_once(self._cancel_merge.is_set):
                    pass
            except MergeCancelled:
                pass
            except Exception:  # noqa: BLE001 -- the segments stay as they are; a later commit retries
                log.warning("index: a background merge failed", exc_info=True)

    def wait_for_merges(self, timeout: float | None = None) -> bool:
        """Wait until no background merge runs (True) or ``timeout`` passes (False)."""
        merger = self._merger
        if merger is not None:
            merger.join(timeout)
            return not merger.is_alive()
        return True

    def _stop_merging(self) -> None:
        """No new merge; the running one finishes if it folds the smallest tier (a second or
        so: else single-note commits of short-lived processes, the CLI's, would pile up tiny
        segments) and stops at once otherwise."""
        with self._merge_lock:
            merger = self._merger
            self._no_more_merges.set()
        if merger is not None and merger is not threading.current_thread():
            if self._merge_tier != 0:
                self._cancel_merge.set()
            merger.join()
        with self._merge_lock:
            self._merger = None
            self._no_more_merges.clear()
            self._cancel_merge.clear()

    def add_segments(self, built, delete_docs=(), *, timeout=60.0) -> None:
        """Commit segments made by :class:`SegmentBuilder` (moved into the index folder);
        ``delete_docs``: (segment's position in ``built``, docnum) of documents to leave out."""
        built = [b for b in built if b is not None]
        try:
            if not built:
                return
            for n, docnum in delete_docs:
                built[n].segment.delete_document(docnum)
            with self._write_lock:
                writer = _Writer(self.ix, timeout=timeout, limitmb=32, codec=_codec())
                try:
                    segments = []
                    for b in built:
                        name = b.segment.make_filename(b.segment.COMPOUND_EXT)
                        os.replace(os.path.join(b.folder, name), self.folder / name)
                        segments.append(b.segment)
                except BaseException:
                    _abandon(writer)
                    raise
                _commit(writer, mergetype=lambda _w, existing: existing + segments)
        except OSError as exc:
            raise _index_error(exc) from exc
        finally:
            for b in built:
                discard_build(b.folder)
            self.invalidate()

    # searching
    def run(self, parsed: qlang.Parsed, *, limit: int, sort: str, tags=()) -> list[tuple[str, float]]:
        """(note id, score) of the best ``limit`` matches."""
        s = self.searcher()
        q = self.build_query(parsed, s, tags=tags)
        if q is None:
            return []
        bare_prefix = isinstance(q, _ConstantScore) and sort == "relevance"
        if self.direct and bare_prefix and not parsed.negative and not tags:
            found = self._run_first(q, s, limit)
            if found is not None:
                return found
        elif self.direct and not bare_prefix:
            found = self._run_direct(parsed, s, limit, tags, sort)
            if found is not None:
                return found
        if bare_prefix:
            q = _ConstantScore(q.child, q.score, cap=limit)  # a bare prefix: the first hits will do
        kwargs = {"limit": limit}
        if isinstance(q, wq.AndNot):
            # excluded words as a mask: Whoosh's AndNotMatcher keeps a document when the
            # excluded word's first posting precedes the wanted word's first one
            q, kwargs["mask"] = q.a, q.b
        if sort in ("newest", "oldest"):
            kwargs["sortedby"] = "created"
            kwargs["reverse"] = sort == "newest"
        results = s.search(q, **kwargs)
        return [(hit["id"], float(hit.score or 0.0)) for hit in results]

    def _run_direct(self, parsed: qlang.Parsed, s, limit: int, tags=(), sort: str = "relevance"):
        """The best ``limit`` (note id, score) of a search computed from whole posting lists
        (by relevance, or newest/oldest first), or None when the query has a shape this does
        not handle (Whoosh then runs it).

        Same matches and the same BM25F scores as Whoosh's matchers (a sum over the query's
        terms), but array operations on whole posting lists replace Whoosh's per-document
        matcher tree (intersections of unions of variants called skip_to/id/score through
        several layers for every candidate: ~0.1 ms per matching document at 100k notes).
        Phrase positions are decoded only for documents that match everything else."""
        weighting = s.weighting
        if type(weighting) is not BM25F or weighting._field_B or sort not in SORTS:
            return None
        reader = s.reader()
        try:
            clauses = [self._leaves(clause.items, reader) for clause in parsed.positive]
            if not all(clauses):
                return []  # a required clause matches nothing
            clauses += [[("tag", "tags", [tag])] for tag in tags]
            if not clauses:
                return None
            nots = [leaf for clause in parsed.negative for leaf in self._leaves(clause.items, reader)]
            best = _direct_best(s, clauses, nots, weighting, limit, sort)
        except _Unsupported:
            return None
        except Exception:  # noqa: BLE001 -- e.g. posting blocks it cannot read: Whoosh decides
            log.warning("direct search failed; Whoosh runs the query", exc_info=True)
            return None
        return [(s.stored_fields(doc)["id"], score) for score, doc in best]

    def _run_first(self, q, s, limit: int):
        """A bare prefix (every match scoring the same): the first ``limit`` documents having
        one of its words, as Whoosh's capped matcher gives them, from the heads of their posting
        lists; None if the query is not one this reads."""
        child = q.child
        terms = child.subqueries if isinstance(child, DefaultOr) else [child]
        if not terms or not all(type(t) is wq.Term for t in terms) or len({t.fieldname for t in terms}) != 1:
            return None
        fieldname = terms[0].fieldname
        try:
            out = []
            for sub, offset in s.leaf_searchers():
                reader = sub.reader()
                want = limit - len(out)
                deleted = reader.deleted_docs_set if reader.has_deletions() else ()
                found = set()
                for t in terms:
                    got = _postings(reader, fieldname, t.text, False, head=want + len(deleted))
                    if got:
                        found.update(got[0].tolist())
                found.difference_update(deleted)
                out.extend(d + offset for d in sorted(found)[:want])
                if len(out) >= limit:
                    break
        except Exception:  # noqa: BLE001 -- Whoosh runs it
            log.warning("direct prefix search failed; Whoosh runs the query", exc_info=True)
            return None
        return [(s.stored_fields(doc)["id"], q.score) for doc in out]

    def _leaves(self, items, reader) -> list:
        """The leaves of one clause's items (those that can match)."""
        return [leaf for leaf in (self._leaf(item, reader) for item in items) if leaf is not None]

    def _leaf(self, item, reader):
        """(kind, field, words) of one query item for :meth:`_run_direct`: kind "terms" (any of
        the words, each scored), "phrase", "const" (any of the words, scoring 1) or "tag";
        None if it matches nothing. Raises _Unsupported for what only Whoosh runs."""
        if isinstance(item, qlang.Tag):
            if item.prefix:
                raise _Unsupported("tag prefix")
            return ("tag", "tags", [item.name])
        if not isinstance(item, qlang.Text):
            raise _Unsupported(type(item).__name__)
        fieldname = item.field or "body"
        toks = tokenize(item.text)
        if not toks:
            return None
        if item.kind == "prefix":
            if len(toks) > 1:
                raise _Unsupported("a prefix of several words")
            terms = self.expand_prefix(reader, fieldname, toks[0])
            return ("const", fieldname, terms) if terms else None
        if len(toks) > 1:
            return ("phrase", fieldname, toks)
        variants = toks if item.kind == "phrase" else self.variants(reader, fieldname, toks[0])
        return ("terms", fieldname, variants) if variants else None

    def build_query(self, parsed: qlang.Parsed, s, tags=()):
        """Whoosh query for ``parsed``. Unfielded text searches the body field, which holds
        the title too with its words weighted TITLE_WEIGHT (BM25F over title + text in one
        field: one posting list per word instead of OR-ing two fields)."""
        reader = s.reader()
        ands = []
        for clause in parsed.positive:
            alts = [q for q in (self._item_query(i, reader) for i in clause.items)
                    if q is not None and q is not wq.NullQuery]
            if not alts:
                return None  # a required clause cannot match anything
            ands.append(_or(alts))
        for tag in tags:
            ands.append(wq.Term("tags", tag))
        nots = []
        for clause in parsed.negative:
            for item in clause.items:
                q = self._item_query(item, reader)
                if q is not None and q is not wq.NullQuery:
                    nots.append(q)
        if not ands:
            ands = [wq.Every()]
        pos = ands[0] if len(ands) == 1 else wq.And(ands)
        if nots:
            return wq.AndNot(pos, _or(nots))
        return pos

    def _item_query(self, item, reader):
        if isinstance(item, qlang.Tag):
            if item.prefix:
                names = self.expand_prefix(reader, "tags", item.name, limit=50)
                return _or([wq.Term("tags", t) for t in names]) if names else wq.NullQuery
            return wq.Term("tags", item.name)
        if isinstance(item, qlang.DateRange):
            return ColumnRange(item.field, item.start, item.end)
        if isinstance(item, qlang.Text):
            q = self._text_query(item, item.field or "body", reader)
            return wq.NullQuery if q is None else q
        return None

    def _text_query(self, item: qlang.Text, fieldname: str, reader, boost: float = 1.0):
        toks = tokenize(item.text)
        if not toks:
            return None
        if item.kind == "prefix":
            *head, last = toks
            terms = self.expand_prefix(reader, fieldname, last)
            if not terms:
                return None
            # every match of an expanded prefix scores the same: Whoosh can then stop once it
            # has `limit` hits instead of scoring every document that has a frequent word
            tail = _ConstantScore(_or([wq.Term(fieldname, t) for t in terms]), score=boost)
            if not head:
                return tail
            first = self._words(head, fieldname, reader, boost, phrase=True)
            return None if first is None else wq.And([first, tail])
        return self._words(toks, fieldname, reader, boost, phrase=item.kind == "phrase")

    def _words(self, toks, fieldname, reader, boost, phrase):
        if len(toks) == 1:
            variants = [toks[0]] if phrase else self.variants(reader, fieldname, toks[0])
            if not variants:
                return None
            return _or([wq.Term(fieldname, v, boost=boost) for v in variants])
        return wq.Phrase(fieldname, toks, boost=boost)

    def variants(self, reader, fieldname: str, word: str) -> list[str]:
        """The indexed words of ``fieldname`` with the same stem as ``word`` (bounded)."""
        key = (fieldname, word)
        cached = self._variants.get(key)
        if cached is not None:
            return cached
        stemmed = stem_prefix(word)
        out = []
        if stemmed is None:
            out = [word] if _has_term(reader, fieldname, word) else []
        else:
            s, prefix = stemmed
            if len(prefix) < 2:
                prefix = word
            scanned: dict = {}
            try:
                for text, _df in _merged_prefix_terms(reader, fieldname, prefix, VARIANT_SCAN, scanned):
                    t = text.decode("utf-8") if isinstance(text, bytes) else text
                    if t == word or stem(t) == s:
                        out.append(t)
            except Exception:
                out = []
            _remember_term_infos(scanned, fieldname, out[:24], VARIANT_SCAN)
            if word not in out and _has_term(reader, fieldname, word):
                out.append(word)
        self._variants[key] = out[:24]
        return self._variants[key]

    def expand_prefix(self, reader, fieldname: str, prefix: str, limit: int = PREFIX_TERMS) -> list[str]:
        """The ``limit`` most frequent indexed words starting with ``prefix``."""
        key = (fieldname, prefix, limit)
        cached = self._expand.get(key)
        if cached is not None:
            return cached
        try:
            found = [(df, text) for text, df in _merged_prefix_terms(reader, fieldname, prefix, 20000)]
        except Exception:
            found = []
        found.sort(key=lambda x: -x[0])
        out = [(t.decode("utf-8") if isinstance(t, bytes) else t) for _, t in found[:limit]]
        self._expand[key] = out
        return out

    def doc_frequency(self, fieldname: str, word: str) -> int:
        """How many notes hold ``word`` in ``fieldname`` (deleted ones not yet merged away included)."""
        return self.searcher().doc_frequency(fieldname, word)

    def completion(self, word: str) -> str | None:
        """The most frequent indexed word (title or text) that starts with ``word`` (3+ letters)."""
        if len(word) < 3:
            return None
        reader = self.searcher().reader()
        best = None
        for fieldname in ("body", "title"):
            for cand in self.expand_prefix(reader, fieldname, word, limit=1):
                if cand != word:
                    df = reader.doc_frequency(fieldname, cand)
                    if best is None or df > best[0]:
                        best = (df, cand)
        return best[1] if best else None

    def known(self, word: str) -> bool:
        reader = self.searcher().reader()
        return bool(self.variants(reader, "body", word) or self.variants(reader, "title", word))

    def correct(self, word: str) -> str | None:
        """The closest indexed word to a misspelled ``word`` (body and title), or None."""
        s = self.searcher()
        best = None
        for fieldname in ("body", "title"):
            try:
                cands = s.corrector(fieldname).suggest(word, limit=3, maxdist=2, prefix=1)
            except Exception:
                cands = []
            for c in cands:
                df = s.reader().doc_frequency(fieldname, c)
                if best is None or df > best[0]:
                    best = (df, c)
            if best:
                break
        return best[1] if best else None


SORTS = ("relevance", "newest", "oldest")


class _Unsupported(Exception):
    pass


_BLOCK_LEN = struct.Struct("!i")


def _no_postings():
    """(docnums, weights) of an empty posting list."""
    return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)


def _postings(reader, fieldname: str, word: str, values: bool, head: int | None = None):
    """(docnums, weights, values or None) of a term in one segment, deleted documents included;
    None if the segment lacks the term. Reads the term's whole W3 posting list with one read
    and unpickles its blocks directly (Whoosh's matcher seeks and reads three times a block);
    falls back to the matcher interface for anything unexpected."""
    tbytes = word.encode("utf-8")
    terms = getattr(reader, "_terms", None)
    info = _term_info(reader, fieldname, word) if terms is not None else None
    if info is None and terms is not None:
        return None
    if isinstance(info, W3TermInfo) and not info.is_inlined():
        offset, length = info.extent()
        if isinstance(length, tuple):  # W3TermInfo.from_bytes leaves the length a 1-tuple
            length = length[0]
        got = _read_blocks(terms._postfile, offset, length, values, head)
        if got is not None:
            return got
    if (fieldname, tbytes) not in reader:
        return None
    m = reader.postings(fieldname, tbytes)
    if isinstance(m, FilterMatcher):
        m = m.child
    ids: list[int] = []
    weights: list[float] = []
    vals: list[bytes] | None = [] if values else None
    while m.is_active():
        ids.append(m.id())
        weights.append(m.weight())
        if values:
            vals.append(m.value())
        m.next()
    return np.array(ids, dtype=np.int64), np.array(weights, dtype=np.float32), vals


def _term_info(reader, fieldname: str, word: str):
    """A term's info in one segment, None if it lacks the term (looked up once per query:
    each look-up is several small reads of the segment's hash file)."""
    cache = reader.__dict__.setdefault("_clipper_infos", {})
    key = (fieldname, word)
    if key not in cache:
        if len(cache) > 4096:
            cache.clear()
        small = _small_terms(reader)
        if small is not None:
            fieldid = reader._terms._fieldmap.get(fieldname)
            raw = small[1].get(pack_ushort(fieldid) + word.encode("utf-8")) if fieldid is not None else None
            cache[key] = W3TermInfo.from_bytes(raw) if raw is not None else None
            return cache[key]
        try:
            cache[key] = reader._terms.term_info(fieldname, word.encode("utf-8"))
        except (KeyError, TermNotFound):
            cache[key] = None
    return cache[key]


def _unpickled_block(raw, compression: int, count: int, values: bool):
    """(id deltas, weights, values or None) of one W3 block by unpickling it (the general path:
    compressed blocks, values, layouts other than the block writer's); None if it is not one."""
    data = pickle.loads(zlib.decompress(raw) if compression else raw)
    ds = data[0]
    if count != len(ds) or not count:
        return None
    if values and (data[2] is None or len(data[2]) != count):
        return None
    d = (np.frombuffer(ds, dtype=ds.typecode) if type(ds) is array and ds.typecode in "HI"
         else np.array(ds, dtype=np.int64))
    w = data[1]
    if w is None or isinstance(w, float):
        w = np.full(count, 1.0 if w is None else w, dtype=np.float32)
    elif type(w) is array and w.typecode == "f":
        w = np.frombuffer(w, dtype=np.float32)
    else:
        w = np.array(list(w), dtype=np.float32)
    return d, w, (data[2] if values else None)


def _read_blocks(postfile, offset: int, length: int, values: bool, head: int | None = None):
    """Parse a W3 posting list (header, then blocks of: signed length, pickled info tuple,
    pickled (id deltas, weights, values)); None if it does not look like one. ``head``: stop
    after the block that brings the postings to that many (the list's first ones only).

    Docnums come back as an int64 array and weights as a float32 one (what Whoosh's arrays
    hold), summed and joined in C: a block's deltas start from 0, so the first delta of each
    later block is made relative to the previous block's last docnum (its info's max id) and
    the whole list is summed at once (checked against those max ids)."""
    buf = postfile.get(offset, length)
    if buf[:4] != WHOOSH3_HEADER_MAGIC:
        return None
    stream = io.BytesIO(buf)
    view = memoryview(buf)
    deltas: list = []
    weights: list = []
    maxids: list[int] = []
    counts: list[int] = []
    blocks: list | None = [] if values else None
    n = 0
    pos = 4
    size = len(buf)
    unpack = _BLOCK_LEN.unpack_from
    while pos < size:
        blen = unpack(buf, pos)[0]
        last = blen < 0
        end = pos + 4 + abs(blen)
        stream.seek(pos + 4)
        count, maxid, _maxw, compression, _mn, _mx = pickle.load(stream)
        start = stream.tell()
        got = None if values or compression else _ids_and_weights(buf, start, end, count)
        if got is None:
            got = _unpickled_block(view[start:end], compression, count, values)
            if got is None:
                return None
            if values:
                blocks.append((n, got[2]))
        deltas.append(got[0])
        weights.append(got[1])
        maxids.append(maxid)
        counts.append(count)
        n += count
        pos = end
        if last or (head is not None and n >= head):
            break
    if not deltas:
        return *_no_postings(), (_BlockValues(blocks) if values else None)
    ids = np.concatenate(deltas, dtype=np.int64)
    ends = np.cumsum(counts)
    tops = np.array(maxids, dtype=np.int64)
    ids[ends[:-1]] -= tops[:-1]
    np.cumsum(ids, out=ids)
    if not np.array_equal(ids[ends - 1], tops):
        return None
    return ids, np.concatenate(weights, dtype=np.float32), (_BlockValues(blocks) if values else None)


# A block's data as this module's block writer pickles it (protocol 5): the id deltas' array
# (its items' bytes right after the head), then the weights: None, one float or an array.
_ARRAYS_HEAD = re.compile(rb"\x80\x05\x95.{8}\x8c\x05array\x94\x8c\x14_array_reconstructor\x94\x93\x94"
                          rb"\(\x8c\x05array\x94\x8c\x05array\x94\x93\x94\x8c\x01([HI])\x94K(.)(?:C(.)|B(.{4}))",
                          re.S)
# (None or one float must be followed by the values (their class's name, None with the tuple's
# end, a tuple or bytes, a memo reference): not by more floats of a tuple of weights)
_WEIGHTS_HEAD = re.compile(rb"\x94t\x94R\x94(?:(?:(N)|G(.{8}))(?=\x8c|N\x87|[()CBhj])"
                           rb"|h\x02\(h\x05\x8c\x01f\x94K(.)(?:C(.)|B(.{4})))", re.S)
_MACHINE_FORMATS = {tc: array(tc).__reduce_ex__(5)[1][2] for tc in "HIf"}  # array's codes, this machine
_FLOAT64_BE = struct.Struct(">d")


def _ids_and_weights(buf, start: int, end: int, count: int):
    """(id deltas, weights) of the uncompressed block data ``buf[start:end]`` read straight from
    its pickle's bytes when the block writer wrote it (arrays of this machine's formats), the
    positions after them left unread; None otherwise (the caller unpickles it). Same arrays
    as unpickling, at a fraction of the cost (a query at 100k notes decodes hundreds of blocks)."""
    m = _ARRAYS_HEAD.match(buf, start, end) if count else None
    if m is None or m.group(2)[0] != _MACHINE_FORMATS[m.group(1).decode()]:
        return None
    typecode = m.group(1).decode()
    size = m.group(3)[0] if m.group(3) is not None else int.from_bytes(m.group(4), "little")
    if size != count * array(typecode).itemsize or m.end() + size > end:
        return None
    deltas = np.frombuffer(buf, dtype=typecode, count=count, offset=m.end())
    w = _WEIGHTS_HEAD.match(buf, m.end() + size, end)
    if w is None:
        return None
    if w.group(1) is not None:
        return deltas, np.ones(count, dtype=np.float32)
    if w.group(2) is not None:
        return deltas, np.full(count, _FLOAT64_BE.unpack(w.group(2))[0], dtype=np.float32)
    if w.group(3)[0] != _MACHINE_FORMATS["f"]:
        return None
    wsize = w.group(4)[0] if w.group(4) is not None else int.from_bytes(w.group(5), "little")
    if wsize != 4 * count or w.end() + wsize > end:
        return None
    return deltas, np.frombuffer(buf, dtype=np.float32, count=count, offset=w.end())


class _BlockValues:
    """The values of a posting list read block by block, each sliced out when asked for."""

    __slots__ = ("_starts", "_blocks")

    def __init__(self, blocks):
        self._starts = [start for start, _ in blocks]
        self._blocks = [vals for _, vals in blocks]

    def __getitem__(self, i: int) -> bytes:
        b = bisect_right(self._starts, i) - 1
        return self._blocks[b][i - self._starts[b]]

    def __iter__(self):
        return chain.from_iterable(self._blocks)


def _phrase_match(plists) -> bool:
    """Whether the words' positions (raw uint32 arrays) have p, p+1, ... in order."""
    starts = set(array("I", plists[0]))
    for k in range(1, len(plists)):
        starts.intersection_update([p - k for p in array("I", plists[k])])
        if not starts:
            return False
    return True


def _direct_best(s, clauses, nots, weighting, limit, sort="relevance"):
    """(score, global docnum) of the best ``limit`` documents matching all ``clauses`` (lists
    of leaves, one of which must match) and no leaf of ``nots``; BM25F as Whoosh computes it.
    ``sort`` "newest"/"oldest" orders them by the created column instead of the score; ties
    go to the lower docnum, as Whoosh's collector breaks them.

    A phrase that is a clause of its own scores as the sum of its words wherever it matches,
    so its positions are checked only for the first documents in the wanted order that have
    all its words, until ``limit`` of them pass."""
    K1, B = weighting.K1, weighting.B
    norms = {}
    for leaves in clauses:
        for _kind, fieldname, _words in leaves:
            if fieldname not in norms and fieldname != "tags":
                avgfl = s.avg_field_length(fieldname) or 1
                norms[fieldname] = np.array([K1 * ((1 - B) + B * (byte_to_length(b) if b else 0) / avgfl)
                                             for b in range(256)])
    runs = []
    segs = []
    for sub, offset in s.leaf_searchers():
        seg = _Segment(s, sub.reader(), norms, K1 + 1)
        n = len(segs)
        segs.append(seg)
        docs, values = seg.scores(clauses, nots)
        if not len(docs):
            continue
        if sort == "relevance":
            keys = -values
        else:
            keys = _created_array(sub.reader())[docs]
            if sort == "newest":
                keys = -keys
        if not seg.pending and len(keys) > limit:
            # only the limit-th smallest key and those before it can be among the best (ties
            # kept: the docnum decides between them)
            keep = keys <= np.partition(keys, limit - 1)[limit - 1]
            docs, values, keys = docs[keep], values[keep], keys[keep]
        order = np.lexsort((docs, keys))  # by key, then docnum
        if not seg.pending:  # the first `limit` of each segment will do
            order = order[:limit]
        docs = docs[order]
        runs.append(zip(keys[order].tolist(), (docs + offset).tolist(), repeat(n),
                        docs.tolist(), values[order].tolist()))
    best = []
    for _key, doc, n, d, sc in heapq.merge(*runs):
        if len(best) >= limit:
            break
        if not segs[n].pending or segs[n].verify(d):
            best.append((sc, doc))
    return best


class _Segment:
    """One segment's part of :func:`_direct_best` (posting lists read once per query).

    Sets of documents are boolean masks over the segment's docnums and scores one float64
    array: a posting list is scored, filtered and added with array operations, and the
    additions to each document's score happen in the order of the scoring loop they replace
    (its first list's term first, then the others'), so the scores are the same floats."""

    def __init__(self, searcher, reader, norms, k1p):
        self.searcher = searcher
        self.reader = reader
        self.norms = norms
        self.k1p = k1p
        self.count = reader.doc_count_all()
        self._lists: dict = {}
        self.pending: list = []  # phrase leaves whose positions :meth:`verify` checks

    def plist(self, fieldname, word, values=False):
        key = (fieldname, word)
        got = self._lists.get(key)
        if got is None or (values and got[2] is None):
            got = None if values else _LISTS.get(self.reader, key)
            if got is None:
                got = _postings(self.reader, fieldname, word, values) or (*_no_postings(), None)
                if not values:
                    _LISTS.put(self.reader, key, got)
            self._lists[key] = got
        return got

    def _mask(self, ids):
        mask = np.zeros(self.count, dtype=bool)
        mask[ids] = True
        return mask

    def leaf_mask(self, leaf, within=None, verify=True):
        """The documents of this segment matching ``leaf`` (a mask; a phrase's positions are
        checked among ``within`` only); with ``verify`` False, a phrase gives the documents
        that have all its words."""
        kind, fieldname, words = leaf
        if kind != "phrase":
            mask = np.zeros(self.count, dtype=bool)
            for w in words:
                mask[self.plist(fieldname, w)[0]] = True
            return mask
        lists = [self.plist(fieldname, w, values=True) for w in words]
        found = self._mask(lists[0][0])
        for ids, _w, _v in lists[1:]:
            found &= self._mask(ids)
        if within is not None:
            found &= within
        if not verify or not found.any():
            return found
        docs = np.flatnonzero(found)
        at = [np.searchsorted(ids, docs).tolist() for ids, _w, _v in lists]
        vals = [v for _ids, _w, v in lists]
        passed = [d for d, *where in zip(docs.tolist(), *at)
                  if _phrase_match([v[i] for v, i in zip(vals, where)])]
        return self._mask(np.array(passed, dtype=np.int64))

    def verify(self, d) -> bool:
        """Whether document ``d`` has each pending phrase."""
        for _kind, fieldname, words in self.pending:
            plists = []
            for w in words:
                ids, _w, vals = self.plist(fieldname, w, values=True)
                i = int(np.searchsorted(ids, d))
                if i == len(ids) or ids[i] != d:
                    return False
                plists.append(vals[i])
            if not _phrase_match(plists):
                return False
        return True

    def size(self, leaves) -> int:
        def df(fieldname, word):
            info = _term_info(self.reader, fieldname, word)
            return info.doc_frequency() if info is not None else 0

        total = 0
        for kind, fieldname, words in leaves:
            sizes = [df(fieldname, w) for w in words]
            total += min(sizes) if kind == "phrase" else sum(sizes)
        return total

    def scores(self, clauses, nots):
        """(docnums, scores) of the matching documents, in docnum order (two arrays)."""
        if len(clauses) == 1 and not nots and all(kind == "terms" for kind, _f, _w in clauses[0]):
            return self._any_terms(clauses[0])
        return self._all_clauses(clauses, nots)

    def _deleted(self):
        if not self.reader.has_deletions():
            return None
        return np.fromiter(self.reader.deleted_docs_set, dtype=np.int64)

    def _all_clauses(self, clauses, nots):
        # the most selective clause first; phrases checked only against the survivors
        order = sorted(clauses, key=self.size)
        cand = None
        matched = []  # per clause, per leaf: the mask of its matching documents
        for leaves in order:
            lazy = len(leaves) == 1 and leaves[0][0] == "phrase"
            if lazy:
                self.pending.append(leaves[0])
            masks = [self.leaf_mask(leaf, cand, verify=not lazy) for leaf in leaves]
            union = masks[0] if len(masks) == 1 else np.logical_or.reduce(masks)
            cand = union if cand is None else cand & union
            matched.append(masks)
            if not cand.any():
                return _no_scores()
        for leaf in nots:
            cand &= ~self.leaf_mask(leaf, cand)
        deleted = self._deleted()
        if deleted is not None:
            cand[deleted] = False
        if not cand.any():
            return _no_scores()
        scores = np.zeros(self.count)
        for leaves, masks in zip(order, matched):
            for (kind, fieldname, words), found in zip(leaves, masks):
                if kind == "const":  # an expanded prefix: 1 per matching document
                    scores[found & cand] += 1.0
                    continue
                inside = found & cand if kind == "phrase" else cand
                for w in words:
                    ids, weights, _v = self.plist(fieldname, w)
                    keep = inside[ids]
                    ids, weights = ids[keep], weights[keep]
                    if kind == "tag":  # not scorable: the posting's weight, as Whoosh
                        scores[ids] += weights
                    else:
                        scores[ids] += self._bm25(fieldname, w, ids, weights)
        docs = np.flatnonzero(cand)
        return docs, scores[docs]

    def _any_terms(self, leaves):
        """:meth:`scores` of one clause of scored words only (a word and its variants, or
        words OR-ed): every document of every list matches, so the lists are scored whole,
        with no candidate mask to filter them first."""
        scores = np.zeros(self.count)
        hit = np.zeros(self.count, dtype=bool)
        for _kind, fieldname, words in leaves:
            for w in words:
                ids, weights, _v = self.plist(fieldname, w)
                if len(ids):
                    scores[ids] += self._bm25(fieldname, w, ids, weights)
                    hit[ids] = True
        deleted = self._deleted()
        if deleted is not None:
            hit[deleted] = False
        docs = np.flatnonzero(hit)
        return docs, scores[docs]

    def _bm25(self, fieldname, word, ids, weights):
        return _bm25(ids, weights, _idf(self.searcher, fieldname, word), self.k1p,
                     self.norms[fieldname], _length_array(self.reader, fieldname, self.count))


def _no_scores():
    """(docnums, scores) of no document."""
    return np.zeros(0, dtype=np.int64), np.zeros(0)


def _bm25(ids, weights, f: float, k1p: float, table, lens):
    """``f * (wt * k1p) / (wt + norm)`` for every posting (float64 arrays): the operations of
    Whoosh's scoring loop in its order, so the scores are the same floating-point numbers
    (``table``: document length byte -> norm; ``lens``: docnum -> length byte)."""
    wt = weights.astype(np.float64)
    return (f * (wt * k1p)) / (wt + table[lens[ids]])


_REOPEN_TRIES = 10


def _reopen(ix, old):
    """A searcher of the index's current segments that takes over the old searcher's readers
    of segments that did not change (same id, document count and deletions), closing the
    others: opening a segment reads its hash tables (a few milliseconds each, at each commit
    with dozens of segments), and what its reader keeps (lengths, term infos) comes along.
    (Whoosh's own reuse, ``refresh()``, brings back segments merged away meanwhile.)"""
    from whoosh.reading import MultiReader, SegmentReader
    from whoosh.searching import Searcher

    toc = ix._read_toc()
    previous = {}
    if old is not None:
        try:
            leaves = [r for r, _ in old.reader().leaf_readers()]
        except Exception:  # noqa: BLE001 -- nothing to take over
            leaves = []
        for r in leaves:
            # (an empty index's reader has no segment and no is_closed)
            seg = r.segment() if not getattr(r, "is_closed", False) else None
            if seg is not None:
                previous[seg.segment_id()] = r
    readers, opened = [], []
    try:
        for seg in toc.segments:
            r = previous.pop(seg.segment_id(), None)
            if r is None or not _same_segment(r.segment(), seg):
                if r is not None:
                    previous[seg.segment_id()] = r  # closed below
                r = SegmentReader(ix.storage, toc.schema, seg, generation=toc.generation)
                opened.append(r)
            readers.append(r)
    except BaseException:
        for r in opened:  # (the old searcher's readers stay open: it may be in use)
            r.close()
        raise
    for r in previous.values():
        try:
            r.close()
        except Exception:  # noqa: BLE001
            pass
    _LISTS.forget(previous.values())
    if not readers:
        from whoosh.reading import EmptyReader

        return Searcher(EmptyReader(toc.schema), fromindex=ix)
    return Searcher(MultiReader(readers, generation=toc.generation), fromindex=ix)


def _same_segment(a, b) -> bool:
    return (a.segment_id() == b.segment_id() and a.doc_count_all() == b.doc_count_all()
            and set(a.deleted_docs()) == set(b.deleted_docs()))


class _ListCache:
    """Decoded posting lists (docnums, weights: arrays) of long lists, the most recently used
    up to a number of postings in all: frequent words come back query after query (and
    keystroke after keystroke while typing). Keyed by segment reader: a segment never changes (its
    deletions are applied after)."""

    def __init__(self, budget: int, least: int):
        self.budget = budget
        self.least = least
        self._lock = threading.Lock()
        self._items: dict = {}  # (reader id, field, word) -> (reader, lists); oldest first
        self._size = 0

    def get(self, reader, key):
        k = (id(reader), *key)
        with self._lock:
            got = self._items.pop(k, None)
            if got is None:
                return None
            if got[0] is not reader or reader.is_closed:
                self._size -= len(got[1][0])
                return None
            self._items[k] = got  # now the most recent
            return got[1]

    def put(self, reader, key, lists) -> None:
        n = len(lists[0])
        if n < self.least or n > self.budget // 4:
            return
        k = (id(reader), *key)
        with self._lock:
            old = self._items.pop(k, None)
            if old is not None:
                self._size -= len(old[1][0])
            self._items[k] = (reader, lists)
            self._size += n
            while self._size > self.budget and self._items:
                _reader, dropped = self._items.pop(next(iter(self._items)))
                self._size -= len(dropped[0])

    def forget(self, readers) -> None:
        """Drop the lists of readers that are closed now."""
        ids = {id(r) for r in readers}
        with self._lock:
            for k in [k for k in self._items if k[0] in ids]:
                self._size -= len(self._items.pop(k)[1][0])


#: 12 bytes a posting (an int64 docnum, a float32 weight): some 18 MB at most
_LISTS = _ListCache(budget=1_500_000, least=1_000)


def _idf(searcher, fieldname: str, word: str) -> float:
    """BM25F's idf (Whoosh's formula), from the term infos the segment readers keep, in the
    searcher's idf cache (Whoosh's own scoring reads it too)."""
    cache = searcher._idf_cache
    key = (fieldname, word)
    got = cache.get(key)
    if got is None:
        n = _doc_frequency(searcher.reader(), fieldname, word)
        got = cache[key] = math.log(searcher.doc_count_all() / (n + 1)) + 1
    return got


def _created_array(reader):
    """The created column of one segment as an int64 array, none as 0 (read once per segment
    reader)."""
    got = getattr(reader, "_clipper_created_array", None)
    if got is None:
        if not reader.has_column("created"):
            raise _Unsupported("created column")
        got = np.array([v or 0 for v in reader.column_reader("created")], dtype=np.int64)
        reader._clipper_created_array = got
    return got


def _length_array(reader, fieldname, count):
    """The length bytes of a field in one segment as a uint8 array of ``count`` (a document
    past the stored ones has 0, as :class:`_Lengths` reads it); once per reader."""
    cache = reader.__dict__.setdefault("_clipper_length_arrays", {})
    got = cache.get(fieldname)
    if got is None:
        data = np.frombuffer(_length_bytes(reader, fieldname), dtype=np.uint8)[:count]
        if len(data) < count:
            data = np.concatenate([data, np.zeros(count - len(data), dtype=np.uint8)])
        got = cache[fieldname] = data
    return got


def _length_bytes(reader, fieldname):
    """The per-document length bytes of a field in one segment (preloaded or read now)."""
    lengths = _load_lengths(reader._perdoc, fieldname)
    if lengths is None:
        raise _Unsupported("lengths")
    return lengths._data


class _Lengths:
    __slots__ = ("_data",)

    def __init__(self, data: bytes):
        self._data = data

    def __getitem__(self, docnum):
        try:
            return self._data[docnum]
        except IndexError:
            return 0


def _load_lengths(pdr, fieldname: str):
    """The in-memory length bytes of ``fieldname`` in a segment's per-document reader, read
    once and put in place of Whoosh's column reader; None if the column is not one byte a
    document."""
    from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield

    lenfield = _lenfield(fieldname)
    got = pdr._readers.get(lenfield)
    if isinstance(got, _Lengths):
        return got
    col = pdr._cached_reader(lenfield, LENGTHS_COLUMN)
    if col is None or col._fixedlen != 1:
        return None
    got = pdr._readers[lenfield] = _Lengths(bytes(col._dbfile.get(col._basepos, col._count)))
    return got


def _preload_lengths(searcher) -> None:
    """Load the per-document length bytes of body and title into memory, once per searcher.

    BM25 asks for a document's field length for every posting it scores; Whoosh reads it
    from the file each time (a seek + read without mmap). Best effort: any surprise in
    Whoosh's internals leaves the original reader in place."""
    try:
        leaves = [sub for sub, _ in searcher.leaf_searchers()]
    except Exception:
        return
    for sub in leaves:
        try:
            pdr = sub.reader()._perdoc
            for fieldname in ("body", "title"):
                _load_lengths(pdr, fieldname)
        except Exception:
            continue


class _ConstantMatcher(ConstantScoreWrapperMatcher):
    """Every match scores the same (an expanded prefix). As the top-level query it stops
    after ``cap`` matches: no later document could rank higher. (Whoosh's ConstantScoreQuery
    reads every matching document id into a list first, and with equal scores its collector
    never raises the bar, so it visits every match.)"""

    def __init__(self, child, score=1.0, cap=None):
        super().__init__(child, score)
        self._left = cap if cap is not None else -1

    def copy(self):
        return self.__class__(self.child.copy(), self._score, None if self._left < 0 else self._left)

    def _replacement(self, newchild):
        return self.__class__(newchild, self._score, None if self._left < 0 else self._left)

    def is_active(self):
        return self._left != 0 and self.child.is_active()

    def next(self):
        if self._left > 0:
            self._left -= 1
        return self.child.next()

    def replace(self, minquality=0):
        return self

    def supports_block_quality(self):
        return False


class _ConstantScore(wq.WrappingQuery):
    def __init__(self, child, score=1.0, cap=None):
        super().__init__(child)
        self.score = score
        self.cap = cap

    def _rewrap(self, child):
        return self.__class__(child, self.score, self.cap)

    def matcher(self, searcher, context=None):
        m = self.child.matcher(searcher, context)
        if isinstance(m, NullMatcherClass):
            return m
        return _ConstantMatcher(m, self.score, self.cap)


class ColumnRange(wq.Query):
    """Documents whose date column (:class:`DateField`) lies from ``start`` to ``end``
    (inclusive; None: open), each scoring 1 as in Whoosh's NumericRange."""

    def __init__(self, fieldname: str, start, end):
        self.fieldname = fieldname
        self.start = start
        self.end = end
        self.boost = 1.0

    def __repr__(self):
        return f"{type(self).__name__}({self.fieldname!r}, {self.start!r}, {self.end!r})"

    def __eq__(self, other):
        return (type(other) is type(self) and self.fieldname == other.fieldname
                and self.start == other.start and self.end == other.end)

    def __hash__(self):
        return hash((self.fieldname, self.start, self.end))

    def field(self):
        return self.fieldname

    def estimate_size(self, ixreader):
        return ixreader.doc_count()

    def matcher(self, searcher, context=None):
        reader = searcher.reader()
        got = _date_order(reader, self.fieldname)
        if got is None:
            return NullMatcher()
        values, docs = got
        lo = bisect_left(values, max(1, self.start if self.start is not None else 1))
        hi = bisect_right(values, self.end) if self.end is not None else len(values)
        found = sorted(docs[lo:hi])
        if reader.has_deletions():
            deleted = reader.deleted_docs_set
            found = [d for d in found if d not in deleted]
        return ListMatcher(found, all_weights=self.boost) if found else NullMatcher()


def _date_order(reader, fieldname: str):
    """(sorted values, their docnums) of a date column in one segment, kept with the reader;
    None if the segment has no such column."""
    cache = reader.__dict__.setdefault("_clipper_dates", {})
    if fieldname not in cache:
        if not reader.has_column(fieldname):
            cache[fieldname] = None
        else:
            values = list(reader.column_reader(fieldname))
            order = sorted(range(len(values)), key=values.__getitem__)
            cache[fieldname] = ([values[d] for d in order], order)
    return cache[fieldname]


def _or(queries):
    """OR of queries as a tree of union matchers (Whoosh's default for small segments
    preloads every posting of every term into arrays: slow for frequent words)."""
    if len(queries) == 1:
        return queries[0]
    return DefaultOr(queries)


def _index_error(exc: OSError) -> VaultError:
    import errno

    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        why = "the disk is full"
    elif exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        why = "its folder is read-only"
    else:
        why = exc.strerror or str(exc)
    return VaultError(f"Could not update the search index: {why} (it catches up once it can write)")


def _abandon(writer) -> None:
    """Cancel a failed writer. On a full disk ``cancel()`` itself can fail (closing the segment
    files writes) before it unlocks: then release the Whoosh write lock here."""
    try:
        writer.cancel()
    except Exception:
        pass
    lock = getattr(writer, "writelock", None)
    if lock is not None and not getattr(writer, "is_closed", True):
        try:
            lock.release()
        except Exception:
            pass
        writer.is_closed = True


def _commit(writer, **kwargs) -> None:
    try:
        writer.commit(**kwargs)
    except BaseException:
        _abandon(writer)
        raise


def _has_term(reader, fieldname, word) -> bool:
    try:
        return _doc_frequency(reader, fieldname, word) > 0
    except Exception:
        return False


def _doc_frequency(reader, fieldname: str, word: str) -> int:
    """A word's document frequency over the reader's segments (deleted documents included,
    as Whoosh counts them), from the term infos each segment reader keeps."""
    total = 0
    for r, _ in reader.leaf_readers():
        if getattr(r, "_terms", None) is None:
            return reader.doc_frequency(fieldname, word)
        info = _term_info(r, fieldname, word)
        if info is not None:
            total += info.doc_frequency()
    return total


_DOC_FREQ = struct.Struct("!I")  # in a W3TermInfo after its flags byte and total weight


def _merged_prefix_terms(reader, fieldname: str, prefix: str, limit: int,
                         scanned: dict | None = None) -> list[tuple[bytes, int]]:
    """(term, document frequency over all segments) of the first ``limit`` terms of
    ``fieldname`` starting with ``prefix``, in term order (what Whoosh's MultiReader gives).
    ``scanned``, if given, gets each segment reader's {term: term info bytes} of the scan."""
    tbytes = prefix.encode("utf-8")
    parts = []
    for r, _ in reader.leaf_readers():
        try:
            parts.append(_prefix_terms(r, fieldname, tbytes, limit,
                                       scanned.setdefault(r, {}) if scanned is not None else None))
        except Exception:  # noqa: BLE001 -- not a W3 segment as expected: Whoosh's own way
            if scanned is not None:
                scanned.pop(r, None)  # what it read may be partial
            parts.append([(t, r.doc_frequency(fieldname, t))
                          for t in islice(r.expand_prefix(fieldname, tbytes), limit)])
    out: list = []
    for term, df in heapq.merge(*parts):
        if out and out[-1][0] == term:
            out[-1] = (term, out[-1][1] + df)
        elif len(out) < limit:
            out.append((term, df))
        else:
            break
    return out


#: segments of fewer documents keep their whole term file in memory (:func:`_small_terms`)
SMALL_SEGMENT = 300


def _small_terms(reader):
    """(sorted keys, key -> term info bytes) of a small segment's whole term file, read in one
    piece once per reader; None for bigger segments. Single-note commits leave up to a tier's
    count of tiny segments until a background merge folds them, and a query looks up each of
    its words (and their stems' variants) in every segment: a binary search of the file, a few
    reads a step, cost more than the rest of the query on those segments."""
    got = reader.__dict__.get("_clipper_small")
    if got is None:
        got = False
        if reader.doc_count_all() < SMALL_SEGMENT:
            tindex = reader._terms._tindex
            start, eod = tindex.startofdata, tindex.endofdata
            buf = tindex.dbfile.get(start, eod - start)
            unpack = _HASH_LENGTHS.unpack_from
            keys, values = [], {}
            pos = 0
            while pos < len(buf):
                keylen, datalen = unpack(buf, pos)
                key = buf[pos + 8:pos + 8 + keylen]
                keys.append(key)
                values[key] = buf[pos + 8 + keylen:pos + 8 + keylen + datalen]
                pos += 8 + keylen + datalen
            if keys == sorted(keys):
                got = (keys, values)
        reader._clipper_small = got
    return got or None


_KEY_LENGTH = struct.Struct("!I")  # filetables: a record's key length
#: every binary search of a term file starts with the same steps: the keys of its first
#: _TOP_KEY_DEPTH levels (at most 2**levels - 1 keys of up to _TOP_KEY_BYTES a segment) are
#: kept on the segment reader, so a word's look-up reads only its last few steps
_TOP_KEY_DEPTH = 10
_TOP_KEY_BYTES = 48


def _closest_key_pos(reader, key: bytes):
    """Whoosh's ``closest_key_pos`` of a segment's term file (where the first key >= ``key``
    is, None past the end), with the file's array of key positions read in one piece once per
    reader and one read a step of the binary search (Whoosh: three small reads a step, some
    fifty for each word looked up in each segment, a quarter of a two-word query at 100k),
    the first steps' keys kept on the reader (_TOP_KEY_DEPTH)."""
    tindex = reader._terms._tindex
    index = reader.__dict__.get("_clipper_keypos")
    if index is None:
        typecode = tindex.extras.get("indextype")
        index = False
        if typecode in ("B", "H", "i", "I", "q") and array(typecode).itemsize == tindex.indexsize:
            index = array(typecode, tindex.dbfile.get(tindex.indexbase, tindex.indexlen * tindex.indexsize))
            if sys.byteorder == "little":
                index.byteswap()  # written big-endian
        reader._clipper_keypos = index
    if index is False:
        return tindex.closest_key_pos(key)
    top = reader.__dict__.setdefault("_clipper_top_keys", {})
    get = tindex.dbfile.get
    size = len(key)
    lo, hi = 0, len(index)
    depth = 0
    while lo < hi:
        mid = (lo + hi) // 2
        found = top.get(mid)
        if found is None:
            kept = depth < _TOP_KEY_DEPTH
            buf = get(index[mid], 8 + (max(size, _TOP_KEY_BYTES) if kept else size))
            keylen = _KEY_LENGTH.unpack_from(buf)[0]
            found = buf[8:8 + keylen]
            if len(found) < min(keylen, size):  # read past the file's end: only what is needed
                found = get(index[mid], 8 + size)[8:8 + keylen]
            elif kept and len(found) == keylen:
                top[mid] = found
        # a longer key is below ``key`` exactly when its first len(key) bytes are
        if found[:size] < key:
            lo = mid + 1
        else:
            hi = mid
        depth += 1
    return None if lo == len(index) else index[lo]


def _prefix_terms(reader, fieldname: str, prefix: bytes, limit: int,
                  infos: dict | None = None) -> list[tuple[bytes, int]]:
    """(term, document frequency) of one segment's first ``limit`` terms of ``fieldname``
    starting with ``prefix``: one binary search of its term file, then its records read in
    chunks (Whoosh reads each key and each value on its own, a few reads each). ``infos``, if
    given, gets each term's info bytes."""
    terms = reader._terms
    tindex = terms._tindex
    fieldid = terms._fieldmap.get(fieldname)
    if fieldid is None:
        return []
    key = pack_ushort(fieldid) + prefix
    small = _small_terms(reader)
    if small is not None:
        keys, values = small
        out = []
        for found in islice(keys, bisect_left(keys, key), None):
            if found[:len(key)] != key or len(out) >= limit:
                break
            out.append((found[2:], _DOC_FREQ.unpack_from(values[found], 5)[0]))
            if infos is not None:
                infos[found[2:]] = values[found]
        return out
    pos = _closest_key_pos(reader, key)
    out: list = []
    if pos is None:
        return out
    dbfile = tindex.dbfile
    eod = tindex.endofdata
    size = len(key)
    unpack = _HASH_LENGTHS.unpack_from
    buf, base = b"", pos
    while pos < eod and len(out) < limit:
        off = pos - base
        if off + 8 > len(buf):
            base, off = pos, 0
            buf = dbfile.get(pos, min(1 << 15, eod - pos))
        keylen, datalen = unpack(buf, off)
        end = off + 8 + keylen + datalen
        if end > len(buf):
            base, off = pos, 0
            end = 8 + keylen + datalen
            buf = dbfile.get(pos, min(max(1 << 15, end), eod - pos))
        found = buf[off + 8:off + 8 + keylen]
        if found[:size] != key:
            break
        out.append((found[2:], _DOC_FREQ.unpack_from(buf, off + 8 + keylen + 5)[0]))
        if infos is not None:
            infos[found[2:]] = buf[off + 8 + keylen:end]
        pos = base + end
    return out


def _remember_term_infos(scanned: dict, fieldname: str, words, limit: int) -> None:
    """Put the term infos a prefix scan read (``scanned``: segment reader -> {term bytes:
    info bytes}) for ``words`` in each reader's cache of :func:`_term_info`, and "absent" for
    a word a segment's whole scan lacked: the query then looks up none of its variants in
    any segment's hash file again (a few reads each, for every word and segment)."""
    for r, infos in scanned.items():
        cache = r.__dict__.setdefault("_clipper_infos", {})
        if len(cache) > 4096:
            cache.clear()
        complete = len(infos) < limit  # else a word past the scan's end may be in the segment
        for w in words:
            raw = infos.get(w.encode("utf-8"))
            if raw is not None:
                cache[(fieldname, w)] = W3TermInfo.from_bytes(raw)
            elif complete:
                cache[(fieldname, w)] = None
