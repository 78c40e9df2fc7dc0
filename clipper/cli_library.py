"""Vault commands: import, search, tags, tag, reindex (all take --vault), and what every vault
command shares: :func:`vault_command` (its parser), :func:`with_library` (the library opened
around it), :func:`err` (an error line)."""

from __future__ import annotations

import functools
import json
import sys
import time
from pathlib import Path

from clipper.core.model import MODES


def vault_command(sub, name: str, help: str, run):
    """The parser of the command ``name``, which runs ``run(args, lib)`` on the library of
    ``--vault`` (:func:`with_library`); the caller adds the command's own arguments."""
    p = sub.add_parser(name, help=help)
    p.add_argument("--vault", metavar="DIR",
                   help="vault folder (default: $CLIPPER_VAULT or the user data folder)")
    p.set_defaults(func=with_library(run))
    return p


def register(sub) -> None:
    p = vault_command(sub, "import", "import files or folders into the vault as notes", run_import)
    p.add_argument("paths", nargs="+", metavar="PATH", help="files or folders (searched recursively)")
    p.add_argument("--tag", "-t", action="append", default=[], metavar="TAG",
                   help="tag the new notes (repeatable)")
    p.add_argument("--url", help="source URL of the page(s)")
    p.add_argument("--mode", choices=MODES, default="article",
                   help="article (default): the article only; page: the whole page; verbatim: text as is, "
                        "encoding repaired; raw: as is, not even repaired")
    p.add_argument("--on-duplicate", choices=("return", "update", "new"), default="return",
                   help="when the article is already in the vault: keep it (default), update it, "
                        "or add it anyway")
    p.add_argument("--jobs", type=int, default=2, help="files extracted at once (default 2)")
    p.add_argument("--images", action="store_true",
                   help="download the web images of the imported pages into the note's attachments "
                        "(off by default: nothing is fetched unless asked)")
    p.add_argument("--json", action="store_true", help="one JSON object per file per line")

    p = vault_command(sub, "search", "search the vault", run_search)
    p.add_argument("query", nargs="*",
                   help='search words: "phrase", OR, -word, word*, tag:, title:, created:2024 ...')
    p.add_argument("--limit", "-n", type=int, default=20)
    p.add_argument("--sort", choices=("relevance", "newest", "oldest"), default="relevance")
    p.add_argument("--tag", "-t", action="append", default=[], metavar="TAG", help="only notes with this tag")
    p.add_argument("--json", action="store_true", help="a JSON list of hits")

    p = vault_command(sub, "tags", "list tags with their note counts", run_tags)
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("tag", help="add, remove, rename or delete tags")
    tsub = p.add_subparsers(dest="tag_command", metavar="ACTION", required=True)
    for name, helptext in (("add", "add TAG to notes"), ("remove", "remove TAG from notes")):
        a = vault_command(tsub, name, helptext, run_tag)
        a.add_argument("tag")
        a.add_argument("notes", nargs="+", metavar="NOTE", help="note ids or file paths")
    a = vault_command(tsub, "rename", "rename a tag (merges into NEW if it exists; nested tags follow)",
                      run_tag)
    a.add_argument("old")
    a.add_argument("new")
    a = vault_command(tsub, "delete", "remove a tag (and tags nested below it) from every note", run_tag)
    a.add_argument("tag")

    vault_command(sub, "reindex", "rebuild the search index from the notes", run_reindex)


class ProgressBar:
    """``progress(done, total, message)`` drawn on stderr (a bar on a terminal, else nothing)."""

    def __init__(self, stream=None, width: int = 30):
        self.stream = stream or sys.stderr
        self.width = width
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self._last = 0.0
        self._shown = False

    def __call__(self, done: int, total: int, message: str = "") -> None:
        now = time.monotonic()
        if not self.tty or (done < total and now - self._last < 0.1):
            return
        self._last = now
        frac = done / total if total else 1.0
        fill = int(self.width * frac)
        bar = "#" * fill + "-" * (self.width - fill)
        text = f"\r[{bar}] {done}/{total} {message[:40]}"
        self.stream.write(text.ljust(self.width + 60))
        self.stream.flush()
        self._shown = True

    def finish(self) -> None:
        if self._shown:
            self.stream.write("\r" + " " * (self.width + 60) + "\r")
            self.stream.flush()
            self._shown = False


