"""The import pipeline: any input (file, clipboard) -> :class:`Clip`. Saves nothing.

Public entry points (used by the CLI, the Library and the GUI):

- ``extract_file(path, url=None, mode="article") -> Clip``
- ``extract_clipboard(text=None, html=None, url=None, mode="article") -> Clip``
- ``extract_files(paths, url=None, mode="article", jobs=2)``: yields ``(path, Clip | InputError)``
  in order, ``jobs`` inputs at a time (the CLI's batches).

``mode`` is ``"article"`` (extract the article), ``"page"`` (keep the whole page/text, only
cleaned and converted), ``"verbatim"`` (text kept exactly as given, encoding repaired) or
``"raw"`` (as ``verbatim`` or ``page``, without even the encoding repair).
Errors are raised as :class:`clipper.core.errors.InputError` with a one-line message.
Stages: bytes -> text (decode) -> Page (inputs) -> article HTML (extract) -> Markdown (convert).
Everything after the size check runs in a child process with time and memory limits (limits).
"""

from __future__ import annotations

import re
from pathlib import Path

from clipper.core import limits
from clipper.core.errors import InputError
from clipper.core.gcpause import collector_paused
from clipper.core.model import Clip, check_mode

HTML_SUFFIXES = (".html", ".htm", ".xhtml", ".xht", ".shtml")
MHTML_SUFFIXES = (".mhtml", ".mht")
MARKDOWN_SUFFIXES = (".md", ".markdown")
TEXT_SUFFIXES = (".txt", ".text")
#: the one table of importable file types (a folder walk takes these; a file given alone is tried)
IMPORTABLE_SUFFIXES = HTML_SUFFIXES + MHTML_SUFFIXES + MARKDOWN_SUFFIXES + TEXT_SUFFIXES



def extract_file(path, url: str | None = None, mode: str = "article") -> Clip:
    """Import one file (saves nothing). Raises InputError with a one-line message."""
    check_mode(mode)
    path = Path(path)
    _precheck(path)
    warm_up()
    return limits.run_limited(_extract_file_here, path, url, mode)


def extract_files(paths, url: str | None = None, mode: str = "article", jobs: int = 2):
    """Import many files, ``jobs`` at a time; yields ``(path, Clip or InputError)`` in order."""
    check_mode(mode)
    paths = [Path(p) for p in paths]
    calls, early = [], {}
    for i, path in enumerate(paths):
        try:
            _precheck(path)
        except InputError as exc:
            early[i] = exc
            continue
        calls.append((i, (_extract_file_here, (path, url, mode))))
    suffixes = {paths[i].suffix.lower() for i, _ in calls}
    pages = suffixes - set(TEXT_SUFFIXES + MARKDOWN_SUFFIXES)
    if pages and len(calls) > 1:  # plain text and Markdown need none of the HTML libraries
        # (one input: its one worker would do the same work, and the warm-up page's on top)
        warm_up(text=bool(suffixes - set(HTML_SUFFIXES + MHTML_SUFFIXES)))
    elif suffixes & set(TEXT_SUFFIXES) and len(calls) > 1:
        # (one input: its one worker would do the same work, so none is saved)
        warm_up(text=True, html=False)
    results = dict(early)
    order = iter(range(len(paths)))
    want = next(order, None)
    starts = _start_order(paths, calls, jobs)
    for j, result in limits.run_many([c for _, c in calls], jobs=jobs, order=starts):
        results[calls[j][0]] = result
        while want is not None and want in results:
            yield paths[want], results.pop(want)
            want = next(order, None)
    while want is not None and want in results:
        yield paths[want], results.pop(want)
        want = next(order, None)


def _start_order(paths, calls, jobs: int) -> list[int]:
    """In the order given, but the last few inputs largest first: the workers then finish
    together instead of one of them importing a big page alone at the end (a batch of 40 pages
    on 2 workers: one of the idle ends it saves). Only a few, so that few results wait for
    earlier ones and the first results still come at once."""
    tail = min(len(calls), 8 * max(1, jobs))

    def size(j: int) -> int:
        try:
            return paths[calls[j][0]].stat().st_size
        except OSError:
            return 0

    head = list(range(len(calls) - tail))
    return head + sorted(range(len(calls) - tail, len(calls)), key=lambda j: (-size(j), j))


