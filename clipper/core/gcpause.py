"""Pausing the cyclic garbage collector around a burst of objects it has nothing to find in.

Comparing a big folder's files with the catalog (the file watcher saw the folder change: an
import, a sync) makes a few hundred thousand tuples and dict entries (a path, a size and a time
per note, on each side), all freed by their reference counts when the comparison ends. While
they live, their number sets off the cyclic collector again and again, full (generation 2)
collections among them, each holding the GIL while it passes over every object of the process:
on a 100,000-note vault 50-150 ms each, run by the thread that compares while the window waits
for the GIL. None of those objects is part of a cycle, so the collector has nothing to find in
them: it is paused while they are made and used, and they are freed before it resumes.

The warm-up of the extraction libraries (pipeline.warm_up) pauses it too: the objects it makes
live as long as the process, and passes over them find nothing either.

The pause is process-wide (the collector is) and nests across threads: the collector is
enabled again when the last pause ends, and only if it was enabled when the first began.
"""

from __future__ import annotations

import gc
import threading
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_was_enabled = False


@contextmanager
def collector_paused():
    """No cyclic garbage collection while the block runs (reference counting goes on)."""
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()
