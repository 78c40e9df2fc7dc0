"""The collector pause around a folder's comparison (clipper/core/gcpause.py)."""

import gc
import threading

from clipper.core.gcpause import collector_paused


def test_the_collector_is_paused_inside_and_enabled_again_after():
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_pauses_nest_and_the_last_to_end_enables_the_collector():
    entered, leave = threading.Event(), threading.Event()

    def other():
        with collector_paused():
            entered.set()
            leave.wait(5)

    t = threading.Thread(target=other)
    t.start()
    try:
        assert entered.wait(5)
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the other thread's pause goes on
    finally:
        leave.set()
        t.join(5)
    assert gc.isenabled()


def test_a_collector_disabled_before_stays_disabled(monkeypatch):
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_an_error_inside_still_ends_the_pause():
    try:
        with collector_paused():
            raise ValueError("boom")
    except ValueError:
        pass
    assert gc.isenabled()
