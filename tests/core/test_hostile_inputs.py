"""Bad input gives a clear one-line error or a safe note, never a crash, hang or runaway memory."""

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from clipper.core import limits
from clipper.core.errors import ExtractionTimeout, InputError, TooLargeError
from clipper.core.pipeline import extract_clipboard, extract_file

ROOT = Path(__file__).resolve().parents[2]


def _one_line_error(exc: Exception) -> str:
    msg = str(exc)
    assert msg and "\n" not in msg and "Traceback" not in msg
    return msg


def _assert_safe(markdown: str) -> None:
    assert not re.search(r"(?<!\\)<[A-Za-z/!?]", markdown)  # no raw HTML can reach the note
    assert not re.search(r"(?<!\\)\]\(\s*(javascript|vbscript|data|file):", markdown, re.I)
    assert "onerror" not in markdown.lower() or "\\<" in markdown


@pytest.fixture
def page(tmp_path):
    def write(name: str, data: bytes | str) -> Path:
        path = tmp_path / name
        if isinstance(data, str):
            data = data.encode("utf-8")
        path.write_bytes(data)
        return path
    return write


def test_empty_file(page):
    with pytest.raises(InputError) as err:
        extract_file(page("empty.html", b""))
    assert "empty" in _one_line_error(err.value)


def test_binary_named_html(page):
    with pytest.raises(InputError) as err:
        extract_file(page("photo.html", b"\x89PNG\r\n\x1a\n" + os.urandom(4000)))
    assert "not a text or HTML file" in _one_line_error(err.value)


def test_random_bytes_named_html(page):
    with pytest.raises(InputError) as err:
        extract_file(page("noise.html", os.urandom(20000)))
    _one_line_error(err.value)


