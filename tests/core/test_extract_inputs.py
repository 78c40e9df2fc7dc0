"""Each input kind becomes the note a user expects: text, metadata, images as attachments."""

import base64
from pathlib import Path

import pytest

from clipper.core.errors import InputError
from clipper.core.pipeline import extract_clipboard, extract_file

PAGES = Path(__file__).resolve().parent.parent / "data" / "pages"


def test_complete_save_with_files_folder():
    clip = extract_file(PAGES / "complete.html")
    assert clip.kind == "html"
    assert clip.title == "The Last Lighthouse Keepers"
    assert clip.author == "Maren Holt"
    assert clip.published == "2023-05-14"
    assert clip.site == "Coastal Stories"
    assert clip.source == "https://coast.example.org/stories/lighthouse-keepers"
    assert clip.language == "en"
    md = clip.markdown
    # the title heads the article's sections: the outline keeps its root (a lone title would go)
    assert md.lstrip().startswith("# The Last Lighthouse Keepers\n")
    assert "The Fresnel lens, introduced in 1823" in md
    assert "## A day on the rock" in md
    # the saved image is an attachment, its caption the alt text
    assert "![Number of keepers per decade](attachments/chart.png)" in md
    assert [a.name for a in clip.attachments] == ["chart.png"]
    assert clip.attachments[0].data.startswith(b"\x89PNG")
    # links absolute against the page URL; tables and code survive
    assert "[wick](https://coast.example.org/glossary/wick)" in md
    assert "| Task | Time |" in md and "| Trim the wick | 05:00 |" in md
    assert "```python\nfor hour in range(24):\n    log.write(weather(hour))\n```" in md
    # site chrome is gone
    for junk in ("Ten best beaches", "All rights reserved", "About us"):
        assert junk not in md


def test_url_argument_is_the_source_when_the_page_has_no_canonical(tmp_path):
    page = tmp_path / "p.html"
    page.write_text("<html><head><title>Notes on tea</title></head><body><article>"
                    + "<p>Green tea is steamed or pan-fired soon after picking, which keeps it green. "
                      "<a href='/more'>More</a></p>" * 4 + "</article></body></html>", encoding="utf-8")
    clip = extract_file(page, url="https://tea.example.com/green")
    assert clip.source == "https://tea.example.com/green"
    assert "(https://tea.example.com/more)" in clip.markdown


def test_singlefile_data_uri_images_become_attachments():
    clip = extract_file(PAGES / "singlefile.html")
    assert clip.title == "Der Höhenweg im Herbst"
    assert clip.language == "de"
    assert clip.source == "https://alpen.example.de/wandern/hoehenweg"
    assert "base64" not in clip.markdown and "data:" not in clip.markdown
    assert len(clip.attachments) == 1
    att = clip.attachments[0]
    assert att.mime == "image/png" and att.data.startswith(b"\x89PNG")
    assert f"![Blick vom Grat](attachments/{att.name})" in clip.markdown
    assert "Seilsicherungen" in clip.markdown


def test_mhtml_with_quoted_printable_html_and_base64_image():
    clip = extract_file(PAGES / "recipe.mhtml")
    assert clip.kind == "mhtml"
    assert clip.title == "Le pain au levain"
    assert clip.author == "Claire Dubois"
    assert clip.source == "https://boulange.example.fr/recettes/levain"
    assert "mie alvéolée" in clip.markdown and "c’est le signe" in clip.markdown
    assert [a.name for a in clip.attachments] == ["miche.png"]
    assert "![Une miche dorée](attachments/miche.png)" in clip.markdown


def test_windows_1251_page_without_charset():
    clip = extract_file(PAGES / "cp1251.html")
    assert clip.title == "Как испечь блины"
    assert "Блины — одно из самых любимых блюд русской кухни" in clip.markdown


def test_clipboard_cf_html_payload():
    payload = (PAGES / "clipboard_cf_html.txt").read_text(encoding="utf-8")
    clip = extract_clipboard(html=payload, text="fallback text")
    assert clip.kind == "clipboard-html"
    assert clip.source == "https://sea.example.com/learn/tides"
    assert "The Moon’s gravity pulls the oceans" in clip.markdown
    assert "[spring tides](https://sea.example.com/tides/spring)" in clip.markdown
    assert "javascript" not in clip.markdown
    assert "Version:" not in clip.markdown and "StartHTML" not in clip.markdown


