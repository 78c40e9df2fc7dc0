"""Searching the library: :class:`SearchMixin` (the :class:`clipper.core.library.Library`'s
search, "did you mean" and match spans) over the search index and the catalog.

The mixin uses the Library's ``vault``, ``_vault``, ``_index``, ``catalog``, ``_search_lock``
(searches, one at a time), ``_lock``, ``_writing()`` and ``_reset_index()``/``_sync()`` (to
rebuild a damaged index). Searches never wait for the write lock.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import re
import time

from clipper.core import confine, frontmatter, notefile
from clipper.core import query as qlang
from clipper.core import tags as tagmod
from clipper.core.library_values import Hit
from clipper.core.snippets import Highlighter

log = logging.getLogger(__name__)
_NO_TERMS = Highlighter([])

#: A query is read up to this many characters: a pasted page of 20,000 words took seconds to
#: run and minutes to spell-check. "Did you mean" looks at the first SUGGEST_WORDS distinct words.
MAX_QUERY_CHARS = 2000
SUGGEST_WORDS = 24
SUGGEST_FIXES = 8
#: A snippet is made from the first this many bytes of a note.
SNIPPET_READ_BYTES = 400_000


class SearchMixin:
    """Search of :class:`clipper.core.library.Library`."""

    def search(self, query: str, limit: int = 20, *, sort: str = "relevance", tags=(),
               as_you_type: bool = False, snippets: int | None = None) -> list[Hit]:
        """Hits for ``query`` in the search language (see :mod:`clipper.core.query`).

        ``snippets``: only the first this many hits carry their snippet (each costs reading the
        note); the others have ``snippet`` "" and no ``highlights`` until :meth:`snippets` makes
        them (a list that shows only some of its hits at a time). None: every hit has its own.
        Never raises on malformed queries; an empty query lists the newest notes.
        """
        with self._reading():
            return self._search(query, limit, sort, tags, as_you_type, snippets)

    def snippets(self, query: str, ids, *, as_you_type: bool = False) -> dict[str, tuple[str, list]]:
        """``{id: (snippet, highlights)}`` of the notes ``ids`` for ``query``, as :meth:`search`
        makes them (ids no longer in the library are left out)."""
        hl = _highlighter(cap_query(query), as_you_type)
        ids = list(ids)
        with self._reading():
            rows = self.catalog.by_ids(ids)
            return {i: self._snippet(rows[i], hl) for i in ids if i in rows}

    @contextlib.contextmanager
    def _reading(self):
        """Counts a search (or its snippets) as running: a background comparison of the files
        waits for the pause after it (see ``Library._after_searches``)."""
        with self._searching_lock:
            self._searching += 1
            self._no_search.clear()
        try:
            yield
        finally:
            with self._searching_lock:
                self._searching -= 1
                self._last_search = time.monotonic()
                if not self._searching:
                    self._no_search.set()

    def _search(self, query: str, limit: int, sort: str, tags, as_you_type: bool,
                snippets: int | None) -> list[Hit]:
        query = cap_query(query)
        parsed = qlang.parse(query, as_you_type=as_you_type)
        sort = parsed.sort or sort or "relevance"
        tag_filter = tagmod.normalize_tags(tags)
        with self._search_lock:
            if parsed.is_empty():
                rows = self.catalog.newest(limit, oldest=sort == "oldest", tags=tag_filter)
                return self._hits([(row, 0.0) for row in rows], _NO_TERMS, snippets)
            if not parsed.has_text() and sort == "relevance":
                sort = "newest"
            found = None
            for attempt in range(3):
                try:
                    found = self._index.run(parsed, limit=limit, sort=sort, tags=tag_filter)
                    break
                except Exception as exc:
                    if attempt == 0:  # maybe a stale searcher: try a fresh one
                        self._index.invalidate()
                    elif attempt == 1:  # the index is damaged: rebuild it from the files
                        if not self._lock.acquire(blocking=False):
                            return []  # a rebuild or reindex is running right now
                        try:
                            log.warning("search failed (%s); rebuilding the index", exc)
                            self._recover()
                        finally:
                            self._lock.release()
                    else:
                        log.exception("search failed again")
            if found is None:
                return []
            seen: set[str] = set()
            found = [(i, sc) for i, sc in found if not (i in seen or seen.add(i))]
            rows = self.catalog.by_ids([i for i, _ in found])
            return self._hits([(rows[i], score) for i, score in found if i in rows],
                              _highlighter(query, as_you_type), snippets)

    def _hits(self, scored, hl: Highlighter, snippets: int | None) -> list[Hit]:
        """Hits of ``(catalog row, score)`` pairs, the first ``snippets`` (None: all) with theirs."""
        upto = len(scored) if snippets is None else snippets
        return [self._hit(row, score, self._snippet(row, hl) if n < upto else ("", []))
                for n, (row, score) in enumerate(scored)]

    def _recover(self) -> None:
        with self._writing():
            self._reset_index()
            self._sync()

    def _hit(self, row: dict, score: float, snippet: tuple[str, list]) -> Hit:
        return Hit(id=row["id"], path=self._vault.abs(row["path"]), title=row["title"], snippet=snippet[0],
                   highlights=snippet[1], score=score, tags=list(row["tags"]), created=row["created"] or "",
                   published=row["published"] or "", site=row["site"] or "", author=row["author"] or "")

    def _snippet(self, row: dict, hl: Highlighter) -> tuple[str, list]:
        """(snippet, highlights) of the note of catalog ``row``, read from its file."""
        try:
            with confine.open_in(self.vault, row["path"]) as fh:  # a link out of the vault: no snippet
                # no more asked for than the file holds: a read allocates what it asks for
                # first, and 400 kB cost more than reading a typical note
                raw = notefile.decode(fh.read(min(SNIPPET_READ_BYTES, os.fstat(fh.fileno()).st_size)))
        except OSError:
            return "", []
        header = frontmatter.find_header(raw)
        body = raw[header[1]:] if header else raw
        return hl.snippet_markdown(body, skip=row["title"])

    def suggest(self, query: str) -> str | None:
        """A corrected query ("did you mean") when some words are not in any note, else None."""
        query = cap_query(query)
        parsed = qlang.parse(query)
        words = [t for t in parsed.text_terms() if t.kind == "word" and t.field in (None, "title", "body")]
        if not words:
            return None
        out = query
        changed = False
        fixes = 0
        with self._search_lock:
            for term in list({t.text.lower(): t for t in words}.values())[:SUGGEST_WORDS]:
                if fixes >= SUGGEST_FIXES:
                    break
                w = term.text.lower()
                try:
                    if self._index.known(w):
                        continue
                    # a beginning of indexed words ("steenb" of "steenbok") means that word,
                    # not some short word a couple of letters away ("seen")
                    fix = self._completion(w) or self._index.correct(w)
                except Exception:
                    fix = None
                if fix and fix != w:
                    out = _replace_word(out, term.text, fix)
                    changed = True
                    fixes += 1
        if not changed:
            return None
        # offered only if it finds something the query as typed did not
        before = {h.id for h in self.search(query, limit=50)}
        after = {h.id for h in self.search(out, limit=50)}
        return out if after - before else None

    @staticmethod
    def match_spans(query: str, text: str) -> list[tuple[int, int]]:
        """Where the words of ``query`` occur in ``text`` (plain text, e.g. the note as shown),
        found as the search finds them (stems, the word being typed as a prefix, phrases):
        sorted (start, end) character offsets, at most 500."""
        if not text:
            return []
        return sorted((start, end) for start, end, _group in _highlighter(query or "", True).matches(text))

    def _completion(self, word: str) -> str | None:
        return self._index.completion(word)


@functools.lru_cache(maxsize=16)
def _highlighter(query: str, as_you_type: bool) -> Highlighter:
    """The highlighter of ``query``: a list shows a search's hits a page at a time, asking
    :meth:`SearchMixin.snippets` for each page's with the same query (then the note shown
    asks for :meth:`SearchMixin.match_spans`)."""
    return Highlighter(qlang.parse(query, as_you_type=as_you_type).text_terms())


def cap_query(query) -> str:
    """``query`` cut (at a space) to MAX_QUERY_CHARS."""
    query = query or ""
    if len(query) <= MAX_QUERY_CHARS:
        return query
    cut = query.rfind(" ", 0, MAX_QUERY_CHARS + 1)
    return query[:cut if cut > 0 else MAX_QUERY_CHARS]


def _replace_word(query: str, word: str, fix: str) -> str:
    return re.sub(r"(?<!\w)" + re.escape(word) + r"(?!\w)", fix, query, count=1)
