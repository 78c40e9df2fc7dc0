"""The phrase table: each list knows its chrome and leaves article sentences alone."""

from __future__ import annotations

import pytest

from clipper.core import phrases

PROSE = "The council voted on Tuesday to keep the old library open for another year."


@pytest.mark.parametrize(("name", "chrome"), [
    ("BOILERPLATE", ["Leave a reply", "Related articles:", "You might also like", "Most read", "Trending"]),
    ("SECTION_BREAK", ["Related stories", "Most viewed stories", "Trending", "More from Science:"]),
    ("COMMENTS_START", ["12 comments", "Post a comment", "Join the conversation"]),
    ("TAIL_HEADING", ["Leave a comment", "Related posts", "You may also like", "Tags:"]),
    ("CAPTION", ["Photo: Jane Doe", "Credit: Reuters"]),
    ("DATE_STAMP", ["Updated on: 3 May 2024", "Veröffentlicht am 3. Mai 2024"]),
])
def test_each_list_knows_its_chrome_and_not_prose(name, chrome):
    pattern = getattr(phrases, name)
    assert all(pattern.match(line) for line in chrome), name
    assert not pattern.match(PROSE)


def test_the_searched_lists():
    assert phrases.TAIL_PROMPT.search("Like this story? Share it with a friend")
    assert phrases.LEGAL.search("© 2024 Example Media. All rights reserved.")
    assert len(phrases.CONSENT.findall("We use cookies to improve your browsing experience")) >= 2
    for pattern in (phrases.TAIL_PROMPT, phrases.LEGAL, phrases.CONSENT):
        assert not pattern.search(PROSE)


@pytest.mark.parametrize("line", [
    "Zum Inhalt springen", "Direkt zum Inhalt", "Aller au contenu", "Saltar al contenido",
    "Passa al contenuto",
    "Pular para o conteúdo", "Naar de inhoud springen", "Przejdź do treści", "Перейти к содержимому",
    "Impressum", "Datenschutzerklärung", "Mentions légales", "Aviso legal", "Informativa privacy",
    "Startseite", "Suche", "Rechercher", "Compartir", "Drucken",
    "Deine E-Mail-Adresse wird nicht veröffentlicht.", "Votre adresse e-mail ne sera pas publiée.",
    "Benachrichtige mich über nachfolgende Kommentare via E-Mail.",
    "Questo sito usa Akismet per ridurre lo spam.",
    "Meinen Namen, meine E-Mail-Adresse und meine Website in diesem Browser speichern.",
])
def test_chrome_of_sites_in_other_languages(line):
    assert phrases.BOILERPLATE.match(line)


@pytest.mark.parametrize("line", [
    "Die Suche nach dem Glück", "Mijn naam is Jan en ik woon in Utrecht, waar ik al jaren werk als leraar.",
    "Notify me when it ships", "Kontaktlinsen im Test", "Impressionen vom Stadtfest",
])
def test_lines_that_only_look_like_chrome_in_other_languages(line):
    assert not phrases.BOILERPLATE.match(line)


@pytest.mark.parametrize("line", ["Schreibe einen Kommentar", "Laisser un commentaire", "Deja una respuesta",
                                  "Lascia un commento", "Deixe uma resposta", "Geef een reactie"])
def test_a_comment_form_starts_in_any_language(line):
    assert phrases.COMMENTS_START.match(line)
