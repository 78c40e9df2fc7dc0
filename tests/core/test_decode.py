"""Bytes -> text: BOM, declarations, strict UTF-8 first, detection, binary refused."""

import codecs

import pytest

from clipper.core.decode import decode_html, decode_text
from clipper.core.errors import InputError

RU = "Сегодня в Москве прошла большая конференция, посвящённая развитию новых технологий."


def test_utf8_bom_wins_over_a_wrong_declaration():
    data = codecs.BOM_UTF8 + '<meta charset="iso-8859-1"><p>Café</p>'.encode()
    text, enc = decode_html(data)
    assert "Café" in text and enc == "utf-8"


def test_utf16_with_bom():
    text, _ = decode_html(codecs.BOM_UTF16_LE + "<p>Grüße</p>".encode("utf-16-le"))
    assert "Grüße" in text


def test_meta_charset_is_used():
    data = f'<html><head><meta charset="windows-1251"></head><body><p>{RU}</p>'.encode("cp1251")
    text, enc = decode_html(data)
    assert RU in text and enc == "cp1251"


def test_http_equiv_charset_is_used():
    data = ('<meta http-equiv="Content-Type" content="text/html; charset=koi8-r"><p>' + RU).encode("koi8-r")
    text, _ = decode_html(data)
    assert RU in text


def test_latin1_label_means_windows_1252():
    data = '<meta charset="iso-8859-1"><p>“Quoted” café</p>'.encode("cp1252")
    assert "“Quoted” café" in decode_html(data)[0]


def test_strict_utf8_before_guessing():
    text, enc = decode_html("<p>naïve café — ok</p>".encode())
    assert enc == "utf-8" and "naïve café — ok" in text


def test_windows_1251_without_declaration_is_detected():
    text, enc = decode_html(f"<html><body><p>{RU} {RU}</p></body></html>".encode("cp1251"))
    assert RU in text and enc == "cp1251"


def test_mostly_utf8_with_a_damaged_byte_stays_utf8():
    data = ("<p>Résumé — déjà vu, naïve café, Zürich. " * 5 + "</p>").encode() + b"\xff<p>end</p>"
    text, enc = decode_html(data)
    assert enc == "utf-8" and "Zürich" in text


def test_unlabelled_western_page_reads_as_windows_1252():
    text, _ = decode_html("<p>Une page française très simple, à lire.</p>".encode("cp1252"))
    assert "très" in text and "à lire" in text


def test_declared_encoding_from_outside_is_used():
    text, _ = decode_html(f"<p>{RU}</p>".encode("cp1251"), declared="windows-1251")
    assert RU in text


@pytest.mark.parametrize("data", [b"", b"   \n\t "])
def test_empty_is_refused(data):
    with pytest.raises(InputError, match="empty"):
        decode_html(data)


@pytest.mark.parametrize("data", [
    b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4,
    b"PK\x03\x04" + bytes(200),
    bytes(range(256)) * 20,
])
def test_binary_is_refused(data):
    with pytest.raises(InputError, match="not a text or HTML file"):
        decode_html(data)


def test_plain_text_ignores_markup_declarations():
    text, enc = decode_text("naïve text".encode())
    assert text == "naïve text" and enc == "utf-8"
