"""The search-box parser: every construct, and malformed input that must not raise."""

import pytest

from clipper.core import query as q


def kinds(parsed):
    return [[(type(i).__name__, getattr(i, "kind", None), getattr(i, "text", getattr(i, "name", None)),
              getattr(i, "field", None)) for i in c.items] + (["NOT"] if c.negated else [])
            for c in parsed.clauses]


def test_words_are_all_required():
    p = q.parse("climate change")
    assert kinds(p) == [[("Text", "word", "climate", None)], [("Text", "word", "change", None)]]


def test_phrase_or_not_prefix():
    p = q.parse('"sea level" rise OR fall -coal NOT oil ocea*')
    assert kinds(p) == [
        [("Text", "phrase", "sea level", None)],
        [("Text", "word", "rise", None), ("Text", "word", "fall", None)],
        [("Text", "word", "coal", None), "NOT"],
        [("Text", "word", "oil", None), "NOT"],
        [("Text", "prefix", "ocea", None)],
    ]


def test_fields_and_tags():
    p = q.parse('tag:Science title:"deep sea" author:smith site:bbc source:example.org #News')
    assert kinds(p) == [
        [("Tag", None, "science", None)],
        [("Text", "phrase", "deep sea", "title")],
        [("Text", "word", "smith", "author")],
        [("Text", "word", "bbc", "site")],
        [("Text", "word", "example.org", "source")],
        [("Tag", None, "news", None)],
    ]


@pytest.mark.parametrize("text,start,end", [
    ("created:2024", 20240101000000, 20241231235959),
    ("created:2024-02", 20240201000000, 20240229235959),
    ("created:2024-02-03", 20240203000000, 20240203235959),
    ("published:>2024-05", 20240601000000, None),
    ("published:>=2024-05", 20240501000000, None),
    ("published:<2024", None, 20231231235959),
    ("published:<=2024-01-31", None, 20240131235959),
    ("created:2024-01..2024-06", 20240101000000, 20240630235959),
    ("created:..2023", None, 20231231235959),
    ("created:2023..", 20230101000000, None),
])
def test_dates(text, start, end):
    (clause,) = q.parse(text).clauses
    (item,) = clause.items
    assert isinstance(item, q.DateRange)
    assert (item.start, item.end) == (start, end)


def test_as_you_type_makes_last_word_a_prefix():
    assert kinds(q.parse("climate cha", as_you_type=True))[-1] == [("Text", "prefix", "cha", None)]
    # after a space the word is complete
    assert kinds(q.parse("climate cha ", as_you_type=True))[-1] == [("Text", "word", "cha", None)]


def test_sort_option():
    assert q.parse("x sort:newest").sort == "newest"


@pytest.mark.parametrize("text", [
    '"unbalanced', 'OR', 'a OR', 'OR a', 'NOT', 'tag:', 'tag:#', '-', '--', '*', '"', '""', 'created:xyz',
    'created:2024-13', 'title:', '((a', 'a)) OR OR b', 'foo:bar', ':::', '-"', 'a"b"c', '\x00', 'tag:"  "',
    "published:>", "created:2024..junk",
])
def test_malformed_never_raises(text):
    parsed = q.parse(text)
    assert isinstance(parsed, q.Parsed)


def test_unbalanced_quote_is_a_phrase_to_the_end():
    assert kinds(q.parse('"sea level')) == [[("Text", "phrase", "sea level", None)]]


def test_lone_or_and_empty_tag_are_ignored():
    assert kinds(q.parse("OR")) == []
    assert kinds(q.parse("tag: cats")) == [[("Text", "word", "cats", None)]]
    assert kinds(q.parse("a OR")) == [[("Text", "word", "a", None)]]


def test_unknown_field_is_plain_text():
    assert kinds(q.parse("foo:bar")) == [[("Text", "phrase", "foo bar", None)]]


def test_date_number():
    assert q.date_number("2024-05-03T10:11:12Z") == 20240503101112
    assert q.date_number("2024-05-03") == 20240503000000
    assert q.date_number("2024") == 20240101000000
    assert q.date_number("yesterday") is None