def with_library(run):
    """The command ``run(args, lib)`` made a command of ``args``: the library of ``--vault`` is
    opened (indexing drawn as a bar) and closed around it; exit status 1, with the reason, when
    it cannot open."""

    @functools.wraps(run)
    def command(args) -> int:
        from clipper.core.errors import ClipperError
        from clipper.core.library import Library

        bar = ProgressBar()
        try:
            lib = Library.open(args.vault or None, progress=bar)
        except ClipperError as exc:
            err(str(exc))
            return 1
        with lib:
            # a big vault's files are compared by size and date after open returns: a command
            # ends (and closing waits for that) within moments, so it waits first and answers
            # from the files as they are
            lib.wait_until_indexed()
            bar.finish()
            return run(args, lib)

    return command


def err(msg: str) -> None:
    """An error line on stderr, as every command writes it."""
    print(f"clipper: {msg}", file=sys.stderr)


def run_import(args, lib) -> int:
    from clipper.core import imports
    from clipper.core.errors import ClipperError

    bar = ProgressBar()
    status = 0
    items = imports.expand_paths(args.paths, exclude=lib.vault, limit=None)
    outcome = imports.run_import(lib, items, tags=args.tag, url=args.url, mode=args.mode,
                                 on_duplicate=args.on_duplicate, progress=bar, jobs=max(1, args.jobs),
                                 images=args.images)
    bar.finish()
    if not outcome.results:
        err("no files to import")
        return 1
    for item, result in outcome.results:
        path = item.path
        if isinstance(result, ClipperError):
            status = 1
            out = {"path": str(path), "error": str(result)}
            if not args.json:
                print(_error_line(path, str(result)), file=sys.stderr)
        else:
            note = result.note
            state = "created" if result.created else ("updated" if args.on_duplicate == "update"
                                                      else "duplicate")
            out = {"path": str(path), "status": state, "id": note.id, "note": str(note.path),
                   "title": note.title, "warnings": result.warnings}
            if not args.json:
                where = note.path
                if note.path.is_relative_to(lib.vault):
                    where = note.path.relative_to(lib.vault)
                extra = " (already in the vault)" if state == "duplicate" else ""
                print(f"{state}: {where}{extra}")
        if args.json:
            print(json.dumps(out, ensure_ascii=False), flush=True)
    return status


def _error_line(path, message: str) -> str:
    """``PATH: message``, naming the file once (most messages start with its name already)."""
    name = Path(path).name
    if message.startswith(name):
        return str(path) + message[len(name):]
    return f"{path}: {message}"


def _hit_dict(hit) -> dict:
    return {"id": hit.id, "path": str(hit.path), "title": hit.title, "snippet": hit.snippet,
            "highlights": hit.highlights, "score": round(hit.score, 4), "tags": hit.tags,
            "created": hit.created, "published": hit.published, "site": hit.site, "author": hit.author}


def run_search(args, lib) -> int:
    query = " ".join(args.query)
    hits = lib.search(query, limit=max(1, args.limit), sort=args.sort, tags=args.tag)
    suggestion = lib.suggest(query) if query and not hits else None
    if args.json:
        print(json.dumps([_hit_dict(h) for h in hits], ensure_ascii=False, indent=1))
        return 0 if hits else 1
    for hit in hits:
        tags = "  " + " ".join("#" + t for t in hit.tags) if hit.tags else ""
        date = (hit.created or "")[:10]
        print(f"{hit.title}  [{date}]{tags}")
        print(f"  {hit.path}")
        if hit.snippet:
            print(f"  {_ansi_snippet(hit) if sys.stdout.isatty() else hit.snippet}")
    if not hits:
        hint = f'; did you mean "{suggestion}"?' if suggestion else ""
        print("no notes found" + hint, file=sys.stderr)
        return 1
    return 0


