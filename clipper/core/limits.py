"""Size, time and memory limits for untrusted input; risky work runs in a child process.

``run_limited(func, *args)`` runs ``func(*args)`` in a child process with an address-space
limit and a wall-clock limit and returns its result (or raises the child's ClipperError, or
``ExtractionTimeout``). ``run_many(calls, jobs=2)`` does the same for many calls, ``jobs`` at a
time, yielding ``(index, result_or_exception)`` in the order given.

Limits (see README): inputs over ``MAX_FILE_BYTES`` are refused before reading; page markup over
``MAX_HTML_CHARS`` (after embedded images are taken out) or with more than ``MAX_ELEMENTS``
elements is refused; extraction and conversion
of one input get ``TIME_LIMIT`` seconds and ``MEMORY_LIMIT`` bytes of memory.
Work done once per machine inside a call (a word list or table written to the user cache, see
:mod:`wordlists`) runs under ``with untimed():`` and does not count against the call's time
limit (up to ``UNTIMED_MAX`` seconds): on a slow or busy machine the first mangled page of a
language would otherwise time out while its word lists are written, and again at every try.
An idle worker waits ``SPARE_SECONDS`` for the next call of the same kind (imports one at a
time do not fork a big process each). Set ``CLIPPER_IN_PROCESS=1`` to run in-process
(debugging only: no time or memory limit).
"""

from __future__ import annotations

import gc
import os
import queue
import sys
import threading
import time
import weakref
from contextlib import contextmanager
from multiprocessing import connection, get_context

from clipper.core import errors
from clipper.core.errors import ClipperError, ExtractionTimeout, InputError

MAX_FILE_BYTES = 64 * 1024 * 1024  # larger files are refused before reading
MAX_HTML_CHARS = 10 * 1024 * 1024  # page markup after data: images are taken out
MAX_ELEMENTS = 30_000  # HTML elements in a page (after inline <span>/<font> wrappers are dropped)
TIME_LIMIT = 20.0  # seconds per input (decode + extract + convert)
UNTIMED_MAX = 120.0  # seconds of once-per-machine work a call may do outside its time limit
MEMORY_LIMIT = 1536 * 1024 * 1024  # bytes of address space the work may add


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.0f} MB"


def check_size(size: int, what: str = "the file") -> None:
    if size > MAX_FILE_BYTES:
        raise errors.TooLargeError(
            f"{what} is too large ({_mb(size)}; the limit is {_mb(MAX_FILE_BYTES)})")


def check_html_size(chars: int) -> None:
    if chars > MAX_HTML_CHARS:
        raise errors.TooLargeError(
            f"the page is too large to import ({_mb(chars)} of markup; the limit is {_mb(MAX_HTML_CHARS)})")


def check_elements(count: int) -> None:
    if count > MAX_ELEMENTS:
        raise errors.TooLargeError(
            f"the page has too many elements to import ({count:,}; the limit is {MAX_ELEMENTS:,})")


def _vm_size() -> int:
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0


def _run_one(func, args, memory: int):
    try:
        return ("ok", func(*args))
    except ClipperError as exc:
        return ("err", type(exc).__name__, str(exc))
    except MemoryError:
        return ("err", "ExtractionTimeout", f"the page needs too much memory (limit {_mb(memory)})")
    except RecursionError:
        return ("err", "InputError", "the page is nested too deeply to convert")
    except Exception as exc:  # noqa: BLE001 -- any library failure becomes a one-line error
        msg = " ".join(str(exc).split())[:200]
        return ("err", "InputError", f"cannot convert this input ({type(exc).__name__}: {msg})")


#: The parent's ends of the workers' pipes. A forked child inherits a copy of every one (its own
#: included) and must close them: a pipe end still open in a child means the worker on the other
#: side never sees EOF when the parent dies, and lives on forever.
_PARENT_ENDS: weakref.WeakSet = weakref.WeakSet()
#: How often a worker's watchdog checks that its parent is still there.
PARENT_CHECK_SECONDS = 2.0


