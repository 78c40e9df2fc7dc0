"""Pasted plain text becomes a clean article: encoding repaired, site chrome trimmed, metadata."""

from __future__ import annotations

import re
from collections import Counter
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
site_url: https://riversideledger.com/
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
    assert clip.source == ""  # the site's home page is not the article's address
    assert clip.site_url == "https://riversideledger.com/"
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
    ("Текст: Иван Петров", "Иван Петров"),
    ("Por María López", "María López"),
    ("Texto: Ana Souza", "Ana Souza"),
    ("Autor: Jan Nowak", "Jan Nowak"),
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


def test_a_date_inside_a_sentence_is_not_the_storys_but_a_wire_dateline_is():
    para = ("Officials said on Tuesday that the bridge, closed by the court's ruling of 24.01.2020, "
            "would reopen to traffic next week after repairs that took far longer than expected.")
    rest = "The town council met again on Wednesday evening to discuss the new timetable for buses."
    assert extract_text(f"Bridge Will Reopen Next Week\n{para}\n{rest}\n").published == ""
    wire = "WASHINGTON, May 3, 2024 — " + para
    assert extract_text(f"Bridge Will Reopen Next Week\n{wire}\n{rest}\n").published == "2024-05-03"


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


# --- the seed and its family ------------------------------------------------------------


def _f1(truth: str, got: str) -> float:
    """Word 4-gram F1 (the benchmark's measure)."""
    def grams(text):
        toks = re.findall(r"\w+", text)
        return Counter(tuple(toks[i:i + 4]) for i in range(max(1, len(toks) - 3)))
    t, g = grams(truth), grams(got)
    tp = sum((t & g).values())
    return 2 * tp / (sum(t.values()) + sum(g.values())) if tp else 0.0


def test_seed_gives_the_expected_note():
    clip = extract_text((DATA / "seed-pasted-article.txt").read_text(encoding="utf-8"))
    meta, body, error = frontmatter.split((DATA / "seed-expected-note.md").read_text(encoding="utf-8"))
    assert not error
    assert clip.title == meta["title"]
    assert clip.author == meta["author"]
    assert clip.site == meta["site"]
    assert clip.source == ""
    assert clip.site_url == "https://www.theepochtimes.com/"  # as written in the text
    assert _f1(body, clip.markdown) >= 0.98
    assert clip.markdown.startswith("Russian Foreign Minister Sergei Lavrov said")  # no header line
    assert clip.markdown.rstrip().endswith("the supply of anything from the West.”")
    assert "##" not in clip.markdown


def test_seed_tags_come_from_the_article():
    from clipper.core.tags import suggest

    clip = extract_text((DATA / "seed-pasted-article.txt").read_text(encoding="utf-8"))
    tags = suggest(clip.markdown, {}, title=clip.title)
    assert tags and not {"trump", "days", "first"} & set(tags)
    assert {"russia", "china", "lavrov"} & set(tags)


_STORY = [
    "El ayuntamiento aprobó el martes un plan para plantar mil árboles en los barrios del sur de la "
    "ciudad, una medida que los vecinos llevaban pidiendo desde hace años.",
    "La concejala de Medio Ambiente explicó que los trabajos empezarán en otoño y que cada calle "
    "tendrá al menos una especie autóctona, elegida por su resistencia al calor.",
    "Según el plan, el riego correrá a cargo de la empresa municipal durante los dos primeros años, "
    "y después serán las asociaciones de vecinos quienes se ocupen de los árboles.",
    "La oposición criticó que el presupuesto no incluya el mantenimiento a largo plazo, aunque votó "
    "a favor del plan en la sesión plenaria.",
]
_CARDS = [
    ("Cierra la última librería del centro histórico",
     "Los dueños dicen que el alquiler se ha triplicado en cinco años y no pueden seguir."),
    ("El equipo local sube a primera división",
     "Una victoria en el último minuto da al club su primer ascenso en dos décadas."),
    ("Nueva línea de autobús al aeropuerto",
     "El servicio funcionará cada veinte minutos desde el mes que viene, también de noche…"),
    ("Los precios de la vivienda siguen subiendo",
     "El metro cuadrado ya supera los tres mil euros en cuatro distritos de la capital."),
]


def _family_paste(section: str, end: str, cards=_CARDS) -> str:
    lines = ["Diario Ejemplo — Portada", "", "La ciudad plantará mil árboles en los barrios del sur", ""]
    lines += [p + "\n" for p in _STORY]
    lines += [end, "", "Diario Ejemplo", "https://www.diario-ejemplo.es/", "", section, ""]
    for head, summary in cards:
        lines += [head, "", summary, ""]
    return "\n".join(lines)


