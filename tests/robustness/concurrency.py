"""Two writer processes (two Library instances: 'the CLI and the app') on one vault and index."""

from __future__ import annotations

import json
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from clipper.core import frontmatter
from tests.robustness.harness import (
    check_files,
    check_index,
    open_library,
    parse_body,
    read_journal,
    spawn_worker,
    visible_notes,
)


@dataclass
class ConcurrencyFigures:
    seconds: float = 0.0
    writers: int = 2
    writes: int = 0
    errors: int = 0
    notes: int = 0
    conflict_copies: int = 0
    lost_imports: int = 0
    lost_edits: int = 0
    lost_tags: int = 0
    corrupted: int = 0
    index_problems: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.failures or self.index_problems or self.errors or self.corrupted
                    or self.lost_imports or self.lost_edits or self.lost_tags)


def run_two_writers(workdir: Path, seconds: float, seed: int = 1) -> ConcurrencyFigures:
    vault, index_dir = workdir / "vault", workdir / "index"
    vault.mkdir(parents=True, exist_ok=True)
    open_library(vault, index_dir).close()
    figures = ConcurrencyFigures(seconds=seconds)
    procs, journals = [], []
    start = time.monotonic()
    for i in range(2):
        journal = workdir / f"journal-{i}.log"
        journals.append(journal)
        procs.append(spawn_worker("writer", {"vault": str(vault), "index_dir": str(index_dir),
                                             "journal": str(journal), "seed": seed * 1000 + i,
                                             "seconds": seconds, "name": f"w{i}"},
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    for proc in procs:
        out, err = proc.communicate(timeout=seconds * 4 + 120)
        if proc.returncode != 0:
            figures.failures.append(f"writer exit {proc.returncode}: {err[-800:]}")
            continue
        result = json.loads(out.strip().splitlines()[-1])
        figures.writes += result["writes"]
        figures.errors += result["errors"]
    figures.seconds = round(time.monotonic() - start, 1)

    imported, last_edit, tagged = set(), {}, []
    for journal in journals:
        for rec in read_journal(journal):
            if rec[:2] == ["done", "import"]:
                imported.add(rec[2])
            elif rec[:2] == ["done", "edit"]:
                last_edit[rec[2]] = max(last_edit.get(rec[2], 0), int(rec[3]))
            elif rec[:2] == ["done", "tag"]:
                tagged.append((rec[2], rec[3]))
            elif rec[0] == "error":
                figures.failures.append("writer error: " + " ".join(rec[1:])[:300])
            elif rec[0] == "conflict":
                figures.conflict_copies += 1

    check = check_files(vault, must_exist=imported)
    figures.corrupted = len(check.corrupted)
    figures.failures += check.corrupted[:5]
    figures.lost_imports = len(check.lost)
    versions: dict[str, set[int]] = {}
    tags: dict[str, set[str]] = {}
    for _path, data in visible_notes(vault).items():
        meta, body, _err = frontmatter.split(data.decode("utf-8", "replace"))
        parsed = parse_body(body)
        if parsed:
            versions.setdefault(parsed[0], set()).add(parsed[1])
            tags.setdefault(parsed[0], set()).update(str(t) for t in (meta.get("tags") or []))
    for marker, version in last_edit.items():
        if version not in versions.get(marker, set()):
            figures.lost_edits += 1
            on_disk = sorted(versions.get(marker, []))
            figures.failures.append(f"edit lost: {marker} v{version} (on disk {on_disk})")
    for marker, tag in tagged:
        if tag not in tags.get(marker, set()):
            figures.lost_tags += 1
            if figures.lost_tags <= 5:
                figures.failures.append(f"tag lost: {tag} on {marker}")
    with open_library(vault, index_dir) as lib:
        check_index(lib, vault, check, sample=60)
        figures.index_problems = check.index_problems
        figures.notes = check.notes
    return figures
