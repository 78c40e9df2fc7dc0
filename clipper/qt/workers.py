"""Background work: plain functions run on one worker thread, results come back as queued signals.

A :class:`TaskRunner` owns a single-thread executor, so all the tasks of one runner run one at a
time and in order. The main window has two: the *writer* (every change to the vault and index:
imports, saves, tags, delete, refresh) and the *reader* (searches, suggestions). Workers never
touch widgets: the callbacks given to :meth:`TaskRunner.submit` run on the GUI thread.

Long functions take ``progress(done, total, message)`` and ``cancel`` (a ``threading.Event``)
like the core's functions do; :class:`Task` throttles the progress signals so that 5,000 files
do not become 5,000 signals.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from PySide6.QtCore import QObject, Qt, Signal

log = logging.getLogger(__name__)

PROGRESS_INTERVAL = 0.1  # seconds between two progress signals of one task


class Task:
    """One submitted call; ``cancel`` is the Event handed to the function when it asks for one."""

    def __init__(self, runner: TaskRunner, task_id: int, label: str):
        self.runner = runner
        self.id = task_id
        self.label = label
        self.cancel = threading.Event()
        self._last_progress = 0.0

    def progress(self, done: int, total: int, message: str = "") -> None:
        """Called from the worker thread; forwards at most one signal per PROGRESS_INTERVAL."""
        now = time.monotonic()
        if done < total and now - self._last_progress < PROGRESS_INTERVAL:
            return
        self._last_progress = now
        self.runner.progress.emit(self.id, int(done), int(total), str(message))


class TaskRunner(QObject):
    """Runs submitted functions one at a time on a background thread."""

    progress = Signal(int, int, int, str)  # task id, done, total, message
    busy_changed = Signal(bool)
    idle = Signal()  # nothing queued or running any more
    _finished = Signal(int, object, object)  # task id, result, exception (worker -> GUI thread)

    def __init__(self, name: str, parent: QObject | None = None, reads_only: bool = False):
        super().__init__(parent)
        self.name = name
        # A runner of reads drops what is submitted after shutdown (a result arriving while the
        # window closes may ask for one more read); a writer raises: a change must never vanish.
        self.reads_only = reads_only
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"clipper-{name}")
        self._ids = itertools.count(1)
        self._callbacks: dict[int, tuple[Callable | None, Callable | None]] = {}
        self._closed = False
        self._finished.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def busy(self) -> bool:
        return bool(self._callbacks)

    def submit(self, fn: Callable, *args, done: Callable | None = None, failed: Callable | None = None,
               label: str = "", with_progress: bool = False, **kwargs) -> Task | None:
        """Queue ``fn(*args, **kwargs)``; ``done(result)`` or ``failed(exc)`` run on the GUI thread.

        With ``with_progress`` the function also gets ``progress=`` and ``cancel=`` keywords.
        """
        if self._closed:
            if self.reads_only:
                log.debug("%s: %s dropped, the worker is shut down", self.name, label or fn)
                return None
            raise RuntimeError(f"the {self.name} worker is shut down")
        task = Task(self, next(self._ids), label or getattr(fn, "__name__", "task"))
        if with_progress:
            kwargs = dict(kwargs, progress=task.progress, cancel=task.cancel)
        was_busy = self.busy
        self._callbacks[task.id] = (done, failed)
        self._executor.submit(self._run, task, fn, args, kwargs)
        if not was_busy:
            self.busy_changed.emit(True)
        return task

    def _run(self, task: Task, fn, args, kwargs) -> None:
        try:
            result = fn(*args, **kwargs)
        except BaseException as exc:  # delivered to the GUI thread, never lost
            if not isinstance(exc, Exception):
                log.exception("task %s aborted", task.label)
            self._finished.emit(task.id, None, exc)
        else:
            self._finished.emit(task.id, result, None)

    def _deliver(self, task_id: int, result, exc) -> None:
        done, failed = self._callbacks.pop(task_id, (None, None))
        try:
            if exc is not None:
                if failed is not None:
                    failed(exc)
                else:
                    log.error("background task failed: %s", exc, exc_info=exc)
            elif done is not None:
                done(result)
        finally:
            if not self._callbacks:
                self.busy_changed.emit(False)
                self.idle.emit()

    def shutdown(self, wait: bool = True) -> None:
        """Stop taking tasks; with ``wait`` finish the queued ones first (a writer must not lose work)."""
        self._closed = True
        self._executor.shutdown(wait=wait, cancel_futures=not wait)
