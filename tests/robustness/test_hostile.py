"""Hostile input: every case ends in a note or a clear error, and what is saved or indexed never
holds NUL, other C0 controls (tab and newline aside) or lone surrogates.

Long runs: ``CLIPPER_SLOW=1`` here, or ``scripts/fuzz.py --seconds N`` for a fixed time budget.
"""

from __future__ import annotations

import os
import random
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clipper.core import pipeline
from clipper.core.errors import ClipperError
from tests.robustness.harness import open_library
from tests.robustness.hostile import (
    HOSTILE_TITLES,
    bad_chars_in,
    file_payloads,
    file_suffixes,
    hostile_text,
    html_documents,
)

SLOW = bool(os.environ.get("CLIPPER_SLOW"))
FEW = settings(max_examples=150 if SLOW else 20, deadline=None, database=None,
               suppress_health_check=list(HealthCheck))


@pytest.fixture(scope="module")
def library():
    with tempfile.TemporaryDirectory(prefix="clipper-hostile-") as tmp:
        os.environ.setdefault("CLIPPER_CACHE_DIR", str(Path(tmp) / "cache"))
        lib = open_library(Path(tmp) / "vault", Path(tmp) / "index")
        try:
            yield lib
        finally:
            lib.close()


def _unseed() -> None:
    """Hypothesis seeds the global ``random`` the same way for every example, and Whoosh names new
    segments with ``random.choice``: two commits would get the same segment name. Reseed."""
    random.seed(os.urandom(16))


def _assert_clean_note(lib, note) -> None:
    vault = Path(lib.vault).resolve()
    path = Path(note.path).resolve()
    assert path.is_relative_to(vault), path
    data = path.read_bytes()
    text = data.decode("utf-8")  # strict: a saved note is valid UTF-8
    assert bad_chars_in(text) == [], f"bad characters saved in {path.name}"
    assert bad_chars_in(path.name) == []
    assert bad_chars_in(note.title) == [] and bad_chars_in(note.tags) == []
    assert bad_chars_in(note.meta) == []
    again = lib.get(note.id)
    assert again.path == note.path
    hits = [h for h in lib.search("", limit=500, sort="newest") if h.id == note.id]
    assert len(hits) == 1
    hit = hits[0]
    for value in (hit.title, hit.snippet, hit.tags, hit.author, hit.site, hit.snippet_html()):
        assert bad_chars_in(value) == []


@FEW
@given(html=st.one_of(st.none(), html_documents()), text=st.one_of(st.none(), hostile_text))
def test_import_clipboard_hostile_html_and_text(library, html, text):
    _unseed()
    try:
        result = library.import_clipboard(text=text, html=html, on_duplicate="new")
    except ClipperError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    _assert_clean_note(library, result.note)


@FEW
@given(title=st.one_of(st.sampled_from(HOSTILE_TITLES), hostile_text),
       body=hostile_text, tags=st.lists(hostile_text, max_size=3))
def test_import_clip_with_hostile_fields(library, title, body, tags):
    """The library must clean what any Clip carries (from the pipeline, a plugin or the API)."""
    from clipper.core.model import Clip

    clip = Clip(markdown=body + "\nsome text", title=title, author=title, site=title, tags=tags,
                description=body)
    _unseed()
    try:
        result = library.import_clip(clip, on_duplicate="new")
    except ClipperError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    _assert_clean_note(library, result.note)


@FEW
@given(data=file_payloads, suffix=file_suffixes)
def test_extract_file_random_bytes(tmp_path_factory, data, suffix):
    path = tmp_path_factory.mktemp("f") / f"input{suffix}"
    path.write_bytes(data)
    try:
        clip = pipeline.extract_file(path)
    except ClipperError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    assert isinstance(clip.markdown, str)


def test_hostile_titles_give_safe_distinct_files(library):
    from clipper.core.model import Clip

    paths = set()
    for title in HOSTILE_TITLES:
        note = library.import_clip(Clip(markdown=f"body of {title!r}", title=title), on_duplicate="new").note
        _assert_clean_note(library, note)
        name = Path(note.path).name
        assert not name.startswith(".") and "/" not in name and len(name.encode()) <= 255
        assert name.split(".")[0].upper() not in {"CON", "NUL", "AUX", "PRN", "LPT1", "COM1"}
        paths.add(str(note.path).casefold())
    assert len(paths) == len(HOSTILE_TITLES)