def test_100_mb_page_is_refused_at_once(tmp_path):
    path = tmp_path / "huge.html"
    chunk = b"<p>" + b"lorem ipsum dolor sit amet " * 40 + b"</p>\n"
    with path.open("wb") as fh:
        fh.write(b"<html><body>")
        for _ in range(100 * 1024 * 1024 // len(chunk) + 1):
            fh.write(chunk)
    assert path.stat().st_size >= 100 * 1024 * 1024
    with pytest.raises(TooLargeError) as err:
        extract_file(path)
    assert "too large" in _one_line_error(err.value)


def test_page_with_too_much_markup_is_refused(page):
    body = b"<p>" + b"x" * 100 + b"</p>"
    data = b"<html><body>" + body * (limits.MAX_HTML_CHARS // len(body) + 10) + b"</body></html>"
    with pytest.raises(TooLargeError) as err:
        extract_file(page("big.html", data))
    assert "too large" in _one_line_error(err.value)


def test_too_many_elements_are_refused(page):
    data = "<html><body>" + "<div>a</div>" * (limits.MAX_ELEMENTS + 10) + "</body></html>"
    with pytest.raises(TooLargeError) as err:
        extract_file(page("many.html", data))
    assert "too many elements" in _one_line_error(err.value)


def test_100k_nested_elements(page):
    data = "<html><body>" + "<div>" * 100_000 + "deep text" + "</div>" * 100_000 + "</body></html>"
    with pytest.raises(InputError) as err:
        extract_file(page("nested.html", data))
    assert "nested too deeply" in _one_line_error(err.value)


def test_nesting_below_the_parser_limit_still_converts(page):
    text = "Some real words in a deeply nested layout. " * 10
    data = "<html><body>" + "<div><span>" * 120 + f"<p>{text}</p>" + "</span></div>" * 120 + "</body></html>"
    clip = extract_file(page("nested-ok.html", data))
    assert "Some real words in a deeply nested layout." in clip.markdown


def test_invalid_bytes(page):
    data = (b"<html><body><p>Caf\xe9 \xff\xfe invalid \xc3\x28 bytes " + b"and more words " * 20
            + b"</p></body></html>")
    clip = extract_file(page("invalid.html", data))
    assert "Café" in clip.markdown and "more words" in clip.markdown


def test_nul_bytes(page):
    data = b"<html><body><p>NUL\x00 bytes\x00 here " + b"word " * 50 + b"</p>\x00</body></html>"
    clip = extract_file(page("nul.html", data))
    assert "\x00" not in clip.markdown and "word word" in clip.markdown


HOSTILE = (
    "<html><head><title>Evil</title><script>alert(1)</script></head><body onload='alert(1)'>"
    + "<script>evil()</script>" * 2000
    + "<article><p>" + "Real text of the article that is long enough to count as content. " * 6 + "</p>"
    + "<p><img src=x onerror='alert(1)'> <a href='javascript:alert(1)'>click me</a> "
      "<a href=' JaVaScRiPt:alert(1)'>spaced</a> <a href='vbscript:x'>vb</a> "
      "<a href='data:text/html,<script>alert(1)</script>'>data</a> <a href='file:///etc/passwd'>file</a></p>"
    + "<p>Text with &lt;script&gt;alert(1)&lt;/script&gt; and [link](javascript:alert(2)) and "
      "<b onclick='x()'>bold</b> and &lt;img src=x onerror=alert(3)&gt;.</p>"
    + "<svg onload=alert(1)><script>x</script></svg><iframe src='javascript:alert(1)'></iframe>"
    + "<object data='evil.swf'></object><style>p{}</style></article></body></html>"
)


@pytest.mark.parametrize("mode", ["article", "page"])
def test_scripts_event_handlers_and_javascript_links(page, mode):
    clip = extract_file(page("evil.html", HOSTILE), mode=mode)
    assert "Real text of the article" in clip.markdown
    assert "evil()" not in clip.markdown
    _assert_safe(clip.markdown)


def test_hostile_clipboard_html():
    clip = extract_clipboard(html=HOSTILE, text="x")
    _assert_safe(clip.markdown)


def test_time_limit_stops_a_runaway_call():
    t0 = time.monotonic()
    with pytest.raises(ExtractionTimeout) as err:
        limits.run_limited(time.sleep, 30, timeout=1)
    assert time.monotonic() - t0 < 10
    assert "too long" in _one_line_error(err.value)


def _untimed_sleep(seconds, then=0.0):
    with limits.untimed(), limits.untimed():  # nested: the clock stops once, starts again once
        time.sleep(seconds)
    time.sleep(then)
    return "done"


def test_once_per_machine_work_is_not_counted_against_the_time_limit():
    # a word list written to the user cache inside an import (slow on a busy machine)
    assert limits.run_limited(_untimed_sleep, 2.5, timeout=1) == "done"
    results = list(limits.run_many([(_untimed_sleep, (2.5,)), (_allocate, (10,))], jobs=2, timeout=1))
    assert [r for _, r in results] == ["done", 10]
    t0 = time.monotonic()
    with pytest.raises(ExtractionTimeout):  # the rest of the call still is
        limits.run_limited(_untimed_sleep, 0.1, 30, timeout=1)
    assert time.monotonic() - t0 < 10
    assert _untimed_sleep(0) == "done"  # outside a worker: nothing to stop


def _allocate(n):
    return len(bytearray(n))


def test_memory_limit_stops_a_runaway_call():
    with pytest.raises(ExtractionTimeout) as err:
        limits.run_limited(_allocate, 8 * 1024**3, memory=256 * 1024**2)
    assert "memory" in _one_line_error(err.value)


def test_batch_keeps_going_after_a_bad_input():
    results = list(limits.run_many([(_allocate, (10,)), (time.sleep, (30,)), (_allocate, (20,))],
                                   jobs=2, timeout=1))
    assert [i for i, _ in results] == [0, 1, 2]
    assert results[0][1] == 10 and results[2][1] == 20
    assert isinstance(results[1][1], ExtractionTimeout)


def test_cli_json_lines_and_exit_status(tmp_path):
    good = tmp_path / "good.html"
    good.write_text("<html><head><title>Good page</title></head><body><article>"
                    + "<p>Plenty of words in a page that imports well. </p>" * 8
                    + "</article></body></html>", encoding="utf-8")
    bad = tmp_path / "bad.html"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"")
    missing = tmp_path / "missing.html"
    paths = [good, bad, empty, missing, good]
    proc = subprocess.run([sys.executable, "-m", "clipper", "extract", "--json", *map(str, paths)],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.returncode == 1, proc.stderr
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [line["path"] for line in lines] == [str(p) for p in paths]
    assert lines[0]["title"] == "Good page" and "Plenty of words" in lines[0]["markdown"]
    assert set(lines[0]) == {"path", "title", "author", "published", "site", "site_url", "source", "language",
                             "tags", "markdown"}
    for line in lines[1:4]:
        assert set(line) == {"path", "error"} and "\n" not in line["error"]
    assert lines[4]["markdown"] == lines[0]["markdown"]
    assert "Traceback" not in proc.stderr


def test_extract_while_other_threads_run():
    """The GUI calls the pipeline with threads running: children then come from a fork server."""
    import threading

    stop = threading.Event()
    thread = threading.Thread(target=stop.wait, daemon=True)
    thread.start()
    try:
        clip = extract_file(ROOT / "tests" / "data" / "pages" / "recipe.mhtml")
    finally:
        stop.set()
    assert clip.title == "Le pain au levain" and clip.attachments


def test_a_batch_starts_calls_in_the_order_asked_and_yields_them_in_input_order():
    results = list(limits.run_many([(time.monotonic, ())] * 4, jobs=1, order=[2, 0, 3, 1]))
    assert [i for i, _ in results] == [0, 1, 2, 3]
    started = [t for _, t in results]
    assert started[2] < started[0] < started[3] < started[1]
    with pytest.raises(ValueError):
        list(limits.run_many([(time.monotonic, ())] * 2, order=[0, 0]))


def test_the_last_files_of_a_batch_start_largest_first(tmp_path):
    from clipper.core import pipeline

    paths = []
    for n, size in enumerate([5, 1, 9, 3, 7] * 5):
        p = tmp_path / f"{n:02}.html"
        p.write_bytes(b"x" * size)
        paths.append(p)
    calls = [(i, None) for i in range(len(paths))]
    starts = pipeline._start_order(paths, calls, jobs=2)
    assert sorted(starts) == list(range(25))
    assert starts[:9] == list(range(9))  # the first ones in order
    assert [paths[j].stat().st_size for j in starts[9:]] == sorted((p.stat().st_size for p in paths[9:]),
                                                                 reverse=True)


def test_calls_one_at_a_time_share_an_idle_worker_for_a_while(monkeypatch):
    """A worker stays idle for the next call (forking a process that holds a big index costs
    more than importing a note); one that ended meanwhile is replaced, and an idle one stops
    after SPARE_SECONDS."""
    limits.stop_spares()
    first = limits.run_limited(os.getpid)
    assert limits.run_limited(os.getpid) == first != os.getpid()
    ((_conn, proc, _timer),) = limits._SPARES.values()
    proc.kill()
    proc.join(10)
    second = limits.run_limited(os.getpid)  # the dead one is not used
    assert second not in (first, os.getpid())
    limits.stop_spares()
    assert not limits._SPARES and limits.run_limited(os.getpid) not in (first, second)
    limits.stop_spares()
    monkeypatch.setattr(limits, "SPARE_SECONDS", 0.05)
    limits.run_limited(os.getpid)
    ((_conn, proc, timer),) = limits._SPARES.values()
    # stopped by its timer: wait for the timer's thread, which joins the worker (joining the
    # worker here too would race it: the thread that loses waitpid sees the worker "alive")
    timer.join(30)
    assert not proc.is_alive() and not limits._SPARES


def test_the_idle_worker_serves_the_next_call_when_the_start_method_changed(monkeypatch):
    """Whether a new worker is forked or comes from a fork server depends on the threads
    running at the time (a big vault's background comparison, a merge): the idle worker
    made one way serves the next call made the other way, instead of a new process."""
    from multiprocessing import get_context

    limits.stop_spares()
    monkeypatch.setattr(limits, "_context", lambda: get_context("forkserver"))
    first = limits.run_limited(os.getpid)
    monkeypatch.setattr(limits, "_context", lambda: get_context("fork"))
    assert limits.run_limited(os.getpid) == first != os.getpid()
    limits.stop_spares()


def test_a_worker_that_ran_out_of_time_is_not_kept():
    limits.stop_spares()
    with pytest.raises(ExtractionTimeout):
        limits.run_limited(time.sleep, 30, timeout=0.5)
    assert not limits._SPARES