def extract_clipboard(text: str | None = None, html: str | None = None, url: str | None = None,
                      mode: str = "article") -> Clip:
    """Import what the clipboard holds: HTML first (plain text as fallback)."""
    check_mode(mode)
    text = text or ""
    html = html or ""
    if len(html) > limits.MAX_FILE_BYTES or len(text) > limits.MAX_FILE_BYTES:
        limits.check_size(max(len(html), len(text)), "the clipboard content")
    if not html.strip() and not text.strip():
        raise InputError("the clipboard holds nothing Clipper can import")
    warm_up()
    return limits.run_limited(_extract_clipboard_here, text, html, url, mode)


_WARM: set[str] = set()  # what warm_up did: "html", "text"
_WARM_PAGE = ("<html lang=en><head><title>Warm up</title><meta name=author content='A B'></head><body>"
              "<nav><a href='/'>Home</a></nav><article><h1>Warm up</h1>"
              + "<p>Clipper warms up its extraction libraries with this short page of text.</p>" * 8
              + "<pre><code class=language-python>x = 1</code></pre><table><tr><th>a</th></tr></table>"
              "</article></body></html>")
# A pasted page in small: a menu, a headline, a byline, paragraphs (one non-ASCII character, so
# that the encoding repair reads its tables) and teaser cards; every stage of the text path runs.
_WARM_TEXT = "\n".join(
    ["Home", "News", "Sport", "Culture", "Opinion", "Warm up of the text path for pasted pages",
     "By Ann Example", "May 5, 2024"]
    + ["Clipper warms up the extraction of pasted text with this short page, so that it’s ready."] * 6
    + [f"Another story number {k} of the site" + "\nIts summary says what the story is about, in a sentence."
       for k in range(4)]
    + ["© 2024 Example News. All rights reserved."])


_WARM_QUOTES = "Clipper’s warm-up text – café"
_WARM_BYLINES = ("By Ann Example, Staff Writer, Monday", "Ann Example – May 5, 2024", "5 May 2024",
                 "05/05/2024", "05.05.2024")


def warm_up(text: bool = False, html: bool = True) -> None:
    """Import and initialise the extraction libraries once, so that forked children share them
    (``html``: the HTML ones; ``text``: the plain-text ones too, their tables and model read).

    Only where children are forked from this process (the CLI): the app's children come from a
    fork server that preloads the libraries, and warming up in the app would only hold the GIL
    (lxml, readability) while the window waits for it."""
    want = {k for k, on in (("html", html), ("text", text)) if on} - _WARM
    if not want or not limits.forks_here():
        return  # (not marked warm: a later call, when this process forks, warms it up)
    _WARM.update(want)
    # The libraries' imports and first calls make hundreds of thousands of objects that live as
    # long as the process: the collector's passes over them (several full ones) are garbage
    # found none of, ~3% of the warm-up, which every import of a batch waits for.
    with collector_paused():
        if "html" in want:
            _warm_html()
        if "text" in want:
            _warm_text()


def _warm_html() -> None:
    from clipper.core import convert, extract, inputs  # noqa: F401

    try:
        from clipper.core import mojibake  # noqa: F401
    except Exception:  # noqa: BLE001 -- their errors surface (one line) when an input needs them
        pass
    try:  # (the first call of each library builds its caches: once here, not once per child)
        art = extract.extract_article(_WARM_PAGE, url="https://example.org/a")
        convert.element_to_markdown(art.body)
        # almost every page has a non-ASCII character (a curly quote): the mojibake test then
        # builds its code page tables, and in a batch some page has two side by side, for which
        # it imports ftfy (~0.1 s): in each child if not here
        mojibake.suspect(_WARM_QUOTES)
        mojibake.warm_up()
        # (the byline and date patterns are compiled when first used: here, not in each child)
        from clipper.core.textclean import byline_name, parse_date

        for line in _WARM_BYLINES:
            byline_name(line)
            parse_date(line)
        # (justext's stop list is not read here: only about one page in 12 needs it, and a child
        # reads it from the user cache on such a page, in parallel with the other child)
    except Exception:  # noqa: BLE001 -- warming up is an optimisation only
        pass


def _warm_text() -> None:
    try:  # (as for HTML: the model, the word lists and the repair's tables, read once here)
        from clipper.core import decode  # noqa: F401
        from clipper.core.plaintext import extract_text

        _text_clip(extract_text(_WARM_TEXT), "article")
    except Exception:  # noqa: BLE001 -- warming up is an optimisation only
        pass


