"""Encoding repair: mangled text comes back as written; clean text in any script is untouched."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from clipper.core.mojibake import repair

CLEAN = {
    "english": "It’s a “quoted” word — and an ellipsis… plus 5 € and 3 °C, ½ cup. 😀👍🏽",
    "french": "Déjà vu : l’élève a reçu « ça » à Noël, naïve cœur. Où êtes-vous ?",
    "german": "„Straße“ und Größe: Übermäßig süß, schön – ÄÖÜ ß.",
    "portuguese": "ATENÇÃO: a ação de São Paulo não é só órgão; Você está lá. NOTÍCIAS",
    "czech_polish": "Příliš žluťoučký kůň úpěl ďábelské ódy. Zażółć gęślą jaźń. Łódź.",
    "russian": "Съешь же ещё этих мягких французских булок, да выпей чаю. «Новости» — Русский.",
    "ukrainian": "Чуєш їх, доцю, га? Кумедна ж ти, прощайся без ґольфів!",
    "greek": "Ξεσκεπάζω την ψυχοφθόρα βδελυγμία. ΣΈ ΌΛΟΥΣ Άρης «Έλα».",
    "chinese": "我能吞下玻璃而不伤身体。中国/中华 阅读简体中文版閱讀繁體中文版",
    "japanese": "いろはにほへと ちりぬるを。お客様のブランドをお守りします。プライバシーポリシー",
    "korean": "다람쥐 헌 쳇바퀴에 타고파. 한국어",
    "thai": "เป็นมนุษย์สุดประเสริฐเลิศคุณค่า กว่าบรรดาฝูงสัตว์เดรัจฉาน ยกเลิก ย ก",
    "arabic": "نص حكيم له سر قاطع وذو شأن عظيم مكتوب على ثوب أخضر ومغلف بجلد أزرق\u200f",
    "hebrew": "דג סקרן שט בים מאוכזב ולפתע מצא חברה",
    "hindi": "ऋषियों को सताने वाले दुष्ट राक्षसों के राजा रावण का सर्वनाश करने वाले",
    "turkish": "Pijamalı hasta yağız şoföre çabucak güvendi. İĞÜŞÖÇ",
    "vietnamese": "Tiếng Việt có dấu: Ngày hôm nay trời đẹp quá.",
    "symbols": "© ® ™ ± × ÷ µ ¶ § ¿ ¡ « » ‹ › † ‡ • ° ¼ ← → ↑ ↓ ✓ ✕ ☰ \u00a0 \u2060",
}


@pytest.mark.parametrize("name", sorted(CLEAN))
def test_clean_text_unchanged_byte_for_byte(name):
    assert repair(CLEAN[name]) == CLEAN[name]


def test_all_samples_together_unchanged():
    text = "\n\n".join(CLEAN.values())
    assert repair(text) == text


# The way programs mangle text: UTF-8 bytes read one by one with a legacy code page; bytes the
# page does not define are dropped ("874+" reads them as Windows-1252 first). Same as the
# project's benchmark (../shared/bench/mojibake.py), copied so the test stands alone.
def _byte_table(encoding: str) -> list[str]:
    pages = ("cp874", "cp1252") if encoding == "cp874+" else (encoding,)
    table = []
    for b in range(256):
        ch = ""
        for page in pages:
            try:
                ch = bytes([b]).decode(page)
                break
            except UnicodeDecodeError:
                continue
        table.append(ch)
    return table


def corrupt(text: str, encoding: str) -> str:
    table = _byte_table(encoding)
    return "".join(table[b] for b in text.encode("utf-8"))


ARTICLE = (
    "The city’s council voted 7–2 on Tuesday. “This is a win for everyone who rides,” said "
    "council member Ana Ruiz — who’d campaigned for it… The café’s owner, José Müller, agreed.\n\n"
    "Prices rose 5 % to 12 € (about £10); the naïve plan’s “phase two” starts in São Paulo.\n"
)
RUSSIAN = "Городской совет одобрил план. «Это победа», — сказал депутат. Новости и погода.\n"
GREEK = "Το δημοτικό συμβούλιο ενέκρινε το σχέδιο. «Είναι μια νίκη», είπε.\n"

CODEPAGES = ["cp1252", "cp874+", "latin-1", "cp1250", "cp1251", "cp1253", "cp1254", "cp1257",
             "mac-roman", "cp437"]


@pytest.mark.parametrize("encoding", CODEPAGES)
def test_each_code_page_repaired(encoding):
    mangled = corrupt(ARTICLE, encoding)
    assert mangled != ARTICLE
    assert repair(mangled) == ARTICLE


@pytest.mark.parametrize("encoding", ["cp1252", "cp874+", "latin-1", "cp1251", "mac-roman", "cp437"])
def test_cyrillic_article_repaired(encoding):
    assert repair(corrupt(RUSSIAN, encoding)) == RUSSIAN


@pytest.mark.parametrize("encoding", ["latin-1", "mac-roman", "cp437", "cp1251"])
def test_greek_article_repaired(encoding):
    # (through pages that lose bytes, a lost Greek letter is a guess: ρ or ύ are both CF xx)
    assert repair(corrupt(GREEK, encoding)) == GREEK


def test_lossy_forms_dropped_byte():
    # Windows-1252 has no character for 0x9D, so the last byte of ” is lost
    assert repair("He said “hi.â€ Then") == "He said “hi.” Then"
    assert repair("He said â€œhi.â€ Then") == "He said “hi.” Then"
    # a byte replaced by U+FFFD or a question mark
    assert repair("â€œHi,â€\ufffd she said. Itâ€™s") == "“Hi,” she said. It’s"
    assert repair("â€œHi,â€? she said. Itâ€™s fine?") == "“Hi,” she said. It’s fine?"


def test_issue_example_windows_874_plus():
    text = "โ€œThis is a win for everyone who rides,โ€ said council member Ana Ruiz. The cityโ€™s plan"
    assert repair(text) == ("“This is a win for everyone who rides,” said council member Ana Ruiz. "
                            "The city’s plan")
    assert repair("Byย\u00a0Tom Baker") == "By\u00a0Tom Baker"


def test_partly_mangled_text():
    text = "Clean “quotes” and it’s fine. But this part was mangled: Itâ€™s a cafÃ© now."
    assert repair(text) == "Clean “quotes” and it’s fine. But this part was mangled: It’s a café now."


def test_doubly_mangled_text():
    once = corrupt(ARTICLE, "cp1252")
    assert repair(corrupt(once, "cp1252")) == ARTICLE


def test_ascii_and_empty():
    assert repair("") == ""
    assert repair("plain ascii text?") == "plain ascii text?"


def test_clean_words_of_many_languages_with_punctuation_unchanged():
    # function words of ~100 languages (jusText's lists) with quotes, dashes and no-break
    # spaces glued on: no chance decoding may pass for a repair
    justext = pytest.importorskip("justext")
    import random

    rng = random.Random(7)
    punct = ["", "", "", "…", "«", "»", "“", "”", "’", "—", "„", "‹", "›", "–", "(", ")", "\u00a0"]
    for lang in sorted(justext.get_stoplists()):
        words = sorted(justext.get_stoplist(lang))
        sample = rng.sample(words, min(len(words), 60))
        text = " ".join(rng.choice(punct) + w + rng.choice(punct) for w in sample)
        assert repair(text) == text, lang


def test_fixture_generator_matches_the_benchmark():
    bench = Path(__file__).resolve().parents[2].parent / "shared" / "bench" / "mojibake.py"
    if not bench.exists():
        pytest.skip("the shared benchmark is not beside this checkout")
    spec = importlib.util.spec_from_file_location("bench_mojibake", bench)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name in module.LEGACY:
        ours = "cp874+" if name == "windows-874+" else name
        assert corrupt(ARTICLE + RUSSIAN, ours) == module.corrupt(ARTICLE + RUSSIAN, name)
        assert repair(module.corrupt(ARTICLE, name)) == ARTICLE
