"""Issue 17 in the app, written as the attacks: a clipboard naming local files beside its HTML,
note data that looks like HTML in the header labels, an SVG that names a file outside the vault.
The core attacks are in ``tests/robustness/test_attacks.py``."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, Qt, QUrl
from PySide6.QtGui import QColor, QImage, QTextDocument
from PySide6.QtWidgets import QLabel

from clipper.core import imports
from clipper.core.model import Clip
from clipper.qt import importer
from clipper.qt.results_model import ResultsModel
from tests.robustness import attacks

HOSTILE = '<img src="{png}" width=20000 height=20000>'


# --- 3. clipboard file URLs ------------------------------------------------------------------------


def test_file_urls_beside_html_and_text_are_ignored(sb):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(sb.bait / "id_ed25519")), QUrl.fromLocalFile(str(sb.bait))])
    mime.setHtml("<p>What the page put on the clipboard on copy.</p>")
    mime.setText("What the page put on the clipboard on copy.")
    items = importer.items_from_mime(mime, exclude=sb.vault)
    assert [i.kind for i in items] == ["clipboard"]
    assert items[0].html and not items[0].path


def test_a_file_manager_copy_imports_only_importable_files_outside_the_vault(sb):
    lib = sb.library()
    note = lib.import_clip(Clip(markdown="zqvault1 already in the vault", title="In vault")).note
    folder = sb.tmp / "copied"
    folder.mkdir()
    (folder / "ok.md").write_text("---\ntitle: OK\n---\nzqcopied1 fine\n", "utf-8")
    (folder / "out.md").symlink_to(sb.bait / "secret.md")
    urls = [sb.bait / "notes.txt", sb.bait / "id_ed25519", Path(note.path), sb.vault, folder]
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(u)) for u in urls])
    mime.setText("\n".join(str(u) for u in urls))  # what a file manager puts beside them
    items = importer.items_from_mime(mime, exclude=sb.vault)
    files = sorted(i.path.name for i in items if i.kind == "file")
    skipped = {i.path.name: i.text for i in items if i.kind == "skipped"}
    assert files == ["notes.txt", "ok.md"]
    assert "not a page" in skipped["id_ed25519"]
    assert "inside the vault" in skipped[Path(note.path).name] and "inside the vault" in skipped["vault"]
    assert "outside the folder" in skipped["out.md"]
    before = sb.outside_snapshot()
    outcome = imports.run_import(lib, items)
    assert len(outcome.created) == 2 and len(outcome.errors) == 4  # each skipped one is reported
    assert sb.leaks(allowed={"notes.txt"}) == []
    assert sb.changed_outside(before) == []


def test_pasting_a_hostile_clipboard_in_the_window_imports_the_html(qtbot, window, lib, tmp_path):
    from PySide6.QtWidgets import QApplication

    from tests.qt.conftest import import_by

    key = tmp_path / "id_ed25519.txt"
    key.write_text("zzbait-pasted-key " * 20, "utf-8")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(key))])
    mime.setHtml(
        "<article><h1>Pasted</h1>"
        + "<p>Words the page put on the clipboard, a paragraph.</p>" * 5
        + "</article>"
    )
    QApplication.clipboard().setMimeData(mime)
    outcome = import_by(qtbot, window, window.import_clipboard)
    assert len(outcome.created) == 1
    assert "zzbait" not in outcome.created[0].body
    assert not any("zzbait" in p.read_text("utf-8", "replace") for p in Path(lib.vault).rglob("*.md"))


@pytest.mark.parametrize("seed", range(6))
def test_random_clipboards_with_file_urls(sb, seed):
    assert attacks.attack_clipboard(sb, random.Random(seed)) == []


# --- 5. labels that show note data -----------------------------------------------------------------


def test_note_data_in_labels_is_plain_text(qtbot, window, lib, tmp_path):
    from tests.qt.conftest import wait_idle

    png = tmp_path / "outside.png"
    QImage(4, 4, QImage.Format.Format_RGB32).save(str(png))
    title = HOSTILE.format(png=png)
    note = lib.import_clip(
        Clip(
            markdown="zqlabel1 body",
            title=title,
            author="<b>bold</b> <img src=x>",
            site="<img src=y>",
            source="https://example.org/a",
        )
    ).note
    window.show_note(lib.get(note.id))
    wait_idle(qtbot, window)
    assert window.note_title.textFormat() == Qt.TextFormat.PlainText
    assert window.note_title.text() == title  # shown as written
    for label in window.findChildren(QLabel):  # every label that shows this note's data
        text = label.text()
        if ("src=" in text or "bold" in text) and label.textFormat() != Qt.TextFormat.PlainText:
            assert "<img" not in text and "<b>bold" not in text, label.accessibleName()
    assert window.editor.status.textFormat() == Qt.TextFormat.PlainText


def test_message_boxes_and_tooltips_escape_what_they_show(lib):
    from dataclasses import replace

    from clipper.qt.window_common import message_text

    shown = message_text('cannot read <img src="/abs/outside.png">.html: no such file')
    assert "<img" not in shown and "&lt;img" in shown
    lib.import_clip(Clip(markdown="zqtip1 body", title="T"))
    (hit,) = lib.search("zqtip1")
    model = ResultsModel()
    model.set_hits([replace(hit, path=Path(lib.vault) / "<img src=x.png>.md")])  # a synced file's name
    tip = model.data(model.index(0), Qt.ItemDataRole.ToolTipRole)
    assert "<img" not in tip and "&lt;img src=x.png&gt;.md" in tip


# --- 6. SVG in attachments -------------------------------------------------------------------------


def test_the_preview_refuses_an_svg_that_names_a_file_outside_the_vault(window, lib, tmp_path):
    red = tmp_path / "red.png"
    image = QImage(20, 20, QImage.Format.Format_RGB32)
    image.fill(QColor("red"))
    image.save(str(red))
    attachments = Path(lib.vault) / "attachments"
    attachments.mkdir(exist_ok=True)
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="20" '
        'height="20">{}</svg>'
    )
    (attachments / "evil.svg").write_text(svg.format(f'<image xlink:href="{red}" width="20" height="20"/>'))
    (attachments / "fine.svg").write_text(svg.format('<rect width="20" height="20" fill="blue"/>'))
    view = window.note_view
    view.base_dir = Path(lib.vault)
    kind = QTextDocument.ResourceType.ImageResource
    evil = view.loadResource(kind, QUrl("attachments/evil.svg"))
    # never None (Qt would then read the file itself): the alt-text placeholder, not the picture
    assert evil is not None and "attachments/evil.svg" in view.blocked_resources
    reds = {QColor(evil.pixel(x, y)).name() for x in range(evil.width()) for y in range(evil.height())}
    assert "#ff0000" not in reds
    fine = view.loadResource(kind, QUrl("attachments/fine.svg"))
    assert fine is not None and QColor(fine.pixel(10, 10)).name() == "#0000ff"


# --- 7. a tag change the app cannot make without touching more ---------------------------------------


def test_the_window_says_which_notes_a_tag_change_left_alone(qtbot, window, lib):
    from tests.qt.conftest import wait_idle

    path = Path(lib.vault) / "dup.md"
    data = b"---\ntitle: Dup\ntags: [a]\ntags: [b]\n---\nzqdup1 body\n"
    path.write_bytes(data)
    lib.refresh()
    note = lib.note_for_path(path)
    window._write(lib.set_tags, [note.id], add=("x",), message="Tags updated on 1 note.")
    wait_idle(qtbot, window)
    message = window.statusBar().currentMessage()
    assert "Not changed: dup.md" in message and "more than once" in message
    assert path.read_bytes() == data
