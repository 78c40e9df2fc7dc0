"""Markdown conversion rules: ATX headings, tables, code, safe links and images, escaping."""

import re

from lxml import html as lxml_html

from clipper.core.convert import element_to_markdown, escape_text, safe_url


def md(fragment: str, base="https://site.example/dir/page", attachments=None) -> str:
    return element_to_markdown(lxml_html.fragment_fromstring(fragment, create_parent="div"),
                               base_url=base, attachments=attachments)


def test_headings_are_atx():
    out = md("<h2>Two</h2><p>x</p><h3>Three</h3><p>y</p>")
    assert "## Two" in out and "### Three" in out


def test_lists_and_quotes():
    out = md("<ul><li>one</li><li>two</li></ul><ol><li>first</li></ol><blockquote><p>said</p></blockquote>")
    assert "- one\n- two" in out and "1. first" in out and "> said" in out


def test_pipe_table():
    out = md("<table><tr><th>A</th><th>B</th></tr><tr><td>1</td><td>x|y</td></tr></table>")
    assert "| A | B |" in out and "| --- | --- |" in out and "| 1 | x\\|y |" in out


def test_fenced_code_with_language_and_backticks_inside():
    out = md('<pre><code class="language-js">let a = "```";\nf(a)</code></pre>')
    assert out.startswith("````js\nlet a = \"```\";\nf(a)\n````")


def test_links_are_absolute_and_only_safe_schemes_survive():
    out = md('<p><a href="../up">rel</a> <a href="javascript:alert(1)">js</a> <a href="vbscript:x">vb</a> '
             '<a href="data:text/html,hi">data</a> <a href="file:///etc/passwd">file</a> '
             '<a href="mailto:a@b.example">mail</a> <a href="#top">anchor</a> <a href="https://x.example/">'
             '</a></p>')
    assert "[rel](https://site.example/up)" in out
    assert "[mail](mailto:a@b.example)" in out
    assert "[anchor](#top)" in out  # an in-note anchor: the note keeps the page's headings
    for bad in ("javascript", "vbscript", "data:", "file:", "[]"):
        assert bad not in out
    assert "js" in out  # its text stays


def test_relative_links_stay_relative_when_no_page_url_is_known():
    out = md('<p><a href="ch02.html#guess">rel</a> <a href="//cdn.example/x">net</a> '
             '<a href="java\nscript:alert(1)">js</a> <a href="x:y">colon</a></p>', base="")
    assert "[rel](ch02.html#guess)" in out and "[net](https://cdn.example/x)" in out
    assert "(java" not in out and "(x:y)" not in out and "js" in out and "colon" in out


def test_images_saved_and_remote():
    out = md('<p><img src="https://attachment.clipper.invalid/a.png" alt="Saved">'
             '<img src="/img/b.jpg" alt="Remote [x]"><img src="javascript:x" alt="bad"></p>',
             attachments={"https://attachment.clipper.invalid/a.png": "attachments/a.png"})
    assert "![Saved](attachments/a.png)" in out
    assert "![Remote (x)](https://site.example/img/b.jpg)" in out
    assert "bad" not in out


def test_raw_html_in_text_is_escaped():
    out = md("<p>&lt;script&gt;alert(1)&lt;/script&gt; and &lt;img src=x onerror=alert(1)&gt;</p>")
    assert not re.search(r"(?<!\\)<[A-Za-z/]", out)  # every tag-like "<" is escaped
    assert "\\<script>" in out


def test_markdown_syntax_in_text_is_escaped():
    assert escape_text("[a](javascript:alert(1))") == "[a\\](javascript:alert(1))"
    assert escape_text("snake_case stays, _emphasis_ does not") == "snake_case stays, \\_emphasis\\_ does not"
    assert escape_text("# not a heading") == "\\# not a heading"
    assert escape_text("5 * 3") == "5 \\* 3"


def test_safe_url():
    assert safe_url(" java\tscript:alert(1)") == ""
    assert safe_url("HTTPS://EXAMPLE.org/a b") == "HTTPS://EXAMPLE.org/a%20b"
    assert safe_url("attachments/x.png") == "attachments/x.png"
    assert safe_url("attachments/../../etc/passwd") == ""
    assert safe_url("//cdn.example/x.png", "https://site.example/") == "https://cdn.example/x.png"


def test_no_empty_link_or_leftover_html():
    out = md('<p><a href="https://x.example/"><span></span></a>Text<span class="x"></span><br></p>'
             '<div></div>')
    assert out.strip() == "Text"


def test_layout_tables_become_paragraphs():
    long = "A whole paragraph of article text that sits in a layout table cell. " * 8
    out = md(f"<table><tr><td><p>{long}</p><p>Second paragraph.</p></td><td>side</td></tr></table>")
    assert "|" not in out and "Second paragraph." in out and "side" in out


def test_a_table_with_block_content_is_kept_as_clean_html():
    out = md("<table class='x' onclick='evil()'><tr><th>Name</th><th>Notes</th></tr>"
             "<tr><td>Ada</td><td><ul><li>first</li><li><a href='javascript:x'>second</a> &lt;b&gt;</li>"
             "</ul><script>alert(1)</script></td></tr></table>")
    assert out.strip() == ("<table><tr><th>Name</th><th>Notes</th></tr><tr><td>Ada</td><td><ul><li>first</li>"
                           "<li>second &lt;b&gt;</li></ul></td></tr></table>")


def test_list_and_heading_markers_are_escaped_only_at_the_start_of_a_line():
    out = md("<p><b>Agency</b> - the news</p><p>- a dash line</p><p>x<br>1. not a list</p>"
             "<p>Before<br>\n after a break</p>")
    assert "**Agency** - the news" in out
    assert "\\- a dash line" in out and "1\\. not a list" in out
    assert "Before\\\nafter a break" in out


def test_shortcodes_are_removed_but_brackets_and_code_stay():
    from clipper.core.pipeline import extract_clipboard
    html = ('<article><h1>Kit</h1><p>We tested the tent in the rain for a week and it kept us dry.</p>'
            '<p>[caption id="attachment_12" align="alignnone" width="300"]<img src="https://x.example/a.jpg"'
            ' alt="tent"> The tent at dawn[/caption]</p>'
            '<p>[button link="https://x.example/review" type="big"]Send us YOUR kit review[/button]</p>'
            '<p>Footnote [1] and [sic] and [edit] stay.</p><pre>[gallery ids="1,2"]</pre>[gallery ids="3,4"]'
            '</article>')
    md = extract_clipboard(html=html, url="https://x.example/k").markdown
    assert "[caption" not in md and "[/caption]" not in md and "The tent at dawn" in md
    assert "![tent](https://x.example/a.jpg)" in md
    assert "button" not in md and "Send us YOUR kit review" not in md
    assert "Footnote [1] and [sic] and [edit] stay." in md
    assert '[gallery ids="1,2"]' in md and "3,4" not in md
