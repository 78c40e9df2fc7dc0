"""wordfreq's lists read from sorted files in the user cache, and derived tables kept there."""

from __future__ import annotations

import os

import pytest

from clipper.core import wordlists

wordfreq = pytest.importorskip("wordfreq")


@pytest.fixture(autouse=True)
def _fresh():
    wordlists._reset()
    yield
    wordlists._reset()


def test_every_word_found_by_binary_search():
    table = wordfreq.get_frequency_dict("en", "small")
    for w, f in list(table.items())[::97]:
        assert wordlists.frequency("en", w) == pytest.approx(f, rel=1e-9)
    assert wordlists.frequency("en", "notawordatall") == 0.0
    assert wordlists.frequency("xx", "the") == 0.0  # no such list


def test_list_written_once_to_the_cache_and_read_without_loading(monkeypatch):
    wordlists.frequency("en", "the")
    folder = wordlists._folder()
    path = folder / "small_en.tsv"
    assert path.exists()
    lines = path.read_bytes().split(b"\n")[:-1]
    keys = [line.split(b"\t")[0] for line in lines]
    assert keys == sorted(keys)  # sorted by UTF-8 bytes: binary search works
    wordlists._reset()
    monkeypatch.setattr(wordlists, "_buckets", lambda *a: pytest.fail("the list was loaded again"))
    assert wordlists.frequency("en", "the") > 0.01


def test_read_only_cache_still_works(tmp_path, monkeypatch):
    ro = tmp_path / "ro"
    ro.mkdir()
    os.chmod(ro, 0o500)
    monkeypatch.setenv("CLIPPER_CACHE_DIR", str(ro / "cache"))
    try:
        if os.access(ro, os.W_OK):
            pytest.skip("running as a user who can write anywhere")
        assert wordlists.frequency("en", "the") > 0.01
        assert wordlists.cached("thing", lambda: {"a": 1}) == {"a": 1}
    finally:
        os.chmod(ro, 0o700)


def test_cached_tables_built_once_per_machine():
    calls = []

    def build():
        calls.append(1)
        return {"a": 1.5, "b": [1, 2]}

    assert wordlists.cached("demo", build) == {"a": 1.5, "b": [1, 2]}
    assert wordlists.cached("demo", build) == {"a": 1.5, "b": [1, 2]}
    wordlists._reset()  # a new process: read from the cache folder
    assert wordlists.cached("demo", build) == {"a": 1.5, "b": [1, 2]}
    assert len(calls) == 1


def test_words_lists_the_whole_list():
    got = dict(wordlists.words("en"))
    assert len(got) == len(wordfreq.get_frequency_dict("en", "small"))
