"""Snippets made for the rows the user sees: the first page with the search, the others when the
list shows them (scrolled to), with the query's words marked."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt

from clipper.core.library_values import Hit
from clipper.qt.results_model import ResultsModel, SnippetHtmlRole
from clipper.qt.snippet_filler import AHEAD, FIRST_SNIPPETS
from tests.qt.test_window import type_query

COUNT = 90  # several pages of hits, more than the search makes snippets for


@pytest.fixture
def lanterns(vault: Path) -> Path:
    """A vault of COUNT notes that all hold "lantern" (written before the library opens it)."""
    vault.mkdir(parents=True, exist_ok=True)
    for i in range(COUNT):
        (vault / f"lantern-{i:03d}.md").write_text(
            f"---\ntitle: Note {i}\ncreated: 2025-01-01T00:{i // 60:02d}:{i % 60:02d}Z\n---\n\n"
            f"Opening words of note {i}. The old lantern number {i} hung by the door.\n", "utf-8")
    return vault


def shown_rows(win) -> range:
    view = win.results
    first = view.indexAt(QPoint(1, 1)).row()
    last = view.indexAt(QPoint(1, view.viewport().height() - 2)).row()
    return range(first, (last if last >= 0 else win.results_model.rowCount() - 1) + 1)


def marked(win, row: int, word: str) -> bool:
    """The row's hit has its snippet with ``word`` marked (read without asking the model for it)."""
    return f"<b>{word}</b>" in win.results_model.hits()[row].snippet_html().lower()


def scroll_and_check(qtbot, win, value: int, word: str) -> range:
    win.results.verticalScrollBar().setValue(value)
    rows = shown_rows(win)
    assert len(rows) >= 3
    qtbot.waitUntil(lambda: all(marked(win, r, word) for r in shown_rows(win)), timeout=10000)
    return rows