def test_clipboard_fragment_markers_and_meta_prefix():
    html = ("<meta charset='utf-8'><html><body><p>outside</p><!--StartFragment-->"
            "<p>Only the <b>selected</b> words are kept here, nothing around them.</p>"
            "<!--EndFragment--><p>after</p></body></html>")
    clip = extract_clipboard(html=html, url="https://x.example.net/a")
    assert "Only the **selected** words are kept here" in clip.markdown
    assert "outside" not in clip.markdown and "after" not in clip.markdown
    assert clip.source == "https://x.example.net/a"


def test_clipboard_plain_text_is_the_fallback():
    clip = extract_clipboard(text="Just some words I copied from a chat.\n", html="")
    assert "Just some words I copied" in clip.markdown


def test_clipboard_html_without_text_falls_back_to_plain_text():
    clip = extract_clipboard(text="The plain flavour of the clipboard.", html="<div>  </div>")
    assert "The plain flavour of the clipboard." in clip.markdown


def test_empty_clipboard_is_refused():
    with pytest.raises(InputError):
        extract_clipboard(text="", html="")


def test_markdown_file_is_taken_as_it_is(tmp_path):
    note = tmp_path / "n.md"
    note.write_text("---\ntitle: My note\ntags: [a, b]\n---\n# Heading\n\nBody *text*.\n", encoding="utf-8")
    clip = extract_file(note)
    assert clip.title == "My note" and clip.tags == ["a", "b"]
    assert clip.markdown == "# Heading\n\nBody *text*."


def test_text_file_goes_through_the_plain_text_importer(tmp_path):
    f = tmp_path / "t.txt"
    f.write_text("A plain text note\n\nwith two paragraphs of words.\n", encoding="utf-8")
    clip = extract_file(f)
    assert "with two paragraphs of words." in clip.markdown


def test_raw_mode_keeps_even_the_broken_characters(tmp_path):
    f = tmp_path / "t.txt"
    text = "Itâ€™s kept\n\n  exactly   as given\n"
    f.write_text(text, encoding="utf-8")
    assert extract_file(f, mode="raw").markdown == text
    assert extract_file(f, mode="verbatim").markdown == "It’s kept\n\n  exactly   as given\n"
    assert extract_clipboard(text=text, mode="raw").markdown == text
    page = "<html><body><article><h1>Café</h1><p>Itâ€™s here, in a paragraph.</p></article></body></html>"
    assert "Itâ€™s" in extract_clipboard(html=page, mode="raw").markdown
    assert "It’s" in extract_clipboard(html=page, mode="page").markdown


def test_page_mode_keeps_the_whole_page(tmp_path):
    clip = extract_file(PAGES / "complete.html", mode="page")
    assert "Ten best beaches" in clip.markdown and "Fresnel lens" in clip.markdown


def test_data_uri_that_is_not_an_image_is_dropped(tmp_path):
    payload = base64.b64encode(b"<script>alert(1)</script>").decode()
    page = tmp_path / "d.html"
    page.write_text(f"<html><body><article><p>{'Words of the article. ' * 20}</p>"
                    f"<img src='data:text/html;base64,{payload}' alt='x'>"
                    f"<a href='data:text/html;base64,{payload}'>open</a></article></body></html>")
    clip = extract_file(page)
    assert "data:" not in clip.markdown and "script" not in clip.markdown
    assert clip.attachments == []


def test_page_without_an_article_keeps_its_text_with_a_warning(tmp_path):
    page = tmp_path / "tiny.html"
    page.write_text("<html><head><title>Tiny</title></head><body><nav><a href='/'>Home</a></nav>"
                    "<div><span>Opening hours: 9 to 5.</span><br><span>Closed on Sundays.</span></div>"
                    "</body></html>", encoding="utf-8")
    clip = extract_file(page)
    assert "Opening hours: 9 to 5." in clip.markdown and "Closed on Sundays." in clip.markdown
    assert clip.title == "Tiny"
    assert any("whole page" in w for w in clip.warnings)


def test_page_without_a_title_gets_one_from_its_text(tmp_path):
    page = tmp_path / "untitled.html"
    page.write_text("<html><body><article>" + "<p>A page that never says what it is called, sadly.</p>" * 5
                    + "</article></body></html>", encoding="utf-8")
    assert extract_file(page).title == "A page that never says what it is called, sadly."