def _precheck(path: Path) -> None:
    try:
        if path.is_dir():
            raise InputError(f"{path.name} is a folder: import its files instead")
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(f"cannot read {path.name}: {exc.strerror or exc}") from exc
    if not path.is_file():
        raise InputError(f"{path.name} is not a regular file")
    limits.check_size(size, path.name)


# --- the work (runs in the child process) ---------------------------------------------------

def _extract_file_here(path: Path, url: str | None, mode: str) -> Clip:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {path.name}: {exc.strerror or exc}") from exc
    limits.check_size(len(data), path.name)
    kind = _kind(path, data)
    if kind == "markdown":
        from clipper.core.decode import decode_text

        if not data.strip():
            return _from_markdown("")
        text, _enc = decode_text(data)
        return _from_markdown(text)
    if kind == "text":
        from clipper.core.decode import decode_text
        from clipper.core.plaintext import extract_text

        text, _enc = decode_text(data)
        return _text_clip(extract_text(text, url, mode), mode)
    from clipper.core import inputs

    if kind == "mhtml":
        page = inputs.page_from_mhtml(data)
    else:
        page = inputs.page_from_html_file(path, data)
    del data
    return _from_page(page, url, mode)


def _kind(path: Path, data: bytes) -> str:
    suffix = path.suffix.lower()
    if suffix in MARKDOWN_SUFFIXES:
        return "markdown"
    if suffix in TEXT_SUFFIXES:
        return "text"
    if suffix in MHTML_SUFFIXES:
        return "mhtml"
    if suffix in HTML_SUFFIXES:
        return "html"
    head = data[:2048].lstrip()
    if re.match(rb"(?i)(From:|MIME-Version:|Content-Type:\s*multipart/related)", head):
        return "mhtml"
    if re.search(rb"(?i)<(!doctype html|html|head|body|meta|div|p)\b", head):
        return "html"
    from clipper.core.decode import looks_binary

    if looks_binary(data):
        raise InputError(f"{path.name}: unsupported file type")
    return "text"


def _extract_clipboard_here(text: str, html: str, url: str | None, mode: str) -> Clip:
    from clipper.core import inputs

    if html.strip():
        page = inputs.page_from_clipboard(html, url)
        try:
            clip = _from_page(page, page.url or url, mode)
        except InputError:
            if not text.strip():
                raise
        else:
            if clip.markdown.strip() or not text.strip():
                return clip
    from clipper.core.plaintext import extract_text

    return _text_clip(extract_text(text, url, mode), mode)


# Raw HTML in text: "<" before a tag name, "/", "!" or "?" not already escaped by a backslash.
_TEXT_TAG = re.compile(r"(?<!\\)((?:\\\\)*)<(?=[A-Za-z/!?])")
_TEXT_LINK = re.compile(r"(?<!\\)((?:\\\\)*)(\[[^\]\n]*\])(\(\s*<?([^)\s>]*))")
_TEXT_REF = re.compile(r"(?m)^([ \t]{0,3})(\[[^\]\n]+\]:[ \t]*<?([^\s>]+))")


def _text_clip(clip: Clip, mode: str) -> Clip:
    """A note made from plain text: in article and page mode (the text becomes Markdown) raw HTML
    is escaped and links to other than http(s)/mailto are made plain text, as for web pages, so
    no script reaches the note. ``verbatim`` and ``raw`` keep the text exactly as it was given."""
    clip.kind = clip.kind or "text"
    if mode in ("article", "page"):
        clip.markdown = neutralize_markup(clip.markdown)
    return clip


def neutralize_markup(markdown: str) -> str:
    """``markdown`` with raw HTML tags escaped and unsafe link targets turned into text."""
    from clipper.core.links import safe_url

    def unsafe(target: str) -> bool:
        return bool(target) and not target.startswith("#") and not safe_url(target)

    # (each expression only where its literal part is: most text has no tag, link or reference,
    # and each search would otherwise try every position of the text)
    if "<" in markdown:
        markdown = _TEXT_TAG.sub(r"\1\\<", markdown)
    if "](" in markdown:
        markdown = _TEXT_LINK.sub(lambda m: m.group(1) + m.group(2) + ("\\" if unsafe(m.group(4)) else "")
                                  + m.group(3), markdown)
    if "]:" in markdown:
        markdown = _TEXT_REF.sub(lambda m: m.group(1) + ("\\" if unsafe(m.group(3)) else "") + m.group(2),
                                 markdown)
    return markdown


