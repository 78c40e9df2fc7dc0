#!/usr/bin/env python3
"""Long fault-injection run against clipper.Library; prints the figures for issue 7.

    .venv/bin/python scripts/fault_injection.py                 # full run (~10 min on 2 cores)
    .venv/bin/python scripts/fault_injection.py --kills 20 --writer-seconds 5 --other-samples 5

Parts (each can be skipped with --skip NAME):

- ``kills``:  kill -9 a child process (clipper.Library: imports, edits, tag changes, tag renames,
              deletes, reindex, start-up) at random moments, ``--kills`` times on one vault; after
              each kill check every note file is whole (old or new version), nothing is lost, no
              temp file shows as a note, and a restarted Library's index matches the files.
- ``ops``:    for save / import / set_tags / rename_tag / delete: count the file operations of the
              call, then run it again in a child that dies (os._exit) right after operation N, for
              every N that touches the vault and ``--other-samples`` of the index/catalog ones
              (``--all-ops``: every N). Same checks, plus: once the new text is complete on disk,
              the restart must show it (the temp is recovered, not deleted).
- ``writers``: two writer processes (two Library instances) for ``--writer-seconds``; every
              finished import, edit and tag change must be on disk and in the index.
- ``index``:  corrupt or delete the index in several ways; reopening must rebuild it with the
              exact note count.

The same code runs, shorter, in the normal test run (tests/robustness); ``CLIPPER_SLOW=1
pytest tests/robustness`` runs the long test variants. Exit status 1 if any check failed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.robustness.concurrency import run_two_writers  # noqa: E402
from tests.robustness.crash import OPS, op_kill_trials, random_kill_trials, seed_vault  # noqa: E402
from tests.robustness.harness import check_files, check_index, open_library  # noqa: E402

DAMAGE = ("delete-folder", "empty-folder", "garbage-toc", "truncate-all", "random-bytes", "garbage-catalog")


def damage_index(index_dir: Path, how: str, rng: random.Random) -> None:
    files = [p for p in index_dir.rglob("*") if p.is_file()]
    if how == "delete-folder":
        shutil.rmtree(index_dir)
        return
    for p in files:
        if "LOCK" in p.name or p.name.endswith(".lock"):
            continue  # never delete a lock file (FIELD-NOTES)
        if how == "empty-folder":
            p.unlink()
        elif how == "garbage-toc" and p.suffix == ".toc":
            p.write_bytes(b"\x80\x04garbage" * 10)
        elif how == "truncate-all":
            p.write_bytes(b"")
        elif how == "random-bytes" and p.stat().st_size:
            data = bytearray(p.read_bytes())
            for _ in range(16):
                data[rng.randrange(len(data))] = rng.randrange(256)
            p.write_bytes(bytes(data))
        elif how == "garbage-catalog" and p.suffix in (".db", ".sqlite", ".sqlite3", ".json"):
            p.write_bytes(os.urandom(512))


def index_damage_trials(workdir: Path, notes: int = 200, seed: int = 3) -> dict:
    rng = random.Random(seed)
    base = workdir / "base"
    seed_vault(base / "vault", base / "index", notes, rng)
    out = {"notes": notes, "cases": {}, "failures": []}
    for how in DAMAGE:
        root = workdir / how
        shutil.copytree(base, root)
        damage_index(root / "index", how, rng)
        start = time.monotonic()
        with open_library(root / "vault", root / "index") as lib:
            count = len(lib.search("", limit=1_000_000))
            check = check_files(root / "vault")
            check_index(lib, root / "vault", check, sample=20, rng=rng)
        out["cases"][how] = {"count": count, "open_s": round(time.monotonic() - start, 2)}
        if count != notes or check.index_problems:
            out["failures"].append(f"{how}: count {count} of {notes}; {check.index_problems[:3]}")
        shutil.rmtree(root, ignore_errors=True)
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--kills", type=int, default=120, help="random kill -9 trials (default 120)")
    ap.add_argument("--max-delay", type=float, default=1.5, help="longest run before a kill, seconds")
    ap.add_argument("--other-samples", type=int, default=40,
                    help="index/catalog operations to die after, per call kind (default 40)")
    ap.add_argument("--all-ops", action="store_true", help="die after every operation of every call")
    ap.add_argument("--writer-seconds", type=float, default=60, help="two-writer run length (default 60)")
    ap.add_argument("--index-notes", type=int, default=200)
    ap.add_argument("--seed", type=int, default=int(time.time()) % 100000)
    ap.add_argument("--skip", action="append", default=[], choices=["kills", "ops", "writers", "index"])
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    args = ap.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="clipper-faults-"))
    os.environ.setdefault("CLIPPER_CACHE_DIR", str(work / "cache"))
    figures: dict = {"seed": args.seed}
    ok = True

    def show(part: str, data: dict) -> None:
        print(f"[{part}] " + json.dumps(data), flush=True)

    if "kills" not in args.skip:
        start = time.monotonic()

        def progress(done, total, check):
            if done % 10 == 0 or done == total or not check.ok:
                print(f"  kill trial {done}/{total}: notes={check.notes} ok={check.ok}", flush=True)

        f = random_kill_trials(work / "kills", args.kills, seed=args.seed, max_delay=args.max_delay,
                               progress=progress)
        d = f.as_dict()
        d["seconds"] = round(time.monotonic() - start, 1)
        figures["kills"] = d
        ok &= not f.failures and not (f.lost or f.corrupted or f.index_wrong)
        show("kills", d)

    if "ops" not in args.skip:
        start = time.monotonic()
        f, counts = op_kill_trials(work / "ops", kinds=OPS,
                                   other_samples=10**9 if args.all_ops else args.other_samples,
                                   seed=args.seed)
        d = f.as_dict()
        d["file_operations_per_call"] = counts
        d["seconds"] = round(time.monotonic() - start, 1)
        figures["ops"] = d
        ok &= not f.failures and not (f.lost or f.corrupted or f.index_wrong or f.temps_left_after_restart)
        show("ops", d)

    if "writers" not in args.skip:
        c = run_two_writers(work / "writers", args.writer_seconds, seed=args.seed)
        d = dict(c.__dict__)
        d["ok"] = c.ok
        d["failures"] = c.failures[:10]
        figures["writers"] = d
        ok &= c.ok
        show("writers", d)

    if "index" not in args.skip:
        d = index_damage_trials(work / "index", notes=args.index_notes, seed=args.seed)
        figures["index"] = d
        ok &= not d["failures"]
        show("index", d)

    figures["ok"] = bool(ok)
    print(json.dumps(figures, indent=2))
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    else:
        print(f"work folder kept: {work}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
