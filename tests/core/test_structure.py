"""Page markup made plain for Markdown: code blocks, math, footnotes, permalinks, tables, depth."""

import re

from lxml import html as lxml_html

from clipper.core import structure
from clipper.core.convert import element_to_markdown


def md(fragment: str, base="https://site.example/dir/page") -> str:
    return element_to_markdown(lxml_html.fragment_fromstring(fragment, create_parent="div"), base_url=base)


def fence(lang: str, code: str) -> str:
    return f"```{lang}\n{code}\n```"


# --- code -----------------------------------------------------------------------------------

def test_docusaurus_lines_and_copy_button():
    out = md('<div class="language-js codeBlockContainer"><pre class="prism-code language-js"><code>'
             '<span class="token-line"><span class="codeLineNumber_x"></span><span class="token keyword">let'
             '</span> a = 1;<br></span><span class="token-line"><span class="token plain"></span><br></span>'
             '<span class="token-line">a++;<br></span></code></pre>'
             '<div class="buttonGroup"><button class="clean-btn" title="Copy">Copy</button></div></div>')
    assert out.strip() == fence("js", "let a = 1;\n\na++;")


def test_github_blob_and_highlightjs_line_tables():
    blob = ('<table class="highlight tab-size js-file-line-container"><tr><td class="blob-num" '
            'data-line-number="1"></td><td class="blob-code blob-code-inner">'
            '<span class="pl-k">def</span> f():</td></tr><tr><td class="blob-num" data-line-number="2"></td>'
            '<td class="blob-code">    return 1</td>'
            '</tr></table>')
    assert md(blob).strip() == fence("", "def f():\n    return 1")
    hljs = ('<pre><code class="hljs language-sh"><table class="hljs-ln"><tr><td class="hljs-ln-numbers">'
            '<div class="hljs-ln-n" data-line-number="1"></div></td><td class="hljs-ln-code">ls -l</td></tr>'
            '<tr><td class="hljs-ln-numbers"><div class="hljs-ln-n" data-line-number="2"></div></td>'
            '<td class="hljs-ln-code">cd ..</td></tr></table></code></pre>')
    assert md(hljs).strip() == fence("sh", "ls -l\ncd ..")


def test_inline_line_numbers_anchors_and_the_language_of_a_wrapper():
    out = md('<div class="highlight-console notranslate"><div class="highlight"><pre><span></span>'
             '<span class="linenos">1</span><span class="gp">$ </span>make\n<span class="linenos">2</span>'
             '<span class="go">done</span>\n</pre></div></div>')
    assert out.strip() == fence("console", "$ make\ndone")  # Pygments' "go" token is not the language
    out = md('<div class="highlight highlight-source-toml"><pre><a id="__codelineno-0-1" href="#l1"></a>'
             'a = 1\n<a id="__codelineno-0-2" href="#l2"></a>b = 2</pre></div>')
    assert out.strip() == fence("toml", "a = 1\nb = 2")


def test_prism_rows_and_raw_html_inside_code_stay_code():
    out = md('<pre class="language-html line-numbers"><code class="language-html">&lt;/code&gt;&lt;script&gt;'
             'x()&lt;/script&gt;\n```\n'
             '<span aria-hidden="true" class="line-numbers-rows"><span></span></span>'
             '</code></pre>')
    assert out.strip() == "````html\n</code><script>x()</script>\n```\n````"


def test_a_code_element_used_as_a_block():
    out = md("<p>Before.</p><div><code>line one\n  line two</code></div>")
    assert fence("", "line one\n  line two") in out
    assert md("<p>Call <code>f(\nx)</code> now.</p>").strip() == "Call `f( x)` now."


# --- math -----------------------------------------------------------------------------------

def test_math_sources_become_tex():
    assert md('<p>Area <script type="math/tex">\\pi r^2</script><span class="MathJax">πr2</span>.</p>'
              ).strip() == "Area $\\pi r^2$."
    assert md('<p>Sum:</p><mjx-container class="MathJax" display="true"><mjx-math>Σ</mjx-math>'
              '<mjx-assistive-mml><math display="block"><mi>a</mi><mo>+</mo><mi>b</mi></math>'
              '</mjx-assistive-mml></mjx-container>').strip() == "Sum:\n\n$$\na+b\n$$"
    wiki = ('<p>So <span class="mwe-math-element">'
            '<span class="mwe-math-mathml-inline" style="display: none;">'
            '<math alttext="{\\displaystyle x^{2}}"><mi>x</mi></math></span><img src="x.svg" '
            'class="mwe-math-fallback-image-inline" aria-hidden="true" alt="{\\displaystyle x^{2}}"></span> '
            'grows.</p>')
    assert md(wiki).strip() == "So $x^{2}$ grows."
    assert md('<p>Pandoc <span class="math inline">\\(a_1\\)</span> and</p><span class="math display">'
              '\\[b\\]</span>').strip() == "Pandoc $a_1$ and\n\n$$\nb\n$$"
    assert md("<p><math><mfrac><mn>1</mn><msqrt><mi>x</mi></msqrt></mfrac></math></p>").strip() == \
        "$\\frac{1}{\\sqrt{x}}$"


