"""The note pane as a user sees it: the Markdown editor (highlighting, live preview that follows
the cursor, undo/redo), find in note, the search's words marked, big notes shown in part without
freezing the window, and a look that follows light and dark."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QFont, QTextCharFormat, QTextDocument
from PySide6.QtWidgets import QApplication

from clipper.core.model import Clip
from clipper.qt import note_view as note_view_module
from tests.qt.conftest import titles, wait_idle, wait_titles

LONG = "\n\n".join(f"Paragraph {i} tells of the orchard in its {i}th year." for i in range(300))
MARKDOWN = """# Keeping Bees

Some **bold** words, an *aside*, a [link](https://example.org/bees) and `inline code`.

> A quoted line.

- a list item

```
fenced code
```
"""


@pytest.fixture
def note(qtbot, window, lib):
    def make(markdown, title="A Note", **meta):
        lib.import_clip(Clip(markdown=markdown, title=title, **meta))
        window.run_search()
        qtbot.waitUntil(lambda: window.note_title.text() == title, timeout=20000)
        wait_idle(qtbot, window)
        return window.current_note
    return make


def formats_at(editor, line: int):
    block = editor.text.document().findBlockByNumber(line)
    ranges = block.layout().formats()
    return [(r.start, r.length, QTextCharFormat(r.format)) for r in ranges]


def line_of(editor, text: str) -> int:
    doc = editor.text.document()
    return doc.find(text).blockNumber()


# --- the editor -------------------------------------------------------------------------------


def test_the_editor_highlights_markdown(qtbot, window, note):
    note(MARKDOWN, title="Keeping Bees", tags=["bees"])
    window.set_editing(True)
    editor = window.editor
    key = formats_at(editor, 1)  # "title: Keeping Bees" in the front matter
    assert key and key[0][0] == 0 and key[0][1] == len("title")
    heading = formats_at(editor, line_of(editor, "# Keeping Bees"))
    assert heading[0][2].fontWeight() == QFont.Weight.Bold
    words = formats_at(editor, line_of(editor, "Some **bold**"))
    styles = {(f.fontWeight() == QFont.Weight.Bold, f.fontItalic(), f.fontUnderline()) for _s, _l, f in words}
    assert (True, False, False) in styles and (False, True, False) in styles
    code = formats_at(editor, line_of(editor, "fenced code"))
    assert code and code[0][1] == len("fenced code")
    quote = formats_at(editor, line_of(editor, "> A quoted line."))
    assert quote[0][2].fontItalic()


def test_the_live_preview_renders_safely_and_follows_the_cursor(qtbot, window, note, tmp_path):
    outside = tmp_path / "secret.png"
    from tests.qt.pages import PNG

    outside.write_bytes(PNG)
    note(f"![secret]({outside})\n\n" + LONG, title="Long Orchard")
    window.set_editing(True)
    editor = window.editor
    preview = editor.preview
    assert preview.isVisible() and editor.preview_visible
    qtbot.waitUntil(lambda: "Paragraph 299" in preview.toPlainText(), timeout=10000)
    held = preview.document().resource(QTextDocument.ResourceType.ImageResource, QUrl(str(outside)))
    assert held is None or held.width() != 1  # the same safe view: no file from outside the vault
    # typing shows in the preview a moment later
    text = editor.text
    text.moveCursor(text.textCursor().MoveOperation.End)
    with qtbot.waitSignal(editor.preview_shown, timeout=10000):
        qtbot.keyClick(text, Qt.Key.Key_Return)
        qtbot.keyClick(text, Qt.Key.Key_Return)
        qtbot.keyClicks(text, "A freshly typed closing line.")
    assert "A freshly typed closing line." in preview.toPlainText()
    bar = preview.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.value() > bar.maximum() * 0.8, timeout=5000)  # the end is in view
    cursor = text.textCursor()
    cursor.setPosition(text.document().find("Paragraph 150 ").position())
    text.setTextCursor(cursor)
    qtbot.waitUntil(lambda: 0.3 * bar.maximum() < bar.value() < 0.7 * bar.maximum(), timeout=5000)
    # the preview can be hidden, and stays hidden
    qtbot.mouseClick(editor.preview_button, Qt.MouseButton.LeftButton)
    assert not preview.isVisible() and window.settings.get("editor_preview") is False


def test_undo_and_redo_in_the_editor_do_not_touch_deleted_notes(qtbot, window, note, lib):
    lib.import_clip(Clip(markdown="To be deleted.", title="Doomed"))
    lib.import_clip(Clip(markdown="Original text.", title="Kept"))
    window.run_search()
    wait_titles(qtbot, window, lambda t: len(t) == 2)
    ids = {h.title: h.id for h in lib.search("")}
    window.results.setCurrentIndex(window.results_model.index(titles(window).index("Doomed")))
    qtbot.waitUntil(lambda: window.note_title.text() == "Doomed", timeout=20000)
    window.results.setFocus()
    with qtbot.waitSignal(window.vault_changed, timeout=20000):
        qtbot.keyClick(window.results, Qt.Key.Key_Delete)
    wait_idle(qtbot, window)
    window.results.setCurrentIndex(window.results_model.index(titles(window).index("Kept")))
    qtbot.waitUntil(lambda: window.note_title.text() == "Kept", timeout=20000)
    window.editor.autosave = False
    window.set_editing(True)
    text = window.editor.text
    text.moveCursor(text.textCursor().MoveOperation.End)
    qtbot.keyClicks(text, " Added")
    assert text.toPlainText().endswith("Original text. Added\n") or "Added" in text.toPlainText()
    qtbot.keyClick(text, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert "Added" not in text.toPlainText()
    ctrl_shift = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(text, Qt.Key.Key_Z, ctrl_shift)
    assert "Added" in text.toPlainText()
    wait_idle(qtbot, window)
    assert ids["Doomed"] not in {h.id for h in lib.search("")}  # the delete was not undone
    window.act_undo.trigger()  # Edit → Undo with the editor focused: the typing
    assert "Added" not in text.toPlainText()


# --- find in note -------------------------------------------------------------------------------


def test_ctrl_f_in_the_note_finds_in_it_and_f3_moves_on(qtbot, window, note):
    note("An apple a day.\n\nApple trees, apple pie, and one more APPLE.", title="Apples")
    view = window.note_view
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    bar = window.find_bar
    assert bar.isVisible() and bar.line.hasFocus()
    qtbot.keyClicks(bar.line, "apple")
    assert bar.count.text() == "1 of 4" and bar.current_text().lower() == "apple"
    qtbot.keyClick(bar.line, Qt.Key.Key_F3)
    assert bar.count.text() == "2 of 4"
    qtbot.keyClick(bar.line, Qt.Key.Key_F3, Qt.KeyboardModifier.ShiftModifier)
    assert bar.count.text() == "1 of 4"
    qtbot.keyClick(bar.line, Qt.Key.Key_Return)
    assert bar.count.text() == "2 of 4"
    qtbot.keyClicks(bar.line, "z")
    assert bar.count.text() == "No match"
    qtbot.keyClick(bar.line, Qt.Key.Key_Escape)
    assert not bar.isVisible() and view.hasFocus()
    # in the editor it finds in the Markdown
    window.set_editing(True)
    window.editor.text.setFocus()
    qtbot.keyClick(window.editor.text, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert bar.isVisible() and bar.target is window.editor.text
    bar.line.setText("title")
    assert bar.count.text() == "1 of 1"


def test_the_search_box_keeps_ctrl_l_and_ctrl_k_and_ctrl_f_outside_the_note(qtbot, window, note):
    note("Some text.", title="Keys")
    window.note_view.setFocus()
    qtbot.keyClick(window.note_view, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.search_box.hasFocus()
    window.note_view.setFocus()
    qtbot.keyClick(window.note_view, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    assert window.search_box.hasFocus() and not window.find_bar.isVisible()
    window.results.setFocus()
    qtbot.keyClick(window.results, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.search_box.hasFocus() and not window.find_bar.isVisible()


def test_the_searched_words_are_marked_in_the_open_note(qtbot, window, lib):
    lib.import_clip(Clip(markdown="The orchards were pruned. An ORCHARD needs care; orchestra is not it.",
                         title="Orchard Care"))
    window.search_box.setFocus()
    with qtbot.waitSignal(window.results_shown, timeout=20000):
        qtbot.keyClicks(window.search_box, "orchard")
    qtbot.waitUntil(lambda: window.note_view.marked_text() != [], timeout=20000)
    assert [w.lower() for w in window.note_view.marked_text()] == ["orchards", "orchard"]
    # another search on the same note marks its own words
    window.search_box.clear()
    with qtbot.waitSignal(window.results_shown, timeout=20000):
        qtbot.keyClicks(window.search_box, "pruned care")
    qtbot.waitUntil(lambda: sorted(window.note_view.marked_text()) == ["care", "pruned"], timeout=20000)


# --- big notes (issue 17, item 11) --------------------------------------------------------------


def _write(vault: Path, name: str, text: str) -> Path:
    path = vault / name
    path.write_text(text, "utf-8")
    return path


def test_a_huge_one_line_note_is_shown_in_part_off_the_gui_thread(qtbot, window, monkeypatch):
    from clipper.qt import window_note as main_window

    threads = []
    real = main_window.render
    monkeypatch.setattr(main_window, "render",
                        lambda *a, **k: threads.append(threading.current_thread()) or real(*a, **k))
    body = ("word " * 1_200_000) + "THE-LAST-WORD"  # 6 MB on one line
    _write(Path(window.lib.vault), "huge.md", "---\ntitle: Huge One Line\n---\n\n" + body)
    wait_titles(qtbot, window, lambda t: "Huge One Line" in t, timeout=90000)
    qtbot.waitUntil(lambda: window.note_title.text() == "Huge One Line", timeout=20000)
    wait_idle(qtbot, window)
    view = window.note_view
    assert threads and all(t is not threading.main_thread() for t in threads)
    assert not view.rendered.complete and view.rendered.shown <= note_view_module.FIRST_PART + 200
    shown = view.toPlainText()
    assert "first part of a long note (97 KB of 5.7 MB). Show all" in shown and "THE-LAST-WORD" not in shown
    assert view.document().blockCount() > 5  # cut into pieces: one block's layout would take seconds
    assert not window.edit_button.isEnabled()  # too large to edit here (it would freeze too)
    window.set_editing(True)
    assert not window.pane.editing
    view.anchorClicked.emit(QUrl(note_view_module.SHOW_ALL))
    qtbot.waitUntil(lambda: view.rendered.complete, timeout=60000)
    assert "THE-LAST-WORD" in view.toPlainText()


def test_a_note_of_a_million_paragraphs_opens_at_once(qtbot, window):
    body = "".join(f"p{i}\n\n" for i in range(1_000_000))
    _write(Path(window.lib.vault), "many.md", "---\ntitle: Many Paragraphs\n---\n\n" + body)
    wait_titles(qtbot, window, lambda t: "Many Paragraphs" in t, timeout=90000)
    qtbot.waitUntil(lambda: window.note_title.text() == "Many Paragraphs", timeout=20000)
    wait_idle(qtbot, window)
    view = window.note_view
    assert not view.rendered.complete
    assert view.document().blockCount() < 30_000
    assert "p999999" not in view.toPlainText() and "Show all" in view.toPlainText()


def test_a_document_built_in_chunks_is_the_document_of_the_whole(monkeypatch):
    """Rendering a chunk at a time (so the window keeps its turn) gives what one setMarkdown
    gives: the same text, headings still headings across the seams."""
    monkeypatch.setattr(note_view_module, "RENDER_CHUNK", 500)
    part = "## Part {i}\n\nSome **text** {i}.\n\n- a\n- b\n\n```\ncode {i}\n\nmore\n```\n\n"
    markdown = "\n" + "".join(part.format(i=i) for i in range(200))  # a blank line first, as notes have
    rendered = note_view_module.render(markdown, limit=None)
    whole = QTextDocument()
    whole.setMarkdown(markdown)
    assert rendered.text == whole.toPlainText()
    assert rendered.document.characterCount() - 1 == len(rendered.text)
    block, headings = rendered.document.begin(), 0
    while block.isValid():
        headings += block.blockFormat().headingLevel() == 2
        block = block.next()
    assert headings == 200


def test_bounded_markdown_cuts_at_a_paragraph_and_closes_code():
    text, complete = note_view_module.bounded_markdown("aaa\n\n" * 30_000, limit=1000)
    assert not complete and text.endswith("aaa") and len(text) <= 1000
    doc = note_view_module.render("```\n" + "code line\n" * 20_000, limit=5000)
    assert "Show all" in doc.text and doc.text.rstrip().endswith("Show all")


# --- the look -----------------------------------------------------------------------------------


def test_light_and_dark_follow_the_setting_and_the_icons_follow(qtbot, window):
    from clipper.qt import theme

    app = QApplication.instance()
    before = theme.apply(app, "system")
    try:
        assert theme.apply(app, "dark") == "dark" and theme.is_dark(app.palette())
        qtbot.wait(50)
        dark_icon = window.act_import_files.icon().pixmap(16, 16).toImage()
        assert theme.apply(app, "light") == "light" and not theme.is_dark(app.palette())
        qtbot.wait(50)
        light_icon = window.act_import_files.icon().pixmap(16, 16).toImage()
        assert not dark_icon.isNull() and dark_icon != light_icon  # drawn in each palette's colours
    finally:
        theme.apply(app, "system")
    assert before in ("light", "dark")
    for act in (window.act_import_files, window.act_paste, window.act_edit, window.act_delete,
                window.act_open_source, window.act_settings, window.act_find):
        assert not act.icon().isNull(), act.text()


def test_the_reader_has_a_text_column_and_leading(qtbot, window, note):
    note(LONG, title="Column")
    view = window.note_view
    window.resize(1800, 900)
    qtbot.wait(50)
    frame = view.document().rootFrame().frameFormat()
    assert frame.leftMargin() > 50  # a wide pane centres a column of readable width
    block = view.document().begin().blockFormat()
    assert block.lineHeight() >= 140
