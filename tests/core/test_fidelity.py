"""Markdown fidelity: an article's headings, code, lists, tables, links, emphasis, footnotes and math
survive extraction and conversion; the page's chrome (menus, breadcrumbs, prev/next) does not."""

from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from clipper.core.pipeline import extract_file

DOCS = Path(__file__).resolve().parent.parent / "data" / "pages" / "docs"
_MD = MarkdownIt("commonmark").enable("table")
PROSE = ("This paragraph is here so that the page reads like an article, with enough words in it for "
         "the extractor to see the main text and not the menus around it. ")


def structure(md: str) -> list[tuple]:
    """What a reader sees of ``md``: (kind, value) for headings, code blocks, list items, table
    cells, links, emphasis and ordered-list starts, in order."""
    out = []
    tokens = _MD.parse(md)
    stack = []
    for i, t in enumerate(tokens):
        if t.nesting == 1:
            stack.append(t.type)
        elif t.nesting == -1 and stack:
            stack.pop()
        if t.type == "fence":
            out.append(("code", t.info, t.content.rstrip("\n")))
        elif t.type == "ordered_list_open":
            out.append(("ol", str(t.attrGet("start") or 1)))
        elif t.type == "inline":
            text = "".join(c.content for c in t.children if c.type in ("text", "code_inline"))
            prev = tokens[i - 1].type
            if prev == "heading_open":
                out.append((tokens[i - 1].tag, text))
            elif prev in ("th_open", "td_open"):
                out.append(("cell", text))
            elif "list_item_open" in stack:
                out.append(("item", text))
            for j, c in enumerate(t.children):
                if c.type == "link_open":
                    out.append(("link", c.attrGet("href")))
                elif c.type in ("em_open", "strong_open"):
                    out.append(("emphasis", t.children[j + 1].content))
    return out


def page(tmp_path, body: str, title: str = "Reading files") -> str:
    f = tmp_path / "page.html"
    f.write_text(
        f"<html><head><title>{title} - Site</title></head><body>"
        "<header><a href='/'>Site</a><nav><a href='/a'>Home</a> <a href='/b'>Docs</a></nav></header>"
        "<aside class='sidebar'><ul><li><a href='/c'>Chapter one</a></li>"
        "<li><a href='/d'>Chapter two</a></li>"
        "</ul></aside><main><nav class='breadcrumbs'><a href='/'>Home</a> › Docs</nav>"
        f"<article>{body}</article><nav class='prev-next'><a rel='prev' href='/c'>← Previous chapter</a> "
        "<a rel='next' href='/d'>Next chapter →</a></nav><p class='edit'><a href='/e'>Edit this page</a></p>"
        "</main><footer>© Site contributors</footer></body></html>", encoding="utf-8")
    return extract_file(f).markdown


def no_chrome(md: str) -> None:
    for junk in ("Chapter one", "Previous chapter", "Next chapter", "Edit this page", "Site contributors",
                 "Home"):
        assert junk not in md


def test_everything_after_a_code_block_keeps_its_structure(tmp_path):
    # the walk over trafilatura's XML used to stop at the first code block
    md = page(tmp_path, "<h2>Reading files</h2>"
              f"<p>{PROSE}</p><pre><code class='language-rust'>"
              "fn main() {\n    let x = 1;\n\n\tprintln!(\"{x}\");\n}"
              "</code></pre><h3>After the code</h3>"
              "<p>See <a href='https://doc.example.org/fs'>the <em>fs</em> docs</a> and "
              f"<strong>read</strong> them. {PROSE}</p><ul><li>blockItem</li><li>delta</li></ul>"
              f"<h3>Last section</h3><p>{PROSE}</p>")
    got = structure(md)
    assert ("code", "rust", 'fn main() {\n    let x = 1;\n\n\tprintln!("{x}");\n}') in got
    assert ("h3", "After the code") in got and ("h3", "Last section") in got
    assert ("link", "https://doc.example.org/fs") in got
    assert ("emphasis", "fs") in got and ("emphasis", "read") in got
    assert ("item", "blockItem") in got and ("item", "delta") in got
    no_chrome(md)


