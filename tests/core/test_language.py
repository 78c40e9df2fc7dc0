"""The one language guess: a note's language and the encoding repair's word lists agree."""

from __future__ import annotations

import pytest

from clipper.core import language, mojibake, plaintext

SENTENCES = {
    "en": "The council said that it would not change the plan before the end of the year, and the "
          "mayor agreed with them.",
    "de": "Der Rat sagte, dass er den Plan nicht vor dem Ende des Jahres ändern werde, und die "
          "Bürgermeisterin stimmte ihm zu.",
    "pl": "Rada miasta powiedziała, że nie zmieni planu przed końcem roku, a burmistrz się z nią "
          "zgodziła i nie było w tej sprawie sporu.",
    "es": "El consejo dijo que no cambiaría el plan antes del final del año, y la alcaldesa estuvo "
          "de acuerdo con ellos en todo lo que se dijo.",
    "ru": "Городской совет сказал, что не будет менять план до конца года, и мэр с ним согласился.",
    "uk": "Міська рада заявила, що не змінюватиме план до кінця року, і мер з нею погодився.",
    "ja": "市議会は年末まではこの計画を変えないと述べ、市長もそれに同意した。",
    "zh": "市议会表示，在年底之前不会改变这个计划，市长也表示同意。",
    "el": "Το δημοτικό συμβούλιο είπε ότι δεν θα αλλάξει το σχέδιο πριν από το τέλος του έτους.",
}


@pytest.mark.parametrize("code", sorted(SENTENCES))
def test_language_of_a_paragraph(code):
    assert language.guess(" ".join([SENTENCES[code]] * 3)) == code


def test_too_little_or_no_text_names_no_language():
    assert language.guess("") == ""
    assert language.guess("1234 5678 — 42") == ""
    assert language.guess("The plan.") == ""  # a title's few words do not tell
    assert language.guess("def f(x):\n    return x + 1\n" * 10) == ""


def test_names_and_numbers_do_not_pass_for_a_language():
    # long stop-word lists run on into names; only their commonest words count
    text = " ".join(["Kyle Busch 5040 5 1 17 27 Martin Truex Jr Ryan Daniel Matt Kevin"] * 10)
    assert language.guess(text) == ""


def test_the_note_and_the_repair_ask_the_same_guess():
    text = " ".join([SENTENCES["de"]] * 3)
    assert plaintext.extract_text(f"{text}\n\n{text}\n").language == language.guess(text) == "de"
    # the repair takes the code when it has word lists for the language's letters
    assert mojibake._text_language(text) == "de"
    assert mojibake._text_language(" ".join([SENTENCES["ja"]] * 3)) is None


def test_stop_words_are_bare_and_ranked():
    words = language.stopwords()["ru"]
    assert words[:3] == ["в", "и", "на"]
    assert all(w.isalpha() and w == w.lower() for w in words)


def test_letters_are_counted_as_the_letter_pattern_counts_them():
    import re

    from clipper.core import language

    letter = re.compile(r"[^\W\d_]")
    for text in ["abc 123 ___ ½ ² Ⅳ", "日本語のテキスト 2024", "ǅemal ß", "", "___", "12 34"]:
        found = language._WORD.findall(text)
        assert sum(map(len, found)) - len(language._DIGIT.findall(text)) == len(letter.findall(text))
