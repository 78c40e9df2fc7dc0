"""The GUI entry point: ``clipper-gui [--vault DIR] [FILES...]`` (also ``clipper gui``).

``main()`` creates the QApplication and the QSettings, opens the library without waiting for the
index (the window appears at once while it catches up), imports FILES ("Open with Clipper"),
and shows a dialog, not a traceback, when start-up fails. When Clipper already runs on the same
vault, a launch hands its FILES to that window and exits (``clipper.qt.instance``).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import traceback
from pathlib import Path

log = logging.getLogger(__name__)


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="clipper-gui", description="The Clipper desktop app.")
    parser.add_argument("--vault", help="vault folder (default: the user's data folder)")
    parser.add_argument("--new-window", action="store_true",
                        help="start another window even if Clipper already runs on this vault")
    parser.add_argument("--settings", help=argparse.SUPPRESS)  # an INI file (tests, benchmarks)
    parser.add_argument("--quit-after-results", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("files", nargs="*", help="files to import on start (Open with Clipper)")
    args, _qt_args = parser.parse_known_args(argv)
    return args


def _vault_has_notes(vault: Path) -> bool:
    """Cheap: stops at the first note file."""
    try:
        with os.scandir(vault) as entries:
            for entry in entries:
                if entry.name.endswith(".md") and not entry.name.startswith("."):
                    return True
                if (entry.is_dir() and not entry.name.startswith(".") and entry.name != "attachments"
                        and _vault_has_notes(Path(entry.path))):
                    return True
    except OSError:
        return False
    return False


def _clear_clipboard(app) -> None:
    # A QMimeData of ours left on the clipboard crashes the interpreter's exit (offscreen).
    try:
        app.clipboard().clear()
    except RuntimeError:
        pass


def _resource(name: str) -> Path | None:
    """A file of ``resources/``: source tree, wheel install or bundle (see ``clipper.resources``)."""
    from clipper.resources import resource_path

    try:
        return resource_path(*name.split("/"))
    except FileNotFoundError:
        return None


def start(argv=None, app=None):
    """Build everything and return ``(app, window, lib)``; raises on failure (``main`` shows it)."""
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from clipper.core import limits
    from clipper.core.paths import default_vault
    from clipper.qt.settings import Settings, open_settings

    args = parse_args(list(sys.argv[1:] if argv is None else argv))
    limits.set_native_threads()  # Qt runs threads Python does not count: the core must not fork
    if app is None:
        app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "clipper-gui"])
    app.setApplicationName("Clipper")
    app.setOrganizationName("Clipper")
    app.setApplicationDisplayName("Clipper")
    app.setDesktopFileName("io.github.clipper.Clipper")
    icon = _resource("icons/io.github.clipper.Clipper.svg")
    if icon is not None:
        app.setWindowIcon(QIcon(str(icon)))
    settings = Settings(open_settings(args.settings))
    from clipper.qt import theme

    theme.apply(app, settings.get("appearance"))  # before the first widget: no flash of the other

    vault = Path(args.vault or settings.get("vault") or default_vault()).expanduser()
    if not args.new_window:
        from clipper.qt.instance import hand_off

        if hand_off(vault, args.files):  # Clipper already runs on this vault: it imports them
            print(f"clipper: handed {len(args.files)} file(s) to the running Clipper", file=sys.stderr)
            return app, None, None
    first_start = not settings.get("welcomed") and not _vault_has_notes(vault)

    from clipper import Library
    from clipper.qt.main_window import MainWindow

    lib = Library.open(vault, wait=False)
    window = MainWindow(lib, settings)
    _listen_for_later_launches(app, window, vault)
    app.aboutToQuit.connect(lambda: _clear_clipboard(app))
    app.aboutToQuit.connect(window.close)  # drains the writer (pending saves) before the library closes
    app.aboutToQuit.connect(lambda: _close_library(window.lib))  # the vault open now (Settings may
    # have switched it)
    window.show()
    if first_start:
        window.create_welcome_note()
        settings.set("welcomed", True)
    if args.files:
        window.import_paths([Path(f) for f in args.files])
    if args.quit_after_results:
        window.results_shown.connect(lambda: _report_and_quit(app, window.results_model.rowCount()))
    return app, window, lib


def _listen_for_later_launches(app, window, vault: Path) -> None:
    """Files from a later launch on this vault ("Open with Clipper") or, on macOS, from a
    QFileOpenEvent are imported into this window, which comes to the front."""
    from clipper.qt.instance import FileOpenFilter, InstanceServer

    def take(files):
        window.import_paths([Path(f) for f in files])

    def to_front():
        if window.isMinimized():
            window.showNormal()
        window.raise_()
        window.activateWindow()

    def listen(folder: Path) -> None:
        if window.instance_server is not None:
            window.instance_server.close()
        server = InstanceServer(folder, window)
        server.files_received.connect(take)
        server.activate_requested.connect(to_front)
        window.instance_server = server

    listen(vault)
    window.vault_switched.connect(listen)  # launches on the vault now open come to this window
    if sys.platform == "darwin":  # a global event filter costs a Python call per event: macOS only
        opener = FileOpenFilter(window)
        opener.files_received.connect(take)
        app.installEventFilter(opener)


def _report_and_quit(app, count: int) -> None:
    import time

    print(f"RESULTS_SHOWN {time.time():.6f} {count}", flush=True)
    app.quit()


def _close_library(lib) -> None:
    try:
        lib.close()
    except Exception as exc:  # closing must not turn quitting into a crash
        log.warning("closing the library failed: %s", exc)


def _show_startup_error(app, exc: BaseException) -> None:
    from PySide6.QtWidgets import QMessageBox

    details = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    box = QMessageBox(QMessageBox.Icon.Critical, "Clipper cannot start",
                      f"Clipper could not start:\n\n{exc or type(exc).__name__}")
    box.setDetailedText(details)
    box.exec()


def main(argv=None) -> int:
    """Run the app; returns the exit code."""
    try:
        from PySide6.QtWidgets import QApplication
    except ImportError as exc:  # no Qt to show a dialog with: say it plainly
        print(f"clipper: the desktop app needs PySide6 and Qt's system libraries ({exc}).\n"
              "See the README (scripts/setup.sh installs them on Debian/Ubuntu); "
              "the command line (`clipper --help`) works without them.", file=sys.stderr)
        return 1

    logging.basicConfig(level=logging.WARNING, format="clipper: %(levelname)s: %(message)s")
    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "clipper-gui"])
    try:
        app, window, _lib = start(argv, app)
        if window is None:  # handed over to the running app
            return 0
    except Exception as exc:
        print(f"clipper: cannot start: {exc}", file=sys.stderr)
        _show_startup_error(app, exc)
        _clear_clipboard(app)
        return 1
    code = app.exec()
    _clear_clipboard(app)
    return int(code)


if __name__ == "__main__":
    sys.exit(main())
