"""`clipper extract`: run the import pipeline on files without saving anything."""

from __future__ import annotations

import json
import os
import sys

from clipper.core.model import MODES


def register(sub) -> None:
    p = sub.add_parser("extract", help="show what importing files would give, saving nothing")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--json", action="store_true", help="one JSON object per input per line")
    p.add_argument("--url", help="source URL of the page(s)")
    p.add_argument("--mode", choices=MODES, default="article",
                   help="article (default): the article only; page: the whole page; verbatim: text as is, "
                        "encoding repaired; raw: as is, not even repaired")
    p.add_argument("--jobs", type=int, default=0, help="inputs processed at once (default: 2 or CPUs)")
    p.set_defaults(func=run)


def _record(raw: str, clip) -> dict:
    return {"path": raw, "title": clip.title, "author": clip.author, "published": clip.published,
            "site": clip.site, "site_url": clip.site_url, "source": clip.source, "language": clip.language,
            "tags": clip.tags,
            "markdown": clip.markdown}


def run(args) -> int:
    from clipper.core.errors import ClipperError
    from clipper.core.pipeline import extract_files

    jobs = args.jobs or max(1, min(2, os.cpu_count() or 1, len(args.paths)))
    status = 0
    for i, (_path, result) in enumerate(extract_files(args.paths, url=args.url, mode=args.mode, jobs=jobs)):
        raw = args.paths[i]
        if isinstance(result, ClipperError):
            status = 1
            out = {"path": raw, "error": str(result)}
        else:
            out = _record(raw, result)
        if args.json:
            print(json.dumps(out, ensure_ascii=False), flush=True)
        elif "error" in out:
            print(f"{raw}: {out['error']}", file=sys.stderr, flush=True)
        else:
            from clipper.core import frontmatter

            if len(args.paths) > 1:
                print(f"==> {raw} <==")
            print(frontmatter.join(result.metadata(), result.markdown), flush=True)
            for warning in result.warnings:
                print(f"{raw}: warning: {warning}", file=sys.stderr)
    if _own_process():
        # Tearing down the interpreter (every module of the extraction libraries) costs ~60 ms;
        # the output is complete and the workers are stopped, so leave at once.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)
    return status


def _own_process() -> bool:
    """True when this process is the `clipper` command itself (not a host calling cli.main)."""
    main = sys.modules.get("__main__")
    return getattr(main, "__package__", None) == "clipper" or os.path.basename(sys.argv[0]) == "clipper"