def test_highlighted_code_with_a_line_number_gutter_is_the_plain_code(tmp_path):
    md = page(tmp_path, f"<h2>Reading files</h2><p>{PROSE}</p>"
              "<div class='highlight-python notranslate'><table class='highlighttable'><tr>"
              "<td class='linenos'><div class='linenodiv'><pre><span class='normal'>1</span>\n"
              "<span class='normal'>2</span>\n<span class='normal'>3</span></pre></div></td>"
              "<td class='code'><div class='highlight'><pre><span></span><span class='k'>with</span> "
              "<span class='nb'>open</span><span class='p'>(</span><span class='s2'>\"a.txt\"</span>"
              "<span class='p'>)</span> <span class='k'>as</span> <span class='n'>f</span><span class='p'>:"
              "</span>\n    <span class='n'>data</span> <span class='o'>=</span> <span class='n'>f</span>"
              "<span class='o'>.</span><span class='n'>read</span><span class='p'>()</span>\n"
              "<span class='nb'>print</span><span class='p'>(</span><span class='n'>data</span>"
              "<span class='p'>)</span>\n</pre></div></td></tr></table>"
              "<button class='copybtn' title='Copy'>Copy</button></div>"
              f"<p>{PROSE}</p>")
    assert ("code", "python", 'with open("a.txt") as f:\n    data = f.read()\nprint(data)') in structure(md)
    assert "Copy" not in md


def test_a_pipe_in_a_table_cell_is_escaped(tmp_path):
    md = page(tmp_path, f"<h2>Reading files</h2><p>{PROSE}</p><table><thead><tr><th>Operator</th>"
              "<th style='text-align: right'>Example</th></tr></thead><tbody>"
              "<tr><td><code>|</code></td><td style='text-align: right'><code>a | b</code></td></tr>"
              "<tr><td>either|or</td><td style='text-align: right'>line<br>break</td></tr></tbody></table>"
              f"<p>{PROSE}</p>")
    got = structure(md)
    cells = [v for k, v in got if k == "cell"]
    assert cells == ["Operator", "Example", "|", "a | b", "either|or", "linebreak"]
    assert "| --- | ---: |" in md and "line<br>break" in md


def test_a_nested_ordered_list_keeps_its_start_number(tmp_path):
    md = page(tmp_path, f"<h2>Reading files</h2><p>{PROSE}</p><ol start='3'><li>Open the file"
              "<ol><li>for reading</li><li>as text</li></ol></li><li>Read it</li></ol>"
              f"<p>{PROSE}</p>")
    got = structure(md)
    assert ("ol", "3") in got and ("ol", "1") in got
    items = [v for k, v in got if k == "item"]
    assert items == ["Open the file", "for reading", "as text", "Read it"]
    assert "3. Open the file\n   1. for reading\n   2. as text\n4. Read it" in md


def test_footnotes_and_math_are_kept(tmp_path):
    md = page(tmp_path, "<h2>Reading files</h2><p>The area is <span class='katex'>"
              "<span class='katex-mathml'>"
              "<math><semantics><mrow><mi>π</mi><msup><mi>r</mi><mn>2</mn></msup></mrow>"
              "<annotation encoding='application/x-tex'>\\pi r^2</annotation></semantics></math></span>"
              "<span class='katex-html' aria-hidden='true'>πr2</span></span> for a circle"
              f"<sup id='fnref1'><a href='#fn1'>1</a></sup>. {PROSE}</p>"
              "<script type='math/tex; mode=display'>\\sum_{i=1}^n i = \\frac{n(n+1)}{2}</script>"
              f"<p>{PROSE}</p><p>Water is H<sub>2</sub>O and 2<sup>10</sup> is 1024.</p>"
              "<section class='footnotes'><hr><ol><li id='fn1'><p>Measured, not guessed. "
              "<a href='#fnref1' class='footnote-backref'>↩</a></p></li></ol></section>")
    assert "The area is $\\pi r^2$ for a circle[^1]." in md
    assert "$$\n\\sum_{i=1}^n i = \\frac{n(n+1)}{2}\n$$" in md
    assert "H<sub>2</sub>O and 2<sup>10</sup>" in md
    assert md.rstrip().endswith("[^1]: Measured, not guessed.")
    assert "↩" not in md


