"""`clipper extract`: run the import pipeline on files without saving anything."""

from __future__ import annotations

import json
import sys
from pathlib import Path


def register(sub) -> None:
    p = sub.add_parser("extract", help="show what importing files would give, saving nothing")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--json", action="store_true", help="one JSON object per input per line")
    p.add_argument("--url", help="source URL of the page(s)")
    p.set_defaults(func=run)


def run(args) -> int:
    from clipper.core.errors import ClipperError
    from clipper.core.pipeline import extract_file

    status = 0
    for raw in args.paths:
        try:
            clip = extract_file(Path(raw), url=args.url)
        except ClipperError as exc:
            status = 1
            out = {"path": raw, "error": str(exc)}
        else:
            out = {"path": raw, "title": clip.title, "author": clip.author,
                   "published": clip.published, "site": clip.site, "source": clip.source,
                   "language": clip.language, "tags": clip.tags, "markdown": clip.markdown}
        if args.json:
            print(json.dumps(out, ensure_ascii=False), flush=True)
        elif "error" in out:
            print(f"{raw}: {out['error']}", file=sys.stderr)
        else:
            print(out["markdown"])
    return status
