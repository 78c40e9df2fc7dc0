"""Two machines sharing a vault through Syncthing: random work on both sides, then checks.

Each machine has its own vault folder (synced by its own Syncthing instance), its own cache folder
(``CLIPPER_CACHE_DIR``) and a Library open on it the whole time. A round is a batch of operations
on both sides (imports, edits, tag changes, tag renames across many notes, deletions to the trash,
restores, file renames and moves, conflict resolutions), made while the two are connected (so
changes arrive while the other side works) or while they are apart (so the same note changed on
both becomes a Syncthing conflict). Then the round waits until Syncthing says both are in sync,
lets each Library pick up what arrived (``sync_changed`` on the whole vault) and checks:

- both folders hold the same files, byte for byte;
- each index lists exactly the note files on its disk (conflict copies and the trash are not
  notes), its search index one document per note, and both answer every word ever written
  with the same notes, the ones holding it;
- both list the same tags and the same conflicts;
- nothing is lost: every word ever written is still in some file of both vaults (a note, a
  conflict copy, or the trash).

Every word written is a marker (``zq`` + 8 hex digits: one search token), so "lost" and "found"
are exact.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import random
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from clipper import Library
from clipper.core import paths
from clipper.core.model import Clip
from clipper.core.syncnames import is_conflict_copy
from tests.sync.syncthing import Pair

WORDS = ["river", "stone", "garden", "lantern", "harbor", "meadow", "copper", "violet", "thunder",
         "orchard", "canyon", "pepper", "saddle", "window", "marble", "falcon", "cedar", "ribbon"]
TAGS = ["alpha", "beta", "gamma", "work/project", "work/ideas", "read-later"]
MARK = re.compile(r"zq[0-9a-f]{8}")


def index_dir(vault: Path, cache: Path) -> Path:
    """Where the app on a machine whose CLIPPER_CACHE_DIR is ``cache`` keeps this vault's index."""
    old = os.environ.get("CLIPPER_CACHE_DIR")
    os.environ["CLIPPER_CACHE_DIR"] = str(cache)
    try:
        return paths.index_dir_for(vault)
    finally:
        if old is None:
            os.environ.pop("CLIPPER_CACHE_DIR", None)
        else:
            os.environ["CLIPPER_CACHE_DIR"] = old


@dataclass
class Machine:
    name: str
    vault: Path
    cache: Path
    lib: Library | None = None

    def open(self) -> Library:
        self.lib = Library.open(self.vault, index_dir=index_dir(self.vault, self.cache))
        return self.lib

    def close(self) -> None:
        if self.lib is not None:
            self.lib.close()
            self.lib = None


@dataclass
class Figures:
    operations: dict[str, int] = field(default_factory=dict)
    rounds: int = 0
    convergence_s: list[float] = field(default_factory=list)  # files in sync on both sides
    indexed_s: list[float] = field(default_factory=list)  # ... and both indexes up to date
    reconnect_s: list[float] = field(default_factory=list)  # Syncthing reconnecting after a pause
    conflicts_made: int = 0
    conflicts_resolved: int = 0
    words_written: int = 0
    words_lost: int = 0
    notes_lost: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def total_operations(self) -> int:
        return sum(self.operations.values())

    def summary(self) -> dict:
        def pct(values, q):
            if not values:
                return None
            values = sorted(values)
            return round(values[min(len(values) - 1, int(q * len(values)))], 2)

        return {
            "operations": self.total_operations, "by_kind": dict(sorted(self.operations.items())),
            "rounds": self.rounds,
            "convergence_p50_s": pct(self.convergence_s, 0.5),
            "convergence_p95_s": pct(self.convergence_s, 0.95),
            "indexed_p50_s": pct(self.indexed_s, 0.5),
            "indexed_p95_s": pct(self.indexed_s, 0.95),
            "reconnect_max_s": round(max(self.reconnect_s), 1) if self.reconnect_s else None,
            "conflicts_made": self.conflicts_made, "conflicts_resolved": self.conflicts_resolved,
            "words_written": self.words_written, "words_lost": self.words_lost, "notes_lost": self.notes_lost,
            "problems": self.problems[:20],
        }