@pytest.mark.parametrize(("name", "expected", "absent"), [
    ("sphinx.html", [("h1", "Configuration"), ("h2", "Options"),
                     ("code", "python", "import widget\n\ncfg = widget.Config(verbose=True)\n"
                      "if cfg.threads > 2:\n\tcfg.threads = 2"),
                     ("cell", "Work done at once (a|b style pairs)")],
     ["¶", "Previous", "View page source", "Search docs", "Read the Docs", "Changes in each release"]),
    ("mkdocs.html", [("h1", "Usage"), ("h2", "Install"),
                     ("code", "bash", "pip install widget\nwidget --version"),
                     ("code", "python", 'import widget\n\nwidget.run("|")'), ("ol", "3"), ("cell", "a|b")],
     ["Edit this page", "Previous", "Table of contents", "Frequently asked", "Last update", "Back to top",
      "Material for MkDocs"]),
    ("docusaurus.html", [("h1", "Deploying"), ("h2", "Build"), ("h2", "Copy"),
                         ("code", "bash", "npm run build\n\nnpm run serve -- --port 3000"),
                         ("code", "js", "export default {\n  url: 'https://widget.example.dev',\n};")],
     ["Edit this page", "Previous", "On this page", "Skip to main", "Guides", "Tutorial", "Built with"]),
    ("github.html", [("h2", "Install"), ("h2", "Options"), ("h2", "Licence"),
                     ("code", "shell", "pip install widget\nwidget build docs/ site/"),
                     ("cell", "URL prefix, e.g. /docs or a|b")],
     ["Sign in", "Pull requests", "Star 340", "stars", "Releases", "Terms", "Permalink", "Footnotes"]),
    ("blog.html", [("h2", "All at once"), ("h2", "In chunks"),
                   ("code", "go", 'data, err := os.ReadFile("notes.txt")\nif err != nil {\n\treturn err }'),
                   ("code", "go", "scanner := bufio.NewScanner(f)\nfor scanner.Scan() {\n"
                    "    fmt.Println(scanner.Text())\n}"),
                   ("code", "go", "buf := make([]byte, 4096)\nfor {\n    n, err := f.Read(buf)\n\n"
                    "    process(buf[:n])\n}"),
                   ("code", "go", "f.Close()\nreturn nil"),
                   ("code", "ruby", 'File.read("notes.txt")\nputs "done"')],
     ["Prev", "Writing files in Go", "Share on X", "Powered by", "RSS", "Copy"]),
    ("mdbook.html", [("h2", "Data Types"), ("h3", "Scalar Types"),
                     ("code", "rust", '#![allow(unused)]\nfn main() {\n'
                      'let guess: u32 = "42".parse().expect("Not a number!");\n}'),
                     ("code", "console", "$ cargo run\n   Compiling guessing_game v0.1.0 "
                      "(file:///projects/guessing_game)\n"
                      "    Finished `dev` profile [unoptimized + debuginfo] target(s) in 0.50s"),
                     ("cell", "i16"), ("link", "appendix-03-derivable-traits.html")],
     ["Previous chapter", "Suggest an edit", "Toggle", "Common Programming Concepts", "Foreword", "Print"]),
    ("zh.html", [("h2", "一次读取全部内容"), ("h2", "逐行读取"), ("item", "使用循环读取每一行"),
                 ("code", "python", 'with open("a.txt") as f:\n    data = f.read()')],
     ["首页", "第一章", "版权所有"]),
])
def test_docs_sites_keep_their_structure_and_lose_their_chrome(name, expected, absent):
    md = extract_file(DOCS / name).markdown
    got = structure(md)
    for part in expected:
        assert part in got, part
    for junk in absent:
        assert junk not in md, junk


