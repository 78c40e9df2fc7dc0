"""Entry point of the PyInstaller bundle: the desktop app by default, the CLI for known commands.

    Clipper                          start the app on the default vault
    Clipper [--vault DIR] FILES...   start the app and import FILES ("Open with Clipper")
    Clipper COMMAND ...              the `clipper` command line (import, search, extract, ...)
    Clipper --version | --help       the command line's version / help
    Clipper -m MODULE ...            run a module (a child process started with sys.executable)
    Clipper -c CODE ...              run Python code inside the bundle (checks, debugging)

Started under the name `clipper` (a symlink, see install-linux.sh) it is always the CLI.
"""

from __future__ import annotations

import multiprocessing
import os
import sys

CLI_FLAGS = {"--version", "-h", "--help"}
CLI_NAMES = {"clipper", "clipper-cli", "clipper-cli.exe"}


def cli_commands() -> set[str]:
    """Names of the `clipper` subcommands, read from the CLI's own parser."""
    import argparse

    from clipper.cli import build_parser

    names: set[str] = set()
    for action in build_parser()._actions:
        if isinstance(action, argparse._SubParsersAction):
            names.update(action.choices)
    return names


def wants_cli(argv: list[str], prog: str = "") -> bool:
    if os.path.basename(prog) in CLI_NAMES:
        return True
    return bool(argv) and (argv[0] in CLI_FLAGS or argv[0] in cli_commands())


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if len(argv) >= 2 and argv[0] == "-m":
        # In a bundle sys.executable is this program, so `sys.executable -m pkg.mod` lands here.
        import runpy

        sys.argv = argv[1:]
        runpy.run_module(argv[1], run_name="__main__", alter_sys=True)
        return 0
    if len(argv) >= 2 and argv[0] == "-c":
        sys.argv = ["-c", *argv[2:]]
        exec(compile(argv[1], "<string>", "exec"), {"__name__": "__main__"})
        return 0
    if wants_cli(argv, sys.argv[0] if sys.argv else ""):
        from clipper.cli import main as cli_main

        return int(cli_main(argv) or 0)
    from clipper.qt.app import main as gui_main

    return int(gui_main(argv) or 0)


if __name__ == "__main__":
    multiprocessing.freeze_support()  # child processes of a frozen app re-enter here
    sys.exit(main())
