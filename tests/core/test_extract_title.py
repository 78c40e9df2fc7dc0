"""The title of a saved page: the headline the page shows when its metadata words it otherwise."""

from __future__ import annotations

from clipper.core.extract import extract_article

_BODY = "".join(f"<p>{s}</p>" for s in (
    "Prosecutors in Sweden have dropped an investigation into a rape allegation made against the "
    "Wikileaks co-founder, the deputy director of public prosecution said on Tuesday morning.",
    "The prosecutor said the evidence had weakened considerably due to the long period of time "
    "that had elapsed since the events in question, nearly a decade ago.",
    "He remains in a British prison after breaching his bail conditions, and the United States "
    "wants him extradited on charges of conspiring to hack a government computer.",
))


def _page(head: str, h1: str, site: str = "Daily Planet") -> str:
    return (f"<html><head>{head}<meta property='og:site_name' content='{site}'></head><body>"
            f"<header><a href='/'>{site}</a></header><article>{h1}{_BODY}</article></body></html>")


def test_the_shown_headline_wins_over_a_social_card_wording():
    html = _page("<title>Julian Assange: Sweden drops rape investigation - Daily Planet</title>"
                 "<meta property='og:title' content='Sweden drops Assange rape investigation'>",
                 "<h1>Julian Assange: Sweden drops rape investigation</h1>")
    art = extract_article(html)
    assert art.title == "Julian Assange: Sweden drops rape investigation"
    assert "Sweden drops rape investigation" not in art.body.text_content()  # the heading went with it


def test_an_h1_that_names_the_site_or_a_section_is_not_the_headline():
    head = ("<title>Sweden drops Assange rape investigation | Daily Planet</title>"
            "<meta property='og:title' content='Sweden drops Assange rape investigation'>")
    for h1 in ("<h1>Daily Planet</h1>", "<h1>World</h1>", "<h1>Sweden</h1>",
               "<h1>Latest world news from Sweden and the rest of Europe today</h1>"):
        assert extract_article(_page(head, h1)).title == "Sweden drops Assange rape investigation", h1


def test_a_heading_hidden_from_sight_or_a_kicker_beside_the_title_changes_nothing():
    head = "<meta property='og:title' content='Sweden drops Assange rape investigation'>"
    hidden = "<h1 class='visually-hidden'>Julian Assange: Sweden drops his rape investigation</h1>"
    assert extract_article(_page(head, hidden)).title == "Sweden drops Assange rape investigation"
    kicker = "<h1><span class='kicker'>Julian Assange</span> Sweden drops Assange rape investigation</h1>"
    assert extract_article(_page(head, kicker)).title == "Sweden drops Assange rape investigation"
    label = ("<h1><span class='sr-only'>Headline:</span> Julian Assange: Sweden drops the rape "
             "investigation</h1>")
    assert extract_article(_page(head, label)).title == "Julian Assange: Sweden drops the rape investigation"


def test_a_headline_in_a_script_without_spaces_keeps_its_characters_together():
    head = "<title>NEWS EASY|子どもへの体罰を禁止する法律ができる</title>"
    h1 = "<h1><ruby>子<rt>こ</rt></ruby>どもへの<ruby>体罰<rt>たいばつ</rt></ruby>を禁止する法律ができる</h1>"
    assert extract_article(_page(head, h1, site="NEWS EASY")).title == "子どもへの体罰を禁止する法律ができる"


def test_a_heading_of_many_unclosed_tags_is_read_without_recursion():
    head = "<title>Sweden drops Assange rape investigation</title>"
    h1 = "<h1>" + "<b>" * 1500 + "Julian Assange: Sweden drops rape investigation" + "</b>" * 1500 + "</h1>"
    assert extract_article(_page(head, h1)).title == "Julian Assange: Sweden drops rape investigation"
