"""What to import from a drop, a paste or a file dialog, and the batch import that runs on the writer.

:func:`items_from_mime` turns QMimeData into plain :class:`ImportItem` values (files, folders
walked, web links, HTML, text); :func:`run_import` is a plain function (progress + cancel, no
widgets) that imports them one by one and collects created notes, duplicates and errors.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QMimeData

from clipper.core import confine
from clipper.core.errors import ClipperError
from clipper.qt import fetch

#: Files taken from a dropped folder (single dropped files are always tried).
IMPORTABLE_SUFFIXES = {".html", ".htm", ".xhtml", ".shtml", ".mhtml", ".mht", ".md", ".markdown", ".txt"}
MAX_FOLDER_FILES = 20000
BATCH_MIN = 3  # from this many files on, the library's parallel import_paths is used


@dataclass
class ImportItem:
    kind: str  # "file" | "url" | "clipboard" | "skipped" (not imported: ``text`` says why)
    path: Path | None = None
    url: str | None = None
    text: str | None = None
    html: str | None = None
    mode: str = "article"

    @property
    def label(self) -> str:
        if self.kind in ("file", "skipped") and self.path is not None:
            return self.path.name
        if self.kind == "url":
            return self.url or "link"
        return "pasted HTML" if self.html else "pasted text"


@dataclass
class ImportOutcome:
    created: list = field(default_factory=list)  # Notes
    duplicates: list = field(default_factory=list)  # (label, existing Note)
    errors: list = field(default_factory=list)  # (label, one-line message)
    warnings: list = field(default_factory=list)  # (label, message)
    cancelled: bool = False
    skipped_links: list = field(default_factory=list)  # links not fetched (fetching is off)

    @property
    def last_note(self):
        if self.created:
            return self.created[-1]
        if self.duplicates:
            return self.duplicates[-1][1]
        return None


def expand_paths(paths, exclude=None) -> list[ImportItem]:
    """Files as they are; folders walked (sorted, hidden entries skipped, known file types only,
    nothing inside ``exclude``: the vault itself must not be imported into itself; no symlinks
    out of the folder, no special files: those become "skipped" items that the report lists)."""
    items: list[ImportItem] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            skipped: list = []
            found = confine.folder_files(path, IMPORTABLE_SUFFIXES, exclude=exclude, limit=MAX_FOLDER_FILES,
                                         skipped=skipped)
            items.extend(ImportItem("file", path=p) for p in found)
            items.extend(ImportItem("skipped", path=p, text=why) for p, why in skipped)
        else:
            items.append(ImportItem("file", path=path))
    return items


def file_url_items(paths, exclude=None) -> list[ImportItem]:
    """What the file URLs of a paste or a drop may import: files of importable types and folders
    (walked as :func:`expand_paths` does), never anything inside the vault (``exclude``), never
    a symlink out of the folder it is in, never a FIFO or device."""
    items: list[ImportItem] = []
    for raw in paths:
        path = Path(raw)
        if exclude is not None and confine.is_within(path, exclude):
            items.append(ImportItem("skipped", path=path, text="it is inside the vault: skipped"))
        elif path.is_dir():
            items.extend(expand_paths([path], exclude=exclude))
        elif path.suffix.lower() not in IMPORTABLE_SUFFIXES:
            items.append(ImportItem("skipped", path=path, text="not a page, note or text file: skipped"))
        else:
            problem = confine.file_problem(path, path.parent)
            items.append(ImportItem("skipped", path=path, text=problem) if problem
                         else ImportItem("file", path=path))
    return items


def _names_only(text: str, paths: list[Path], urls: list[str]) -> bool:
    """True if ``text`` is empty or only names the files the URLs name (one per line, as a file
    manager puts them beside the URLs on a copy): then the clipboard holds nothing else."""
    known = set(urls) | {str(p) for p in paths} | {p.name for p in paths}
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    return all(ln in known or ln.rstrip("/") in known for ln in lines)


def _visible_text_length(html: str) -> int:
    text = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", html)
    text = re.sub(r"(?s)<[^>]*>", " ", text)
    return len(" ".join(text.split()))


def items_from_mime(mime: QMimeData, *, plain: bool = False, raw: bool = False,
                    exclude=None) -> list[ImportItem]:
    """What a drop or a paste holds, best flavour first. ``plain``: the text only, kept verbatim
    (encoding repaired); ``raw``: the text exactly as it is, not even repaired."""
    text = mime.text() if mime.hasText() else ""
    if plain or raw:
        mode = "raw" if raw else "verbatim"
        return [ImportItem("clipboard", text=text, mode=mode)] if text.strip() else []
    html = mime.html() if mime.hasHtml() else ""
    urls = [u for u in mime.urls()] if mime.hasUrls() else []
    local = [Path(u.toLocalFile()) for u in urls if u.isLocalFile()]
    web = [u.toString() for u in urls if u.scheme().lower() in fetch.SCHEMES]
    # File URLs count only when nothing else is there (a copy in a file manager): a web page can
    # put "file:///home/u/.ssh/…" on the clipboard beside the HTML and text it copies.
    if local and not html.strip() and not web and _names_only(
            text, local, [u.toString() for u in urls] + [u.toEncoded().data().decode() for u in urls]):
        return file_url_items(local, exclude=exclude)
    # A browser selection comes as HTML (+ text); a dragged link as a URL whose HTML is just <a>.
    if html.strip() and (not web or _visible_text_length(html) > max(200, 2 * len(web[0]))):
        return [ImportItem("clipboard", html=html, text=text or None, url=web[0] if web else None)]
    if web:
        return [ImportItem("url", url=u) for u in dict.fromkeys(web)]
    if text.strip():
        lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
        if lines and all(fetch.is_web_link(ln) for ln in lines):
            return [ImportItem("url", url=u) for u in dict.fromkeys(lines)]
        return [ImportItem("clipboard", text=text)]
    return []


def prewarm() -> None:
    """Load the extraction libraries (a tiny extraction that saves nothing) so that the first
    real import does not pay for Python importing them."""
    from clipper.core import pipeline

    sample = "<article><h1>Warm up</h1>" + "<p>A short paragraph of text to extract.</p>" * 5 + "</article>"
    try:
        pipeline.extract_clipboard(html=sample)
    except Exception:  # only a warm-up
        pass


def may_hold_web_images(item: ImportItem) -> bool:
    """Whether importing ``item`` can bring web images (a page, a link, pasted HTML)."""
    if item.kind == "url":
        return True
    if item.kind == "clipboard":
        return bool(item.html) and item.mode != "raw"
    return item.kind == "file" and item.path is not None and item.path.suffix.lower() in WEB_PAGE_SUFFIXES


WEB_PAGE_SUFFIXES = {".html", ".htm", ".xhtml", ".shtml", ".mhtml", ".mht"}


def images_choice(setting: str, items, ask) -> tuple[bool, str]:
    """(download the imported pages' web images, the setting from now on): ``setting`` is
    "ask" | "yes" | "no"; ``ask()`` is called (once: its answer becomes the setting) only when
    the setting is "ask" and some item may hold web images."""
    if setting == "ask":
        if not any(may_hold_web_images(item) for item in items):
            return False, setting
        setting = "yes" if ask() else "no"
    return setting == "yes", setting


def _import_one(lib, item: ImportItem, tags, allow_fetch: bool, images: bool, cancel):
    if item.kind == "url":
        return fetch.import_url(lib, item.url, tags=tags, cancel=cancel, images=images)
    if not images:
        if item.kind == "file":
            return lib.import_file(item.path, tags=tags)
        return lib.import_clipboard(item.text, item.html, item.url, tags=tags, mode=item.mode)
    from clipper.core import pipeline

    if item.kind == "file":
        clip = pipeline.extract_file(item.path)
    else:
        clip = pipeline.extract_clipboard(text=item.text, html=item.html, url=item.url, mode=item.mode)
    return lib.import_clip(images_of(clip, cancel), tags=tags)


def images_of(clip, cancel=None):
    """The clip with its web images downloaded as attachments (the user allowed it)."""
    from clipper.core.images import download_images

    return download_images(clip, cancel=cancel)


def run_import(lib, items, *, allow_fetch: bool = False, tags=(), progress=None,
               cancel=None, images: bool = False) -> ImportOutcome:
    """Import ``items`` one by one (runs on the writer thread); never raises for one bad item.
    With ``images``, the web images of each imported page are downloaded as its attachments."""
    outcome = ImportOutcome()
    total = len(items)
    files = [item for item in items if item.kind == "file"]
    batch = getattr(lib, "import_paths", None)
    if batch is not None and len(files) >= BATCH_MIN and not images:
        # Many files: the library extracts several at a time (child processes).
        _import_batch(lib, batch, files, outcome, tags, progress, cancel, total)
        items = [item for item in items if item.kind != "file"]
        first = len(files)
    else:
        first = 0
    for done, item in enumerate(items, start=first):
        if cancel is not None and cancel.is_set():
            outcome.cancelled = True
            break
        if progress is not None:
            progress(done, total, item.label)
            if cancel is not None and cancel.is_set():
                outcome.cancelled = True
                break
        if item.kind == "skipped":
            outcome.errors.append((item.label, item.text or "skipped"))
            continue
        if item.kind == "url" and not allow_fetch:
            outcome.skipped_links.append(item.url)
            continue
        try:
            result = _import_one(lib, item, tags, allow_fetch, images, cancel)
        except ClipperError as exc:
            outcome.errors.append((item.label, str(exc) or type(exc).__name__))
            continue
        except Exception as exc:  # an unexpected bug must not end the whole batch
            outcome.errors.append((item.label, f"{type(exc).__name__}: {exc}"))
            continue
        _record(outcome, item.label, result)
    if progress is not None:
        progress(total, total, "")
    return outcome


def _record(outcome: ImportOutcome, label: str, result) -> None:
    if getattr(result, "duplicate_of", None) is not None and not result.created:
        outcome.duplicates.append((label, result.duplicate_of))
    else:
        outcome.created.append(result.note)
    for warning in getattr(result, "warnings", None) or []:
        outcome.warnings.append((label, warning))


def _import_batch(lib, batch, files, outcome, tags, progress, cancel, total) -> None:
    def batch_progress(done, _total, message):
        if progress is not None:
            progress(min(done, len(files)), total, message)

    paths = [item.path for item in files]
    try:
        results = batch(paths, tags=tags, progress=batch_progress, cancel=cancel)
    except ClipperError as exc:
        outcome.errors.append((f"{len(paths)} files", str(exc)))
        return
    seen = set()
    for path, result in results:
        seen.add(os.path.realpath(path))
        label = Path(path).name
        if isinstance(result, BaseException):
            outcome.errors.append((label, str(result) or type(result).__name__))
        else:
            _record(outcome, label, result)
    missing = [p for p in paths if os.path.realpath(p) not in seen]
    if missing and cancel is not None and cancel.is_set():
        outcome.cancelled = True
    else:
        outcome.errors.extend((p.name, "not imported (not a page, note or text file)") for p in missing)
