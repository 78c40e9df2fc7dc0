"""Snippets: the shortcuts taken for speed give what the plain regex passes give."""

import random

from clipper.core import snippets

# pieces of Markdown that the plain-text patterns react to, and a few characters around them
_PIECES = ["a", "bc", " ", "  ", "\t", "\n", "\n\n", "\r\n", "\u2028", "*", "**", "_", "`", "```",
           "~~", "#", "## ", "> ", "- ", "+ ", "1. ", "12.", "٣.", "\\", "\\*", "\\|", "|", "--", "|---|",
           ":--:", "[", "]", "(", ")", "![", "](", "<", ">", "<https://a.b>", "<b>", "é", "Σ", "\U0010ff41"]


def _random_markdown(rnd: random.Random) -> str:
    return "".join(rnd.choice(_PIECES) for _ in range(rnd.randint(0, 40)))


def _plain_text_every_pattern(markdown: str) -> str:
    """plain_text as it was before it skipped patterns: every pattern over the whole text."""
    text = snippets._MD_ESCAPE.sub(lambda m: chr(snippets._KEPT + ord(m.group(1))), markdown)  # noqa: SLF001
    text = snippets._MD_TABLE_RULE.sub(" ", text)  # noqa: SLF001
    text = snippets._MD_IMAGE.sub(" ", text)  # noqa: SLF001
    text = snippets._MD_LINK.sub(r"\1", text)  # noqa: SLF001
    text = snippets._MD_URL.sub(r"\1", text)  # noqa: SLF001
    text = snippets._MD_MARKS.sub("", text)  # noqa: SLF001
    text = snippets._MD_HTML.sub(" ", text)  # noqa: SLF001
    text = text.replace("|", " ")
    text = snippets._KEPT_CHARS.sub(lambda m: chr(ord(m.group()) - snippets._KEPT), text)  # noqa: SLF001
    return " ".join(text.split())


def test_marks_cut_where_they_can_start_as_the_regex_cuts_them():
    rnd = random.Random(3)
    for _ in range(20_000):
        text = _random_markdown(rnd)
        assert snippets._cut_marks(text) == snippets._MD_MARKS.sub("", text), repr(text)  # noqa: SLF001
    assert snippets._cut_marks("\n\n# x *y*") == "x y"  # noqa: SLF001 - \s{0,3} crosses lines


def test_plain_text_skipping_patterns_gives_what_every_pattern_gives():
    rnd = random.Random(4)
    for _ in range(20_000):
        text = _random_markdown(rnd)
        assert snippets.plain_text(text) == _plain_text_every_pattern(text), repr(text)


def test_only_dotted_capital_i_lowercases_to_more_than_one_character():
    """The scan lowercases a note unless it holds this character (offsets would shift), and
    lowercases it piece by piece: true of the running Python's Unicode tables."""
    longer = [c for c in map(chr, range(0x110000)) if len(c.lower()) != 1]
    assert longer == [snippets._LOWER_LONGER]  # noqa: SLF001


def test_lowering_pieces_cut_after_spaces_gives_the_whole_text_lowered():
    """Σ lowercases to σ or, ending a word, ς: it looks at the letters around it, never past a space."""
    rnd = random.Random(6)
    alphabet = ["Σ", "σ", "Α", "a", "'", ".", "\u0301", "\u00ad", "ʼ", " ", "  ", "\n", "İ", "K"]
    for _ in range(20_000):
        text = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 20)))
        cuts = sorted({i + 1 for i, c in enumerate(text) if c == " " and rnd.random() < 0.5})
        pieces = [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)])]
        assert "".join(p.lower() for p in pieces) == text.lower(), repr(text)


def _alternation_matches(branches, low):
    """What the scan stands for: finditer of the branches' alternation over the lowered text."""
    regex = snippets.re.compile("|".join(b.pattern for b in branches))
    return [(m.lastindex - 1, m.span()) for m in regex.finditer(low)]


