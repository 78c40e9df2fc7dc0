"""The line model of pasted text: shipped weights, the best path, teaser-card runs, stops."""

from __future__ import annotations

from clipper.core import textmodel
from clipper.core.textmodel import best_path, blocks_from_lines, card_runs


def test_the_fitted_model_ships_with_the_code():
    w = textmodel.weights()
    assert set(w) >= {"first", "second", "decode1", "decode2", "title"}
    assert set(w["first"]) == set(textmodel.FEATURES)
    assert set(w["second"]) == set(textmodel.FEATURES2)
    assert set(w["title"]) - {"_threshold"} == set(textmodel.TITLE)


def test_best_path_is_one_stretch_that_may_leave_out_a_line_inside():
    em = [-2, -1, 5, 6, -9, 7, 4, -1, -3]
    start, end, dropped = best_path(em, gap=2.0, gap_line=0.5)
    assert (start, end, dropped) == (2, 7, {4})
    # when a gap costs more than the line, the line stays
    assert best_path(em, gap=20.0, gap_line=0.5) == (2, 7, set())
    # a long stretch of chrome is not bridged
    em = [5, 6] + [-1] * 30 + [4]
    assert best_path(em, gap=2.0, gap_line=0.5)[:2] == (0, 2)
    assert best_path([-1, -2], gap=1.0) == (0, 0, set())


def test_card_runs_and_a_section_name_between_them():
    lines = ["Some article text that goes on for a while and ends here with a full stop.", ""]
    cards = [("Headline of another story here", "Its one-sentence summary tells what happened to whom."),
             ("A second story with a headline", "And a summary that is cut off before it ends…"),
             ("Third story about something else", "A short summary of the third story, in one sentence.")]
    for k, (head, summary) in enumerate(cards):
        if k == 2:
            lines += ["Sport", ""]
        lines += [head, summary]
    blocks = blocks_from_lines(lines)
    assert card_runs(blocks) == [(1, len(blocks))]
    assert card_runs(blocks[:5]) == []  # two cards are not a list


def test_an_article_ends_at_its_read_more_line_and_before_comments():
    para = ("The committee met for six hours on Monday and agreed, after a long debate, to publish its "
            "findings before the end of the month, a spokesman for the committee said.")
    blocks = blocks_from_lines([para] * 4 + ["Read the full story at example.com"] + [para] * 3)
    labels = textmodel.article_lines(blocks)
    assert labels.end == 4
    blocks = blocks_from_lines([para] * 4 + ["12 Comments"] + [para] * 6)
    assert textmodel.article_lines(blocks).end == 4