@pytest.mark.parametrize("query", ["lantern", "lant"])  # a word, and one being typed (a prefix)
def test_snippets_of_the_rows_shown_and_after_scrolling(qtbot, lanterns, window, query):
    win = window
    assert len(type_query(qtbot, win, query)) == COUNT
    assert win.count_label.text() == f"{COUNT} notes"
    word = "lantern"
    model = win.results_model
    qtbot.waitUntil(lambda: all(marked(win, r, word) for r in shown_rows(win)), timeout=10000)
    assert all(marked(win, r, word) for r in range(FIRST_SNIPPETS))  # made with the search
    # the others were not read for this keystroke (the list shows the note open before, if listed)
    assert sum(bool(h.snippet) for h in model.hits()) <= FIRST_SNIPPETS + len(shown_rows(win)) + 2 * AHEAD
    bar = win.results.verticalScrollBar()
    assert 0 in scroll_and_check(qtbot, win, 0, word)
    scroll_and_check(qtbot, win, bar.maximum() // 2, word)
    assert COUNT - 1 in scroll_and_check(qtbot, win, bar.maximum(), word)
    # every snippet made is the one the search makes for that note
    full = {h.id: (h.snippet, h.highlights) for h in win.lib.search(query, limit=COUNT, as_you_type=True)}
    made = [h for h in model.hits() if h.snippet]
    assert len(made) > FIRST_SNIPPETS
    assert all((h.snippet, h.highlights) == full[h.id] for h in made)


def test_all_notes_newest_first_get_snippets_when_scrolled_to(qtbot, lanterns, window):
    win = window
    win.search_box.setText("")
    with qtbot.waitSignal(win.results_shown, timeout=20000):
        win.set_sort("newest")
    assert len(win.results_model.hits()) == COUNT
    assert win.results_model.hits()[0].title == f"Note {COUNT - 1}"
    bar = win.results.verticalScrollBar()
    bar.setValue(bar.maximum())
    qtbot.waitUntil(lambda: all(win.results_model.hits()[r].snippet.startswith("Opening words")
                                for r in shown_rows(win)), timeout=10000)


def hits(n: int) -> list[Hit]:
    return [Hit(id=f"id{i}", path=Path(f"n{i}.md"), title=f"Note {i}", snippet=f"text {i}" if i < 2 else "",
                highlights=[(0, 4)] if i < 2 else [], score=0.0, tags=[]) for i in range(n)]


def test_the_model_asks_once_for_the_rows_painted_and_drops_stale_snippets(qtbot):
    model = ResultsModel()
    model.set_hits(hits(10), with_snippets=2)
    asked = []
    model.snippets_wanted.connect(lambda: asked.append(1))
    assert model.data(model.index(0), SnippetHtmlRole) == "<b>text</b> 0"
    assert asked == []  # it has its snippet
    assert model.data(model.index(5), SnippetHtmlRole) == ""
    model.data(model.index(6), SnippetHtmlRole)
    assert asked == [1]  # one signal for the rows painted in one go
    assert model.take_wanted(margin=2) == ["id3", "id4", "id5", "id6", "id7", "id8"]
    model.data(model.index(6), SnippetHtmlRole)
    assert model.take_wanted(margin=2) == []  # already asked for
    model.data(model.index(9), Qt.ItemDataRole.AccessibleTextRole)  # read out: wanted too
    assert model.take_wanted() == ["id9"]
    generation = model.generation
    with qtbot.waitSignal(model.dataChanged):
        model.set_snippets(generation, {"id5": ("lantern here", [(0, 7)])})
    assert model.data(model.index(5), SnippetHtmlRole) == "<b>lantern</b> here"
    model.set_hits(hits(10), with_snippets=2)
    model.set_snippets(generation, {"id6": ("stale", [])})  # made for the hits before
    assert model.hits()[6].snippet == ""


def test_the_model_without_snippets_is_well_behaved(qtmodeltester):
    model = ResultsModel()
    model.set_hits(hits(5), with_snippets=1)
    qtmodeltester.check(model)
    model.remove_id("id0")
    assert [h.id for h in model.hits()] == ["id1", "id2", "id3", "id4"]


def _hit(i: int, snippet: str = "") -> Hit:
    return Hit(id=f"n{i}", path=Path(f"/v/n{i}.md"), title=f"Note {i}", snippet=snippet,
               highlights=[(0, 7)] if snippet else [], score=1.0, tags=["a"])


def test_a_row_drawn_again_shows_its_snippet_as_it_is_now(qtbot):
    """The list keeps each snippet's laid-out text for repaints (scrolling back, hovering), and a
    snippet filled in or changed is drawn anew, never the old one."""
    from PySide6.QtWidgets import QListView

    from clipper.qt.results_model import ResultDelegate

    view = QListView()
    qtbot.addWidget(view)
    view.resize(360, 400)
    model = ResultsModel(view)
    delegate = ResultDelegate(view)
    view.setModel(model)
    view.setItemDelegate(delegate)
    view.show()
    model.set_hits([_hit(i) for i in range(3)], with_snippets=0)

    def drawn():
        view.viewport().repaint()
        return view.viewport().grab().toImage()

    empty = drawn()
    assert drawn() == empty  # the same rows drawn again look the same
    kept = len(delegate._snippets)
    model.set_snippets(model.generation, {"n1": ("lantern by the door", [(0, 7)])})
    filled = drawn()
    assert filled != empty  # the snippet filled in is drawn, not the empty one kept before
    assert len(delegate._snippets) == kept + 1
    assert drawn() == filled and len(delegate._snippets) == kept + 1  # drawn again from the cache
    model.set_hits([_hit(i, f"other words of row {i}") for i in range(3)])
    assert drawn() != filled
    for i in range(ResultDelegate.KEPT_SNIPPETS + 50):  # many searches: the cache stays bounded
        model.set_hits([_hit(i, f"snippet number {i}")])
        view.viewport().repaint()
    assert len(delegate._snippets) <= ResultDelegate.KEPT_SNIPPETS