def test_math_never_becomes_raw_html():
    out = md('<p><span class="katex"><annotation encoding="application/x-tex">a&lt;script&gt;b</annotation>'
             '</span></p>')
    assert out.strip() == "$a\\lt script\\gt b$"
    out = md('<p><span class="math inline">\\([x](javascript:alert(1))\\)</span></p>')
    assert out.strip() == "$[x] (javascript:alert(1))$"  # no link where math is not rendered


# --- footnotes and permalinks ---------------------------------------------------------------

def test_wikipedia_and_docutils_footnotes():
    out = md('<p>Claim.<sup id="cite_ref-1" class="reference"><a href="#cite_note-1">[1]</a></sup></p>'
             '<ol class="references"><li id="cite_note-1"><span class="mw-cite-backlink">'
             '<a href="#cite_ref-1">'
             '^</a></span> <span class="reference-text">A source.</span></li></ol>')
    assert out.strip() == "Claim.[^1]\n\n[^1]: A source."
    out = md('<p>Text<a class="footnote-reference" href="#id2" id="id1">[1]</a>.</p>'
             '<dl class="footnote brackets"><dt class="label" id="id2"><span class="brackets">'
             '<a class="fn-backref" href="#id1">1</a></span></dt><dd><p>First.</p><p>Second.</p></dd></dl>')
    assert out.strip() == "Text[^1].\n\n[^1]: First.\n\n    Second."


def test_links_that_are_not_footnotes_stay_links():
    out = md('<h2 id="intro">Intro</h2><p>See<sup><a href="#intro">intro</a></sup> and '
             '<a class="reference internal" href="#later">Later</a>.</p><h2 id="later">Later</h2>')
    assert "[intro](#intro)" in out and "[Later](#later)" in out and "[^" not in out


def test_permalinks_in_headings():
    out = md('<h2 id="x"><a class="header" href="#x">Self link</a></h2><h3>Pilcrow<a class="headerlink" '
             'href="#p">¶</a></h3><h4>Hash<a href="#h" class="hash-link">\u200b</a></h4>'
             '<h4><a href="https://ext.example/">External</a> title</h4>')
    assert out.strip().split("\n\n") == ["## Self link", "### Pilcrow", "#### Hash",
                                          "#### [External](https://ext.example/) title"]


# --- tables ---------------------------------------------------------------------------------

def test_merged_cells_give_a_clean_html_table():
    out = md('<table style="width:100%"><tr><th colspan="2" onclick="x()">Both</th></tr>'
             '<tr><td><img src="/a.png" onerror="x()" alt="A"></td><td><a href="javascript:x()">js</a> '
             '<a href="/b">b</a></td></tr></table>')
    assert out.strip() == ('<table><tr><th colspan="2">Both</th></tr><tr><td><img src="https://site.example/a.png"'
                           ' alt="A"></td><td>js <a href="https://site.example/b">b</a></td></tr></table>')


def test_code_blocks_in_html_tables_keep_their_lines_without_blank_lines():
    out = md("<table><tr><th>Step</th><th>Code</th></tr><tr><td>1</td><td><p>Run:</p><pre>a\n\nb</pre></td>"
             "</tr></table>")
    assert "\n" not in out.strip() and "<pre>a&#10;&#10;b</pre>" in out


def test_layout_tables_still_unwrap_and_caption_becomes_a_paragraph():
    assert "|" not in md("<table role='presentation'><tr><td><p>Main text.</p></td><td>Side.</td></tr>"
                         "</table>")
    out = md("<table><caption>Sizes</caption><tr><th>A</th><th>B</th></tr><tr><td>1</td><td>2</td></tr>"
             "</table>")
    assert out.strip() == "Sizes\n\n| A | B |\n| --- | --- |\n| 1 | 2 |"


# --- depth ----------------------------------------------------------------------------------

def test_misnested_paragraphs_are_lifted_not_flattened():
    root = lxml_html.fragment_fromstring("<p><font>a" * 100, create_parent="div")
    assert structure.depth_of(root) > 100
    assert structure.reduce_depth(root, 80) is False  # nothing had to be flattened
    assert [p.text_content() for p in root.iter("p")] == ["a"] * 100 and structure.depth_of(root) == 2


def test_deep_structure_is_flattened_with_its_lines():
    root = lxml_html.fragment_fromstring("<blockquote><p>x</p>" * 100 + "<p>end</p>", create_parent="div")
    assert structure.reduce_depth(root, 10) is True
    text = root.text_content()
    assert text.count("x") == 100 and "end" in text and structure.depth_of(root) <= 11
    assert re.search(r"x\s*\n\s*x", "\n".join(root.itertext()))
