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


def test_a_cut_list_file_is_built_again(monkeypatch):
    assert wordlists.frequency("en", "the") > 0.01
    path = wordlists._folder() / "small_en.tsv"
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])  # a copy cut short, a disk that lost the end
    wordlists._reset()
    assert wordlists.frequency("en", "the") > 0.01
    assert wordlists.frequency("en", "zoo") > 0.0  # in the half that was lost
    assert path.read_bytes() == data


def test_a_damaged_line_finds_nothing_rather_than_raising():
    assert wordlists.frequency("en", "the") > 0.01
    path = wordlists._folder() / "small_en.tsv"
    data = path.read_bytes()
    at = data.index(b"\nthe\t") + 5
    path.write_bytes(data[:at] + b"x" + data[at + 1:])  # same size, a digit gone bad
    wordlists._reset()
    assert wordlists.frequency("en", "the") == 0.0
    assert wordlists.frequency("en", "of") > 0.01
    assert len(dict(wordlists.words("en"))) == len(wordfreq.get_frequency_dict("en", "small")) - 1


def test_a_damaged_table_is_built_again():
    assert wordlists.cached("demo", lambda: {"a": [1, 2]}) == {"a": [1, 2]}
    path = wordlists._folder() / "demo.marshal"
    data = bytearray(path.read_bytes())
    data[-3] ^= 0xFF
    path.write_bytes(bytes(data))
    wordlists._reset()
    assert wordlists.cached("demo", lambda: {"b": 3}) == {"b": 3}  # not the damaged data
    path.write_bytes(b"")
    wordlists._reset()
    assert wordlists.cached("demo", lambda: {"c": 4}) == {"c": 4}
    wordlists._reset()
    assert wordlists.cached("demo", lambda: pytest.fail("built again")) == {"c": 4}


def test_folders_of_other_installs_unused_for_a_month_are_removed():
    folder = wordlists._folder()
    old = folder.parent / "wordfreq-0123456789ab-1"
    recent = folder.parent / "wordfreq-ba9876543210-2"
    for f in (old, recent):
        f.mkdir(parents=True)
        (f / "small_en.tsv").write_bytes(b"x")
    os.utime(old, (0, 0))
    assert wordlists.frequency("en", "the") > 0.01  # creates this install's folder
    assert not old.exists() and recent.exists() and folder.exists()


def test_the_cache_folder_is_told_by_wordfreq_data(monkeypatch):
    first = wordlists._folder()
    assert first.name.startswith("wordfreq-") and first.name.endswith(f"-{wordlists._FORMAT}")
    monkeypatch.setattr(wordlists, "_VERSION", None)
    monkeypatch.setattr("importlib.util.find_spec", lambda name: None)  # no wordfreq
    assert wordlists._folder() is None


def test_a_cache_that_cannot_be_written_still_works(monkeypatch):
    def refuse(*a, **k):
        raise PermissionError("read-only")

    monkeypatch.setattr("clipper.core.fsutil.atomic_write_bytes", refuse)
    assert wordlists.frequency("en", "the") > 0.01  # from memory
    assert wordlists.has_list("en") and not wordlists.has_list("xx")
    assert wordlists.cached("thing", lambda: {"a": 1}) == {"a": 1}
    assert not (wordlists._folder() / "small_en.tsv").exists()


def test_a_nearest_language_list_only_in_the_same_script():
    # wordfreq offers Serbo-Croatian's list (Latin letters) for both: right for Croatian, not
    # for Serbian, written in Cyrillic (its letters would be chosen by a model without them)
    assert wordlists._buckets("hr", "small")
    assert wordlists._buckets("sr", "small") == []
    assert not wordlists.has_list("sr")


def test_building_a_file_is_not_counted_against_an_import_time_limit(monkeypatch):
    from clipper.core import limits

    depths = []
    assert wordlists.cached("untimed-probe", lambda: depths.append(limits._UNTIMED_DEPTH[0]) or 1) == 1
    monkeypatch.setattr(wordlists, "_buckets",
                        lambda *a: depths.append(limits._UNTIMED_DEPTH[0]) or [["word"]])
    assert wordlists.frequency("en", "word") == 1.0
    assert depths == [1, 1] and limits._UNTIMED_DEPTH[0] == 0


def test_a_lookup_probes_a_short_stretch_of_the_file():
    # a Russian page asks 40,000 words: each narrowed by two small indexes to a stretch of
    # _FINE bytes before the binary search, which finds the same line as over the whole file
    import bisect

    assert wordlists.frequency("en", "the") > 0.01
    table = wordlists._table("en", "small")
    lines = bytes(table).split(b"\n")[:-1]
    keys = [line.partition(b"\t")[0] for line in lines]
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    longest = max(map(len, lines)) + 1
    probes = keys[::101] + [k + b"q" for k in keys[::307]] + [k[:-1] for k in keys[::307]]
    for key in probes + [b"", b"\x00", b"zzzzzz", keys[0], keys[-1]]:
        lo, hi = wordlists._window(table, key)
        assert hi - lo <= wordlists._FINE + longest
        i = bisect.bisect_left(keys, key)
        assert wordlists._lower_bound(table, key)[0] == (starts[i] if i < len(starts) else len(table))
