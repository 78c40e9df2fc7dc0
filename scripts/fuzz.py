#!/usr/bin/env python3
"""Fuzz the import pipeline for a fixed time budget and print the figures.

    .venv/bin/python scripts/fuzz.py --seconds 300            # both entry points
    .venv/bin/python scripts/fuzz.py --seconds 60 --target clipboard --library

Cases come from hypothesis strategies (``tests/robustness/hostile.py``): broken HTML, random
bytes, deep nesting, huge inputs, NUL bytes, lone surrogates, hostile titles. Each case must end
in a Clip or a ClipperError. Counted:

- crash:    any other exception reached the caller (a bug), or the process died;
- hang:     a call took longer than the pipeline's own time limit + 10 s (the sandbox failed);
- internal: an InputError "cannot convert this input (XxxError: ...)": a library exception the
            sandbox turned into a message (no harm to the user, but worth a look);
- timeout:  ExtractionTimeout (the sandbox stopped a slow/huge case: the intended outcome);
- dirty:    a Clip (or, with --library, a saved note / search hit) holding NUL, C0 controls or
            lone surrogates.
Failing inputs are written to ``--out`` (default ``fuzz-findings/``) for replay.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import random
import signal
import sys
import tempfile
import time
import traceback
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from clipper.core import limits, pipeline  # noqa: E402
from clipper.core.errors import ClipperError, ExtractionTimeout  # noqa: E402
from tests.robustness.hostile import (  # noqa: E402
    bad_chars_in,
    file_payloads,
    file_suffixes,
    hostile_text,
    html_documents,
    huge_inputs,
    is_internal_error,
)


class _Hang(Exception):
    pass


class _BudgetSpent(Exception):
    pass


def _alarm(_signum, _frame):
    raise _Hang()


class Fuzzer:
    def __init__(self, out: Path, library=None):
        self.out = out
        self.library = library
        self.counts = collections.Counter()
        self.slowest = 0.0
        self.examples: dict[str, str] = {}
        self.hang_after = limits.TIME_LIMIT + 10

    def _save(self, kind: str, payload: dict) -> None:
        self.out.mkdir(parents=True, exist_ok=True)
        n = self.counts[kind]
        path = self.out / f"{kind}-{n:04d}.json"
        path.write_text(json.dumps(payload, ensure_ascii=True)[:5_000_000])
        self.examples.setdefault(kind, str(path))

    def run(self, label: str, func, payload: dict) -> None:
        # Hypothesis seeds the global ``random`` alike for every case; Whoosh names segments with
        # it, so two commits would pick the same segment name. Reseed like a fresh process.
        random.seed(os.urandom(16))
        self.counts["cases"] += 1
        self.counts[f"cases:{label}"] += 1
        signal.setitimer(signal.ITIMER_REAL, self.hang_after)
        start = time.monotonic()
        try:
            result = func()
        except _Hang:
            self.counts["hang"] += 1
            self._save("hang", {"label": label, **payload})
            return
        except ExtractionTimeout:
            self.counts["timeout"] += 1
            return
        except ClipperError as exc:
            if is_internal_error(exc):
                self.counts["internal"] += 1
                self._save("internal", {"label": label, "error": str(exc), **payload})
            else:
                self.counts["error"] += 1
            return
        except Exception as exc:  # noqa: BLE001 - that is what we are looking for
            self.counts["crash"] += 1
            self._save("crash", {"label": label, "error": repr(exc), "trace": traceback.format_exc(),
                                 **payload})
            return
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            self.slowest = max(self.slowest, time.monotonic() - start)
        self.counts["clip"] += 1
        bad = self._dirty(result)
        if bad:
            self.counts["dirty"] += 1
            self._save("dirty", {"label": label, "bad": sorted(set(map(repr, bad)))[:10], **payload})

    def _dirty(self, result) -> list[str]:
        if self.library is not None:
            note = result.note
            bad = bad_chars_in(note.text()) + bad_chars_in(note.title) + bad_chars_in(note.tags)
            for hit in self.library.search(note.title[:40] or "", limit=3):
                bad += bad_chars_in(hit.title) + bad_chars_in(hit.snippet) + bad_chars_in(hit.tags)
            return bad
        return (bad_chars_in(result.markdown) + bad_chars_in(result.title) + bad_chars_in(result.author)
                + bad_chars_in(result.tags) + bad_chars_in(result.description))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=120, help="time budget (default 120)")
    ap.add_argument("--target", choices=["clipboard", "file", "both"], default="both")
    ap.add_argument("--library", action="store_true",
                    help="import through clipper.Library (checks saved notes and search hits too)")
    ap.add_argument("--no-huge", action="store_true", help="skip the few multi-megabyte cases")
    ap.add_argument("--out", type=Path, default=Path("fuzz-findings"))
    args = ap.parse_args(argv)

    signal.signal(signal.SIGALRM, _alarm)
    warnings.filterwarnings("ignore", message="Generating overly large repr")
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="clipper-fuzz-"))
    os.environ.setdefault("CLIPPER_CACHE_DIR", str(work / "cache"))
    library = None
    if args.library:
        from clipper import Library

        library = Library.open(work / "vault", index_dir=work / "index", wait=True)
    fz = Fuzzer(args.out, library)
    deadline = time.monotonic() + args.seconds

    def clipboard(text, html, url):
        if library is not None:
            return lambda: library.import_clipboard(text=text, html=html, url=url, on_duplicate="new")
        return lambda: pipeline.extract_clipboard(text=text, html=html, url=url)

    if not args.no_huge:
        for kind, data in huge_inputs():
            if time.monotonic() > deadline:
                break
            html, text = (data, None) if kind == "html" else (None, data)
            fz.run(f"huge-{kind}", clipboard(text, html, None), {"kind": kind, "size": len(data)})

    files = work / "files"
    files.mkdir()
    urls = st.one_of(st.none(), st.sampled_from(["https://example.org/a", "javascript:alert(1)",
                                                 "http://[::1", "file:///etc/passwd", ""]), hostile_text)
    targets = ["clipboard", "file"] if args.target == "both" else [args.target]

    @settings(max_examples=10**9, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(which=st.sampled_from(targets), html=st.one_of(st.none(), html_documents()),
           text=st.one_of(st.none(), hostile_text), url=urls, data=file_payloads, suffix=file_suffixes)
    def one_case(which, html, text, url, data, suffix):
        if time.monotonic() > deadline:
            raise _BudgetSpent()
        if which == "clipboard":
            fz.run("clipboard", clipboard(text, html, url),
                   {"html": html, "text": text, "url": url})
        else:
            path = files / f"case{fz.counts['cases']}{suffix}"
            path.write_bytes(data)
            if library is not None:
                func = lambda: library.import_file(path, url=url, on_duplicate="new")  # noqa: E731
            else:
                func = lambda: pipeline.extract_file(path, url=url)  # noqa: E731
            fz.run("file", func, {"suffix": suffix, "data_latin1": data.decode("latin-1"), "url": url})
            path.unlink()

    while time.monotonic() < deadline:
        try:
            one_case()
        except _BudgetSpent:
            break
    elapsed = time.monotonic() - started
    if library is not None:
        library.close()

    c = fz.counts
    figures = {
        "budget_s": args.seconds, "elapsed_s": round(elapsed, 1), "cases": c["cases"],
        "clipboard_cases": c["cases:clipboard"], "file_cases": c["cases:file"],
        "huge_cases": sum(v for k, v in c.items() if k.startswith("cases:huge")),
        "clips": c["clip"], "clear_errors": c["error"], "timeouts": c["timeout"],
        "crashes": c["crash"], "hangs": c["hang"], "internal_errors": c["internal"], "dirty": c["dirty"],
        "slowest_case_s": round(fz.slowest, 2), "through_library": bool(args.library),
        "findings": fz.examples,
    }
    print(json.dumps(figures, indent=2))
    return 1 if (c["crash"] or c["hang"]) else 0


if __name__ == "__main__":
    sys.exit(main())
