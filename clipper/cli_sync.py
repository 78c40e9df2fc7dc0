"""Commands for a vault synced between machines: conflicts, resolve, trash, restore (all take --vault)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from clipper.cli_library import err, vault_command


def register(sub) -> None:
    p = vault_command(sub, "conflicts", "list conflict copies (made by a sync engine or the editor), "
                                        "each with the note it belongs to", run_conflicts)
    p.add_argument("--json", action="store_true", help="a JSON list, one object per copy")
    p.add_argument("--diff", action="store_true", help="show how each copy differs from its note")

    p = vault_command(sub, "resolve", "settle a conflict: keep the note, the copy, or both", run_resolve)
    p.add_argument("copy", metavar="COPY",
                   help="the conflict copy (its path, as `clipper conflicts` lists it)")
    p.add_argument("--keep", choices=("note", "copy", "both"), required=True,
                   help="note: the note stays, the copy goes to the trash; copy: the copy's text becomes "
                        "the note (its old text goes to the trash); both: the copy becomes a note of its own")

    p = vault_command(sub, "trash", "list the notes in the vault's trash", run_trash)
    p.add_argument("--json", action="store_true")

    p = vault_command(sub, "restore", "bring notes back from the trash", run_restore)
    p.add_argument("notes", nargs="+", metavar="NOTE",
                   help="note ids or trashed file names (`clipper trash`)")


def _conflict_dict(lib, conflict) -> dict:
    row = lib.catalog.by_path(conflict.note) if conflict.note_exists else None
    out = conflict.to_dict()
    out.update({"copy_path": str(lib.vault / conflict.copy), "note_path": str(lib.vault / conflict.note),
                "note_id": row["id"] if row else None, "title": row["title"] if row else "",
                "made_by": conflict.describe()})
    return out


def run_conflicts(args, lib) -> int:
    from clipper.core import conflicts as conflictsmod

    found = lib.conflicts()
    if args.json:
        print(json.dumps([_conflict_dict(lib, c) for c in found], ensure_ascii=False, indent=1))
        return 0
    if not found:
        print("no conflicts")
        return 0
    for c in found:
        note = c.note if c.note_exists else f"{c.note} (gone: only the copy is left)"
        print(f"{c.copy}\n    of {note}\n    {c.describe()}")
        if args.diff:
            note_text, copy_text = lib.conflict_versions(c)
            diff = conflictsmod.unified(note_text, copy_text, c.note, c.copy)
            shown = "".join("    " + line for line in diff.splitlines(True))
            sys.stdout.write(shown or "    (same text)\n")
    print(f"{len(found)} conflict cop{'y' if len(found) == 1 else 'ies'}; "
          "`clipper resolve COPY --keep note|copy|both` settles one")
    return 0


def run_resolve(args, lib) -> int:
    from clipper.core.errors import ClipperError

    path = Path(args.copy).expanduser()
    if not path.is_absolute():
        path = path.absolute() if path.exists() else lib.vault / args.copy
    try:
        result = lib.resolve_conflict(path, args.keep)
    except (ClipperError, OSError) as exc:
        err(str(exc))
        return 1
    kept = {"note": f"kept {result.note}", "copy": f"the copy is now {result.note}",
            "both": f"kept {result.note} and {result.new_note}"}[args.keep]
    trashed = ", ".join(Path(e.trash_path).name for e in result.trashed)
    print(kept + (f"; moved to the trash: {trashed}" if trashed else ""))
    return 0


def run_trash(args, lib) -> int:
    entries = lib.trash()
    if args.json:
        print(json.dumps([{"id": e.id, "title": e.title, "deleted": e.deleted,
                           "trash_path": str(e.trash_path), "original_path": str(e.original_path)}
                          for e in entries], ensure_ascii=False, indent=1))
        return 0
    for e in entries:
        title = e.title or Path(e.original_path).stem
        print(f"{e.deleted}  {e.id}  {title}  ({Path(e.trash_path).name})")
    if not entries:
        print("the trash is empty")
    return 0


def run_restore(args, lib) -> int:
    from clipper.core.errors import ClipperError

    status = 0
    for ref in args.notes:
        entries = [e for e in lib.trash() if ref in (e.id, Path(e.trash_path).name)]
        if not entries:
            err(f"not in the trash: {ref} (`clipper trash` lists it)")
            status = 1
            continue
        try:
            note = lib.restore(entries[-1])
        except (ClipperError, OSError, KeyError) as exc:
            err(f"{ref}: {exc}")
            status = 1
            continue
        print(f"restored: {Path(note.path).relative_to(lib.vault)}")
    return status