def _close_inherited(keep) -> None:
    for end in list(_PARENT_ENDS):
        if end is not keep:
            try:
                end.close()
            except OSError:
                pass
    _PARENT_ENDS.clear()
    # A fork server's child gets a copy of the "client alive" pipe, so that it could start
    # processes itself; a worker never does, and the copy would keep the fork server (and so
    # the worker's own PR_SET_PDEATHSIG) from noticing that the app is gone.
    forkserver = sys.modules.get("multiprocessing.forkserver")  # (no fork server without it)
    try:
        fd = forkserver._forkserver._forkserver_alive_fd
        if fd is not None:
            forkserver._forkserver._forkserver_alive_fd = None
            os.close(fd)
    except (AttributeError, OSError):
        pass


def _die_with_parent(parent_pid: int | None) -> None:
    """Linux: have the kernel kill this process when its parent dies, even in the middle of a
    call (PR_SET_PDEATHSIG), a second guard besides the pipes' EOF."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes
            import signal

            ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL), 0, 0, 0)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError, ValueError):
            pass
    if parent_pid is not None and os.getppid() != parent_pid:  # it died before that was set
        os._exit(0)


def _watch_parent(parent_pid: int | None) -> None:
    """Everywhere: a watchdog thread ends this process once it is handed to another parent
    (the parent died), mid-call too: where there is no PR_SET_PDEATHSIG."""
    parent = parent_pid or os.getppid()

    def watch() -> None:
        while True:
            time.sleep(PARENT_CHECK_SECONDS)
            if os.getppid() != parent:
                os._exit(0)

    threading.Thread(target=watch, name="clipper-parent-watch", daemon=True).start()


def _worker(conn, memory: int, parent_pid: int | None = None) -> None:
    """A child process: run calls from ``conn`` one at a time, send each result back; ends when
    the parent closes its end, sends None, or dies."""
    _close_inherited(conn)
    _die_with_parent(parent_pid)
    _watch_parent(parent_pid)
    try:
        import resource

        limit = _vm_size() + memory
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, ValueError, OSError):
        pass
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 5000))
    # A page's work makes hundreds of thousands of short-lived objects (word tuples, element
    # proxies) and no cycles worth collecting early: at the default threshold the collector ran
    # ~10 times per page (a few per cent of the time); memory is bounded by the limit above.
    gc.set_threshold(max(gc.get_threshold()[0], 10_000), *gc.get_threshold()[1:])
    while True:
        try:
            call = conn.recv()
        except (EOFError, OSError):
            break
        if call is None:
            break
        func, args, *timed = call
        if timed:  # run_many times the call: once-per-machine work stops its clock
            _CLOCK.append(conn)
        try:
            result = _run_one(func, args, memory)
        finally:
            _CLOCK.clear()
        try:
            conn.send(result)
        except Exception as exc:  # noqa: BLE001 -- e.g. a result too large or unpicklable
            conn.send(("err", "InputError", f"cannot return the result ({type(exc).__name__})"))
        if result[0] == "err" and result[1] == "ExtractionTimeout":
            break  # after running out of memory, start afresh
    conn.close()


_CLOCK: list = []  # in a worker running a timed call: the pipe to the parent that times it
_UNTIMED_DEPTH = [0]
_STOP, _GO = ("clock", "stop"), ("clock", "go")


@contextmanager
def untimed():
    """Once-per-machine work (cache files written) that the running call's time limit does
    not count: the parent stops the call's clock meanwhile, for ``UNTIMED_MAX`` seconds at
    most (a build that hangs still ends). Nothing happens outside a timed worker."""
    conn = _CLOCK[0] if _CLOCK and not _UNTIMED_DEPTH[0] else None
    _UNTIMED_DEPTH[0] += 1
    try:
        if conn is not None:
            _tell(conn, _STOP)
        yield
    finally:
        _UNTIMED_DEPTH[0] -= 1
        if conn is not None:
            _tell(conn, _GO)


def _tell(conn, message) -> None:
    try:
        conn.send(message)
    except (OSError, ValueError):  # the parent is gone: the watchdog ends this worker
        pass


def _unpack(result):
    if result[0] == "ok":
        return result[1]
    cls = getattr(errors, result[1], InputError)
    if not (isinstance(cls, type) and issubclass(cls, ClipperError)):
        cls = InputError
    return cls(result[2])


_native_threads = False  # set by the app: threads outside Python's count (Qt's) may run


def set_native_threads(running: bool = True) -> None:
    """The app says that threads Python does not count run beside it (the GUI's): never fork then.

    The core does not guess this from what is imported; the Qt layer calls it at start-up."""
    global _native_threads
    _native_threads = running


#: threads of the core that never hold what a forked child needs (the index's background
#: merge: its own files and locks only), so that a fork stays safe while they run
_FORK_SAFE: weakref.WeakSet = weakref.WeakSet()


def fork_safe(thread: threading.Thread) -> threading.Thread:
    """Mark ``thread`` as one that does not make forking unsafe (see :data:`_FORK_SAFE`)."""
    _FORK_SAFE.add(thread)
    return thread


def _other_threads() -> int:
    """Threads besides this one that make a fork unsafe."""
    return threading.active_count() - 1 - sum(1 for t in list(_FORK_SAFE) if t.is_alive())


def _context():
    if sys.platform.startswith("linux") and _other_threads() == 0 and not _native_threads:
        return get_context("fork")  # cheap: the child shares the already imported libraries
    if sys.platform.startswith("linux") or sys.platform == "darwin":
        ctx = get_context("forkserver")  # fork is unsafe with threads running (the GUI)
        # (pasted text's modules too: each paste's child imported them, ~50 ms, on every paste)
        ctx.set_forkserver_preload(["clipper.core.pipeline", "clipper.core.extract", "clipper.core.convert",
                                    "clipper.core.inputs", "clipper.core.plaintext", "trafilatura",
                                    "readability"])
        return ctx
    return get_context("spawn")


def forks_here() -> bool:
    """Whether child processes are forked from this process (else: a fork server, or spawned)."""
    return _context().get_start_method() == "fork"


def in_process() -> bool:
    return os.environ.get("CLIPPER_IN_PROCESS") == "1"


def run_limited(func, *args, timeout: float = TIME_LIMIT, memory: int = MEMORY_LIMIT):
    """``func(*args)`` in a child process within the limits; raises its ClipperError."""
    for _index, result in run_many([(func, args)], jobs=1, timeout=timeout, memory=memory):
        if isinstance(result, BaseException):
            raise result
        return result
    raise InputError("no result")  # pragma: no cover


def run_many(calls, jobs: int = 2, timeout: float = TIME_LIMIT, memory: int = MEMORY_LIMIT, order=None):
    """Run ``(func, args)`` calls in child processes, ``jobs`` at a time; yield in order.
    ``order``: the indices of the calls in the order to start them (default: as given)."""
    calls = list(calls)
    if in_process():
        for i, (func, args) in enumerate(calls):
            try:
                yield i, func(*args)
            except ClipperError as exc:
                yield i, exc
        return
    ctx = _context()
    starts = list(order) if order is not None else list(range(len(calls)))
    if sorted(starts) != list(range(len(calls))):
        raise ValueError("order must hold each call's index once")
    pending = [(i, calls[i]) for i in starts][::-1]
    idle: list = []  # (conn, proc) of workers waiting for a call
    running: dict = {}  # conn -> (index, process, deadline)
    paused: dict = {}  # conn -> seconds its call had left when its clock was stopped
    done: dict = {}
    next_out = 0

    def start_worker():
        return _take_spare(memory) or _start_worker(ctx, memory)

    stop = _stop_worker

    try:
        while pending or running:
            while pending and len(running) < max(1, jobs):
                i, call = pending.pop()
                conn, proc = idle.pop() if idle else start_worker()
                try:
                    conn.send((*call, True))
                except Exception as exc:  # noqa: BLE001 -- e.g. unpicklable arguments
                    stop(conn, proc, kill=True)
                    done[i] = InputError(f"cannot start the import ({type(exc).__name__})")
                    continue
                running[conn] = (i, proc, time.monotonic() + timeout)
            if running:
                now = time.monotonic()
                wait_for = max(0.0, min(d for _, _, d in running.values()) - now)
                ready = connection.wait(list(running), timeout=wait_for)
            else:
                ready = []
            for conn in ready:
                i, proc, deadline = running.pop(conn)
                try:
                    result = conn.recv()
                except (EOFError, OSError):
                    proc.join(1)
                    code = proc.exitcode
                    done[i] = ExtractionTimeout(
                        "the import stopped unexpectedly (out of memory or a crash"
                        + (f", signal {-code})" if code and code < 0 else ")"))
                    stop(conn, proc, kill=True)
                    paused.pop(conn, None)
                    continue
                if result in (_STOP, _GO):  # once-per-machine work: its time is not counted
                    now = time.monotonic()
                    if result == _STOP:
                        paused[conn] = max(0.0, deadline - now)
                        deadline = now + UNTIMED_MAX
                    elif conn in paused:
                        deadline = now + paused.pop(conn)
                    running[conn] = (i, proc, deadline)
                    continue
                paused.pop(conn, None)
                done[i] = _unpack(result)
                if result[0] == "err" and result[1] == "ExtractionTimeout":
                    stop(conn, proc, kill=False)
                else:
                    idle.append((conn, proc))
            now = time.monotonic()
            for conn, (i, proc, deadline) in list(running.items()):
                if now >= deadline:
                    del running[conn]
                    paused.pop(conn, None)
                    stop(conn, proc, kill=True)
                    done[i] = ExtractionTimeout(f"the page took too long to import (limit {timeout:.0f} s)")
            while next_out in done:
                yield next_out, done.pop(next_out)
                next_out += 1
    finally:
        if idle and not running and _keep_spare(memory, *idle[-1]):
            idle.pop()
        for conn, proc in idle:
            stop(conn, proc, kill=False)
        for conn, (_i, proc, _d) in running.items():
            stop(conn, proc, kill=True)


#: seconds an idle worker waits for the next call of the same kind before it is stopped. A
#: worker forked from a process holding a big index costs more to start than the call itself
#: (fork copies the page tables: at 1 GB resident ~50 ms of CPU, half a second on a busy
#: machine, for a note that takes 15 ms to extract), so one-at-a-time imports share one.
SPARE_SECONDS = 15.0
#: memory limit -> (conn, process, timer). Not keyed by the start method a worker was made
#: with: a running worker serves a call the same whichever way it began, and the way changes
#: within a process (fork only while no other thread runs). Keyed by it, a library reopened on
#: a big vault (its files compared in a background thread for a few seconds: fork server)
#: forked a second worker for the next import once that thread ended: +50-70 ms of CPU, the
#: slowest of search_bench's ten adds after the first.
_SPARES: dict = {}
_SPARES_LOCK = threading.Lock()


def _keep_spare(memory: int, conn, proc) -> bool:
    """Keep an idle worker for the next call (see SPARE_SECONDS); False if one is kept already."""
    timer = threading.Timer(SPARE_SECONDS, _expire_spare, args=(memory, conn))
    timer.daemon = True
    fork_safe(timer)  # it only stops a worker
    with _SPARES_LOCK:
        if memory in _SPARES:
            return False
        _SPARES[memory] = (conn, proc, timer)
    timer.start()
    return True


def _take_spare(memory: int):
    """(connection, process) of the idle worker kept for calls with this memory limit, or None."""
    with _SPARES_LOCK:
        got = _SPARES.pop(memory, None)
    if got is None:
        return None
    conn, proc, timer = got
    timer.cancel()
    try:
        gone = not proc.is_alive() or conn.poll()  # anything to read now: EOF (it ended)
    except (EOFError, OSError, ValueError):
        gone = True
    if gone:
        _stop_worker(conn, proc, kill=True)
        return None
    return conn, proc


def _expire_spare(key, conn) -> None:
    with _SPARES_LOCK:
        got = _SPARES.get(key)
        if got is None or got[0] is not conn:
            return
        del _SPARES[key]
    _stop_worker(got[0], got[1], kill=False)


def stop_spares() -> None:
    """Stop the idle workers kept for later calls (tests; a process about to fork a lot)."""
    with _SPARES_LOCK:
        spares = list(_SPARES.values())
        _SPARES.clear()
    for conn, proc, timer in spares:
        timer.cancel()
        _stop_worker(conn, proc, kill=False)


def _start_worker(ctx, memory: int):
    """(connection, process) of a new child running :func:`_worker`."""
    if ctx.get_start_method() == "fork":
        gc.freeze()  # children would otherwise copy every page the collector touches
    here, there = ctx.Pipe(duplex=True)
    _PARENT_ENDS.add(here)
    # A forked child's parent is this process; a fork server's child has the server as parent.
    parent_pid = os.getpid() if ctx.get_start_method() == "fork" else None
    proc = ctx.Process(target=_worker, args=(there, memory, parent_pid), daemon=True)
    try:
        proc.start()
    except BaseException:
        _PARENT_ENDS.discard(here)
        here.close()
        there.close()
        raise
    there.close()
    return here, proc


def _stop_worker(conn, proc, kill: bool) -> None:
    """Stop a :func:`_start_worker` child: asked to end (or killed), waited for, closed."""
    if kill:
        proc.kill()
    else:
        try:
            conn.send(None)
        except OSError:
            proc.kill()
    proc.join(5)
    if proc.is_alive():
        proc.kill()
        proc.join(1)
    _PARENT_ENDS.discard(conn)
    conn.close()


class Helper:
    """One child process that runs calls in the order sent, so that CPU-bound work overlaps
    with the caller's own (a first index build analyses text in it on the second core).

    ``send`` queues a call, ``ready`` tells whether the oldest queued call has finished,
    ``result`` returns it (or raises: the child's error, or ExtractionTimeout when the child
    is gone). Any failure leaves the caller to do the work itself."""

    def __init__(self, memory: int = MEMORY_LIMIT):
        self._conn, self._proc = _start_worker(_context(), memory)
        self.queued = 0
        # Calls go out from a thread of their own: a call and a result both larger than the
        # pipe's buffer would otherwise block each side on its send (a deadlock).
        self._outbox: queue.SimpleQueue = queue.SimpleQueue()
        self._sender = threading.Thread(target=self._send_all, name="clipper-helper-send", daemon=True)
        self._sender.start()

    def _send_all(self) -> None:
        while True:
            call = self._outbox.get()
            if call is None:
                return
            try:
                self._conn.send(call)
            except Exception:  # noqa: BLE001 -- a dead child or an unpicklable call: result() reports it
                try:
                    self._proc.kill()
                except Exception:  # noqa: BLE001
                    pass
                return

    def send(self, func, *args) -> bool:
        if not self._sender.is_alive():
            return False
        self._outbox.put((func, args))
        self.queued += 1
        return True

    def ready(self) -> bool:
        try:
            return self._conn.poll()
        except (EOFError, OSError):
            return True  # result() reports it

    def result(self):
        self.queued -= 1
        try:
            got = self._conn.recv()
        except (EOFError, OSError) as exc:
            self._proc.join(1)
            code = self._proc.exitcode
            raise ExtractionTimeout(f"the helper process stopped unexpectedly (exit code {code})") from exc
        value = _unpack(got)
        if isinstance(value, BaseException):
            raise value
        return value

    def close(self, kill: bool = False) -> None:
        """Stop the child once its calls are done (``kill``: at once, its work dropped)."""
        self._outbox.put(None)  # the sender stops once the calls before are sent
        self._sender.join(0 if kill else 2)
        _stop_worker(self._conn, self._proc, kill=kill or self._sender.is_alive())
