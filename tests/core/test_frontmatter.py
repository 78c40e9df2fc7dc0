from hypothesis import given, settings
from hypothesis import strategies as st

from clipper.core import frontmatter


def test_roundtrip_keeps_unicode_and_order():
    meta = {"tags": ["a", "b/c"], "title": "Ça: “quoted” # not a comment", "id": "x1", "custom": 3}
    text = frontmatter.join(meta, "Body\n")
    assert text.startswith("---\ntitle: ")
    got, body, err = frontmatter.split(text)
    assert err is None
    assert got == meta
    assert body.strip() == "Body"


def test_dates_stay_strings():
    got, _, err = frontmatter.split("---\npublished: 2024-05-01\ncreated: 2024-05-01T10:00:00Z\n---\nx")
    assert err is None
    assert got["published"] == "2024-05-01"
    assert isinstance(got["created"], str)


def test_broken_header_keeps_whole_text():
    text = "---\ntitle: [unclosed\n---\nBody"
    meta, body, err = frontmatter.split(text)
    assert meta == {} and body == text and err.startswith("broken front matter")


def test_no_header():
    assert frontmatter.split("# Title\ntext") == ({}, "# Title\ntext", None)


# --- the fast path for flat headers gives exactly what PyYAML gives ------------------------

def _yaml(text):
    import yaml

    values = []
    for loader in (frontmatter._FastLoader, frontmatter._SafeLoader):
        try:
            values.append(yaml.load(text, Loader=loader))
        except yaml.YAMLError:
            values.append("error")
    assert values[0] == values[1]
    return values[0]


FLAT = [
    'title: "Plain title"\ntags: ["topic-1", "topic-2"]\nauthor: "Author 12"\n'
    'created: "2016-03-15T12:00:00Z"',
    "title: Hello, world\nauthor: Jane Doe\npublished: 2024-01-01\nsource: https://x.org/a?b=1#c\n"
    "tags:\n- a\n- b c\ncreated: 2024-01-02T03:04:05Z\nid: abc123",
    "title: 'Hello: world'\nx: O'Neil\ny: 'it''s'\nn: 'yes'",
    "tags:\n  - one\n  - two\ntitle: t",
    "tags: []\ntitle: \"\"",
    "title: Straße — “quoted” 北京 ✓ 😀",
    "a: b\na: c",
    "title: C#\nb: a#b\nc: x:y",
    "site: The Epoch Times",
    "tags: ['a', \"b\", 'c''d']",
]
NOT_FLAT = [  # each left to PyYAML
    "n: 12", "n: 1.5", "b: yes", "b: No", "b: on", "z: null", "z: ~", "z:", "v: =", "m: <<", "k: 0x1F",
    "t: 1:20", "t: .inf", "yes: 1", "null: x", "title: a # comment", "title: a  b", "title: a ",
    'title: "esc \\" aped"', "title: |\n  block", "title: >\n  folded", "title: &a x\nb: *a",
    "title: !!str 5", "t: [a, b]", "t: {a: 1}", "t: [1]", "\ttitle: x", "title: x\r", "title: x\n",
    "title: x\n\nb: y", "tags:\n- a\n  - b", "tags:\n-\n- b", "tags:\n- 1", "title: -x", "title: ?x",
    "title: @x", "title: `x`", "title: %x", "title: x\u2028y", "title: x\x85y", "title: \ufeffx",
    "title: a: b", "title: x:", "title: [x", "title: x]", "- a", "title: x\n---", "title: \x7f",
]


def test_flat_headers_are_read_as_pyyaml_reads_them():
    for text in FLAT:
        got = frontmatter._flat_header(text)
        assert got is not None, text
        assert got == _yaml(text), text
        for v in got.values():
            assert type(v) is str or (type(v) is list and all(type(i) is str for i in v))


def test_other_headers_are_left_to_pyyaml():
    for text in NOT_FLAT:
        assert frontmatter._flat_header(text) is None, text


def test_split_reads_a_flat_header_as_before():
    text = "---\ntitle: \"A\"\ntags: [\"x\", \"y\"]\n---\n\nbody\n"
    assert frontmatter.split(text) == ({"title": "A", "tags": ["x", "y"]}, "\nbody\n", None)
    bad = "---\ntitle: a\n\x01: b\n---\nbody"
    assert frontmatter.split(bad)[2] is not None  # still refused, by PyYAML


_BITS = st.sampled_from([
    "a", "Z", "0", "1", " ", "  ", ":", ": ", "#", " #", "'", "''", '"', "\\", ",", "-", "- ", "?", "[",
    "]", "{", "}", "&", "*", "!", "|", ">", "%", "@", "`", "~", ".", "yes", "null", "true", "No", "0x1",
    "1e3", "é", "—", "北", "\n", "\n- ", "\n  - ", "\nkey: ", "\t", "=", "<<"])
_HEADS = st.sampled_from(["title: ", "tags:\n- ", "t: [", "k: '", 'k: "'])


@settings(max_examples=1000, deadline=None)
@given(st.lists(_BITS, max_size=14).map("".join), _HEADS)
def test_any_header_the_fast_path_takes_reads_as_in_pyyaml(tail, head):
    text = head + tail
    got = frontmatter._flat_header(text)
    if got is not None:
        assert got == _yaml(text), text
