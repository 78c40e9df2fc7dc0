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
