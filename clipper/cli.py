"""Command line: `clipper COMMAND ...` (same as `python -m clipper`). Thin argparse over the core.

Each group of commands lives in its own module with a ``register(subparsers)`` function, so
that this file stays a dispatcher and start-up imports nothing heavy.
"""

from __future__ import annotations

import argparse
import sys

from clipper import __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="clipper",
        description="Turn web articles into clean Markdown notes and find them again.",
    )
    parser.add_argument("--version", action="version", version=f"clipper {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    from clipper import cli_extract, cli_library, cli_sync

    cli_extract.register(sub)
    cli_library.register(sub)
    cli_sync.register(sub)

    gui = sub.add_parser("gui", help="start the desktop app")
    gui.add_argument("--vault", help="vault folder (default: the user's data folder)")
    gui.add_argument("files", nargs="*", help="files to import on start (Open with Clipper)")
    gui.set_defaults(func=_run_gui)
    return parser


def _run_gui(args) -> int:
    from clipper.qt.app import main as gui_main

    argv = []
    if args.vault:
        argv += ["--vault", args.vault]
    return gui_main(argv + list(args.files))


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
