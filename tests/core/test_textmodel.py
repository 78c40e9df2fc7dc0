"""The line model of pasted text: shipped weights, the best path, teaser-card runs, stops."""

from __future__ import annotations

from clipper.core import phrases, textmodel
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
    # a line ending with a colon announces what follows (an example, a video): not a headline
    announced = [(head + ":", summary) for head, summary in cards]
    assert card_runs(blocks_from_lines([x for pair in announced for x in pair])) == []


def test_an_article_ends_at_its_read_more_line_and_before_comments():
    para = ("The committee met for six hours on Monday and agreed, after a long debate, to publish its "
            "findings before the end of the month, a spokesman for the committee said.")
    blocks = blocks_from_lines([para] * 4 + ["Read the full story at example.com"] + [para] * 3)
    labels = textmodel.article_lines(blocks)
    assert labels.end == 4
    blocks = blocks_from_lines([para] * 4 + ["12 Comments"] + [para] * 6)
    assert textmodel.article_lines(blocks).end == 4


def test_title_candidates_see_an_echoed_headline_a_breadcrumb_and_a_table_row():
    para = ("The committee met for six hours on Monday and agreed, after a long debate, to publish its "
            "findings before the end of the month, a spokesman for the committee said.")
    lines = ["Home > News > Committee agrees to publish its findings",
             "Committee agrees to publish its findings",
             "Name\tVotes\tShare", para, para, para, "Share this: Committee agrees to publish its findings"]
    blocks = blocks_from_lines(lines)
    kept = [i in (3, 4, 5) for i in range(len(blocks))]
    cands = dict(textmodel.title_candidates(blocks, 3, 6, kept, [0.0] * len(blocks)))
    f = {name: k for k, name in enumerate(textmodel.TITLE)}
    crumb, title, row = cands[0], cands[1], cands[2]
    assert title[f["echoed"]] == 1.0 and title[f["holds_other"]] == 0.0
    assert crumb[f["holds_other"]] == 1.0
    assert row[f["tab"]] == 1.0 and title[f["tab"]] == 0.0
    # the shipped ranker prefers the headline to the breadcrumb and the table row
    assert textmodel.pick_title(list(cands.items()), textmodel.weights()["title"]) == 1


# --- the fast paths give what the full tests give ------------------------------------------

_LINES = [
    "We use cookies and share data with our advertising partners.",
    "WE USE COOKIES to improve your BROWSING EXPERIENCE. Opt-out anytime.",
    "Manage your privacy settings or read our Privacy Policy; third party cookies.",
    "Cookies: we use coo\u212aies",  # a Kelvin sign: the patterns' case folding, not str.lower
    "Ihre Privatsphäre: wir nutzen Cookies und Consent-Tools von Drittanbietern.",
    "© 2024 Example News. All rights reserved.",
    "Copyright (C) 2019 The Paper",
    "These statements have not been evaluated by the Food and Drug Administration.",
    "The information on this website is for general purposes only.",
    "An ordinary sentence with an option and personal thoughts, adopted by many.",
    "Это обычное предложение без ничего.",
    "A Headline With Many Capital Words",
    "a   line  with\tspaces,  commas… and “quotes”",
    "",
]


def _consent_ref(text):
    return bool(phrases.CONSENT_HINT.search(text)) and len(phrases.CONSENT.findall(text)) >= 2


def _legal_ref(text):
    return bool(phrases.LEGAL_HINT.search(text)) and bool(phrases.LEGAL.search(text))


def _title_case_ref(text):
    if len(text) > 300:
        return False
    words = [w for w in text.split() if w[:1].isalpha()]
    if len(words) < 3:
        return False
    return sum(1 for w in words if w[:1].isupper()) / len(words) >= 0.6


def test_quick_prefilters_agree_with_the_full_patterns():
    for text in _LINES + [t.upper() for t in _LINES] + [t.lower() for t in _LINES]:
        assert textmodel.consent(text) == _consent_ref(text), text
        assert textmodel.legal(text) == _legal_ref(text), text
        assert textmodel.title_case(text) == _title_case_ref(text), text


def test_norm_words_is_the_words_case_folded_one_space_apart():
    import re

    for text in _LINES:
        assert textmodel._norm_words(text) == " ".join(re.sub(r"[^\w]+", " ", text.casefold()).split())


