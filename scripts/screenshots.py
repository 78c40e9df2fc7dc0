#!/usr/bin/env python3
"""Save screenshots of the Clipper window (QWidget.grab): the ones the README shows.

    .venv/bin/python scripts/screenshots.py [OUT_DIR]      (default: docs/screenshots/)

Builds a throw-away vault with a few notes, then saves, in the light and the dark look: a search
with highlighted hits (its words marked in the open note), the Markdown editor with its live
preview, find in note; and the first start, a tag filter, a search with no hits, an import
report and a note whose web image is not loaded. Runs headless (QT_QPA_PLATFORM=offscreen unless
set otherwise).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

NOTES = [
    dict(title="How to Keep a Sourdough Starter Alive", site="The Slow Kitchen", author="Maria Keller",
         published="2024-02-11", source="https://slowkitchen.example/sourdough-starter",
         tags=["cooking/bread", "howto"], markdown="""A sourdough starter is a small colony of wild yeast \
and \
bacteria living in flour and water. Feed it regularly and it will raise your bread for years.

## Feeding

- Discard half of the starter.
- Add equal weights of **flour** and **water** (50 g each is plenty).
- Leave it at room temperature until it doubles, usually four to eight hours.

> A starter that smells of acetone is hungry, not dead: feed it twice a day for a few days.

## Storing

Between bakes the starter can live in the fridge. Take it out the evening before you bake \
and give it one or two feedings so the bread rises well.
"""),
    dict(title="The Quiet Return of the Night Train", site="Rail Review", author="Tom Becker",
         published="2023-11-30", source="https://railreview.example/night-trains",
         tags=["travel", "trains"], markdown="""Night trains are coming back across Europe. New routes link \
Vienna, Paris, Brussels and Berlin, and sleeper cars sell out weeks ahead.

Operators say travellers want to avoid short flights, and that a good night's sleep beats \
an early airport security queue. The economics remain hard: the rolling stock is expensive \
and each bed earns money only once a day.
"""),
    dict(title="Bread Baking for Beginners: Ten Common Mistakes", site="Flour & Co", author="Ana Lima",
         published="2024-05-02", source="https://flourco.example/bread-mistakes",
         tags=["cooking/bread"], markdown="""Most failed loaves come from a handful of mistakes: too little \
time, water that is too hot, and an oven that is not hot enough.

1. Measure by weight, not by cups.
2. Let the dough rise until it has really doubled.
3. Bake bread until the crust is deep brown; pale bread is underbaked.
"""),
    dict(title="Why Your Houseplants Keep Dying", site="Green Rooms", author="Lee Park",
         published="2022-08-19", source="https://greenrooms.example/houseplants",
         tags=["garden"], markdown="""Overwatering kills more houseplants than anything else. Roots need \
air as much as water; a pot without a drainage hole slowly drowns them.

Check the soil with a finger before watering, and move plants closer to the window in winter.
"""),
    dict(title="A Short History of the Paperclip", site="Objects Weekly", author="Sam Ortiz",
         published="2021-03-14", source="https://objects.example/paperclip",
         tags=["history", "design"], markdown="""The familiar double loop, called the *Gem* clip, was never \
patented. It appeared in Britain in the 1870s and has barely changed since.

Dozens of rival designs tried to improve on it; almost all of them are forgotten.
"""),
]


def busy(window) -> bool:
    return window.writer.busy or window.reader.busy or window.renderer.busy


def wait_idle(app, window, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        app.processEvents()
        if not busy(window):
            for _ in range(5):
                app.processEvents()
            if not busy(window):
                return
        time.sleep(0.01)
    raise TimeoutError("the window did not settle")


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    out = Path(argv[0] if argv else ROOT / "docs" / "screenshots").resolve()
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="clipper-shots-"))
    os.environ.setdefault("CLIPPER_CACHE_DIR", str(tmp / "cache"))

    from PySide6.QtWidgets import QApplication

    from clipper import Library
    from clipper.core.model import Clip
    from clipper.qt import theme
    from clipper.qt.main_window import MainWindow
    from clipper.qt.settings import Settings, open_settings

    app = QApplication([sys.argv[0]])
    theme.apply(app, "light")
    settings = Settings(open_settings(str(tmp / "settings.ini")))
    lib = Library.open(tmp / "vault", index_dir=tmp / "index", wait=True)
    window = MainWindow(lib, settings)
    window.resize(1280, 800)
    window.show()
    wait_idle(app, window)
    saved = []

    def shot(name: str, widget=None) -> None:
        wait_idle(app, window)
        for _ in range(20):  # let the last layout and paint happen
            app.processEvents()
        path = out / f"{name}.png"
        (widget or window).grab().save(str(path))
        saved.append(path)

    def search(query: str) -> None:
        window.search_box.setText(query)
        window.run_search()
        wait_idle(app, window)

    window.create_welcome_note()  # what the first start shows
    shot("first-start")

    for note in NOTES:
        lib.import_clip(Clip(**note))
    window.reload_tags()
    window.run_search()
    wait_idle(app, window)

    for scheme in ("light", "dark"):
        theme.apply(app, scheme)
        window.set_editing(False)
        window.find_bar.close_bar()
        window.tag_tree.select_tags([])
        # a search: hits with their words highlighted, and marked in the open note
        search("bread")
        window.results.setCurrentIndex(window.results_model.index(1))
        wait_idle(app, window)
        window.results.setFocus()
        shot(f"search-{scheme}")
        # the editor with its live preview
        window.set_editing(True)
        cursor = window.editor.text.textCursor()
        cursor.setPosition(window.editor.text.document().find("## Storing").position())
        window.editor.text.setTextCursor(cursor)
        window.editor.follow_cursor()
        shot(f"editor-{scheme}")
        window.set_editing(False)
        # find in the open note
        window.note_view.setFocus()
        window.pane.open_find()
        window.find_bar.line.setText("starter")
        window.find_bar.find_next()
        shot(f"find-in-note-{scheme}")
        window.find_bar.close_bar()

    theme.apply(app, "light")
    window.tag_tree.select_tags(["cooking/bread"])
    search("")
    shot("tag-filter")
    window.tag_tree.select_tags([])
    search("breda")  # a typo: nothing matches, with a suggestion
    shot("no-results")

    # an import with problems: one list of what went wrong
    drop = tmp / "dropped"
    drop.mkdir()
    (drop / "empty.html").write_bytes(b"")
    (drop / "photo.txt").write_bytes(bytes(range(256)) * 20)
    (drop / "good.html").write_text(
        "<html><head><title>Tea Gardens of Darjeeling</title></head><body><article>"
        "<h1>Tea Gardens of Darjeeling</h1>"
        + "<p>The tea gardens cling to steep slopes where mist settles every afternoon, and pickers "
        "move along the rows at first light, filling baskets carried on their backs.</p>" * 6
        + "<p><img src='https://img.example.org/tea.jpg' alt='Pickers on a slope at dawn'></p>"
        + "</article></body></html>", "utf-8")
    search("")
    window.import_paths([drop])
    deadline = time.monotonic() + 60
    while (window.importing or window.last_report is None) and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.01)
    wait_idle(app, window)
    if window.last_report is not None:
        shot("import-report", window.last_report)
        window.last_report.close()
    shot("after-import")  # the new note: its web image not loaded, its alt text shown

    window.close()
    lib.close()
    app.clipboard().clear()
    for path in saved:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
