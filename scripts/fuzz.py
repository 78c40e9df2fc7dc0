#!/usr/bin/env python3
"""Fuzz the import pipeline and the attack families for a fixed time budget; print the figures.

    .venv/bin/python scripts/fuzz.py --seconds 300            # pipeline + every attack family
    .venv/bin/python scripts/fuzz.py --seconds 60 --target clipboard --library --families none
    .venv/bin/python scripts/fuzz.py --seconds 120 --families tag-bytes,orphans --share 1

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

Attack families (``tests/robustness/attacks.py``, issue 17) take ``--share`` of the time: hostile
trash.json, folders with symlinks and FIFOs, clipboards with file URLs, fetched pages with
relative images, symlinked vault folders, other programs' notes through tag commands, YAML
bombs, kill -9 of imports and of processes holding workers, and the smaller ones. Each case
gets a fresh sandbox (vault, index, bait files beside the vault) and a random seed; counted:
``outside_writes`` (a file beside the vault created, changed or deleted), ``leaks`` (bait
content in the vault or a search hit), ``lost``, ``bytes`` (a tag change touched more than the
tags), ``orphans`` (processes outliving a killed parent), ``wrong``, ``slow``, and crashes and
hangs as above. The clipboard family imports PySide6, so from then on workers come from a fork
server, as in the app.
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

    def run_family(self, name: str, work: Path, seed: int) -> None:
        """One attack case in a fresh sandbox; its problems are counted by kind."""
        import shutil

        from tests.robustness import attacks

        self.counts["family_cases"] += 1
        self.counts[f"family:{name}"] += 1
        root = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=work))
        sb = attacks.Sandbox.create(root, seed)
        signal.setitimer(signal.ITIMER_REAL, 180)
        start = time.monotonic()
        payload = {"family": name, "seed": seed}
        try:
            problems = attacks.FAMILIES[name](sb, random.Random(seed))
        except _Hang:
            self.counts["family_hang"] += 1
            self._save("family-hang", payload)
            return
        except Exception as exc:  # noqa: BLE001 - a crash is what we look for
            self.counts["family_crash"] += 1
            self._save("family-crash", {**payload, "error": repr(exc), "trace": traceback.format_exc()})
            return
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            self.slowest_family = max(getattr(self, "slowest_family", 0.0), time.monotonic() - start)
            try:
                sb.close()
            except Exception:  # noqa: BLE001
                pass
            shutil.rmtree(root, ignore_errors=True)
        for problem in problems:
            kind = problem.split(":", 1)[0]
            self.counts[f"p:{kind}"] += 1
            self._save(f"family-{kind}", {**payload, "problem": problem})

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
    ap.add_argument("--families", default="all",
                    help="attack families, comma-separated, 'all' (default) or 'none'")
    ap.add_argument("--share", type=float, default=0.6,
                    help="share of the time for the attack families (default 0.6)")
    args = ap.parse_args(argv)
    from tests.robustness import attacks

    if args.families == "all":
        families = list(attacks.FAMILIES)
    elif args.families == "none":
        families = []
    else:
        families = [f for f in args.families.split(",") if f]
        unknown = [f for f in families if f not in attacks.FAMILIES]
        if unknown:
            ap.error(f"unknown families {unknown}; known: {', '.join(attacks.FAMILIES)}")
    share = args.share if families else 0.0

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
    slice_end = [deadline]
    urls = st.one_of(st.none(), st.sampled_from(["https://example.org/a", "javascript:alert(1)",
                                                 "http://[::1", "file:///etc/passwd", ""]), hostile_text)
    targets = ["clipboard", "file"] if args.target == "both" else [args.target]

    @settings(max_examples=10**9, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(which=st.sampled_from(targets), html=st.one_of(st.none(), html_documents()),
           text=st.one_of(st.none(), hostile_text), url=urls, data=file_payloads, suffix=file_suffixes)
    def one_case(which, html, text, url, data, suffix):
        if time.monotonic() > min(deadline, slice_end[0]):
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

    family_time = [0.0]
    pipeline_time = [0.0]
    rng = random.Random(int.from_bytes(os.urandom(8), "big"))
    while time.monotonic() < deadline:
        spent = family_time[0] + pipeline_time[0]
        if families and (share >= 1 or family_time[0] <= share * spent):
            t0 = time.monotonic()
            fz.run_family(rng.choice(families), work, rng.getrandbits(32))
            family_time[0] += time.monotonic() - t0
            continue
        t0 = time.monotonic()
        slice_end[0] = t0 + 10  # pipeline cases for 10 s, then the families get their share
        try:
            one_case()
        except _BudgetSpent:
            pass
        finally:
            pipeline_time[0] += time.monotonic() - t0
    elapsed = time.monotonic() - started
    leftover = _own_leftover_processes()
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
        "family_cases": c["family_cases"],
        "family_cases_by_name": {k[7:]: v for k, v in sorted(c.items()) if k.startswith("family:")},
        "family_crashes": c["family_crash"], "family_hangs": c["family_hang"],
        "outside_writes": c["p:outside"], "leaks": c["p:leak"], "lost": c["p:lost"],
        "bytes_changed": c["p:bytes"], "orphans": c["p:orphan"] + leftover, "wrong": c["p:wrong"],
        "slow": c["p:slow"], "family_time_s": round(family_time[0], 1),
        "findings": fz.examples,
    }
    print(json.dumps(figures, indent=2))
    bad = ("crash", "hang", "family_crash", "family_hang", "p:outside", "p:leak", "p:lost", "p:bytes",
           "p:orphan")
    return 1 if any(c[k] for k in bad) or leftover else 0


def _own_leftover_processes() -> int:
    """Processes this run started that are still there, other than multiprocessing's own
    fork server and resource tracker (they end with this process)."""
    me = os.getpid()
    parents, names = {}, {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[1].split()
            with open(f"/proc/{entry}/cmdline", "rb") as fh:
                names[int(entry)] = fh.read().replace(b"\0", b" ").decode("utf-8", "replace")
            parents[int(entry)] = int(fields[1])
        except (OSError, IndexError, ValueError):
            continue
    mine, todo = set(), [me]
    while todo:
        pid = todo.pop()
        for child, parent in parents.items():
            if parent == pid and child not in mine:
                mine.add(child)
                todo.append(child)
    own = ("multiprocessing.forkserver", "multiprocessing.resource_tracker")
    servers = {p for p in mine if parents.get(p) == me and any(o in names.get(p, "") for o in own)}
    return len(mine - servers)  # every worker was stopped when its call ended


if __name__ == "__main__":
    sys.exit(main())
