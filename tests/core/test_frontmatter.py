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
