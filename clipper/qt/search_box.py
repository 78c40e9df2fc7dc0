"""Search-as-you-type: a line edit with a single-shot debounce, and a controller that runs searches
on the reader worker and drops stale results with a rising token."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QLineEdit, QToolButton

from clipper.qt.snippet_filler import FIRST_SNIPPETS
from clipper.qt.widgets import single_shot

DEBOUNCE_MS = 180
SEARCH_LIMIT = 200
PASTE_SEARCH_LIMIT = 200  # characters: a longer paste into a one-line field is an article


def is_article(mime) -> bool:
    """Whether a paste is an article to import rather than words for a one-line field: text of
    several lines, longer than any search or tag list, or HTML without any plain text."""
    if mime is None:
        return False
    text = (mime.text() if mime.hasText() else "").strip()
    if not text and mime.hasHtml():  # a copy that carries only HTML (no plain text) is a page
        return bool(mime.html().strip())
    return "\n" in text or len(text) > PASTE_SEARCH_LIMIT


class ArticlePaste:
    """For one-line fields (the search box, the tag line): pasting an article (Ctrl+V, Shift+Insert
    or the context menu) emits ``article_pasted`` instead of squeezing it into the field. The
    class using it defines the signal."""

    def _paste_is_article(self) -> bool:
        return is_article(QApplication.clipboard().mimeData())

    def keyPressEvent(self, event):  # noqa: N802
        if event.matches(QKeySequence.StandardKey.Paste) and self._paste_is_article():
            event.accept()
            self.article_pasted.emit()
            return
        super().keyPressEvent(event)

    def contextMenuEvent(self, event):  # noqa: N802
        menu = self.createStandardContextMenu()
        for action in menu.actions():
            if action.objectName() == "edit-paste" and self._paste_is_article():
                action.triggered.disconnect()
                action.setText("&Paste (Import as a Note)")
                action.triggered.connect(lambda _checked=False: self.article_pasted.emit())
        menu.exec(event.globalPos())
        menu.deleteLater()

SEARCH_HELP = """<b>Search</b> (as you type)<br>
<code>climate change</code> &nbsp;notes with both words<br>
<code>"exact phrase"</code> &nbsp;the words in this order<br>
<code>climate OR weather</code> &nbsp;either word<br>
<code>climate NOT politics</code> &nbsp;leave notes out<br>
<code>clim*</code> &nbsp;words that start with <i>clim</i><br>
<code>title:python</code>, <code>site:example.com</code>, <code>author:smith</code>,
<code>tag:recipes</code> &nbsp;search one field<br>
Empty search: the newest notes. Click tags on the left to filter (Ctrl+click combines)."""


class SearchBox(ArticlePaste, QLineEdit):
    """Emits ``query_changed`` once typing pauses (or at once on Enter)."""

    query_changed = Signal(str)
    focus_results = Signal()  # Down arrow: go to the result list
    article_pasted = Signal()  # Ctrl+V of an article: the window imports it

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setPlaceholderText("Search notes  (Ctrl+L)")
        self.setClearButtonEnabled(True)
        for button in self.findChildren(QToolButton):  # the clear button
            button.setAccessibleName("Clear the search")
        self.setToolTip(SEARCH_HELP)
        self.setAccessibleName("Search notes")
        self.setAccessibleDescription("Type words to find notes; results update as you type")
        self._timer = single_shot(self, DEBOUNCE_MS, self._emit)
        self.textEdited.connect(lambda _text: self._timer.start())
        self.returnPressed.connect(self._emit)
        # The clear button changes the text without textEdited.
        self.textChanged.connect(self._on_text_changed)

    def _on_text_changed(self, text: str) -> None:
        if not text:
            self._timer.start()

    def cancel_pending(self) -> None:
        """Drop a search that is waiting for the typing pause (the window is closing)."""
        self._timer.stop()

    def _emit(self) -> None:
        self._timer.stop()
        self.query_changed.emit(self.text())

    def keyPressEvent(self, event):
        if event.key() == Qt.Key.Key_Escape and self.text():
            self.clear()
            self._emit()
            return
        if event.key() == Qt.Key.Key_Down:
            # Down arrow moves into the result list (the window connects this).
            self.focus_results.emit()
            return
        super().keyPressEvent(event)


class SearchController(QObject):
    """Runs ``lib.search`` on the reader; only the answer to the newest request is delivered."""

    results_ready = Signal(object, object)  # request (dict), hits (list)
    search_failed = Signal(str)

    def __init__(self, runner, library_getter, parent=None):
        super().__init__(parent)
        self._runner = runner
        self._library = library_getter
        self._token = 0
        self.last_request: dict | None = None

    @property
    def token(self) -> int:
        return self._token

    def request(self, query: str, *, sort: str = "relevance", tags=(), limit: int = SEARCH_LIMIT,
                as_you_type: bool = False) -> int:
        """Search on the reader; ``as_you_type``: the last word may be unfinished (a prefix)."""
        self._token += 1
        token = self._token
        req = {"query": query, "sort": sort, "tags": tuple(tags), "limit": limit, "token": token,
               "as_you_type": as_you_type, "snippets": FIRST_SNIPPETS}
        self.last_request = req
        lib = self._library()
        extra = {"as_you_type": True} if as_you_type else {}  # Library.search: the last word a prefix

        def work():
            if token != self._token:  # a newer request came while this one waited: skip the work
                return None
            # the first page's snippets: the list asks for the others' as it shows them
            return lib.search(query, limit=limit, sort=sort, tags=tuple(tags), snippets=FIRST_SNIPPETS,
                              **extra)

        self._runner.submit(work, label="search",
                            done=lambda hits: self._deliver(req, hits),
                            failed=lambda exc: self._failed(req, exc))
        return token

    def _deliver(self, req: dict, hits) -> None:
        if req["token"] != self._token or hits is None:
            return  # stale: a newer search is on its way
        self.results_ready.emit(req, list(hits))

    def _failed(self, req: dict, exc: BaseException) -> None:
        if req["token"] == self._token:
            self.search_failed.emit(str(exc) or type(exc).__name__)