def test_teasers_before_and_comment_boilerplate_after_the_article_are_dropped(tmp_path):
    story = "".join(f"<p>Paragraph {i} of the story tells what happened at the harbour that stormy night.</p>"
                    for i in range(12))
    page = tmp_path / "teasers.html"
    page.write_text(
        "<html><head><title>Harbour night</title></head><body><article>"
        "<h3>More news</h3><h3><a href='/a'>Another story about something else entirely</a></h3>"
        "<h3><a href='/b'>Yet another story you may want to read today</a></h3>"
        + story + "<h3>Comments</h3><p>comments</p></article></body></html>", encoding="utf-8")
    md = extract_file(page).markdown
    assert md.startswith("Paragraph 0 of the story")
    assert "Another story" not in md and "More news" not in md
    assert md.rstrip().endswith("that stormy night.")


def test_metadata_is_plain_one_line_text_and_urls_are_checked(tmp_path):
    page = tmp_path / "m.html"
    page.write_text("<html><head><title>Evil\u202e title\x07 here</title></head><body><article>"
                    + "<p>Words enough to make this page an article of some length.</p>" * 5
                    + "</article></body></html>", encoding="utf-8")
    clip = extract_file(page, url="javascript:alert(1)")
    assert clip.title == "Evil title here"
    assert clip.source == ""


def test_clipboard_selection_is_kept_whole_and_its_byline_is_metadata():
    html = ("<h1>The Big Story</h1><p>By Jane Doe · March 3, 2024</p>"
            "<p>First paragraph of the piece with words.</p><ul><li>One item</li><li>Two item</li></ul>"
            "<blockquote>A quoted line.</blockquote><pre><code>x = 1</code></pre>"
            "<table><tr><th>a</th><th>b</th></tr><tr><td>1</td><td>2</td></tr></table>"
            "<p>Last paragraph here.</p>")
    clip = extract_clipboard(html=html)
    md = clip.markdown
    assert (clip.title, clip.author, clip.published) == ("The Big Story", "Jane Doe", "2024-03-03")
    assert "- One item\n- Two item" in md
    assert "> A quoted line." in md and "x = 1" in md and "| 1 | 2 |" in md
    assert "Last paragraph here." in md and "Jane Doe" not in md


def test_author_labels_in_any_language_leave_the_name():
    from clipper.core.textclean import strip_author_label
    assert strip_author_label("Текст Венера Ерофеева") == "Венера Ерофеева"
    assert strip_author_label("Texto: Ana Ruiz") == "Ana Ruiz"
    assert strip_author_label("By Jane Doe") == "Jane Doe"
    assert strip_author_label("Von Trapp") == "Von Trapp"  # a name's own particle
    assert strip_author_label("Redaktion") == "Redaktion"


def test_metadata_gets_the_same_encoding_repair_as_the_body():
    # a short title, an author and a site name mangled through Windows-874 (+1252), the body clean:
    # each field is repaired on its own, as a whole page would be
    title = "Die Hersteller dürfen sie verkaufen"
    author = "José Müller"

    def mangle(s):
        return "".join(bytes([b]).decode("cp874", "ignore") or bytes([b]).decode("cp1252", "ignore")
                       for b in s.encode("utf-8"))

    page = ("<html><head><title>" + mangle(title) + "</title>"
            "<meta name='author' content='" + mangle(author) + "'>"
            "<meta property='og:site_name' content='" + mangle("Zürcher Zeitung") + "'></head><body><article>"
            "<h1>" + mangle(title) + "</h1>" + "<p>Plain article text that is long enough to be kept.</p>" * 6
            + "</article></body></html>")
    clip = extract_clipboard(html=page)
    assert clip.title == title
    assert clip.author == author
    assert clip.site == "Zürcher Zeitung"