def _ansi_snippet(hit) -> str:
    out, pos = [], 0
    for s, e in sorted(hit.highlights):
        if s < pos:
            continue
        out.append(hit.snippet[pos:s] + "\x1b[1m" + hit.snippet[s:e] + "\x1b[0m")
        pos = e
    out.append(hit.snippet[pos:])
    return "".join(out)


def run_tags(args, lib) -> int:
    counts = lib.tags()
    if args.json:
        print(json.dumps(counts, ensure_ascii=False, indent=1))
    else:
        for tag, n in counts.items():
            print(f"{n:6d}  {tag}")
    return 0


def _resolve_notes(lib, refs) -> tuple[list[str], list[str]]:
    """Note ids for ``refs`` (ids or paths) and, for those that are not notes of this vault,
    why (one line each)."""
    ids, problems = [], []
    for ref in refs:
        try:
            lib.get(ref)
            ids.append(ref)
            continue
        except KeyError:
            pass
        path = Path(ref).expanduser()
        # a path as typed is relative to the current folder; else try it inside the vault
        note = lib.note_for_path(path.absolute()) if path.exists() else lib.note_for_path(ref)
        if note is not None:
            ids.append(note.id)
        elif path.exists() and not _inside(path, lib.vault):
            problems.append(f"{ref} is not in this vault ({lib.vault}); give its vault with --vault")
        else:
            problems.append(f"no such note: {ref}")
    return ids, problems


def _inside(path: Path, folder: Path) -> bool:
    import os

    real, root = os.path.realpath(path), os.path.realpath(folder)
    return real == root or real.startswith(root.rstrip(os.sep) + os.sep)


def _tag_in_use(lib, tag: str) -> bool:
    """True if some note has ``tag`` or a tag nested below it."""
    from clipper.core.tags import is_under, normalize_tag

    name = normalize_tag(tag)
    return any(is_under(t, name) for t in lib.tags())


def run_tag(args, lib) -> int:
    from clipper.core.tags import normalize_tag

    cmd = args.tag_command
    if cmd in ("add", "remove"):
        if not normalize_tag(args.tag):
            err(f"not a valid tag: {args.tag!r}")
            return 2
        ids, missing = _resolve_notes(lib, args.notes)
        for problem in missing:
            err(problem)
        refused = []
        if ids:
            if cmd == "add":
                result = lib.set_tags(ids, add=[args.tag])
            else:
                result = lib.set_tags(ids, remove=[args.tag])
            refused = _report_refused(result)
            # notes that already had (or lacked) the tag count as done
            print(f"{'tagged' if cmd == 'add' else 'untagged'} {len(set(ids)) - len(refused)} note(s)")
        return 1 if missing or refused else 0
    if cmd == "rename":
        if not normalize_tag(args.old) or not normalize_tag(args.new):
            err("both tags must be valid")
            return 2
        if not _tag_in_use(lib, args.old):
            err(f"no such tag: {args.old} (`clipper tags` lists them)")
            return 1
        n = lib.rename_tag(args.old, args.new)
        print(f"renamed in {n} note(s)")
        return 1 if _report_refused(n) else 0
    if not _tag_in_use(lib, args.tag):
        err(f"no such tag: {args.tag} (`clipper tags` lists them)")
        return 1
    n = lib.delete_tag(args.tag)
    print(f"removed from {n} note(s)")
    return 1 if _report_refused(n) else 0


def _report_refused(result) -> list:
    """Say which notes a tag command left unchanged, and why (a note Clipper cannot change
    without touching more than its tags: another program's encoding, a broken header…)."""
    refused = list(getattr(result, "refused", None) or [])
    for path, reason in refused:
        err(f"not changed: {path}: {reason}")
    return refused


def run_reindex(args, lib) -> int:
    bar = ProgressBar()
    t0 = time.monotonic()
    lib.reindex(progress=bar)
    bar.finish()
    print(f"indexed {len(lib.notes())} note(s) in {time.monotonic() - t0:.1f} s")
    return 0
