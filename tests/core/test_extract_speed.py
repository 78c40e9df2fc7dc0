"""The extraction's shortcuts give exactly what the slower code they replace gives."""
import re

from lxml import html as lxml_html

from clipper.core import extract


def test_all_stopwords_is_trafilaturas_stoplist():
    from trafilatura import external

    saved = external.JT_STOPLIST
    try:
        theirs = {w for language in external.get_stoplists() for w in external.get_stoplist(language)}
        assert set(extract._all_stopwords()) == theirs
        assert set(external.JT_STOPLIST) == theirs
    finally:
        external.JT_STOPLIST = saved


def test_text_of_collapses_whitespace_as_the_regex_did():
    el = lxml_html.fragment_fromstring("<div> a\u00a0\u2003b <b>\tc\u2028</b>\x1cd\u3000 </div>")
    assert extract.text_of(el) == re.sub(r"\s+", " ", " ".join(el.itertext())).strip()


def test_shingles_of_short_and_long_texts():
    assert extract._shingles("") == set()
    assert extract._shingles("one two") == {("one", "two")}
    assert extract._shingles("a b c d e") == {("a", "b", "c", "d"), ("b", "c", "d", "e")}


def test_parsed_pages_have_lxml_htmls_element_classes():
    page = ("<html><body><form><label>L</label><input name=a><select><option>o</option></select>"
            "<textarea>t</textarea></form><!-- c --><p>x</p></body></html>")
    ours = extract.parse_html(page)
    theirs = lxml_html.document_fromstring(page)
    assert [type(e) for e in ours.iter()] == [type(e) for e in theirs.iter()]
    assert isinstance(ours.find(".//form"), lxml_html.FormElement)