def test_site_name_from_the_title_suffix_or_the_publisher_not_a_handle():
    body = ("<body><article><h1>Rain returns to the valley</h1>"
            + "<p>The rain came back after months of drought and the farmers were glad of it.</p>" * 4
            + "</article></body></html>")
    page = "<html><head><title>Rain returns to the valley | Valley Gazette</title></head>" + body
    clip = extract_clipboard(html=page, url="https://valley.example/news/rain")
    assert (clip.site, clip.title) == ("Valley Gazette", "Rain returns to the valley")
    clip = extract_clipboard(html=page.replace("| Valley Gazette", "- Part 2"), url="https://valley.example/n")
    assert clip.site == "valley.example"
    handle = ("<html><head><title>Rain returns to the valley</title><meta name='twitter:site' content='@Vg_'>"
              "</head>" + body.replace("<article>", "<article><div itemprop='publisher' itemscope>"
                                                    "<meta itemprop='name' content='Valley Gazette'></div>"))
    assert extract_clipboard(html=handle, url="https://vg.example/n").site == "Valley Gazette"


def test_a_small_html_fragment_file_keeps_every_block(tmp_path):
    frag = tmp_path / "snippet.html"
    frag.write_text("<h2>Steps</h2><p>Do this first.</p><ul><li>Flour</li><li>Water</li></ul>"
                    "<blockquote>Be patient.</blockquote><p>Then wait.</p>", encoding="utf-8")
    md = extract_file(frag).markdown
    assert "- Flour\n- Water" in md and "> Be patient." in md and "Then wait." in md


def test_a_batch_of_one_page_is_not_warmed_up_and_of_two_pages_once_in_the_parent(tmp_path):
    """A batch of one input: its one worker would repeat the parent's warm-up (and the warm-up
    page's own import on top). Two or more: the parent warms up before forking. The notes are
    the same either way."""
    import json
    import subprocess
    import sys

    page = ("<html><head><title>A page</title></head><body><article><h1>A page</h1>"
            + "<p>This paragraph is the article’s text, long enough to be a paragraph of prose.</p>" * 6
            + "</article></body></html>")
    files = []
    for k in range(2):
        f = tmp_path / f"p{k}.html"
        f.write_text(page, encoding="utf-8")
        files.append(str(f))
    code = ("import sys, json\nfrom clipper.core import pipeline\n"
            "out = [c.markdown for _p, c in pipeline.extract_files(sys.argv[1:])]\n"
            "print(json.dumps([out, sorted(pipeline._WARM), 'clipper.core.extract' in sys.modules]))")
    runs = [json.loads(subprocess.run([sys.executable, "-c", code, *chosen], capture_output=True, text=True,
                                      check=True).stdout) for chosen in (files[:1], files)]
    (one, warm_one, imported_one), (two, warm_two, imported_two) = runs
    assert warm_one == [] and not imported_one  # (the worker imported the HTML libraries itself)
    assert warm_two == ["html"] and imported_two
    assert one == two[:1] and two[0] == two[1] and "article’s text" in one[0]


def test_the_warm_up_pauses_the_garbage_collector_and_restores_it(monkeypatch):
    """The warm-up's imports make objects that live as long as the process: the collector is off
    while they are made, and as it was afterwards (on or off)."""
    import gc

    from clipper.core import limits, pipeline

    seen = []
    monkeypatch.setattr(limits, "forks_here", lambda: True)
    monkeypatch.setattr(pipeline, "_warm_html", lambda: seen.append(gc.isenabled()))
    for collecting in (True, False):
        monkeypatch.setattr(pipeline, "_WARM", set())
        (gc.enable if collecting else gc.disable)()
        try:
            pipeline.warm_up()
            assert gc.isenabled() is collecting
        finally:
            gc.enable()
    assert seen == [False, False]


def test_a_warm_up_skipped_for_want_of_forking_is_not_taken_for_done(monkeypatch):
    """Where this process does not fork its workers (a fork server runs them: threads are
    running) the warm-up does nothing, and it is not marked done: a later call, once this
    process forks, warms the libraries up for the children it forks."""
    from clipper.core import limits, pipeline

    warmed = []
    monkeypatch.setattr(pipeline, "_WARM", set())
    monkeypatch.setattr(pipeline, "_warm_html", lambda: warmed.append("html"))
    monkeypatch.setattr(limits, "forks_here", lambda: False)
    pipeline.warm_up()
    assert warmed == [] and not pipeline._WARM
    monkeypatch.setattr(limits, "forks_here", lambda: True)
    pipeline.warm_up()
    pipeline.warm_up()
    assert warmed == ["html"] and sorted(pipeline._WARM) == ["html"]
