"""Crash trials: kill -9 at random moments, and death right after every file operation of a save.

Used by ``test_crash.py`` (short runs) and ``scripts/fault_injection.py`` (long runs, figures).
"""

from __future__ import annotations

import json
import random
import select
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.robustness.harness import (
    Check,
    check_files,
    check_index,
    make_body,
    new_marker,
    open_library,
    read_journal,
    spawn_worker,
    worker_env,
)


@dataclass
class Figures:
    trials: int = 0
    killed_mid_op: int = 0
    lost: int = 0
    corrupted: int = 0
    index_wrong: int = 0
    temps_left_after_restart: int = 0
    duplicates: int = 0
    notes_at_end: int = 0
    operations_done: int = 0
    killed_during: dict = field(default_factory=dict)  # what the child was doing at the kill
    failures: list[str] = field(default_factory=list)

    def add(self, label: str, check: Check) -> None:
        self.trials += 1
        self.lost += len(check.lost)
        self.corrupted += len(check.corrupted)
        self.index_wrong += bool(check.index_problems)
        self.temps_left_after_restart += len(check.temps_left)
        self.duplicates += len(check.duplicates)
        self.notes_at_end = check.notes
        if not check.ok:
            self.failures.append(f"{label}: {check.summary()}")

    def as_dict(self) -> dict:
        d = dict(self.__dict__)
        d["failures"] = self.failures[:10]
        return d


def seed_vault(vault: Path, index_dir: Path, count: int, rng: random.Random, tags=("alpha",)) -> list[str]:
    """A vault with ``count`` suite notes (version 1); returns their markers."""
    from clipper.core.model import Clip

    vault.mkdir(parents=True, exist_ok=True)
    markers = []
    with open_library(vault, index_dir) as lib:
        for _ in range(count):
            marker = new_marker(rng)
            lib.import_clip(Clip(markdown=make_body(marker, 1, rng, words=150), title=f"Note {marker}",
                                 kind="markdown", tags=list(tags)), on_duplicate="new")
            markers.append(marker)
    return markers


def _expectations(journal: Path) -> tuple[set[str], dict[str, set[int]], int]:
    """From the journal: markers that must exist, allowed versions per marker, finished ops."""
    must: set[str] = set()
    maybe_deleted: set[str] = set()
    last_done: dict[str, int] = {}
    begun: dict[str, set[int]] = {}
    done_ops = 0
    for rec in read_journal(journal):
        if rec[0] == "done":
            done_ops += 1
        if rec[:2] == ["done", "import"]:
            must.add(rec[2])
            last_done[rec[2]] = 1
            begun[rec[2]] = set()
        elif rec[:2] == ["begin", "import"]:
            begun.setdefault(rec[2], set()).add(1)
        elif rec[:2] == ["begin", "edit"]:
            begun.setdefault(rec[2], set()).add(int(rec[3]))
            # a note of the seeded vault has no "done import": the version an edit starts from
            # (killed before its rename, the file still holds it) is as good as done
            last_done.setdefault(rec[2], int(rec[3]) - 1)
        elif rec[:2] == ["done", "edit"]:
            last_done[rec[2]] = int(rec[3])
            begun[rec[2]] = {v for v in begun.get(rec[2], set()) if v > int(rec[3])}
        elif rec[:2] == ["begin", "delete"]:
            maybe_deleted.add(rec[2])
    versions = {m: begun.get(m, set()) | ({last_done[m]} if m in last_done else set())
                for m in set(begun) | set(last_done)}
    return must - maybe_deleted, versions, done_ops


def _in_flight(journal: Path) -> str:
    """The operation the last trial's child was in when killed ('start-up', 'between', or a kind)."""
    recs = read_journal(journal)
    last = max((i for i, r in enumerate(recs) if r[0] == "trial"), default=-1)
    recs = recs[last + 1:]
    if not any(r[0] == "ready" for r in recs):
        return "start-up"
    if recs[-1][0] == "begin":
        return recs[-1][1]
    return "between"


def verify(vault: Path, index_dir: Path, must_exist, versions, rng=None) -> Check:
    """Look at the files, then restart (open a fresh Library) and check the index."""
    before = check_files(vault, must_exist, versions)
    with open_library(vault, index_dir) as lib:
        after = check_files(vault, must_exist, versions)  # the restart may recover temps
        check_index(lib, vault, after, rng=rng)
    after.corrupted = sorted(set(before.corrupted) | set(after.corrupted))
    after.lost = sorted(set(before.lost) | set(after.lost))
    return after