def test_docs_site_footnotes_math_and_definitions():
    sphinx = extract_file(DOCS / "sphinx.html").markdown
    assert "changes only that behaviour.[^1]" in sphinx
    assert sphinx.rstrip().endswith("[^1]: The file follows TOML 1.0, so comments and tables work as usual.")
    assert "$E = mc^2$" in sphinx and "$$\n\\sum_{i=1}^{n} x_i \\lt 10\n$$" in sphinx
    assert "widget.load(*path*)\n:   Load the configuration" in sphinx
    mkdocs = extract_file(DOCS / "mkdocs.html").markdown
    assert "summary line[^1] at the end" in mkdocs
    assert "[^1]: The summary can be turned off with `--quiet`." in mkdocs
    assert "$\\pi r^2$" in mkdocs and "$$\nA = \\pi r^2\n$$" in mkdocs
    assert "| :--- | :---: | ---: |" in mkdocs
    github = extract_file(DOCS / "github.html").markdown
    assert "$O(n \\log n)$" in github and "[^1]: Measured on folders of up to 10,000 files." in github


def test_relative_links_without_a_page_url_stay_as_the_page_wrote_them():
    md = extract_file(DOCS / "mkdocs.html").markdown  # the canonical URL is not the page's address
    assert "[API reference](../api/)" in md


def test_a_page_of_unclosed_font_tags_keeps_every_paragraph(tmp_path):
    f = tmp_path / "fonts.html"
    f.write_text("<html><head><title>Fonts</title></head><body>" + "".join(
        f"<p><font color=red>Paragraph {i} of the page, with enough words to be a paragraph of an article."
        for i in range(400)) + "</body></html>", encoding="utf-8")
    clip = extract_file(f)
    assert clip.markdown.count("Paragraph ") == 400 and "Paragraph 399 of" in clip.markdown
    assert clip.markdown.count("\n\n") == 399  # each its own paragraph, as a browser shows them


def test_structure_deeper_than_the_limit_is_warned_about_and_its_text_kept(tmp_path):
    f = tmp_path / "lists.html"
    f.write_text("<html><head><title>Lists</title></head><body><p>" + PROSE * 3 + "</p>" + "".join(
        f"<ul><li>Level {i} item with a few words in it" for i in range(150)) + "</body></html>",
        encoding="utf-8")
    clip = extract_file(f)
    assert all(f"Level {i} item with" in clip.markdown for i in range(150))
    assert any("nested more than 80 levels" in w for w in clip.warnings)


def test_trafilatura_xml_fallback_converts_everything_after_a_code_block():
    # used when trafilatura's text cannot be found among the page's elements
    from lxml import etree

    from clipper.core.extract import _xml_to_html

    xml = etree.fromstring(
        "<body><p>Intro.</p><code><code class='language-rust'>fn a() {}\nfn b() {}</code></code>"
        "<head rend='h2'>After</head><list rend='ol'><item>one</item><item>two</item></list>"
        "<p>See <ref target='https://x.example/'>x</ref> and <hi rend='#b'>b</hi>.</p></body>")
    assert etree.tostring(_xml_to_html(xml), encoding="unicode") == (
        '<div><p>Intro.</p><pre class="language-rust">fn a() {}\nfn b() {}</pre><h2>After</h2>'
        '<ol><li>one</li><li>two</li></ol><p>See <a href="https://x.example/">x</a> and '
        "<strong>b</strong>.</p></div>")
