"""Import orchestration, one call for the CLI and the GUI: paths expanded into items, a batch
run (several files extracted at a time, links fetched only when allowed), and the outcome
sorted into created notes, duplicates and errors.

:func:`expand_paths` is the one folder walk (importable types: ``pipeline.IMPORTABLE_SUFFIXES``);
:func:`run_import` never raises for one bad item and takes ``progress(done, total, label)`` and
``cancel`` (a ``threading.Event``), so it runs on any worker thread."""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from clipper.core import confine, fetch
from clipper.core.errors import ClipperError, InputError
from clipper.core.pipeline import IMPORTABLE_SUFFIXES

MAX_FOLDER_FILES = 20000  # files taken from one folder (the GUI's drop; the CLI takes all)
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
    #: every item imported or refused, in order: (item, ImportResult or ClipperError)
    results: list = field(default_factory=list)

    @property
    def last_note(self):
        if self.created:
            return self.created[-1]
        if self.duplicates:
            return self.duplicates[-1][1]
        return None


def walk(paths, exclude=None, skipped: list | None = None, limit: int | None = None) -> list[Path]:
    """Files to import: files as given, folders walked for importable files (sorted, no
    dot-files, nothing inside ``exclude``: the vault must not be imported into itself; no
    symlinks that leave the folder, no special files: those go to ``skipped`` as
    ``(path, reason)``)."""
    out: list[Path] = []
    for raw in paths:
        path = Path(raw).expanduser()
        if path.is_dir():
            out.extend(confine.folder_files(path, IMPORTABLE_SUFFIXES, exclude=exclude, limit=limit,
                                            skipped=skipped))
        else:
            out.append(path)
    return out


def expand_paths(paths, exclude=None, limit: int | None = MAX_FOLDER_FILES) -> list[ImportItem]:
    """:func:`walk` as items: a "file" item per file, a "skipped" item (the reason in ``text``)
    for each entry a folder walk passed over."""
    items: list[ImportItem] = []
    for raw in paths:
        skipped: list = []
        items.extend(ImportItem("file", path=p) for p in walk([raw], exclude, skipped, limit))
        items.extend(ImportItem("skipped", path=p, text=why) for p, why in skipped)
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


WEB_PAGE_SUFFIXES = {".html", ".htm", ".xhtml", ".xht", ".shtml", ".mhtml", ".mht"}


#: an <img> (or <source>) whose address is on the web; "=3D" is a quoted-printable "=" (MHTML)
_WEB_IMAGE = re.compile(rb"<(?:img|source)\b[^>]*?\bsrc(?:set)?\s*=(?:3D)?\s*[\"']?\s*(?:https?:)?//", re.I)
PEEK_BYTES = 256 * 1024  # how much of a page is looked at for web images before asking
PEEK_FILES = 200  # pages looked at (at most 50 MB read); with more left unseen, it is asked anyway


def may_hold_web_images(item: ImportItem) -> bool:
    """Whether importing ``item`` can bring web images: a link, or pasted HTML or a saved page
    that has an image on the web (a page saved with its pictures, or none, is not asked about).
    Reads at most PEEK_BYTES of a file."""
    if item.kind == "url":
        return True
    if item.kind == "clipboard":
        html = (item.html or "").encode("utf-8", "replace")
        return item.mode != "raw" and bool(_WEB_IMAGE.search(html))
    if not _is_page(item):
        return False
    try:
        fd = os.open(item.path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))  # a FIFO never blocks
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                return False
            head = fh.read(PEEK_BYTES)
    except OSError:
        return False
    if head[:2] == b"\x1f\x8b":  # a gzipped page: too costly to look into here
        return True
    return bool(_WEB_IMAGE.search(head))


def _is_page(item: ImportItem) -> bool:
    return item.kind == "file" and item.path is not None and item.path.suffix.lower() in WEB_PAGE_SUFFIXES


def _any_web_images(items) -> bool:
    pages = 0
    for item in items:
        if _is_page(item):
            pages += 1
            if pages > PEEK_FILES:
                return True  # too many to look into before the import starts: ask
        if may_hold_web_images(item):
            return True
    return False


def images_question_needed(setting: str, items) -> bool:
    """Whether the "download web images?" question must be asked before importing ``items``
    (it reads up to PEEK_FILES pages: call it off the GUI thread)."""
    return setting == "ask" and _any_web_images(items)


