"""Shared pieces of the fault-injection suite: self-checking note bodies, vault checks, workers.

A note written by the suite has a body that proves itself whole::

    zq1a2b3c4d v3
    <words...>
    check 5f1e... (sha256 of the line above and the words)

so a file that mixes two versions, or was cut short, fails :func:`parse_body`, without any
record of what was written. The marker (``zq`` + 8 hex digits) is one search token, so the
index can be checked note by note.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
WORKER = Path(__file__).with_name("worker.py")

WORDS = [
    "river", "stone", "garden", "lantern", "harbor", "meadow", "copper", "violet", "thunder",
    "orchard", "canyon", "pepper", "saddle", "window", "marble", "falcon", "cedar", "ribbon",
    "quartz", "willow", "ember", "glacier", "tundra", "velvet", "compass", "anchor", "beacon",
    "cobalt", "dune", "fjord", "grove", "hollow", "island", "jasmine", "kettle", "lagoon",
]
TAGS = ["alpha", "beta", "gamma", "delta", "work/project", "work/ideas", "read-later"]

_BODY_RE = re.compile(r"\A\s*(zq[0-9a-f]{8}) v(\d+)\n(.*)\ncheck ([0-9a-f]{16})\s*\Z", re.S)
_MARK_RE = re.compile(r"zq[0-9a-f]{8}")


def new_marker(rng: random.Random) -> str:
    return f"zq{rng.getrandbits(32):08x}"


def make_body(marker: str, version: int, rng: random.Random, words: int | None = None) -> str:
    n = words if words is not None else rng.choice([20, 80, 300, 1500, 6000])
    lines = []
    line: list[str] = []
    for _ in range(n):
        line.append(rng.choice(WORDS))
        if len(line) == 12:
            lines.append(" ".join(line))
            line = []
    if line:
        lines.append(" ".join(line))
    head = f"{marker} v{version}"
    text = "\n\n".join(lines)
    digest = hashlib.sha256(f"{head}\n{text}".encode()).hexdigest()[:16]
    return f"{head}\n{text}\ncheck {digest}"


def parse_body(body: str) -> tuple[str, int] | None:
    """(marker, version) of a whole body, None if it is cut, mixed or foreign."""
    m = _BODY_RE.match(body)
    if not m:
        return None
    marker, version, text, digest = m.groups()
    head = f"{marker} v{version}"
    if hashlib.sha256(f"{head}\n{text}".encode()).hexdigest()[:16] != digest:
        return None
    return marker, int(version)


def visible_notes(vault: Path) -> dict[Path, bytes]:
    """Every file a user would see as a note: *.md outside hidden folders, not hidden itself."""
    out = {}
    for root, dirs, files in os.walk(vault):
        dirs[:] = [d for d in dirs if not d.startswith(".") and d != "attachments"]
        for name in files:
            if name.endswith(".md") and not name.startswith("."):
                p = Path(root) / name
                try:
                    out[p] = p.read_bytes()
                except OSError:
                    out[p] = b""
    return out


def temp_files(vault: Path) -> list[Path]:
    from clipper.core.fsutil import is_temp_name

    found = []
    for root, _dirs, files in os.walk(vault):
        found += [Path(root) / n for n in files if is_temp_name(n)]
    return found


def all_markers_anywhere(vault: Path) -> set[str]:
    """Markers found in any file under the vault (notes, trash, temps): what still exists."""
    seen: set[str] = set()
    for root, _dirs, files in os.walk(vault):
        for name in files:
            try:
                data = (Path(root) / name).read_bytes()
            except OSError:
                continue
            seen.update(_MARK_RE.findall(data.decode("utf-8", "replace")))
    return seen


@dataclass
class Check:
    """What one look at a vault (and a fresh Library on it) found."""

    notes: int = 0
    markers: dict[str, list[Path]] = field(default_factory=dict)
    corrupted: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    index_problems: list[str] = field(default_factory=list)
    temps_left: list[Path] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.corrupted or self.lost or self.index_problems)

    def summary(self) -> str:
        return (f"notes={self.notes} corrupted={self.corrupted[:5]} lost={self.lost[:5]} "
                f"index={self.index_problems[:5]} duplicates={self.duplicates[:5]} "
                f"temps_left={[p.name for p in self.temps_left][:5]}")


def check_files(vault: Path, must_exist=(), versions: dict[str, set[int]] | None = None,
                foreign_ok=()) -> Check:
    """Check every visible note is whole, every marker in ``must_exist`` is somewhere.

    ``versions`` (marker -> allowed versions) narrows what counts as whole; ``foreign_ok``
    lists file names that are not suite notes (left alone).
    """
    from clipper.core import frontmatter

    result = Check()
    notes = visible_notes(vault)
    result.notes = len(notes)
    for path, data in notes.items():
        if path.name in foreign_ok:
            continue
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            result.corrupted.append(f"{path.name}: not UTF-8")
            continue
        meta, body, error = frontmatter.split(text)
        if error:
            result.corrupted.append(f"{path.name}: {error}")
            continue
        parsed = parse_body(body)
        if parsed is None:
            result.corrupted.append(f"{path.name}: body cut or mixed ({len(data)} bytes)")
            continue
        marker, version = parsed
        if versions is not None and marker in versions and version not in versions[marker]:
            result.corrupted.append(f"{path.name}: {marker} has unexpected version v{version}")
        result.markers.setdefault(marker, []).append(path)
    result.duplicates = sorted(m for m, ps in result.markers.items() if len(ps) > 1)
    if must_exist:
        anywhere = all_markers_anywhere(vault)
        result.lost = sorted(m for m in must_exist if m not in result.markers and m not in anywhere)
    result.temps_left = temp_files(vault)
    return result


def check_index(lib, vault: Path, check: Check, sample: int = 40, rng: random.Random | None = None) -> None:
    """The index of a (re)opened Library lists exactly the visible notes and finds them by marker."""
    from clipper.core.fsutil import is_temp_name
    from clipper.core.syncnames import is_conflict_copy

    hits = lib.search("", limit=1_000_000)
    hit_paths = {Path(h.path).resolve() for h in hits}
    # conflict copies are versions of their note, never indexed as notes
    files = {p.resolve() for p in visible_notes(vault) if not is_conflict_copy(p.name)}
    if len(hits) != len(files):
        check.index_problems.append(f"search('') gave {len(hits)} hits for {len(files)} files")
    if hit_paths != files:
        extra = sorted(p.name for p in hit_paths - files)[:3]
        missing = sorted(p.name for p in files - hit_paths)[:3]
        check.index_problems.append(f"index/files differ: extra={extra} missing={missing}")
    for h in hits:
        if is_temp_name(Path(h.path).name):
            check.index_problems.append(f"temp file indexed as a note: {Path(h.path).name}")
    markers = sorted(check.markers)
    rng = rng or random.Random(0)
    for marker in rng.sample(markers, min(sample, len(markers))):
        found = {Path(h.path).resolve() for h in lib.search(marker, limit=10)}
        want = {p.resolve() for p in check.markers[marker] if not is_conflict_copy(p.name)}
        if found != want:
            check.index_problems.append(f"search({marker}) found {len(found)} notes, files hold {len(want)}")


def open_library(vault: Path, index_dir: Path):
    from clipper import Library

    return Library.open(vault, index_dir=index_dir, wait=True)


def worker_env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    return env


def spawn_worker(mode: str, spec: dict, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(WORKER), mode, json.dumps(spec)], env=worker_env(),
                            cwd=str(REPO), **kwargs)


def read_journal(path: Path) -> list[list[str]]:
    """Journal lines (``begin``/``done`` records); a torn last line is ignored."""
    if not path.exists():
        return []
    out = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        parts = line.split()
        if parts and line.endswith(" ."):
            out.append(parts[:-1])
    return out
