"""Pasted plain text becomes a clean article: encoding repaired, site chrome trimmed, metadata."""

from __future__ import annotations

from pathlib import Path

import pytest

from clipper.core import frontmatter
from clipper.core.errors import InputError
from clipper.core.plaintext import extract_text

DATA = Path(__file__).resolve().parent.parent / "data" / "text"

ISSUE_NOTE = """---
title: City Council Approves Bike Lanes Along River Road After Two-Year Debate
author: Tom Baker
site: The Riverside Ledger
source: https://riversideledger.com/
---
The city council voted 7-2 on Tuesday to approve protected bike lanes along River Road.

“This is a win for everyone who rides,” said council member Ana Ruiz. The city’s plan ...
"""


def _note(clip) -> str:
    meta = {k: v for k, v in clip.metadata().items() if k != "tags"}
    return frontmatter.dump(meta) + clip.markdown


def test_issue_example_gives_the_note_in_the_issue():
    # UTF-8 read as Windows-874, 1252 for the bytes 874 leaves undefined, the rest dropped
    text = (DATA / "issue3-windows-874.txt").read_text(encoding="utf-8")
    assert "โ€œ" in text and "Byย\u00a0Tom" in text
    clip = extract_text(text)
    assert clip.title == "City Council Approves Bike Lanes Along River Road After Two-Year Debate"
    assert clip.author == "Tom Baker"
    assert clip.site == "The Riverside Ledger"
    assert clip.source == "https://riversideledger.com/"
    assert clip.published == ""
    assert _note(clip) == ISSUE_NOTE


def test_issue_example_through_the_pipeline(tmp_path):
    from clipper.core.pipeline import extract_clipboard, extract_file

    text = (DATA / "issue3-windows-874.txt").read_text(encoding="utf-8")
    path = tmp_path / "pasted.txt"
    path.write_text(text, encoding="utf-8")
    for clip in (extract_file(path), extract_clipboard(text=text)):
        assert _note(clip) == ISSUE_NOTE


def test_blog_paste_keeps_only_the_article():
    clip = extract_text((DATA / "blog-paste.txt").read_text(encoding="utf-8"))
    assert clip.title == "How to Make a Weeknight Tomato Soup in Twenty Minutes"
    assert clip.author == "Maria Lopez"
    assert clip.published == "2021-03-03"
    assert clip.site == "The Quiet Kitchen"
    body = clip.markdown
    assert body.startswith("There is nothing fancy about this soup")
    assert body.rstrip().endswith("keep the leftovers in the fridge for up to four days.")
    # the ingredient list inside the article stays
    for item in ("2 tablespoons butter", "1 onion, chopped", "1 can whole tomatoes", "2 cups stock"):
        assert item in body
    # menus, share buttons, related posts, comments, cookie banner and footer go
    for chrome in ("RECIPES", "Facebook", "Share", "Related Posts", "Lentil Soup", "Anna says",
                   "kids loved it", "Leave a Reply", "cookies", "All rights reserved", "Written by"):
        assert chrome not in body
    # paragraphs are separated by blank lines
    assert "\n\nStart by melting the butter" in body


@pytest.mark.parametrize(("line", "name"), [
    ("By Jane Doe", "Jane Doe"),
    ("Written by Regan", "Regan"),
    ("Von Max Mustermann", "Max Mustermann"),
    ("By Eric Song, IGN Staff", "Eric Song"),
    ("BY SARAH E. NEEDLEMAN | Nov. 19, 2019", "SARAH E. NEEDLEMAN"),
    ("Chris Davies - Nov 19, 2019, 10:31 pm CST", "Chris Davies"),
])
def test_byline_gives_the_author_and_leaves_the_body(line, name):
    para = ("The committee met for six hours on Monday and agreed, after a long debate, to publish "
            "its findings before the end of the month, a spokesman said.")
    text = f"A Headline About the Committee Meeting\n{line}\n\n{para}\n\n{para.replace('six', 'two')}\n"
    clip = extract_text(text)
    assert clip.author == name
    assert line not in clip.markdown
    assert clip.title == "A Headline About the Committee Meeting"


@pytest.mark.parametrize(("line", "iso"), [
    ("Nov. 19, 2019 8:03 am ET", "2019-11-19"),
    ("Posted: Fri 6:45 PM, Feb 16, 2018", "2018-02-16"),
    ("Updated 2020-01-05 10:00", "2020-01-05"),
    ("18 November 2019", "2019-11-18"),
])
def test_date_near_the_title(line, iso):
    para = ("Officials said on Tuesday that the bridge would reopen to traffic next week after "
            "repairs that took far longer than anyone in the town had expected.")
    clip = extract_text(f"Bridge Will Reopen Next Week\n{line}\n{para}\n{para}\n")
    assert clip.published == iso


