"""Crash safety: kill -9 during imports, edits, tag changes, deletes and reindex loses nothing.

Fast variant here; ``CLIPPER_SLOW=1`` (or ``scripts/fault_injection.py``) runs the long one.
"""

from __future__ import annotations

import os

import pytest

from tests.robustness.crash import OPS, op_kill_trials, random_kill_trials

SLOW = bool(os.environ.get("CLIPPER_SLOW"))


def test_kill9_at_random_moments(tmp_path):
    figures = random_kill_trials(tmp_path, trials=120 if SLOW else 6, seed=11, max_delay=1.5 if SLOW else 0.8)
    assert figures.failures == []
    assert (figures.lost, figures.corrupted, figures.index_wrong) == (0, 0, 0)
    assert figures.killed_mid_op >= 1


@pytest.mark.parametrize("kind", OPS)
def test_death_after_every_file_operation(tmp_path, kind):
    figures, counts = op_kill_trials(tmp_path, kinds=[kind], other_samples=40 if SLOW else 3)
    assert counts[kind] > 0
    assert figures.failures == []
    assert (figures.lost, figures.corrupted, figures.index_wrong) == (0, 0, 0)
    assert figures.temps_left_after_restart == 0