def _with_images(lib, item: ImportItem, opts: dict, url, mode, cancel):
    """A file or a paste imported with its web images downloaded as attachments."""
    from clipper.core import pipeline
    from clipper.core.images import download_images

    if item.kind == "file":
        clip = pipeline.extract_file(item.path, url=url, mode=mode or "article")
    else:
        clip = pipeline.extract_clipboard(text=item.text, html=item.html, url=item.url,
                                          mode=mode or item.mode)
    return lib.import_clip(download_images(clip, cancel=cancel), **opts)


def run_import(lib, items, *, allow_fetch: bool = False, tags=(), url=None, mode: str | None = None,
               on_duplicate: str = "return", jobs: int = 2, progress=None, cancel=None,
               images: bool = False) -> ImportOutcome:
    """Import ``items`` (runs on a worker thread); never raises for one bad item. ``url`` and
    ``mode`` (when given) apply to every file; ``on_duplicate`` as in ``Library.import_clip``.
    With ``images`` the web images of each imported page are downloaded as its attachments
    (one item at a time, then)."""
    outcome = ImportOutcome()
    total = len(items)
    files = [item for item in items if item.kind == "file"]
    opts = {"tags": tags, "on_duplicate": on_duplicate}
    file_opts = dict(opts, url=url, mode=mode or "article")
    if len(files) >= BATCH_MIN and not images:
        # Many files: the library extracts several at a time (child processes).
        _import_batch(lib, files, outcome, file_opts, jobs, progress, cancel, total)
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
            _refused(outcome, item, InputError(item.text or "skipped"))
            continue
        try:
            if images and item.kind in ("file", "clipboard"):
                result = _with_images(lib, item, opts, url, mode, cancel)
            elif item.kind == "file":
                result = lib.import_file(item.path, **file_opts)
            elif item.kind == "url":
                if not allow_fetch:
                    outcome.skipped_links.append(item.url)
                    continue
                result = fetch.import_url(lib, item.url, tags=tags, cancel=cancel, images=images)
            else:
                result = lib.import_clipboard(item.text, item.html, item.url, mode=mode or item.mode, **opts)
        except ClipperError as exc:
            _refused(outcome, item, exc)
            continue
        except Exception as exc:  # an unexpected bug must not end the whole batch
            _refused(outcome, item, ClipperError(f"{type(exc).__name__}: {exc}"))
            continue
        _record(outcome, item, result)
    if progress is not None:
        progress(total, total, "")
    return outcome


def _refused(outcome: ImportOutcome, item: ImportItem, exc: ClipperError) -> None:
    outcome.errors.append((item.label, str(exc) or type(exc).__name__))
    outcome.results.append((item, exc))


def _record(outcome: ImportOutcome, item: ImportItem, result) -> None:
    if getattr(result, "duplicate_of", None) is not None and not result.created:
        outcome.duplicates.append((item.label, result.duplicate_of))
    else:
        outcome.created.append(result.note)
        for warning in getattr(result, "warnings", None) or []:  # a duplicate's is the duplicate
            outcome.warnings.append((item.label, warning))
    outcome.results.append((item, result))


def _import_batch(lib, files, outcome, opts, jobs, progress, cancel, total) -> None:
    def batch_progress(done, _total, message):
        if progress is not None:
            progress(min(done, len(files)), total, message)

    paths = [item.path for item in files]
    try:
        results = lib.import_paths(paths, progress=batch_progress, cancel=cancel, jobs=jobs, **opts)
    except ClipperError as exc:  # one message for the report, each file refused in the results
        outcome.errors.append((f"{len(paths)} files", str(exc)))
        outcome.results.extend((item, exc) for item in files)
        return
    seen = set()
    for path, result in results:
        seen.add(os.path.realpath(path))
        item = ImportItem("file", path=Path(path))
        if isinstance(result, BaseException):
            _refused(outcome, item, result if isinstance(result, ClipperError) else ClipperError(str(result)))
        else:
            _record(outcome, item, result)
    missing = [p for p in paths if os.path.realpath(p) not in seen]
    if missing and cancel is not None and cancel.is_set():
        outcome.cancelled = True
    else:
        for p in missing:
            _refused(outcome, ImportItem("file", path=p),
                     InputError("not imported (not a page, note or text file)"))
