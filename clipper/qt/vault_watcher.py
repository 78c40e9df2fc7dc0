"""Watching the vault for notes that arrive, change or go while the app runs (another program, the
CLI, a sync engine), so that the list follows without F5.

A QFileSystemWatcher watches every folder that may hold notes (inotify on Linux: a folder's
entries, not its files' contents) plus the open note's file. What it reports is collected and
handed on once things are quiet for a moment (``QUIET_MS``), or at the latest after ``MAX_WAIT_MS``
while a sync engine keeps writing: a burst of 1,000 arriving files is one ``changed`` signal, and
the window makes it one call of ``Library.sync_changed``. Folders the watcher cannot take (an
inotify limit, a huge vault) are polled instead: their modification times are compared every
``POLL_MS`` on a worker thread. Listing the folders runs on that worker too, never on the GUI
thread. Files edited in place in a folder without a watch are caught by the window's periodic
full refresh.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer, Signal

from clipper.qt.widgets import single_shot
from clipper.qt.workers import TaskRunner

QUIET_MS = 400
MAX_WAIT_MS = 2500
POLL_MS = 3000
MAX_WATCHED = 4000  # folders given to the watcher; the rest are polled


def folder_times(folders) -> dict[str, int]:
    """Modification times of ``folders`` (runs on the worker)."""
    out = {}
    for folder in folders:
        try:
            out[folder] = os.stat(folder).st_mtime_ns
        except OSError:
            out[folder] = -1
    return out


class VaultWatcher(QObject):
    """``changed(paths)``: folders or files (absolute paths) whose entries changed."""

    changed = Signal(list)

    def __init__(self, list_folders, parent=None, *, quiet_ms: int = QUIET_MS, max_wait_ms: int = MAX_WAIT_MS,
                 poll_ms: int = POLL_MS, max_watched: int = MAX_WATCHED):
        """``list_folders()`` gives the folders to watch (``Library.watch_folders``)."""
        super().__init__(parent)
        self._list_folders = list_folders
        self._max_watched = max_watched
        self._watcher = QFileSystemWatcher(self)
        self._watcher.directoryChanged.connect(self._on_change)
        self._watcher.fileChanged.connect(self._on_file_change)
        self._worker = TaskRunner("watch", self)
        self._pending: set[str] = set()
        self._quiet = single_shot(self, quiet_ms, self.flush)
        self._deadline = single_shot(self, max_wait_ms, self.flush)
        self._poll = QTimer(self)
        self._poll.setInterval(poll_ms)
        self._poll.timeout.connect(self._poll_folders)
        self._polled: dict[str, int] = {}  # folder -> mtime, for those without a watch
        self._file: str | None = None
        self._listing = False
        self._stopped = False

    # -- what is watched ---------------------------------------------------------------------
    def start(self) -> None:
        """(Re)list the folders on the worker, then watch them."""
        if self._stopped or self._listing:
            return
        self._listing = True
        self._worker.submit(self._list_folders, label="list folders", done=self._set_folders,
                            failed=lambda _exc: setattr(self, "_listing", False))

    def _set_folders(self, folders) -> None:
        self._listing = False
        if self._stopped:
            return
        wanted = [str(f) for f in folders]
        have = set(self._watcher.directories())
        gone = [f for f in have if f not in set(wanted)]
        if gone:
            self._watcher.removePaths(gone)
        room = max(0, self._max_watched - (len(have) - len(gone)))
        new = [f for f in wanted if f not in have]
        failed = self._watcher.addPaths(new[:room]) if new[:room] else []
        unwatched = list(failed) + new[room:]
        self._polled = {f: self._polled.get(f, -1) for f in unwatched}
        if self._polled:
            if not self._poll.isActive():
                self._poll.start()
            self._worker.submit(folder_times, list(self._polled), label="folder times", done=self._take_times)
        else:
            self._poll.stop()

    def watched(self) -> list[str]:
        return sorted(self._watcher.directories())

    def polled(self) -> list[str]:
        return sorted(self._polled)

    def watch_file(self, path: Path | None) -> None:
        """Also watch this file (the open note: edits in place show at once)."""
        new = str(path) if path is not None else None
        if self._file and self._file != new and self._file in self._watcher.files():
            self._watcher.removePath(self._file)
        self._file = new
        if new and new not in self._watcher.files() and os.path.isfile(new):
            self._watcher.addPath(new)

    def stop(self) -> None:
        self._stopped = True
        for timer in (self._quiet, self._deadline, self._poll):
            timer.stop()
        paths = self._watcher.directories() + self._watcher.files()
        if paths:
            self._watcher.removePaths(paths)
        self._worker.shutdown(wait=False)

    # -- what changed ------------------------------------------------------------------------
    def _on_change(self, path: str) -> None:
        self._pending.add(path)
        self._quiet.start()  # restarts: waits for the burst to end…
        if not self._deadline.isActive():
            self._deadline.start()  # …but not for ever

    def _on_file_change(self, path: str) -> None:
        self._on_change(path)
        # a file replaced by a rename (how editors and Clipper save) loses its watch
        QTimer.singleShot(0, lambda: self.watch_file(Path(path)) if self._file == path else None)

    def flush(self) -> None:
        """Hand on what changed since the last time (at once)."""
        self._quiet.stop()
        self._deadline.stop()
        if not self._pending or self._stopped:
            return
        paths = sorted(self._pending)
        self._pending = set()
        self.changed.emit(paths)
        self.start()  # a folder may have come or gone: watch the new list

    def _poll_folders(self) -> None:
        if self._stopped or not self._polled or self._worker.busy:
            return
        self._worker.submit(folder_times, list(self._polled), label="poll folders", done=self._take_times)

    def _take_times(self, times) -> None:
        """Folders whose time moved since it was last taken have changed."""
        if self._stopped:
            return
        for folder, mtime in times.items():
            before = self._polled.get(folder)
            if before is None:
                continue  # watched now, or gone from the list
            if before != -1 and mtime != before:
                self._on_change(folder)
            self._polled[folder] = mtime