def test_source_url_in_the_text_and_the_url_argument():
    para = ("The museum will stay open late on Fridays through the summer, the director said, and "
            "entry after six will be free for students and for anyone under eighteen.")
    text = f"Museum Extends Its Hours\n{para}\n{para}\nhttps://news.example.org/museum-hours\n"
    assert extract_text(text).source == "https://news.example.org/museum-hours"
    assert extract_text(text, url="https://other.example/a").source == "https://other.example/a"


def test_escape_hatch_modes():
    text = "Menu\nHome\nItâ€™s a title\n\n  kept   exactly \r\n"
    assert extract_text(text, mode="raw").markdown == text
    assert extract_text(text, mode="verbatim").markdown == "Menu\nHome\nIt’s a title\n\n  kept   exactly \r\n"
    page = extract_text(text, mode="page").markdown
    assert "Menu" in page and "It’s a title" in page and "kept   exactly" in page


def test_clean_multilingual_text_kept():
    text = ("Новости дня\nСъешь же ещё этих мягких французских булок, да выпей чаю — сказал он, "
            "и все согласились, что это очень хорошая мысль для начала дня.\n"
            "Ξεσκεπάζω την ψυχοφθόρα βδελυγμία, είπε ο δήμαρχος στους δημοσιογράφους χθες το βράδυ "
            "στην πλατεία της πόλης.\n")
    clip = extract_text(text)
    assert "Съешь же ещё этих мягких французских булок" in clip.markdown
    assert "Ξεσκεπάζω την ψυχοφθόρα βδελυγμία" in clip.markdown


def test_empty_text_is_an_input_error():
    with pytest.raises(InputError):
        extract_text("  \n\t\n")
    with pytest.raises(ValueError, match="mode"):
        extract_text("text", mode="nonsense")


def test_clean_article_is_kept_whole_with_its_subheadings():
    paras = [
        "Across Europe, towns are turning parking lots into dense patches of native trees, a method "
        "first developed in Japan in the 1970s.",
        "The idea is simple. Plant many young trees close together, water them for two years, and "
        "then leave them alone.",
        "Each square metre gets three or four saplings of different native species. They compete "
        "for light and grow quickly.",
        "Critics say the forests are too small to matter for the climate.",
        "Supporters disagree. They point to cooler streets, more insects and birds, and neighbours "
        "who meet while planting.",
    ]
    text = "Why Cities Are Planting Tiny Forests\n\n" + "\n\n".join(
        paras[:2] + ["How it works"] + paras[2:]) + "\n"
    clip = extract_text(text)
    assert clip.title == "Why Cities Are Planting Tiny Forests"
    assert clip.markdown == "\n\n".join(paras[:2] + ["## How it works"] + paras[2:]) + "\n"


@pytest.mark.parametrize(("text", "code"), [
    ("The council said that it would not change the plan before the end of the year, and the "
     "mayor agreed with them.", "en"),
    ("Der Rat sagte, dass er den Plan nicht vor dem Ende des Jahres ändern werde, und die "
     "Bürgermeisterin stimmte ihm zu.", "de"),
    ("Le conseil a dit qu’il ne changerait pas le plan avant la fin de l’année, et la maire est "
     "d’accord avec lui.", "fr"),
    ("Городской совет сказал, что не будет менять план до конца года, и мэр с ним согласился.",
     "ru"),
    ("市议会表示，在年底之前不会改变这个计划，市长也表示同意。", "zh"),
    ("市議会は年末まではこの計画を変えないと述べ、市長もそれに同意した。", "ja"),
])
def test_language_of_the_text(text, code):
    assert extract_text(f"{text}\n\n{text}\n\n{text}\n").language == code


def test_one_line_paste_mangled_through_windows_874_is_repaired():
    # a title-sized paste: "dรผrfen" is "dürfen" read through Windows-874
    clip = extract_text("Die Hersteller dรผrfen sie ins Ausland verkaufen", mode="verbatim")
    assert clip.markdown == "Die Hersteller dürfen sie ins Ausland verkaufen"
    assert clip.title == "Die Hersteller dürfen sie ins Ausland verkaufen"