def _from_page(page, url: str | None, mode: str) -> Clip:
    from clipper.core.convert import element_to_markdown
    from clipper.core.extract import ATTACHMENT_PREFIX, extract_article
    from clipper.core.mojibake import repair, suspect

    limits.check_html_size(len(page.html))
    url = url or page.url or ""
    extract_mode = "page" if mode != "article" else "article"
    if extract_mode == "article" and _is_selection(page):
        extract_mode = "page"  # what the user selected is what they want: all of it
    art = extract_article(page.html, url=url, resources=page.resources, mode=extract_mode,
                          byline=mode in ("article", "page"))
    placeholders = {ATTACHMENT_PREFIX + name: f"attachments/{name}" for name in page.attachments}
    markdown = element_to_markdown(art.body, base_url=url, attachments=placeholders)
    if not markdown.strip():
        raise InputError("the page has no text")
    guessed = page.encoding not in ("", "utf-8", "utf-8-sig") and page.kind != "clipboard-html"
    if mode == "raw":
        repair = _unchanged
    elif guessed or suspect(markdown[:20000]):  # any code page's mojibake (also Windows-874)
        markdown = repair(markdown)
    used = [att for name, att in page.attachments.items() if f"(attachments/{name})" in markdown]
    clip = Clip(
        markdown=markdown,
        title=_repaired(art.title, repair),
        author=_repaired(art.author, repair),
        published=art.published,
        site=_repaired(art.site, repair),
        source=art.source,
        language=art.language,
        description=_repaired(art.description, repair)[:500],
        image=art.image,
        tags=list(dict.fromkeys(_repaired(t, repair) for t in art.tags)),
        attachments=used,
        warnings=page.warnings + art.warnings,
        kind=page.kind,
    )
    if not clip.title:
        clip.title = _title_from_text(markdown)
    if clip.image.startswith("attachments/") and clip.image[len("attachments/"):] not in {
            a.name for a in used}:
        clip.image = ""
    return clip


def _unchanged(text: str) -> str:
    return text


def _repaired(text: str, repair) -> str:
    """Mojibake repair for a metadata field (plain ASCII cannot be mojibake: skip the work)."""
    return repair(text) if text and not text.isascii() else text


def _title_from_text(markdown: str) -> str:
    """A title for a page without one: its first line of text, shortened at a word."""
    for line in markdown.splitlines():
        line = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", line)
        line = re.sub(r"^[#>\-*+\s\d.]+|[*_`|\\]", "", line).strip()
        if len(line) >= 3:
            if len(line) > 80:
                line = line[:80].rsplit(" ", 1)[0].rstrip(",;:") + "…"
            return line
    return ""


_CHROME_TAG = re.compile(r"(?i)<(?:nav|header|footer|aside)\b|role=[\"']?navigation")
_DOCUMENT_TAG = re.compile(r"(?i)<!doctype|<html\b|<head\b|<body\b")


def _is_selection(page) -> bool:
    """What the user selected, to keep whole (every list, table, quote, picture): clipboard HTML
    that is not a whole page copied with select-all (small, or without the page's navigation),
    or a small saved file that is only a fragment of HTML."""
    html = page.html
    if page.kind == "clipboard-html":
        return len(html) < 20000 or not _CHROME_TAG.search(html)
    if page.kind == "html":
        return len(html) < 20000 and not _DOCUMENT_TAG.search(html[:8192]) and not _CHROME_TAG.search(html)
    return False


def _from_markdown(text: str) -> Clip:
    from clipper.core import frontmatter  # (PyYAML: only Markdown files need it)

    meta, body, error = frontmatter.split(text)
    tags = meta.get("tags") or []
    if isinstance(tags, str):
        tags = [t.strip() for t in tags.replace(",", " ").split() if t.strip()]
    clip = Clip(markdown=body.strip("\n"), kind="markdown", tags=[str(t) for t in tags])
    for key in ("title", "author", "published", "site", "site_url", "source", "language", "description"):
        value = meta.get(key)
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        if value:
            setattr(clip, key, str(value))
    if error:
        clip.warnings.append(error)
    return clip
