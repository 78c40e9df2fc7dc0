"""Deferred modules: imported by name at once, their code run on first use only."""
import subprocess
import sys
import textwrap

from clipper.core import lazyimport


def run(code: str) -> str:
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_converter_start_up_leaves_css_selectors_and_byte_guessing_unrun():
    assert run("""
        import sys
        import clipper.core.convert, clipper.core.extract, trafilatura, readability
        from clipper.core.lazyimport import is_deferred
        print(is_deferred("soupsieve"), is_deferred("chardet"), "soupsieve.css_parser" in sys.modules)
    """) == "True True False"


def test_a_deferred_module_works_when_used():
    assert run("""
        import clipper.core.convert
        import bs4, chardet
        soup = bs4.BeautifulSoup("<p class=x>a</p><p>b</p>", "lxml")
        print([p.text for p in soup.select("p.x")], chardet.detect(b"plain")["encoding"])
        from clipper.core.lazyimport import is_deferred
        print(is_deferred("soupsieve"))
    """) == "['a'] ascii\nFalse"


def test_defer_leaves_imported_and_missing_modules_alone():
    lazyimport.defer("sys", "re", "no_such_module_here")
    assert not lazyimport.is_deferred("re")
    assert "no_such_module_here" not in sys.modules


def test_a_lazy_pattern_compiles_on_first_use_and_matches_as_the_compiled_one():
    import re

    from clipper.core.lazyimport import LazyPattern, lazy_compile

    source = r"(?P<word>b\w+)|\d+"
    lazy, compiled = lazy_compile(source, re.I), re.compile(source, re.I)
    assert isinstance(lazy, LazyPattern) and "match" not in vars(lazy)  # not compiled yet
    text = "A Big 12 bag"
    assert lazy.search(text).group() == compiled.search(text).group()
    assert "match" in vars(lazy)  # compiled once, its methods are now the pattern's own
    assert lazy.findall(text) == compiled.findall(text)
    assert lazy.sub("-", text) == compiled.sub("-", text)
    assert [m.span() for m in lazy.finditer(text)] == [m.span() for m in compiled.finditer(text)]
    assert (lazy.pattern, lazy.flags) == (compiled.pattern, compiled.flags)
    assert lazy.groupindex == compiled.groupindex


def test_the_phrase_lists_of_pasted_text_are_not_compiled_by_importing_them():
    assert run("""
        import clipper.core.extract, clipper.core.textclean as t, clipper.core.phrases as p
        print("match" in vars(p.BOILERPLATE), "match" in vars(t._READ_ON))
    """) == "False False"


def test_functions_imported_from_a_deferred_module_run_it_when_called():
    assert run("""
        import clipper.core.mojibake, ftfy
        from clipper.core.lazyimport import is_deferred
        print(is_deferred("wcwidth"), ftfy.fix_text("CafÃ©"))
        from ftfy.formatting import display_ljust
        print(repr(display_ljust("ab中", 6)), is_deferred("wcwidth"))
        import wcwidth
        print(wcwidth.wcswidth("ab中"), wcwidth.wcwidth.__module__.startswith("wcwidth"))
    """) == "True Café\n'ab中  ' False\n4 True"


def test_extraction_start_up_leaves_byte_guessing_and_the_date_parser_unrun():
    assert run("""
        import sys
        from clipper.core import pipeline
        pipeline.warm_up()
        from clipper.core.lazyimport import is_deferred
        print(is_deferred("charset_normalizer"), is_deferred("dateutil.parser"),
              "charset_normalizer.api" in sys.modules, "dateutil.parser._parser" in sys.modules)
    """) == "True True False False"


def test_a_deferred_submodule_runs_when_its_function_is_called():
    assert run("""
        import sys
        import clipper.core.extract
        from clipper.core.lazyimport import is_deferred
        import dateutil, dateutil.parser
        from htmldate.extractors import dateutil_parse
        from charset_normalizer import from_bytes
        print(dateutil.parser is sys.modules["dateutil.parser"], is_deferred("dateutil.parser"))
        print(dateutil_parse("2019-11-19 12:00:00 +0000").isoformat(), is_deferred("dateutil.parser"))
        print(dateutil.parser.isoparse("2020-01-02").year, from_bytes("café".encode("utf-8")).best().encoding)
    """) == "True True\n2019-11-19T12:00:00+00:00 False\n2020 utf_8"