class Scenario:
    def __init__(self, pair: Pair, root: Path, seed: int = 0):
        self.pair = pair
        self.rng = random.Random(seed)
        self.a = Machine("a", pair.a.folder, root / "a" / "cache")
        self.b = Machine("b", pair.b.folder, root / "b" / "cache")
        self.words: set[str] = set()  # every marker ever written (must survive somewhere)
        self.notes: set[str] = set()  # the first marker of every note created
        self.figures = Figures()

    # -- helpers ------------------------------------------------------------------------------
    def marker(self) -> str:
        word = f"zq{self.rng.getrandbits(32):08x}"
        self.words.add(word)
        self.figures.words_written += 1
        return word

    def count(self, kind: str) -> None:
        self.figures.operations[kind] = self.figures.operations.get(kind, 0) + 1

    def _notes(self, m: Machine) -> list[dict]:
        return m.lib.notes()

    # -- operations (each one a thing a person does on one machine) ----------------------------
    def op_import(self, m: Machine) -> None:
        first = self.marker()
        body = f"{first}\n\n" + " ".join(self.rng.choice(WORDS) for _ in range(40))
        tags = self.rng.sample(TAGS, self.rng.randint(0, 2))
        m.lib.import_clip(Clip(markdown=body, title=f"Note {first}", tags=tags), on_duplicate="new")
        self.notes.add(first)
        self.count("import")

    def op_edit(self, m: Machine, row: dict) -> None:
        try:
            note = m.lib.get(row["id"])
        except KeyError:
            return
        text = note.text().rstrip("\n") + f"\n\nedit {self.marker()} " + self.rng.choice(WORDS) + "\n"
        res = m.lib.save(note.id, text, base_hash=note.content_hash)
        self.count("edit" if res.conflict_path is None else "edit (conflict copy)")

    def op_tags(self, m: Machine, row: dict) -> None:
        add = [self.rng.choice(TAGS)]
        remove = [t for t in row["tags"] if self.rng.random() < 0.3]
        m.lib.set_tags([row["id"]], add=add, remove=remove)
        self.count("tag change")

    def op_rename_tag(self, m: Machine) -> None:
        counts = m.lib.tags()
        if not counts:
            return
        old = self.rng.choice(sorted(counts))
        new = self.rng.choice([t for t in TAGS if t != old] + [f"renamed-{self.rng.randint(1, 9)}"])
        m.lib.rename_tag(old, new)
        self.count("tag rename")

    def op_delete(self, m: Machine, row: dict) -> None:
        try:
            m.lib.delete(row["id"])
        except KeyError:
            return
        self.count("delete")

    def op_restore(self, m: Machine) -> None:
        entries = m.lib.trash()
        if not entries:
            return
        entry = self.rng.choice(entries)
        with contextlib.suppress(KeyError):
            m.lib.restore(entry)
            self.count("restore")

    def op_rename_file(self, m: Machine, row: dict) -> None:
        """A person renames or moves the note's file (a file manager, another editor)."""
        src = m.vault / row["path"]
        if not src.exists():
            return
        folder = m.vault / self.rng.choice(["", "moved", "moved/deeper"])
        folder.mkdir(parents=True, exist_ok=True)
        dest = folder / f"{src.stem} r{self.rng.randint(1, 999)}.md"
        if dest.exists():
            return
        os.rename(src, dest)
        m.lib.sync_changed([src.parent, folder])
        self.count("rename")

    def op_resolve(self, m: Machine) -> None:
        found = m.lib.conflicts()
        if not found:
            return
        c = self.rng.choice(found)
        keep = self.rng.choice(["note", "copy", "both"] if c.note_exists else ["copy", "both"])
        m.lib.resolve_conflict(c, keep)
        self.figures.conflicts_resolved += 1
        self.count(f"resolve ({keep})")

    def random_op(self, m: Machine, shared: list[dict]) -> None:
        """One operation; ``shared`` are notes both sides may pick (collisions make conflicts)."""
        rows = shared or self._notes(m)
        roll = self.rng.random()
        if not rows or roll < 0.18:
            self.op_import(m)
        elif roll < 0.45:
            self.op_edit(m, self.rng.choice(rows))
        elif roll < 0.60:
            self.op_tags(m, self.rng.choice(rows))
        elif roll < 0.65:
            self.op_rename_tag(m)
        elif roll < 0.75:
            self.op_delete(m, self.rng.choice(rows))
        elif roll < 0.83:
            self.op_restore(m)
        elif roll < 0.91:
            self.op_rename_file(m, self.rng.choice(rows))
        else:
            self.op_resolve(m)

    # -- a round ------------------------------------------------------------------------------
    def round(self, ops_per_side: int, apart: bool) -> None:
        self.figures.rounds += 1
        if apart:
            self.pair.separate()
        shared = self._notes(self.a)
        self.rng.shuffle(shared)
        shared = shared[:12]  # a few notes both may touch: some conflicts, not only conflicts
        for _ in range(ops_per_side):  # the two sides take turns, as two people working at once
            for m in (self.a, self.b):
                try:
                    self.random_op(m, [r for r in shared if (m.vault / r["path"]).exists()])
                except Exception as exc:  # noqa: BLE001 -- a failure is a finding, not a crash
                    self.figures.problems.append(f"{m.name}: {type(exc).__name__}: {exc}")
        if apart:  # Syncthing's own dialling back (seconds, at times 20 s) is not counted
            t0 = time.monotonic()
            self.pair.rejoin()
            self.figures.reconnect_s.append(time.monotonic() - t0)
        start = time.monotonic()
        # no explicit scan: Syncthing notices the changes by its own file watcher, as at home
        self.pair.wait_in_sync(scan=False)
        self.figures.convergence_s.append(time.monotonic() - start)
        for m in (self.a, self.b):
            m.lib.sync_changed()  # the whole vault, as F5 (the app's watcher: tests/qt/test_conflict_view.py)
        self.figures.indexed_s.append(time.monotonic() - start)
        self.check()

    # -- checks -------------------------------------------------------------------------------
    def _files(self, m: Machine) -> tuple[dict[str, str], dict[str, str]]:
        """(note files, every file) of a vault: rel path -> text."""
        notes, every = {}, {}
        for dirpath, dirnames, filenames in os.walk(m.vault):
            dirnames[:] = [d for d in dirnames if d != ".stfolder"]
            rel_dir = os.path.relpath(dirpath, m.vault)
            for name in filenames:
                rel = name if rel_dir == "." else f"{rel_dir}/{name}".replace(os.sep, "/")
                try:
                    text = Path(dirpath, name).read_text("utf-8", "replace")
                except OSError:
                    continue
                every[rel] = text
                parts = rel.split("/")
                if (name.endswith(".md") and not any(p.startswith(".") for p in parts)
                        and not is_conflict_copy(name)):
                    notes[rel] = text
        return notes, every

    def check(self) -> None:
        f = self.figures
        view = {}
        for m in (self.a, self.b):
            notes, every = self._files(m)
            listed = {n["path"] for n in m.lib.notes()}
            if listed != set(notes):
                f.problems.append(f"{m.name}: index lists {len(listed)} notes, disk holds {len(notes)}: "
                                  f"extra {sorted(listed - set(notes))[:3]} "
                                  f"missing {sorted(set(notes) - listed)[:3]}")
            # a document of no note is not found until its id comes back (then by old words)
            indexed = m.lib._index.doc_count()
            if indexed != len(listed):
                f.problems.append(f"{m.name}: the index holds {indexed} documents for {len(listed)} notes")
            for row in m.lib.notes():  # each row is the file as it is now
                try:
                    digest = hashlib.sha256((m.vault / row["path"]).read_bytes()).hexdigest()
                except OSError:
                    continue
                if digest != row["hash"]:
                    st = os.stat(m.vault / row["path"])
                    f.problems.append(f"{m.name}: the index holds an old version of {row['path']} "
                                      f"(catalog size/mtime {row['size']}/{row['mtime_ns']}, "
                                      f"file {st.st_size}/{st.st_mtime_ns})")
            anywhere = set()
            for text in every.values():
                anywhere.update(MARK.findall(text))
            lost = self.words - anywhere
            if lost:
                f.problems.append(f"{m.name}: words lost: {sorted(lost)[:5]}")
            f.words_lost = max(f.words_lost, len(lost))
            f.notes_lost = max(f.notes_lost, len(self.notes - anywhere))
            holders: dict[str, set[str]] = {}
            for rel, text in notes.items():
                for word in set(MARK.findall(text)):
                    holders.setdefault(word, set()).add(rel)
            hits = {}
            for word in sorted(self.words):
                found = {str(Path(h.path).relative_to(m.vault)) for h in m.lib.search(word, limit=50)}
                hits[word] = found
                if found != holders.get(word, set()):
                    f.problems.append(f"{m.name}: search {word} gives {sorted(found)}, the notes holding it "
                                      f"are {sorted(holders.get(word, set()))}")
            view[m.name] = (hits, m.lib.tags(), sorted(c.copy for c in m.lib.conflicts()))
        if view["a"][0] != view["b"][0]:
            differ = [w for w in view["a"][0] if view["a"][0][w] != view["b"][0].get(w)]
            f.problems.append(f"the two sides answer {len(differ)} searches differently: {differ[:3]}")
        if view["a"][1] != view["b"][1]:
            f.problems.append(f"tags differ: {view['a'][1]} vs {view['b'][1]}")
        if view["a"][2] != view["b"][2]:
            f.problems.append(f"conflicts differ: {view['a'][2]} vs {view['b'][2]}")
        f.conflicts_made = max(f.conflicts_made, 0)

    def note_conflicts(self) -> int:
        return len(self.a.lib.conflicts())


def run(root: Path, rounds: int = 8, ops_per_side: int = 10, seed: int = 0) -> Figures:
    """The whole scenario on a fresh pair of Syncthing instances under ``root``."""
    with Pair(root) as pair:
        sc = Scenario(pair, root, seed)
        sc.a.open()
        sc.b.open()
        try:
            seen_copies: set[str] = set()
            for i in range(rounds):
                sc.round(ops_per_side, apart=i % 2 == 1)
                copies = {c.copy for c in sc.a.lib.conflicts()}
                sc.figures.conflicts_made += len(copies - seen_copies)
                seen_copies |= copies
        finally:
            sc.a.close()
            sc.b.close()
        return sc.figures
