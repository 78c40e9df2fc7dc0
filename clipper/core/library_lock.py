"""The library's inter-process write lock: an exclusive ``flock`` on a file in the index folder,
so that the CLI and the app can write to one vault at once, one after the other."""

from __future__ import annotations

import contextlib
import threading
import time
from pathlib import Path

from clipper.core.errors import VaultError

#: how long a writer waits for another process before giving up with a VaultError
LOCK_TIMEOUT = 120.0


class ProcessLock:
    """An exclusive ``flock`` on a file (released by the kernel if the process dies).

    The lock file itself is never deleted. Re-entrant within one process via a counter.
    """

    def __init__(self, path: Path):
        self.path = Path(path)
        self._fh = None
        self._depth = 0
        self._thread_lock = threading.RLock()

    @contextlib.contextmanager
    def hold(self, timeout: float = LOCK_TIMEOUT):
        with self._thread_lock:
            if self._depth == 0:
                self._acquire(timeout)
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
                if self._depth == 0:
                    self._release()

    def _acquire(self, timeout: float) -> None:
        try:
            import fcntl
        except ImportError:  # Windows: in-process lock only
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fh = open(self.path, "a+b")  # noqa: SIM115 - kept open while held
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError:
                if time.monotonic() > deadline:
                    fh.close()
                    raise VaultError("Another Clipper process is busy with this vault; try again") from None
                time.sleep(0.05)
        self._fh = fh

    def _release(self) -> None:
        if self._fh is not None:
            try:
                import fcntl

                fcntl.flock(self._fh.fileno(), fcntl.LOCK_UN)
            finally:
                self._fh.close()
                self._fh = None