@pytest.mark.parametrize(("section", "end"), [
    ("Lo más leído", "Lee la noticia completa en diario-ejemplo.es"),
    ("Más noticias", "Por Ana García"),
    ("Weitere Artikel", "Read the full story at diario-ejemplo.es"),
])
def test_teaser_cards_after_the_article_go_in_any_wording(section, end):
    clip = extract_text(_family_paste(section, end))
    assert clip.title == "La ciudad plantará mil árboles en los barrios del sur"
    for p in _STORY:
        assert p in clip.markdown
    for head, summary in _CARDS:
        assert head not in clip.markdown and summary not in clip.markdown
    assert section not in clip.markdown and "Portada" not in clip.markdown
    assert clip.source == "" and clip.site_url == "https://www.diario-ejemplo.es/"


# --- text that is not a web page stays whole ---------------------------------------------

_NOT_PAGES = {
    "meeting": "Meeting notes 2026-03-01\n\n*Action items* for next week\n\n- call the supplier about "
               "the late order\n- book the room for the review\n\nAttendees: Ana, Ben, Chloé\n",
    "markdown": "# Heading\n\nSome *text* with a [link](https://example.org/).\n\n## Part two\n\n"
                "1. first\n2. second\n\n```python\nprint('hi')\n```\n",
    "numbered": "1. Introduction\n\nThis report covers the first quarter.\n\n2. Results\n\nSales rose.\n",
    "code": "def main():\n    for i in range(3):\n        print(i)\n\n\nif __name__ == '__main__':\n"
            "    main()\n",
    "poem": "The Tide\n\nThe tide comes in,\nthe tide goes out,\nthe gulls are loud,\nthe boats about.\n\n"
            "And when the night\nhas come to stay,\nthe sea still sings\nthe end of day.\n",
    "list": "Groceries\nmilk\neggs\nbread\nbutter\napples\ncoffee\nrice\nonions\n",
}


@pytest.mark.parametrize("name", sorted(_NOT_PAGES))
def test_text_that_is_not_a_web_page_is_kept_whole(name):
    text = _NOT_PAGES[name]
    clip = extract_text(text)
    assert clip.markdown == text.strip("\n") + "\n"
    first = text.split("\n", 1)[0]
    assert clip.title == first.lstrip("# ")


def test_meeting_notes_title_and_every_line(tmp_path):
    from clipper.core.pipeline import extract_file

    path = tmp_path / "notes.txt"
    path.write_text(_NOT_PAGES["meeting"], encoding="utf-8")
    clip = extract_file(path)
    assert clip.title == "Meeting notes 2026-03-01"
    for line in ("*Action items* for next week", "- call the supplier", "- book the room", "Attendees:"):
        assert line in clip.markdown


# --- an article's own list; what its end announces ---------------------------------------

_TOUR = ["Berlin, 3. Juni – Waldbühne", "Hamburg, 5. Juni – Stadtpark", "Köln, 8. Juni – Tanzbrunnen",
         "Wien, 11. Juni – Arena", "Zürich, 14. Juni – Hallenstadion", "München, 17. Juni – Olympiahalle"]
_MENU = ["Startseite", "Nachrichten", "Sport", "Kultur", "Wetter", "Kontakt"]
_GIG = [
    "Die Band geht im Sommer zum ersten Mal seit zehn Jahren wieder gemeinsam auf Tournee, wie ihr "
    "Management am Dienstag in einer Mitteilung bekannt gab.",
    "Karten für alle Konzerte gibt es ab Freitag im Vorverkauf, die Preise liegen je nach Stadt "
    "zwischen vierzig und neunzig Euro, wie der Veranstalter sagte.",
    "Der Sänger sagte in einem Interview, die Band habe im Winter neue Lieder geschrieben und werde "
    "einige davon auf der Tournee zum ersten Mal spielen.",
]


def _gig_paste(intro: str, tail: list[str]) -> str:
    lines = _MENU + ["", "Die Band kehrt auf die Bühne zurück", ""] + [p + "\n" for p in _GIG]
    lines += [intro, ""] + _TOUR + [""] + tail
    return "\n".join(lines)


_FOOTER = ["Newsletter", "Facebook", "Instagram", "Impressum", "Datenschutz", "© 2026 Stadtanzeiger"]


@pytest.mark.parametrize("intro", ["Die Termine der Tournee im Überblick:", "Hier spielt die Band im Juni:"])
@pytest.mark.parametrize("more", [[], ["Im Herbst will die Band ein neues Album veröffentlichen, das sie "
                                       "nach eigenen Worten in ihrem alten Proberaum aufgenommen hat.\n"]])