def test_per_line_tests_are_asked_once_and_agree_with_the_functions(monkeypatch):
    from clipper.core import textclean

    blocks = blocks_from_lines(["By Jane Doe", "March 3, 2021", "Some words of a headline here",
                                "A summary of the story, in one sentence that ends here."])
    calls = []
    real = textclean.byline_name
    monkeypatch.setattr(textmodel, "byline_name", lambda t: calls.append(t) or real(t))
    for b in blocks:
        want = bool(real(b.text))
        assert textmodel.has_byline(b) == want and textmodel.has_byline(b) == want
        assert textmodel.has_date(b) == bool(textclean.parse_date(b.text))
    assert len(calls) == len(blocks)
    assert textmodel.headline_summary(blocks[2], blocks[3])
    assert textmodel.features(blocks) == textmodel.features(blocks_from_lines([b.text for b in blocks]))


def test_title_candidates_reach_the_headline_over_its_date_past_a_share_panel():
    para = ("The committee met for six hours on Monday and agreed, after a long debate, to publish its "
            "findings before the end of the month, a spokesman for the committee said.")
    panel = [f"Share this with {s}" for s in ("Email", "Facebook", "Messenger", "Twitter")] * 10
    lines = ["Home", "News", "Committee agrees to publish its findings", "19 November 2019"] + panel \
        + ["Media playback is unsupported on your device", para, para, para]
    blocks = blocks_from_lines(lines)
    start = len(lines) - 4
    kept = [i >= start for i in range(len(blocks))]
    cands = dict(textmodel.title_candidates(blocks, start, len(blocks), kept, [0.0] * len(blocks)))
    f = {name: k for k, name in enumerate(textmodel.TITLE)}
    assert 2 in cands and start - 2 > 30  # beyond the usual reach
    assert cands[2][f["meta_below"]] == 1.0 and cands[2][f["shared_n"]] > 0.5
    assert cands[start][f["meta_below"]] == 0.0


def test_a_date_in_a_list_of_events_is_not_a_dateline_under_a_headline():
    para = ("The season opens in March and runs until December, with two races in the capital and the "
            "final at the old circuit, the organisers said on Monday.")
    lines = ["Race calendar", "Round 1: 10 March – Interlagos", "Round 2: 8 April – Curitiba",
             "Round 3: 22 April – Velopark", para, para]
    blocks = blocks_from_lines(lines)
    kept = [i >= 4 for i in range(len(blocks))]
    cands = dict(textmodel.title_candidates(blocks, 4, 6, kept, [0.0] * len(blocks)))
    f = {name: k for k, name in enumerate(textmodel.TITLE)}
    assert all(cands[i][f["meta_below"]] == 0.0 for i in (1, 2))
    # a line repeated with the same neighbours is a menu's, not an echoed headline
    blocks = blocks_from_lines(["Our team", "Work with us", "Blog", "Title of the news story here", para,
                                "Our team", "Work with us", "Blog", para, para])
    kept = [i >= 4 for i in range(len(blocks))]
    cands = dict(textmodel.title_candidates(blocks, 4, 10, kept, [0.0] * len(blocks)))
    assert cands[1][f["rep_block"]] == 1.0 and cands[3][f["rep_block"]] == 0.0


def test_an_announced_list_is_kept_from_its_announcement_to_its_end():
    dates = [f"June {d} – {city}, {st} @ {hall}" for d, city, st, hall in [
        (3, "Tampa", "FL", "Amphitheatre"), (5, "Atlanta", "GA", "Arena"),
        (8, "Nashville", "TN", "Bridgestone Arena"), (11, "Charlotte", "NC", "Music Pavilion"),
        (14, "Raleigh", "NC", "Music Park")]]
    para = ("The band will tour together for the first time in a quarter century, the promoter said on "
            "Monday, with tickets on sale from Friday.")
    blocks = blocks_from_lines([para, para.replace("Monday", "Tuesday"), "Here are the tour dates:"] + dates
                               + ["Facebook", "Twitter"])
    # the path ended at the announcement: the list is the article's
    assert textmodel._with_lists(blocks, 0, 3, set(), []) == (0, 8, set())
    # the path left the list out as a gap
    assert textmodel._with_lists(blocks, 0, 8, {3, 4, 5, 6, 7}, []) == (0, 8, set())
    # the path starts inside the list: it starts at the line announcing it
    assert textmodel._with_lists(blocks, 5, 8, set(), [])[:2] == (2, 8)
    # a label of a word or two with a colon, or a list of words only, announces nothing
    menu = blocks_from_lines([para, "Share:"] + dates)
    assert textmodel._with_lists(menu, 0, 2, set(), []) == (0, 2, set())
    words = blocks_from_lines([para, "Here are the tour dates:", "Tampa Amphitheatre", "Atlanta Arena",
                               "Nashville Bridgestone Arena", "Charlotte Music Pavilion"])
    assert textmodel._with_lists(words, 0, 2, set(), []) == (0, 2, set())