def test_leftmost_of_one_regex_per_term_is_what_their_alternation_finds():
    rnd = random.Random(7)
    words = ["sea", "Sea", "seal", "level", "ΣΑΣ", "σας", "a", "ab", "ba", "aba", " ", " ", ". ", "\n"]
    patterns = ["s(ea\\w*)", "s(ea)", "l(evel\\b)", "a(b)", "(ab)", "b(a)", "σ(ας)", "(a)", "a(\\w*)"]
    for _ in range(5_000):
        text = "".join(rnd.choice(words) for _ in range(rnd.randint(0, 30)))
        branches = [snippets.re.compile(p) for p in rnd.sample(patterns, rnd.randint(1, 4))]
        want = _alternation_matches(branches, text.lower())
        for piece in (None, 1, 3, 10):  # None: lowered at once; else a piece at a time
            got = [(i, m.span()) for i, m in snippets._leftmost(branches, text, piece)]  # noqa: SLF001
            assert got == want, (text, [b.pattern for b in branches], piece)


def test_matches_and_snippets_lowering_a_piece_at_a_time_are_those_of_the_whole_note(monkeypatch):
    rnd = random.Random(8)
    vocab = ["river", "Rivers", "ROAD", "the", "government", "Governing", "sleep", "slept", "ΣΟΦΟΣ",
             "σοφος", "Straße", "strasse", "ﬁnance", "finance", "K", "k", "a", "\n\n", "**", ","]
    queries = ["river", "river road", "gov* sleep", "σοφος", "straße", "finance", "ﬁnance", "k", "a",
               '"the government"', "road OR slept"]
    for _ in range(300):
        body = " ".join(rnd.choice(vocab) for _ in range(rnd.randint(0, 400)))
        for text in queries:
            terms = snippets.qlang.parse(text).text_terms()
            monkeypatch.setattr(snippets, "FIRST_PIECE", 10**9)
            whole = snippets.Highlighter(terms)
            monkeypatch.setattr(snippets, "FIRST_PIECE", rnd.choice([1, 7, 50]))
            pieces = snippets.Highlighter(terms)
            assert pieces.matches(body) == whole.matches(body), (text, body)
            assert pieces.snippet_markdown(body) == whole.snippet_markdown(body), (text, body)


def _highlighter(query: str) -> snippets.Highlighter:
    return snippets.Highlighter(snippets.qlang.parse(query).text_terms())


def _marked(snippet, highlights):
    return [snippet[s:e] for s, e in highlights]


def test_case_edge_cases_keep_their_matches_and_offsets():
    hl = _highlighter("istanbul bar")
    # İ lowercases to two characters: a note holding one is matched case-insensitively as it
    # is, and the offsets are the note's
    text = "İİİ " * 30 + "ISTANBUL and the bar. " + "x " * 2000 + "Bar"
    snippet, highlights = hl.snippet_markdown(text)
    assert _marked(snippet, highlights) == ["ISTANBUL", "bar"]
    assert [text[s:e] for s, e, _ in hl.matches(text)] == ["ISTANBUL", "bar", "Bar"]
    # ß and ﬁ lowercase to themselves (only casefold() would make them "ss" and "fi")
    assert _highlighter("strasse").matches("Straße STRASSE") == [(7, 14, 0)]
    assert [m[:2] for m in _highlighter("straße").matches("Straße STRASSE")] == [(0, 6)]
    fi = _highlighter("ﬁnance")
    assert fi.snippet_markdown("The ﬁnance and FINANCE pages") == ("The ﬁnance and FINANCE pages", [(4, 10)])
    # Σ: σ inside a word, ς at its end, also when the note is lowercased piece by piece
    sigma = _highlighter("σοφος")
    text = "x " * 3000 + "ΣΟΦΟΣ σοφος ΣΟΦΟΣΣ"
    assert [text[s:e] for s, e, _ in sigma.matches(text)] == ["ΣΟΦΟΣ", "σοφος"]