def test_a_list_the_article_announces_is_kept(intro, more):
    # one shape per line (a city, a date, a hall) after a sentence ending with a colon: the
    # article's own list, not a menu, though each line alone scores low; at the article's end
    # or inside it
    clip = extract_text(_gig_paste(intro, more + _FOOTER))
    for p in _GIG + _TOUR + [m.strip() for m in more]:
        assert p in clip.markdown
    for word in _MENU + ["Impressum", "Datenschutz", "Facebook"]:
        assert word not in clip.markdown.split()


def test_a_run_of_menu_words_after_the_article_is_not_a_list():
    clip = extract_text(_gig_paste("Alle Tourdaten", []).replace("\n".join(_TOUR), "\n".join(_MENU)))
    assert _GIG[-1] in clip.markdown
    assert "Kultur" not in clip.markdown.split()[-3:]
    assert "Wetter" not in clip.markdown


def test_a_line_announcing_what_the_article_does_not_keep_is_dropped():
    lines = _MENU + ["", "Die Band kehrt auf die Bühne zurück", ""] + [p + "\n" for p in _GIG]
    lines += ["Lesen Sie auch diese Beiträge:", "", "Mehr zum Thema", "Impressum", "Datenschutz",
              "Newsletter", "© 2026 Stadtanzeiger"]
    clip = extract_text("\n".join(lines))
    assert clip.markdown.rstrip().endswith(_GIG[-1])


@pytest.mark.parametrize("caption", [
    "Die Band bei ihrem letzten Konzert in der Waldbühne im Jahr 2016. Foto: Anna Schmidt",
    "Fans vor der Halle am Abend des ersten Konzerts (Image: GETTY )",
    "Der Sänger auf der Bühne in Wien. © AFP / JOE KLAMAR",
    "Tickets were sold out within minutes at the box office in Hamburg. (AP)",
    "Der Proberaum der Band, wie er heute aussieht. (Symbolbild)",
])
def test_a_caption_ending_with_its_credit_is_not_the_article(caption):
    lines = _MENU + ["", "Die Band kehrt auf die Bühne zurück", "", _GIG[0], "", caption, ""]
    lines += [p + "\n" for p in _GIG[1:]] + _FOOTER
    md = extract_text("\n".join(lines)).markdown
    assert caption not in md
    for p in _GIG:
        assert p in md


def test_an_abbreviation_in_brackets_is_not_a_credit():
    from clipper.core.plaintext import _caption, blocks_of
    assert not _caption(blocks_of("Die Band nennt das neue Programm kurz „Die Rückkehr“ (DRB)")[0])
    assert not _caption(blocks_of("Die elektronische Patientenakte (ePA)")[0])


def test_the_standfirst_over_the_byline_is_kept_and_a_prompt_is_not():
    lead = ("Die Band geht nach zehn Jahren wieder gemeinsam auf Tournee: sechs Konzerte im Juni, "
            "Karten gibt es ab Freitag.")
    prompt = ("Melden Sie sich jetzt für unseren kostenlosen Newsletter an und verpassen Sie keine "
              "Nachricht mehr aus Ihrer Region.")
    lines = _MENU + ["", "Die Band kehrt auf die Bühne zurück", "", lead, "", prompt, "",
                     "Von Anna Schmidt", "3. Juni 2026", ""] + [p + "\n" for p in _GIG] + _FOOTER
    clip = extract_text("\n".join(lines))
    assert clip.author == "Anna Schmidt"
    assert lead in clip.markdown and prompt not in clip.markdown
    for p in _GIG:
        assert p in clip.markdown


def test_a_caption_over_its_credit_is_no_standfirst():
    caption = "Der Sänger der Band bei einem Konzert in der Waldbühne, wo die Tournee im Juni beginnen soll."
    lines = _MENU + ["", "Die Band kehrt auf die Bühne zurück", "", caption, "Foto: Anna Schmidt", "",
                     "Von Anna Schmidt", ""] + [p + "\n" for p in _GIG] + _FOOTER
    assert caption not in extract_text("\n".join(lines)).markdown


def test_an_article_that_is_a_list_starts_where_the_list_is_announced():
    # a page whose article is mostly one list (a calendar): the best path may start inside it
    dates = [f"{k}. Etappe: {d}. {m} – {city}" for k, (d, m, city) in enumerate(
        [(3, "März", "Berlin"), (7, "April", "Hamburg"), (21, "April", "Köln"), (5, "Mai", "Wien"),
         (19, "Mai", "Zürich"), (2, "Juni", "München"), (16, "Juni", "Graz"), (30, "Juni", "Bern")], 1)]
    lines = _MENU + ["", "Der Rennkalender 2026", ""] + dates
    lines += ["", "Alle Termine können sich noch ändern, wie der Veranstalter in einer Mitteilung schreibt, "
                  "die am Montag verschickt wurde.", ""] + _FOOTER
    md = extract_text("\n".join(lines)).markdown
    for d in dates:
        assert d in md