def test_a_bar_of_chrome_links_on_one_line_is_chrome():
    from clipper.core.textmodel import make_block
    assert make_block("Impressum | Datenschutz | AGB").phrase
    assert make_block("Privacy Policy · Terms of Use").phrase
    assert not make_block("Sport | Politik").phrase  # sections: left to the model


def test_datelines_and_sentence_ends_beyond_english():
    from clipper.core.textmodel import _FULL_STOP, DATE_ONLY
    for line in ("17. September 2011", "3 März 2020", "12 de octubre de 2019", "5 février 2021 10:30"):
        assert DATE_ONLY.match(line), line
    assert not DATE_ONLY.match("Im Jahr 2011")
    assert _FULL_STOP.search("Über Stimmen würde ich mich sehr freuen 🙂")


def test_a_block_knows_how_it_ends_as_the_patterns_tell():
    import random

    rng = random.Random(3)
    marks = list(".!?。！？…:;'\"”’»)][a …")
    texts = ["The end.”)", "Wait…", "More [...]", "So [\u2026]", "Go on:", "Title", "Why?»", "x"]
    texts += ["".join(rng.choice(marks) for _ in range(rng.randint(1, 8))) for _ in range(3000)]
    for t in texts:
        b = textmodel.make_block(t)
        assert b.ends == bool(textmodel._FULL_STOP.search(t)), t
        assert b.ellipsis == bool(textmodel._ELLIPSIS.search(t)), t
        assert b.sentence_end == bool(textmodel.SENTENCE_END.search(t)), t


def test_best_path_breaks_ties_toward_the_later_state_as_max_over_pairs_would():
    import random

    def reference(em, gap, gap_line):
        neg = float("-inf")
        s0, s1, s2, s3 = 0.0, neg, neg, neg
        back = []
        for e in em:
            c1 = max((s0, 0), (s1, 1), (s2, 2))
            c2 = max((s1 - gap, 1), (s2, 2))
            c3 = max((s1, 1), (s3, 3))
            back.append((c1[1], c2[1], c3[1]))
            s1, s2, s3 = c1[0] + e, c2[0] - gap_line, c3[0]
        return back, max((s1, 1), (s3, 3))

    rng = random.Random(5)
    for _ in range(2000):
        em = [rng.choice([0.0, 1.0, -1.0, 2.5, -2.5, 5.0, -0.5]) for _ in range(rng.randint(1, 25))]
        gap, gap_line = rng.choice([0.0, 0.5, 2.5, 5.0]), rng.choice([0.0, 0.5, 1.5])
        back, final = reference(em, gap, gap_line)
        if final[0] <= 0:
            assert best_path(em, gap, gap_line) == (0, 0, set())
            continue
        state, labels = final[1], [0] * len(em)
        for i in range(len(em) - 1, -1, -1):
            labels[i] = state
            if state:
                state = back[i][state - 1]
        kept = [i for i, s in enumerate(labels) if s == 1]
        want = (kept[0], kept[-1] + 1, {i for i in range(kept[0], kept[-1] + 1) if labels[i] == 2})
        assert best_path(em, gap, gap_line) == want


def test_norm_lines_finds_a_line_s_words_as_often_as_the_lines_joined_one_by_one():
    texts = ["The Headline, of the Day", "  «The headline of the day» | Site", "—", "Straße STRASSE",
             "the headline of the day the headline of the day", "x y z"]
    every = textmodel._norm_lines(texts)
    slow = "\n".join(f" {textmodel._norm_words(t)} " for t in texts)
    # (as title_candidates asks: of lines of three words or more)
    for t in texts + ["straße strasse straße", "the headline of", "headline of the day the", "x y z"]:
        me = f" {textmodel._norm_words(t)} "
        if me.count(" ") >= 4:
            assert every.count(me) == slow.count(me), t
