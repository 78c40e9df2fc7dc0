"""Tag normalisation, nesting, renaming/merging and suggestions (pure functions)."""

from clipper.core import tags as t


def test_normalize():
    assert t.normalize_tag("  #Machine Learning ") == "machine-learning"
    assert t.normalize_tag("Science / Physics") == "science/physics"
    assert t.normalize_tag("a//b/") == "a/b"
    assert t.normalize_tag("#") == ""
    assert t.normalize_tags(["A", "a", " #a ", "B c"]) == ["a", "b-c"]
    assert t.tags_from_meta("one, Two") == ["one", "two"]
    assert t.tags_from_meta("one two") == ["one", "two"]
    assert t.tags_from_meta(["x", None, 3]) == ["x", "3"]


def test_nesting():
    assert t.with_ancestors(["a/b/c", "a/d"]) == ["a", "a/b", "a/b/c", "a/d"]
    assert t.is_under("science/physics", "science")
    assert not t.is_under("sciences", "science")


def test_rename_merges_and_children_follow():
    assert t.rename_in(["science", "science/physics", "art"], "science", "nature") == [
        "nature", "nature/physics", "art"]
    assert t.rename_in(["old", "new"], "old", "new") == ["new"]


def test_remove_drops_children():
    assert t.remove_in(["a", "a/b", "ab", "c"], "a") == ["ab", "c"]


def test_suggest_prefers_tags_in_use():
    text = "The telescope saw a distant galaxy. Astronomy of galaxies and telescope optics; galaxy galaxy."
    out = t.suggest(text, {"astronomy": 5, "cooking": 9, "space/galaxy": 2})
    assert out[0] in ("astronomy", "space/galaxy")
    assert "cooking" not in out
    assert "galaxy" in out or "space/galaxy" in out


def test_suggested_words_are_telling_ones():
    text = ("People said the glacier retreat was fast. [People](https://people.example.com/people) "
            "said the glacier lost ice; people watched the glacier. See https://www.example.com/https "
            "and people, people, people.")
    common = {"people": 90, "said": 95, "glacier": 2}
    out = t.suggest(text, {}, title="Glacier retreat", doc_freq=lambda w: common.get(w, 1), doc_count=100)
    assert out[0] == "glacier" and "retreat" in out  # the title's words, rare across the vault
    assert "people" not in out and "https" not in out and "example" not in out  # too common; link targets
    assert t.suggest(text, {})[0] == "people"  # no vault to compare with: plain frequency


def test_suggestions_prefer_names_to_their_pieces():
    text = ("New York State Attorney General Letitia James sued the company on Monday. The New York "
            "State Attorney General said the company misled investors. James said the lawsuit seeks "
            "penalties. The attorney general's office in New York filed the suit in Manhattan. "
            "Investors lost money, the General said. New York officials agreed.")
    out = t.suggest(text, {}, title="New York attorney general sues firm")
    assert {"new-york", "attorney-general"} <= set(out[:3])
    assert not {"york", "general", "state-attorney", "attorney"} & set(out)


def test_suggestions_leave_out_what_the_interface_is_called():
    """Keys, menu paths and code in a how-to text are not what it is about."""
    text = ("Paste with **Ctrl+V**, or use *File → Import from clipboard* (**Ctrl+Shift+V**). "
            "Press **Ctrl+E** to edit; `ctrl` and `file` are in code. Markdown notes are plain "
            "Markdown files; Markdown keeps headings. Ctrl+Z undoes. File → Save saves.")
    out = t.suggest(text, {})
    assert out[0] == "markdown"
    assert "ctrl" not in out and "file" not in out


def test_sentence_capitals_are_not_names():
    text = ("Der Arbeitgeber zahlt. Der Arbeitgeber spart. Die Rente steigt, sagt der Arbeitgeber. "
            "Die Rente sinkt nie.")
    out = t.suggest(text, {})
    assert "der-arbeitgeber" not in out and "die-rente" not in out
    assert "arbeitgeber" in out and "rente" in out


def test_suggestions_leave_out_function_words_of_the_notes_own_language():
    text = ("Beim Stadtfest in Lindau gab es beim Hafen Musik, und beim Feuerwerk sahen viele zu. "
            "Das Stadtfest dauerte drei Tage; das Feuerwerk war der Höhepunkt, sagten die Gäste. ") * 2
    out = t.suggest(text, {}, title="Stadtfest in Lindau")
    assert "beim" not in out
    assert "stadtfest" in out and "feuerwerk" in out


def test_the_notes_own_language_from_its_front_matter_comes_before_a_guess():
    """A short note does not tell its language (no guess): the front matter's ``language`` (as
    pages give it, "de-DE") still leaves its function words out; an unknown code falls back."""
    text = "Beim Hafen: Musik beim Fest und Feuerwerk beim Hafen. Feuerwerk."
    assert "beim" in t.suggest(text, {}, limit=8)
    assert "beim" not in t.suggest(text, {}, limit=8, language="de-DE")
    assert "feuerwerk" in t.suggest(text, {}, limit=8, language="de-DE")
    assert t.suggest(text, {}, limit=8, language="xx") == t.suggest(text, {}, limit=8)