def test_a_numbered_item_keeps_its_number():
    lines = _MENU + ["", "Die zehn besten Konzerte des Jahres", ""] + [p + "\n" for p in _GIG]
    lines += ["Unsere Liste der besten Abende:", "1) Berlin, Waldbühne", "2) Hamburg, Stadtpark",
              "3) Köln, Tanzbrunnen", ""] + _FOOTER
    md = extract_text("\n".join(lines)).markdown
    assert "1. Berlin, Waldbühne\n2. Hamburg, Stadtpark\n3. Köln, Tanzbrunnen" in md


GERMAN_BLOG = """Zur Navigation springen
Zum Inhalt springen
Zum Kommentarformular springen
Suche

Blog
Archiv
Fotos
Kontakt
Blog » Reisen » Ein Wochenende am Bodensee
Ein Wochenende am Bodensee
3. Mai 2019
Kommentar hinzufügen

{first}

{second}

Kategorie: Reisen
Schreibe einen Kommentar

Deine E-Mail-Adresse wird nicht veröffentlicht.

Name
E-Mail
Website

Benachrichtige mich über nachfolgende Kommentare via E-Mail.

Impressum | Datenschutz
""".format(
    first="Am Freitagabend sind wir mit dem letzten Zug nach Lindau gefahren, haben das Gepäck im "
          "kleinen Hotel am Hafen abgestellt und sind noch bis spät am Ufer entlang spaziert.",
    second="Am Samstag ging es mit dem Schiff nach Meersburg, wo wir die alte Burg besichtigt und auf "
           "dem Markt frischen Fisch gegessen haben. Wer mag, kann mir seine Tipps für den nächsten "
           "Besuch schreiben 🙂")


def test_a_short_blog_post_in_german_loses_its_menus_and_comment_form():
    clip = extract_text(GERMAN_BLOG)
    assert clip.title == "Ein Wochenende am Bodensee"
    assert clip.published == "2019-05-03"
    body = clip.markdown
    assert body.startswith("Am Freitagabend sind wir")
    assert "Tipps für den nächsten Besuch" in body  # its last paragraph ends with an emoji
    for chrome in ("springen", "Kontakt", "Kommentar", "E-Mail", "Impressum", "Benachrichtige"):
        assert chrome not in body, chrome


def test_a_copy_of_menus_only_is_kept_whole_and_says_no_article_was_found():
    menus = "\n".join(["Subscribe", "LOGIN", "Contact us", "Jobs", "OUR PRODUCTS", "Archive",
                       "International editions", "Evening Standard", "EXTRAS", "All topics",
                       "LEGAL", "Code of conduct and complaints", "Cookie policy", "Privacy notice",
                       "Donations Terms & Conditions", "User policies"] * 2)
    clip = extract_text(menus)
    assert clip.markdown.strip().split("\n\n") == menus.split("\n")  # every line, one by one
    assert clip.title == "Subscribe"
    assert clip.warnings == ["no article found in the text: all of it was kept"]


def test_a_batch_of_pastes_warms_up_the_text_path_once_in_the_parent(tmp_path):
    """The CLI's parent reads the text modules and tables before forking its workers (once,
    not once per worker), and never the HTML libraries for text alone; the notes are the same."""
    import json
    import subprocess
    import sys

    from clipper.core.pipeline import _text_clip

    texts = [f"Home\nNews\nSport\nCulture\nOpinion\nA headline number {k} for the test\nBy Ann Example\n"
             + "This paragraph is the article’s text, long enough to be prose for the model.\n" * 5
             for k in range(3)]
    files = []
    for k, text in enumerate(texts):
        f = tmp_path / f"p{k}.txt"
        f.write_text(text, encoding="utf-8")
        files.append(str(f))
    code = ("import sys, json\nfrom clipper.core import pipeline\n"
            "out = [c.markdown for _p, c in pipeline.extract_files(sys.argv[1:])]\n"
            "mods = [m in sys.modules for m in ('clipper.core.plaintext', 'clipper.core.extract')]\n"
            "print(json.dumps([out, mods]))")
    got = subprocess.run([sys.executable, "-c", code, *files], capture_output=True, text=True, check=True)
    notes, (warmed, html) = json.loads(got.stdout)
    assert warmed and not html
    assert notes == [_text_clip(extract_text(text), "article").markdown for text in texts]
