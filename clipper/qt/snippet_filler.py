"""Snippets for the rows the user sees: a search makes the first page's (``FIRST_SNIPPETS``); the
others are asked of the reader when the result list paints their rows, a page ahead.

Each snippet costs reading its note and a regex scan of it, on the reader thread that holds the
GIL meanwhile: made for all of a search's 200 hits at every keystroke they stalled the window
(seen: 100-280 ms on a 100,000-note vault), though the list shows about ten rows at a time.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Signal

from clipper.qt.widgets import single_shot

log = logging.getLogger(__name__)

#: hits whose snippets a search makes at once: more than a tall window shows, so that the first
#: page never waits for a second round
FIRST_SNIPPETS = 24
#: rows before and after the painted ones whose snippets are asked for with them (a page), so
#: that scrolling on finds them made
AHEAD = 12


class SnippetFiller(QObject):
    """Fills in the snippets ``model`` asks for, for the request whose hits it shows."""

    filled = Signal()  # snippets arrived and are in the model

    def __init__(self, model, runner, library_getter, parent=None):
        super().__init__(parent)
        self._model = model
        self._runner = runner
        self._library = library_getter
        self._request: dict | None = None
        # one request for all the rows painted in one go (a scroll paints a page)
        self._timer = single_shot(self, 0, self._ask)
        model.snippets_wanted.connect(self._timer.start)

    def show(self, req: dict, hits) -> None:
        """The model now shows ``hits``, the answer to ``req`` (a search request of
        :class:`clipper.qt.search_box.SearchController`)."""
        self._request = req
        self._model.set_hits(hits, with_snippets=req.get("snippets"))

    def _ask(self) -> None:
        req = self._request
        ids = self._model.take_wanted(AHEAD)
        if req is None or not ids:
            return
        model, generation = self._model, self._model.generation
        lib = self._library()

        def work():
            if generation != model.generation:  # other hits came meanwhile: nobody will see these
                return None
            made = lib.snippets(req["query"], ids, as_you_type=req.get("as_you_type", False))
            return {i: made.get(i, ("", [])) for i in ids}  # a note gone meanwhile: no snippet

        self._runner.submit(work, label="snippets", done=lambda made: self._apply(generation, made),
                            failed=lambda exc: log.warning("snippets failed: %s", exc))

    def _apply(self, generation: int, made) -> None:
        if made is None:
            return
        self._model.set_snippets(generation, made)
        self.filled.emit()
