"""Import orchestration (clipper.core.imports): one folder walk, one table of file types, and an
outcome sorted into created, duplicates and errors, the same for the CLI and the GUI."""

import os

import pytest

from clipper.core import imports, pipeline
from clipper.core.library import Library


@pytest.fixture
def lib(tmp_path):
    with Library.open(tmp_path / "vault") as lib:
        yield lib


def test_a_folder_walk_takes_every_importable_type_and_skips_the_rest(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for suffix in pipeline.IMPORTABLE_SUFFIXES:
        (folder / f"a{suffix}").write_text("Some text.")
    (folder / "b.pdf").write_bytes(b"%PDF")
    (folder / ".hidden.md").write_text("x")
    items = imports.expand_paths([folder])
    names = sorted(item.path.name for item in items if item.kind == "file")
    assert names == sorted(f"a{s}" for s in pipeline.IMPORTABLE_SUFFIXES)
    assert {".xht", ".text"} <= {item.path.suffix for item in items}  # once missing in the GUI
    assert imports.walk([folder]) == [item.path for item in items if item.kind == "file"]


def test_run_import_sorts_outcomes_in_order(lib, tmp_path):
    a = tmp_path / "a.txt"
    a.write_text("A note about rivers and the roads beside them, long enough to keep.\n" * 3)
    b = tmp_path / "b.txt"
    b.write_text(a.read_text())
    missing = tmp_path / "gone.html"
    outcome = imports.run_import(lib, imports.expand_paths([a, b, missing]))
    assert [item.path.name for item, _ in outcome.results] == ["a.txt", "b.txt", "gone.html"]
    assert len(outcome.created) == 1 and [label for label, _ in outcome.duplicates] == ["b.txt"]
    assert [label for label, _ in outcome.errors] == ["gone.html"]


def test_the_images_question_is_asked_only_for_pages_with_web_images(tmp_path):
    plain = tmp_path / "plain.html"
    plain.write_text("<html><body><article><p>No pictures here.</p></article></body></html>")
    local = tmp_path / "local.html"
    local.write_text('<p><img src="local_files/a.png"> <img src="data:image/png;base64,AAAA"></p>')
    web = tmp_path / "web.html"
    web.write_text('<p><IMG alt="x" SRC="https://example.org/a.png"></p>')
    mhtml = tmp_path / "page.mhtml"
    mhtml.write_text('Content-Type: text/html\n\n<img src=3D"https://example.org/b.png">')

    def needed(*paths, setting="ask"):
        return imports.images_question_needed(setting, [imports.ImportItem("file", path=p) for p in paths])

    assert not needed(plain, local)
    assert needed(plain, web)
    assert not needed(plain, web, setting="yes") and not needed(plain, web, setting="no")
    assert imports.may_hold_web_images(imports.ImportItem("file", path=mhtml))
    assert not imports.may_hold_web_images(imports.ImportItem("clipboard", html="<p>text only</p>"))
    cdn = imports.ImportItem("clipboard", html='<img src="//cdn.example/a.jpg">')
    assert imports.may_hold_web_images(cdn)
    assert imports.may_hold_web_images(imports.ImportItem("url", url="https://example.org/"))
    fifo = tmp_path / "pipe.html"
    os.mkfifo(fifo)
    assert not imports.may_hold_web_images(imports.ImportItem("file", path=fifo))  # never blocks


def test_a_folder_of_pages_without_web_images_is_not_asked_about(tmp_path):
    folder = tmp_path / "pages"
    folder.mkdir()
    for i in range(100):  # a folder drop: more pages than one glance, none with web images
        (folder / f"p{i}.html").write_text(f"<html><body><p>Page {i}.</p></body></html>")
    assert not imports.images_question_needed("ask", imports.expand_paths([folder]))