def random_kill_trials(workdir: Path, trials: int, seed: int = 1, max_delay: float = 1.5,
                       progress=None) -> Figures:
    """kill -9 a ``mix`` worker (imports, edits, tag changes, deletes, reindex) at random moments."""
    rng = random.Random(seed)
    vault, index_dir, journal = workdir / "vault", workdir / "index", workdir / "journal.log"
    seed_vault(vault, index_dir, 5, rng)
    figures = Figures()
    for t in range(trials):
        with open(journal, "a", encoding="utf-8") as fh:
            fh.write(f"trial {t} .\n")
        proc = spawn_worker("mix", {"vault": str(vault), "index_dir": str(index_dir),
                                    "journal": str(journal), "seed": seed * 100003 + t},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if rng.random() < 0.15:  # sometimes kill during start-up (index open / catch-up / repair)
            time.sleep(rng.uniform(0.05, 0.8))
        else:
            ready, _, _ = select.select([proc.stdout], [], [], 60)
            if ready:
                proc.stdout.readline()
            time.sleep(rng.uniform(0.0, max_delay))
        alive = proc.poll() is None
        proc.kill()
        _out, err = proc.communicate()
        if not alive:
            figures.failures.append(f"trial {t}: worker died by itself: {err.decode()[-500:]}")
        figures.killed_mid_op += alive
        doing = _in_flight(journal)
        figures.killed_during[doing] = figures.killed_during.get(doing, 0) + 1
        must, versions, done_ops = _expectations(journal)
        figures.operations_done = done_ops
        check = verify(vault, index_dir, must, versions, rng)
        figures.add(f"kill trial {t}", check)
        if progress:
            progress(t + 1, trials, check)
    return figures


# --- death right after the Nth file operation of one library call ----------------------

OPS = ("save", "import", "set_tags", "rename_tag", "delete")


def _op_spec(kind: str, markers: list[str], rng: random.Random) -> tuple[dict, dict[str, set[int]]]:
    """The operation and the allowed versions of every note afterwards."""
    versions = {m: {1} for m in markers}
    if kind == "save":
        op = {"op": "save", "marker": markers[0], "words": 400}
        versions[markers[0]] = {1, 2}
    elif kind == "import":
        op = {"op": "import", "marker": new_marker(rng)}
        versions[op["marker"]] = {1}
    elif kind == "set_tags":
        op = {"op": "set_tags", "markers": markers[:2], "add": ["beta", "work/x"], "remove": ["alpha"]}
    elif kind == "rename_tag":
        op = {"op": "rename_tag", "old": "alpha", "new": "omega"}
    elif kind == "delete":
        op = {"op": "delete", "marker": markers[1]}
    else:
        raise ValueError(kind)
    return op, versions


def _run_server(trials: list[dict]) -> list[int]:
    proc = subprocess.run([sys.executable, str(Path(__file__).with_name("worker.py")), "ops", "-"],
                          input=json.dumps({"trials": trials}), env=worker_env(), capture_output=True,
                          text=True, timeout=3600)
    statuses = [json.loads(line)["status"] for line in proc.stdout.splitlines() if line.startswith("{")]
    if len(statuses) != len(trials):
        raise RuntimeError(f"ops server failed: {proc.stderr[-2000:]}")
    return statuses


def _choose_points(ops: list, other_samples: int) -> list[int]:
    """Every operation on a vault file, plus ``other_samples`` spread over the rest (index files)."""
    vault_points = [i + 1 for i, (_name, where) in enumerate(ops) if where.startswith("vault:")]
    other = [i + 1 for i, (_name, where) in enumerate(ops) if not where.startswith("vault:")]
    if other_samples >= len(other):
        picked = other
    else:
        step = len(other) / max(other_samples, 1)
        picked = sorted({other[int(k * step)] for k in range(other_samples)})
    return sorted(set(vault_points) | set(picked) | {len(ops)})


def op_kill_trials(workdir: Path, kinds=OPS, other_samples: int = 6, seed: int = 7,
                   progress=None) -> tuple[Figures, dict[str, int]]:
    """For each kind of call: count its file operations, then die right after each of them."""
    rng = random.Random(seed)
    figures = Figures()
    op_counts: dict[str, int] = {}
    for kind in kinds:
        base = workdir / kind / "base"
        markers = seed_vault(base / "vault", base / "index", 3, rng)
        op, versions = _op_spec(kind, markers, rng)
        must = set(markers)  # an import killed early may leave no note: only the old ones must stay

        def fresh(name: str, base=base) -> tuple[Path, Path]:
            root = base.parent / name
            shutil.copytree(base, root, symlinks=True)
            return root / "vault", root / "index"

        vault, index_dir = fresh("dry")
        log = vault.parent / "ops.json"
        status = _run_server([{"vault": str(vault), "index_dir": str(index_dir), "op": op,
                               "count_log": str(log), "seed": seed}])[0]
        if status != 0:
            raise RuntimeError(f"{kind}: the operation failed without any fault (status {status})")
        ops = json.loads(log.read_text())
        op_counts[kind] = len(ops)
        points = _choose_points(ops, other_samples)
        trials, dirs = [], []
        for n in points:
            vault, index_dir = fresh(f"kill-{n}")
            dirs.append((n, vault, index_dir))
            trials.append({"vault": str(vault), "index_dir": str(index_dir), "op": op, "kill_after": n,
                           "count_log": str(vault.parent / "ops.json"), "seed": seed})
        statuses = _run_server(trials)
        for (n, vault, index_dir), status in zip(dirs, statuses):
            check = verify(vault, index_dir, must, versions, rng)
            if status not in (137,):
                check.index_problems.append(f"child exit status {status} (expected death at op {n})")
            name, where = ops[n - 1]
            figures.add(f"{kind} died after op {n}/{len(ops)} ({name} {where})", check)
            if kind == "save" and check.ok:
                _check_recovered_save(vault, op["marker"], ops, n, figures)
            shutil.rmtree(vault.parent, ignore_errors=True)
            if progress:
                progress(kind, n, len(ops), check)
    return figures, op_counts


def _check_recovered_save(vault: Path, marker: str, ops: list, n: int, figures: Figures) -> None:
    """Once the new text is complete on disk (its temp renamed to the '-c.' name or beyond), the
    restart must show the new version: the finished text is recovered, not thrown away."""
    from clipper.core import frontmatter
    from tests.robustness.harness import parse_body, visible_notes

    completed_at = next((i + 1 for i, (name, where) in enumerate(ops)
                         if name == "rename" and where.startswith("vault:") and "clipper-tmp-" in where),
                        None)
    if completed_at is None or n < completed_at:
        return
    for _path, data in visible_notes(vault).items():
        parsed = parse_body(frontmatter.split(data.decode("utf-8", "replace"))[1])
        if parsed and parsed[0] == marker and parsed[1] != 2:
            figures.failures.append(f"save died after op {n}: finished new text not recovered (v{parsed[1]})")
            figures.lost += 1
