"""Child process of the fault-injection suite: runs clipper.Library operations until killed.

    python tests/robustness/worker.py mix    '{"vault":..,"index_dir":..,"journal":..,"seed":1}'
    python tests/robustness/worker.py writer '{... "seconds": 5, "name": "w1"}'
    python tests/robustness/worker.py ops    -    < '{"trials": [...]}'   (fork server, see run_ops)

Every operation is written to the journal as ``begin ...`` before and ``done ...`` after,
one ``write()`` per line, so the parent knows what may or must be on disk after a kill -9.
"""

from __future__ import annotations

import builtins
import hashlib
import io
import json
import os
import random
import sys
import time
import traceback
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.robustness.harness import TAGS, make_body, new_marker, parse_body  # noqa: E402


class Journal:
    def __init__(self, path):
        self.fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)

    def log(self, *parts) -> None:
        os.write(self.fd, (" ".join(str(p) for p in parts) + " .\n").encode())


def _notes(lib) -> dict[str, tuple[str, int]]:
    """marker -> (note id, version) for every suite note the library lists."""
    out = {}
    for hit in lib.search("", limit=1_000_000):
        try:
            note = lib.get(hit.id)
        except KeyError:
            continue
        parsed = parse_body(note.body)
        if parsed:
            out[parsed[0]] = (note.id, parsed[1])
    return out


def _clip(body: str, title: str, tags=()):
    from clipper.core.model import Clip

    return Clip(markdown=body, title=title, kind="markdown", tags=list(tags))


def edit_text(lib, note_id, new_body: str) -> tuple[str, str]:
    """(whole new text, base hash) as an editor would produce them from the file it loaded."""
    from clipper.core import frontmatter

    note = lib.get(note_id)
    loaded = Path(note.path).read_bytes()
    meta, _body, _err = frontmatter.split(loaded.decode("utf-8"))
    return frontmatter.join(meta, new_body), hashlib.sha256(loaded).hexdigest()


def do_import(lib, rng, journal, tags=()):
    marker = new_marker(rng)
    journal.log("begin", "import", marker)
    res = lib.import_clip(_clip(make_body(marker, 1, rng), f"Note {marker}", tags), on_duplicate="new")
    journal.log("done", "import", marker)
    return marker, res.note.id


def do_edit(lib, rng, journal, marker, note_id, version):
    new = version + 1
    text, base = edit_text(lib, note_id, make_body(marker, new, rng))
    journal.log("begin", "edit", marker, new)
    res = lib.save(note_id, text, base_hash=base)
    journal.log("done", "edit", marker, new, "conflict" if res.conflict_path else "ok")
    return res


def run_mix(spec: dict) -> None:
    from clipper import Library

    rng = random.Random(spec.get("seed", 0))
    journal = Journal(spec["journal"])
    lib = Library.open(Path(spec["vault"]), index_dir=Path(spec["index_dir"]), wait=True)
    notes = _notes(lib)
    journal.log("ready", len(notes))
    print("ready", flush=True)
    n = 0
    while True:
        n += 1
        roll = rng.random()
        if not notes or roll < 0.35:
            marker, note_id = do_import(lib, rng, journal, rng.sample(TAGS, rng.randint(0, 2)))
            notes[marker] = (note_id, 1)
        elif roll < 0.65:
            marker = rng.choice(sorted(notes))
            note_id, version = notes[marker]
            do_edit(lib, rng, journal, marker, note_id, version)
            notes[marker] = (note_id, version + 1)
        elif roll < 0.85:
            picked = rng.sample(sorted(notes), min(len(notes), rng.randint(1, 3)))
            add = rng.sample(TAGS, 1)
            remove = rng.sample(TAGS, 1)
            journal.log("begin", "tags", *picked)
            lib.set_tags([notes[m][0] for m in picked], add=add, remove=remove)
            journal.log("done", "tags", *picked)
        elif roll < 0.92:
            old, new = rng.sample(TAGS, 2)
            journal.log("begin", "rename_tag", old, new)
            lib.rename_tag(old, new)
            journal.log("done", "rename_tag", old, new)
        elif roll < 0.97 and len(notes) > 3:
            marker = rng.choice(sorted(notes))
            journal.log("begin", "delete", marker)
            lib.delete(notes.pop(marker)[0])
            journal.log("done", "delete", marker)
        elif roll >= 0.98:
            journal.log("begin", "reindex")
            lib.reindex()
            journal.log("done", "reindex")


def run_writer(spec: dict) -> None:
    """One of two concurrent writers: imports and edits its own notes, tags everyone's."""
    from clipper import Library

    rng = random.Random(spec.get("seed", 0))
    name = spec["name"]
    journal = Journal(spec["journal"])
    lib = Library.open(Path(spec["vault"]), index_dir=Path(spec["index_dir"]), wait=True)
    mine: dict[str, tuple[str, int]] = {}
    deadline = time.monotonic() + spec["seconds"]
    writes = errors = 0
    k = 0
    while time.monotonic() < deadline:
        roll = rng.random()
        try:
            if not mine or roll < 0.4:
                marker, note_id = do_import(lib, rng, journal)
                mine[marker] = (note_id, 1)
            elif roll < 0.7:
                marker = rng.choice(sorted(mine))
                note_id, version = mine[marker]
                res = do_edit(lib, rng, journal, marker, note_id, version)
                mine[marker] = (note_id, version + 1)
                if res.conflict_path:
                    journal.log("conflict", marker, res.conflict_path)
            else:
                # Tag a note of either writer with a tag only this write uses: it must survive.
                hits = lib.search("", limit=1_000_000)
                hit = rng.choice(hits)
                parsed = parse_body(lib.get(hit.id).body)
                if parsed is None:
                    continue
                k += 1
                tag = f"{name}-{k}"
                journal.log("begin", "tag", parsed[0], tag)
                lib.set_tags([hit.id], add=[tag])
                journal.log("done", "tag", parsed[0], tag)
            writes += 1
        except Exception as exc:  # noqa: BLE001 - recorded and counted, the parent decides
            errors += 1
            journal.log("error", type(exc).__name__, str(exc).replace("\n", " ")[:200])
    lib.close()
    print(json.dumps({"writes": writes, "errors": errors}), flush=True)


# --- counting and dying at the Nth file operation --------------------------------------

_WRITE_MODES = set("wax+")


class _Counter:
    def __init__(self, vault: Path, kill_after: int | None):
        self.vault = str(vault.resolve())
        self.kill_after = kill_after
        self.ops: list[tuple[str, str]] = []

    def _where(self, target) -> str:
        try:
            if isinstance(target, int):
                target = os.readlink(f"/proc/self/fd/{target}")
            path = os.path.abspath(os.fspath(target))
        except (OSError, TypeError):
            return "?"
        if path.startswith(self.vault + os.sep):
            return "vault:" + os.path.relpath(path, self.vault)
        return "other:" + os.path.basename(path)

    def tick(self, name: str, target) -> None:
        self.ops.append((name, self._where(target)))
        if self.kill_after is not None and len(self.ops) >= self.kill_after:
            os._exit(137)


class _CountingFile:
    """File object proxy: each write() reaches the OS (flush) and counts as one operation."""

    def __init__(self, fh, counter, target):
        self._fh, self._counter, self._target = fh, counter, target

    def write(self, data):
        n = self._fh.write(data)
        self._fh.flush()
        self._counter.tick("write", self._target)
        return n

    def __getattr__(self, name):
        return getattr(self._fh, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return self._fh.__exit__(*exc)

    def __iter__(self):
        return iter(self._fh)


def install_counter(vault: Path, kill_after: int | None) -> _Counter:
    counter = _Counter(vault, kill_after)

    def wrap(name, arg_index=0, only_write_open=False):
        real = getattr(os, name)

        def wrapper(*args, **kwargs):
            if only_write_open:
                flags = args[1] if len(args) > 1 else kwargs.get("flags", 0)
                if not flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
                    return real(*args, **kwargs)
            result = real(*args, **kwargs)
            counter.tick(name, args[arg_index] if args else None)
            return result

        setattr(os, name, wrapper)

    for name in ("write", "fsync", "fdatasync", "rename", "replace", "link", "unlink", "remove",
                 "mkdir", "rmdir", "truncate", "ftruncate", "symlink"):
        if hasattr(os, name):
            wrap(name)
    wrap("open", only_write_open=True)
    real_open = io.open

    def counting_open(file, mode="r", *args, **kwargs):
        fh = real_open(file, mode, *args, **kwargs)
        if _WRITE_MODES & set(mode) and not isinstance(file, int):
            counter.tick("open", file)
            return _CountingFile(fh, counter, file)
        return fh

    io.open = counting_open
    builtins.open = counting_open
    return counter


def _one_op(lib, op: dict, rng: random.Random) -> None:
    kind = op["op"]
    notes = _notes(lib)
    by_marker = {m: nid for m, (nid, _v) in notes.items()}
    if kind == "save":
        marker = op["marker"]
        note_id, version = notes[marker]
        text, base = edit_text(lib, note_id, make_body(marker, version + 1, rng, words=op.get("words", 200)))
        lib.save(note_id, text, base_hash=base)
    elif kind == "import":
        lib.import_clip(_clip(make_body(op["marker"], 1, rng, words=200), f"Note {op['marker']}", ["alpha"]),
                        on_duplicate="new")
    elif kind == "set_tags":
        lib.set_tags([by_marker[m] for m in op["markers"]], add=op.get("add", ()),
                     remove=op.get("remove", ()))
    elif kind == "rename_tag":
        lib.rename_tag(op["old"], op["new"])
    elif kind == "delete":
        lib.delete(by_marker[op["marker"]])
    elif kind == "reindex":
        lib.reindex()
    else:
        raise ValueError(kind)


def run_ops(spec: dict) -> None:
    """Fork server: for each trial fork a child that opens the library, arms the counter and runs
    one operation; prints one JSON line per trial (exit status, operations counted)."""
    import whoosh.index  # noqa: F401 - imported once here, shared by every fork

    from clipper import Library  # noqa: F401

    for trial in spec["trials"]:
        log = trial["count_log"]
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                from clipper import Library as Lib

                vault = Path(trial["vault"])
                lib = Lib.open(vault, index_dir=Path(trial["index_dir"]), wait=True)
                counter = install_counter(vault, trial.get("kill_after"))
                _one_op(lib, trial["op"], random.Random(trial.get("seed", 1)))
                ops = list(counter.ops)
                Path(log).write_text(json.dumps(ops))  # only reached when not killed
            except BaseException:  # noqa: BLE001
                traceback.print_exc()
                code = 3
            os._exit(code)
        _pid, status = os.waitpid(pid, 0)
        print(json.dumps({"status": os.waitstatus_to_exitcode(status)}), flush=True)


def main() -> None:
    mode = sys.argv[1]
    spec = json.loads(sys.stdin.read() if sys.argv[2] == "-" else sys.argv[2])
    {"mix": run_mix, "writer": run_writer, "ops": run_ops}[mode](spec)


if __name__ == "__main__":
    main()
