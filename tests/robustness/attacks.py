"""Attacks on the vault, the importers and the worker processes (issue 17), one scenario each.

A scenario builds its hostile files in a :class:`Sandbox` (a vault, an index, bait files beside
the vault, a temp folder), runs Clipper on them and returns the problems it saw, each prefixed by
its kind: ``outside:`` (a file outside the vault was created, changed or deleted), ``leak:``
(bait content reached the vault or a search hit), ``lost:`` (a note or its bytes are gone),
``bytes:`` (a tag change touched more than the tags), ``orphan:`` (a worker outlived its parent),
``slow:`` and ``wrong:``. ``test_attacks.py`` runs each with fixed seeds; ``scripts/fuzz.py``
runs them with random ones.

    python -m tests.robustness.attacks orphan-child '{"helpers": 2, ...}'   (see orphan_child)
"""

from __future__ import annotations

import codecs
import contextlib
import hashlib
import http.server
import json
import os
import random
import re
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.robustness.harness import REPO, worker_env  # noqa: E402

BAIT = "zzbait"  # every bait file holds it (with a token of its own): it must never reach the vault
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360f8cfc0f01f0005000201a5e1a4a40000000049454e44ae426082"
)


def _png(tag: str) -> bytes:
    """A valid PNG that differs by ``tag`` (a tEXt chunk), so a copied bait image is recognised."""
    import zlib

    data = b"Comment\x00" + tag.encode()
    chunk = len(data).to_bytes(4, "big") + b"tEXt" + data + zlib.crc32(b"tEXt" + data).to_bytes(4, "big")
    return PNG[:-12] + chunk + PNG[-12:]


@dataclass
class Sandbox:
    """``root/{vault,index,cache,bait,tmp}``; everything but vault/index/cache/tmp is watched."""

    root: Path
    bait_files: dict[str, bytes] = field(default_factory=dict)  # name in bait/ -> content
    _lib: object = None

    @property
    def vault(self) -> Path:
        return self.root / "vault"

    @property
    def bait(self) -> Path:
        return self.root / "bait"

    @property
    def tmp(self) -> Path:
        return self.root / "tmp"

    @property
    def index(self) -> Path:
        return self.root / "index"

    @classmethod
    def create(cls, root: Path, seed: int = 0) -> Sandbox:
        sb = cls(Path(root))
        for d in (sb.vault, sb.bait, sb.tmp, sb.index, sb.bait / "folder", sb.bait / "victim_screens"):
            d.mkdir(parents=True, exist_ok=True)
        token = f"{seed:x}"
        texts = {
            "precious.txt": f"{BAIT}-precious-{token} my precious text\n",
            "notes.txt": f"{BAIT}-notes-{token} private notes of the user, long enough to import\n" * 3,
            "secret.md": f"---\ntitle: Secret\n---\n{BAIT}-secret-{token} a secret note\n",
            "id_ed25519": f"-----BEGIN OPENSSH PRIVATE KEY-----\n{BAIT}-key-{token}\n",
            "page.html": f"<html><body><article><h1>Bait</h1><p>{BAIT}-page-{token} "
            + "words of the page " * 30
            + "</p></article></body></html>",
            "folder/inner.html": f"<p>{BAIT}-inner-{token} " + "inner words " * 30 + "</p>",
        }
        for name, text in texts.items():
            sb.bait_files[name] = text.encode()
        sb.bait_files["shot.png"] = _png(f"{BAIT}-png-{token}")
        sb.bait_files["victim_screens/Screenshot.png"] = _png(f"{BAIT}-screen-{token}")
        for name, data in sb.bait_files.items():
            (sb.bait / name).write_bytes(data)
        return sb

    # -- library --------------------------------------------------------------------------------
    def library(self):
        if self._lib is None:
            from clipper import Library

            self._lib = Library.open(self.vault, index_dir=self.index, wait=True)
        return self._lib

    def close(self) -> None:
        if self._lib is not None:
            self._lib.close()
            self._lib = None

    # -- what changed ---------------------------------------------------------------------------
    def outside_snapshot(self) -> dict[str, tuple]:
        """Every entry under root except vault/, index/, cache/ and tmp/: type, size, hash."""
        skip = {"vault", "index", "cache", "tmp"}
        out: dict[str, tuple] = {}
        for folder, dirs, files in os.walk(self.root):
            if Path(folder) == self.root:
                dirs[:] = [d for d in dirs if d not in skip]
            for name in dirs + files:
                p = Path(folder) / name
                rel = str(p.relative_to(self.root))
                try:
                    st = os.lstat(p)
                except OSError:
                    continue
                if stat.S_ISREG(st.st_mode):
                    out[rel] = ("file", st.st_size, hashlib.sha256(p.read_bytes()).hexdigest())
                elif stat.S_ISLNK(st.st_mode):
                    out[rel] = ("link", os.readlink(p))
                else:
                    out[rel] = ("other", stat.S_IFMT(st.st_mode))
        for name in os.listdir(self.root):  # a new file or folder beside the vault
            if name not in out and name not in skip:
                out[name] = ("new?",)
        return out

    def changed_outside(self, before: dict) -> list[str]:
        after = self.outside_snapshot()
        problems = []
        for rel in sorted(set(before) | set(after)):
            if before.get(rel) != after.get(rel):
                what = "created" if rel not in before else "deleted" if rel not in after else "changed"
                problems.append(f"outside: {rel} {what}")
        return problems

    def vault_files(self) -> dict[Path, bytes]:
        """Every regular file under the vault (symlinks not followed: they are the attack)."""
        out = {}
        for folder, dirs, files in os.walk(self.vault):
            dirs[:] = [d for d in dirs if not os.path.islink(os.path.join(folder, d))]
            for name in files:
                p = Path(folder) / name
                if os.path.islink(p):
                    continue
                try:
                    out[p] = p.read_bytes()
                except OSError:
                    pass
        return out

    def leaks(self, allowed=()) -> list[str]:
        """Bait content found in a regular vault file (``allowed``: bait names the user did ask
        to import)."""
        allowed_data = [self.bait_files[n] for n in allowed]
        problems = []
        for path, data in self.vault_files().items():
            for name, bait in self.bait_files.items():
                if name in allowed:
                    continue
                token = _bait_token(bait)
                found = (token and token in data) or (name.endswith(".png") and data == bait)
                if found and not any(token and token in a for a in allowed_data):
                    problems.append(f"leak: {name} -> {path.relative_to(self.vault)}")
        return problems

    def search_leaks(self) -> list[str]:
        lib = self.library()
        return [f"leak: a search for {BAIT} found {h.path}" for h in lib.search(BAIT, limit=50)]


def _bait_token(data: bytes) -> bytes:
    i = data.find(BAIT.encode())
    if i < 0:
        return b""
    end = i
    while end < len(data) and data[end : end + 1] not in b" \n\x00":
        end += 1
    return data[i:end]


def _note_bytes(sb: Sandbox) -> set[bytes]:
    """The bytes of every note in the vault (trash included), to check nothing was lost."""
    return {data for p, data in sb.vault_files().items() if p.suffix == ".md"}


_MARK = re.compile(rb"zq[0-9a-z]{6,}")


def _markers(sb: Sandbox) -> set[bytes]:
    """The markers of every note in the vault (trash included): a note changed by a tag command
    keeps its marker, a lost one does not."""
    return {m for p, data in sb.vault_files().items() if p.suffix == ".md" for m in _MARK.findall(data)}


def _lost_markers(sb: Sandbox, before: set[bytes]) -> list[str]:
    return [f"lost: the note with {m.decode()} is gone" for m in sorted(before - _markers(sb))]


def _lost(sb: Sandbox, before: set[bytes]) -> list[str]:
    now = _note_bytes(sb)
    return [f"lost: a note of {len(data)} bytes is gone" for data in before if data not in now]


def _call(func, *args, ok=(), **kwargs):
    """Run ``func``; a ClipperError (or one in ``ok``) is a refusal (None); anything else is a
    crash and propagates."""
    from clipper.core.errors import ClipperError

    try:
        return func(*args, **kwargs)
    except (ClipperError, *ok):
        return None


# --- 1. trash.json -----------------------------------------------------------------------------


def attack_trash_json(sb: Sandbox, rng: random.Random) -> list[str]:
    """A synced ``.trash/trash.json`` naming paths out of the vault, then every restore."""
    from clipper.core.library import TrashEntry
    from clipper.core.model import Clip

    lib = sb.library()
    problems: list[str] = []
    kept = lib.import_clip(Clip(markdown=f"kept note {rng.random()}", title="Kept"), on_duplicate="new").note
    gone = lib.import_clip(
        Clip(markdown=f"deleted note {rng.random()}", title="Gone"), on_duplicate="new"
    ).note
    entry = lib.delete(gone.id)
    index = sb.vault / ".trash" / "trash.json"  # older versions' list (read still, no longer written)
    real = json.loads(index.read_text("utf-8")) if index.exists() else []
    if rng.random() < 0.5:
        (sb.vault / "linked").symlink_to(sb.bait, target_is_directory=True)
    with contextlib.suppress(FileExistsError):
        (sb.vault / ".trash" / "link.md").symlink_to(sb.bait / "secret.md")
    bait_abs = str(sb.bait)
    hostile = [
        {"id": "evil1", "path": "../escaped/evil.md", "trash": "../../bait/precious.txt"},
        {"id": "evil2", "path": f"{bait_abs}/new.md", "trash": entry.trash_path.name},
        {"id": "evil3", "path": "sub/../../x.md", "trash": entry.trash_path.name},
        {"id": "evil4", "path": "linked/x.md", "trash": entry.trash_path.name},
        {"id": "evil5", "path": "ok.md", "trash": "trash.json"},
        {"id": "evil6", "path": "ok6.md", "trash": "link.md"},
        {"id": "evil7", "path": "C:\\x.md", "trash": entry.trash_path.name},
        {"id": "evil8", "path": "attachments/x.md", "trash": entry.trash_path.name},
        {"id": "evil9", "path": ".git/x.md", "trash": entry.trash_path.name},
        {"id": "evil10", "path": "ok10.md", "trash": f"{bait_abs}/precious.txt"},
        {"id": "evil11", "path": "ok11.md", "trash": ".."},
        {"id": 5, "path": ["x"], "trash": {"a": 1}},
        {"id": "evil12", "path": "ok12.md\x00/../../x", "trash": entry.trash_path.name},
    ]
    chosen = rng.sample(hostile, rng.randint(1, len(hostile)))
    entries = chosen + real if rng.random() < 0.5 else real + chosen
    index.write_text(json.dumps(entries), "utf-8")
    # the info files beside trashed notes are synced files too: each may say anything
    for i, e in enumerate(rng.sample(hostile, rng.randint(1, 4))):
        name = entry.trash_path.name if i == 0 else f"{i} planted.md"
        (sb.vault / ".trash" / (name + ".json")).write_text(json.dumps(e), "utf-8")
    before = sb.outside_snapshot()
    notes_before = _note_bytes(sb)
    listed = _call(lib.trash) or []
    for e in listed:
        if not str(e.trash_path).startswith(str(sb.vault / ".trash")) or not str(e.original_path).startswith(
            str(sb.vault)
        ):
            problems.append(f"wrong: trash() lists a path out of the vault: {e}")
    ids = [str(e.get("id")) for e in entries if isinstance(e, dict)] + [gone.id]
    rng.shuffle(ids)
    for note_id in ids:
        _call(lib.restore, note_id, ok=(KeyError,))
    for e in chosen[:4]:  # the API takes entries too: the same checks must hold
        if isinstance(e.get("path"), str) and isinstance(e.get("trash"), str) and "\x00" not in e["path"]:
            fake = TrashEntry("x", sb.vault / e["path"], sb.vault / ".trash" / e["trash"], "")
            _call(lib.restore, fake, ok=(KeyError, ValueError))
    problems += sb.changed_outside(before)
    problems += sb.leaks()
    now = _note_bytes(sb)
    for data in notes_before:
        if data not in now:
            problems.append(f"lost: a note of {len(data)} bytes is gone")
    if lib.get(kept.id) is None:
        problems.append("lost: the kept note")
    return problems


# --- 2. folder imports ---------------------------------------------------------------------------


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _unix_socket(path: Path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(str(path))
    return s


def attack_folder_import(sb: Sandbox, rng: random.Random, via_cli: bool = False) -> list[str]:
    """A folder (an unpacked archive, a clone) holding links to files and folders outside it,
    ``/proc/self/environ``, FIFOs and sockets, beside good files."""
    problems: list[str] = []
    top = Path(tempfile.mkdtemp(prefix="import-", dir=sb.tmp))
    sub = top / "sub"
    sub.mkdir()
    good = {}
    for i in range(rng.randint(1, 3)):
        marker = f"zqgood{rng.getrandbits(32):08x}"
        (rng.choice([top, sub]) / f"good{i}.txt").write_text(
            f"Good file {i}\n\n{marker} " + "a sentence of words in a paragraph. " * 8, "utf-8"
        )
        good[marker] = i
    hostile = [
        ("article.txt", lambda p: p.symlink_to(sb.bait / "notes.txt")),
        ("env.md", lambda p: p.symlink_to("/proc/self/environ")),
        ("key.md", lambda p: p.symlink_to(sb.bait / "id_ed25519")),
        ("page.html", lambda p: p.symlink_to(sb.bait / "page.html")),
        ("up.md", lambda p: p.symlink_to("../../../bait/secret.md")),
        ("linked", lambda p: p.symlink_to(sb.bait, target_is_directory=True)),
        ("zero.txt", lambda p: p.symlink_to("/dev/zero")),
        ("fifo.txt", _fifo),
        ("sock.md", _unix_socket),
    ]
    sockets = []
    planted = set()
    for name, make in rng.sample(hostile, rng.randint(1, len(hostile))):
        made = make(rng.choice([top, sub]) / name)
        planted.add(name)
        if made is not None:
            sockets.append(made)
    if rng.random() < 0.5:  # a link that stays inside the folder is fine
        (top / "inside.txt").symlink_to(
            next(iter((top / n) for n in os.listdir(top) if n.startswith("good")), top / "missing.txt")
        )
    if rng.random() < 0.3:  # the vault inside the imported folder must not be imported again
        (top / "vault-link").symlink_to(sb.vault, target_is_directory=True)
        planted.add("vault-link")
    before = sb.outside_snapshot()
    notes_before = _note_bytes(sb)
    try:
        if via_cli:
            env = worker_env()
            env["CLIPPER_CACHE_DIR"] = str(sb.root / "cache")
            proc = subprocess.run(
                [sys.executable, "-m", "clipper", "import", str(top), "--vault", str(sb.vault)],
                env=env,
                cwd=str(REPO),
                capture_output=True,
                text=True,
                timeout=120,
            )
            if proc.returncode != 1 or "Traceback" in proc.stderr:
                problems.append(f"wrong: clipper import exited {proc.returncode}: {proc.stderr[-300:]}")
            reported = {name for name in planted if f"{name}: " in proc.stderr}
            sb.close()
        else:
            results = sb.library().import_paths([top], on_duplicate="new")
            reported = {Path(p).name for p, r in results if isinstance(r, BaseException)}
        for name in sorted(planted - reported):
            problems.append(f"wrong: {name} was neither imported nor reported as skipped")
    finally:
        for s in sockets:
            s.close()
    problems += sb.changed_outside(before)
    problems += sb.leaks()
    problems += _lost(sb, notes_before)
    found = b"\n".join(sb.vault_files().values())
    for marker in good:
        if marker.encode() not in found:
            problems.append(f"lost: the good file with {marker} was not imported")
    return problems


# --- 3. clipboard file URLs ----------------------------------------------------------------------


def attack_clipboard(sb: Sandbox, rng: random.Random) -> list[str]:
    """A clipboard whose text/uri-list names local files (keys, the vault, folders with links
    out) beside HTML and text, as a web page can set it on copy. Needs PySide6 (QtCore)."""
    from PySide6.QtCore import QMimeData, QUrl

    from clipper.core import imports
    from clipper.qt import importer

    problems: list[str] = []
    lib = sb.library()
    folder = Path(tempfile.mkdtemp(prefix="clip-", dir=sb.tmp))
    (folder / "ok.md").write_text(
        f"---\ntitle: OK\n---\nzqclip{rng.getrandbits(32):08x} fine note\n", "utf-8"
    )
    (folder / "out.md").symlink_to(sb.bait / "secret.md")
    (folder / "linkdir").symlink_to(sb.bait, target_is_directory=True)
    vault_note = lib.import_clip(_clip(f"vault note {rng.random()}"), on_duplicate="new").note
    candidates = [
        sb.bait / "id_ed25519",
        sb.bait / "notes.txt",
        sb.bait / "page.html",
        sb.bait / "folder",
        folder,
        folder / "out.md",
        Path(vault_note.path),
        sb.vault,
        sb.bait,
    ]
    urls = rng.sample(candidates, rng.randint(1, 4))
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(u)) for u in urls])
    flavours = rng.choice(["none", "html", "text", "both", "paths"])
    if flavours in ("html", "both"):
        mime.setHtml("<p>copied words from a web page, long enough to be an article of its own.</p>" * 3)
    if flavours in ("text", "both"):
        mime.setText("copied words from a web page")
    if flavours == "paths":  # what a file manager puts beside the URLs
        mime.setText("\n".join(str(u) for u in urls))
    items = importer.items_from_mime(mime, exclude=lib.vault)
    files = [i for i in items if i.kind == "file"]
    if flavours in ("html", "text", "both") and files:
        problems.append(f"wrong: file URLs imported although the clipboard held {flavours}: {files}")
    allowed = set()
    for item in files:
        real = os.path.realpath(item.path)
        if real.startswith(os.path.realpath(sb.vault) + os.sep):
            problems.append(f"wrong: a file inside the vault is imported again: {item.path}")
        if item.path.suffix.lower() not in imports.IMPORTABLE_SUFFIXES:
            problems.append(f"wrong: a file of another type is imported: {item.path}")
        named = [u for u in urls if os.path.realpath(item.path).startswith(os.path.realpath(u))]
        if not named:
            problems.append(f"leak: {item.path} is reached through a link out of the folder given")
        if real.startswith(os.path.realpath(sb.bait) + os.sep):
            allowed.add(str(Path(real).relative_to(os.path.realpath(sb.bait))))
    before = sb.outside_snapshot()
    imports.run_import(lib, items)
    problems += sb.changed_outside(before)
    problems += sb.leaks(allowed)
    return problems


def _clip(body: str, title: str = "Note"):
    from clipper.core.model import Clip

    return Clip(markdown=body, title=title)


# --- 4. a fetched page -----------------------------------------------------------------------


class _Server:
    """A local web server (127.0.0.1) that serves ``pages`` and records what was asked for."""

    def __init__(self):
        self.pages: dict[str, bytes] = {}
        self.asked: list[str] = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                server.asked.append(self.path)
                data = server.pages.get(self.path)
                if data is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def shared_temp_first() -> None:
    """Make multiprocessing pick its own temp folder (the fork server's socket) before a test
    points ``tempfile.tempdir`` at a sandbox that is removed afterwards."""
    import multiprocessing.util

    multiprocessing.util.get_temp_dir()


def attack_fetched_page(sb: Sandbox, rng: random.Random, server: _Server | None = None) -> list[str]:
    """A fetched page whose relative images name files that exist in the temp folder."""
    from clipper.core import fetch

    problems: list[str] = []
    own = server is None
    server = server or _Server()
    try:
        tmp = Path(tempfile.mkdtemp(prefix="fetchtmp-", dir=sb.tmp))
        (tmp / "victim_screens").mkdir()
        (tmp / "victim_screens" / "Screenshot.png").write_bytes(
            sb.bait_files["victim_screens/Screenshot.png"]
        )
        (tmp / "shot.png").write_bytes(sb.bait_files["shot.png"])
        refs = rng.sample(
            [
                "victim_screens/Screenshot.png",
                "shot.png",
                "../shot.png",
                "./shot.png",
                f"file://{tmp}/shot.png",
                f"{tmp}/shot.png",
                "victim_screens%2FScreenshot.png",
            ],
            rng.randint(1, 4),
        )
        name = f"/page{rng.getrandbits(32):08x}.html"
        imgs = "".join(f'<p>Figure {i}: <img src="{r}" alt="fig {i}"></p>' for i, r in enumerate(refs))
        server.pages[name] = (
            f"<html><head><title>Fetched {name}</title></head><body><article><h1>Fetched</h1>"
            + "<p>Words of the fetched article, a paragraph long enough to keep.</p>" * 6
            + imgs
            + "</article></body></html>"
        ).encode()
        before = sb.outside_snapshot()
        shared_temp_first()
        saved = tempfile.tempdir
        tempfile.tempdir = str(tmp)  # the page lands beside the bait, as in /tmp
        try:
            _call(fetch.import_url, sb.library(), server.base + name)
        finally:
            tempfile.tempdir = saved
        problems += sb.changed_outside(before)
        problems += sb.leaks()
        extra = [p for p in server.asked if p != name]
        if extra:
            problems.append(f"wrong: fetching one page also fetched {extra[:3]}")
        server.asked.clear()
    finally:
        if own:
            server.close()
    return problems


# --- 6. symlinks inside the vault ------------------------------------------------------------


def attack_vault_links(sb: Sandbox, rng: random.Random) -> list[str]:
    """A (synced) vault whose attachments/, .trash/, a sub-folder or a note are symlinks to
    places outside it; then imports with images, deletes, restores, tags and a refresh."""
    from clipper.core.model import Attachment, Clip

    problems: list[str] = []
    lib = sb.library()
    kinds = rng.sample(["attachments", "trash", "subfolder", "note", "note-in"], rng.randint(1, 5))
    target = Path(tempfile.mkdtemp(prefix="elsewhere-", dir=sb.bait))
    for name in ("attachments", ".trash"):
        p = sb.vault / name
        if p.is_symlink():
            p.unlink()
    if "attachments" in kinds and not (sb.vault / "attachments").exists():
        (sb.vault / "attachments").symlink_to(target, target_is_directory=True)
    if "trash" in kinds and not (sb.vault / ".trash").exists():
        (sb.vault / ".trash").symlink_to(target, target_is_directory=True)
    if "subfolder" in kinds:
        with contextlib.suppress(FileExistsError):
            (sb.vault / f"sub{rng.getrandbits(16)}").symlink_to(sb.bait, target_is_directory=True)
    if "note" in kinds:
        with contextlib.suppress(FileExistsError):
            (sb.vault / f"leak{rng.getrandbits(16)}.md").symlink_to(sb.bait / "secret.md")
    if "note-in" in kinds:  # a link that stays in the vault is fine
        own = lib.import_clip(_clip(f"zqin{rng.getrandbits(32):08x} linked inside"), on_duplicate="new").note
        with contextlib.suppress(FileExistsError):
            (sb.vault / f"alias{rng.getrandbits(16)}.md").symlink_to(own.path)
    before = sb.outside_snapshot()
    _call(lib.refresh)
    att = Attachment(name="pic.png", data=_png(f"own-{rng.random()}"), mime="image/png")
    note = _call(
        lib.import_clip,
        Clip(
            markdown=f"zqimg{rng.getrandbits(32):08x} An image ![pic](attachments/pic.png) here",
            title="With image",
            attachments=[att],
        ),
        on_duplicate="new",
    )
    plain = lib.import_clip(_clip(f"zqplain{rng.getrandbits(32):08x} plain note"), on_duplicate="new").note
    notes_before = _markers(sb)
    entry = _call(lib.delete, plain.id, ok=(KeyError,))
    if entry is not None:
        _call(lib.restore, plain.id, ok=(KeyError,))
    ids = [r["id"] for r in lib.notes()]
    _call(lib.set_tags, ids, add=["linked"], ok=(KeyError,))
    _call(lib.refresh)
    problems += sb.changed_outside(before)
    problems += sb.leaks()
    problems += sb.search_leaks()
    problems += _lost_markers(sb, notes_before)
    if note is None and "attachments" not in kinds:
        problems.append("wrong: an import with an image failed in a vault with a plain attachments folder")
    return problems


# --- 7. tag commands on other programs' notes --------------------------------------------------

ENCODINGS = ["utf-8", "utf-8-sig", "latin-1", "cp1252", "utf-16-le-bom", "utf-16-be-bom", "utf-32-le-bom"]
EOLS = ["\n", "\r\n", "\r", "mixed"]
HEADERS = [
    "flow",
    "block",
    "indented",
    "none-tags",
    "no-header",
    "empty-header",
    "dup-tags",
    "dup-other",
    "broken",
    "nul-header",
    "unclosed",
    "string-tags",
]


def hostile_note(rng: random.Random) -> tuple[bytes, dict]:
    """Bytes of a note as another program may write it, and how it was made."""
    enc = rng.choice(ENCODINGS)
    eol = rng.choice(EOLS)
    head = rng.choice(HEADERS)
    title = rng.choice(["Café crème", "Plain title", "Ünïcödé ☃", 'Quote: "x"'])
    tag_a, tag_b = rng.sample(["alpha", "beta", "work/project", "café"], 2)
    lines = {
        "flow": ["---", f"title: {title}", f"tags: [{tag_a}, {tag_b}]", "---"],
        "block": ["---", f"title: {title}", "tags:", f"- {tag_a}", f"- {tag_b}", "---"],
        "indented": ["---", "tags:", f"  - {tag_a}", f"  - {tag_b}", f"title: {title}", "---"],
        "none-tags": ["---", f"title: {title}", "author: Someone", "---"],
        "no-header": [],
        "empty-header": ["---", "---"],
        "dup-tags": ["---", f"title: {title}", f"tags: [{tag_a}]", f"tags: [{tag_b}]", "---"],
        "dup-other": ["---", "author: A", "author: B", f"tags: [{tag_a}]", "---"],
        "broken": ["---", f"title: [{title}", f"tags: [{tag_a}]", "---"],
        "nul-header": ["---", f"title: {title}\x00", f"tags: [{tag_a}]", "---"],
        "unclosed": ["---", f"title: {title}", f"tags: [{tag_a}]"],
        "string-tags": ["---", f"tags: {tag_a}, {tag_b}", "---"],
    }[head]
    body = [
        f"# {title}",
        "",
        f"zqtag{rng.getrandbits(32):08x} body text with é and ü",
        rng.choice(["", "a line with a NUL\x00inside", "tab\there", "\x1b[31mansi\x1b[0m", "trailing   "]),
        "last line",
    ]
    all_lines = lines + body
    if eol == "mixed":
        text = "".join(line + rng.choice(["\n", "\r\n"]) for line in all_lines)
    else:
        text = eol.join(all_lines) + eol
    if enc == "utf-8-sig":
        data = codecs.BOM_UTF8 + text.encode("utf-8")
    elif enc.endswith("-bom"):
        codec = enc[:-4]
        bom = {
            "utf-16-le": codecs.BOM_UTF16_LE,
            "utf-16-be": codecs.BOM_UTF16_BE,
            "utf-32-le": codecs.BOM_UTF32_LE,
        }[codec]
        data = bom + text.encode(codec)
    else:
        data = text.encode(enc, "replace")
    return data, {"encoding": enc, "eol": eol, "header": head}


def _decode_as(data: bytes, enc: str) -> tuple[str, str]:
    if enc == "utf-8-sig":
        return data[3:].decode("utf-8", "surrogateescape"), "utf-8"
    if enc.endswith("-bom"):
        codec = enc[:-4]
        n = 4 if codec.startswith("utf-32") else 2
        return data[n:].decode(codec, "surrogateescape"), codec
    return data.decode("utf-8", "surrogateescape"), "utf-8"


def check_tag_change(old: bytes, new: bytes, how: dict, want_tags: list[str] | None) -> list[str]:
    """A changed note: same encoding, BOM and line endings; every byte after its old header kept;
    the other keys the same; the tags as asked."""
    from clipper.core import frontmatter
    from clipper.core import tags as tagmod

    problems = []
    if old == new:
        return problems
    enc = how["encoding"]
    old_text, codec = _decode_as(old, enc)
    bom_len = (
        3 if enc == "utf-8-sig" else (4 if enc.startswith("utf-32") else 2) if enc.endswith("-bom") else 0
    )
    if new[:bom_len] != old[:bom_len]:
        return [f"bytes: the byte-order mark changed ({how})"]
    try:
        new_text = new[bom_len:].decode(codec, "strict" if codec != "utf-8" else "surrogateescape")
    except UnicodeDecodeError:
        return [f"bytes: the note is no longer {codec} ({how})"]
    cr_only = "\r" in old_text and "\n" not in old_text
    norm_old = old_text.replace("\r", "\n") if cr_only else old_text
    norm_new = new_text.replace("\r", "\n") if cr_only else new_text
    if cr_only and "\n" in new_text:
        problems.append(f"bytes: LF line breaks added to a CR note ({how})")
    if "\r\n" in old_text and not cr_only and not re.search("(?<!\r)\n", old_text):  # a pure CRLF note
        plain_lf = [i for i, ch in enumerate(new_text) if ch == "\n" and (i == 0 or new_text[i - 1] != "\r")]
        old_lf = sum(1 for i, ch in enumerate(old_text) if ch == "\n" and (i == 0 or old_text[i - 1] != "\r"))
        if len(plain_lf) > old_lf:
            problems.append(f"bytes: LF line breaks added to a CRLF note ({how})")
    m = frontmatter._FENCE.match(norm_old) or frontmatter._EMPTY.match(norm_old)
    header_end = m.end() if m else 0
    old_rest = old_text[header_end:]
    if not new_text.endswith(old_rest):
        problems.append(f"bytes: the text after the header changed ({how})")
    old_meta, _ob, old_err = frontmatter.split(norm_old)
    new_meta, _nb, new_err = frontmatter.split(norm_new)
    if new_err:
        problems.append(f"bytes: the new header is broken: {new_err} ({how})")
    if old_err and m:
        problems.append(f"bytes: a note with a broken header was changed ({how})")
    rest_old = {k: v for k, v in old_meta.items() if k != "tags"}
    rest_new = {k: v for k, v in new_meta.items() if k != "tags"}
    if rest_old != rest_new:
        problems.append(f"bytes: other keys changed {rest_old} -> {rest_new} ({how})")
    if want_tags is not None and tagmod.tags_from_meta(new_meta.get("tags")) != want_tags:
        problems.append(f"bytes: tags are {new_meta.get('tags')}, not {want_tags} ({how})")
    return problems


def attack_tag_bytes(sb: Sandbox, rng: random.Random, notes: int = 6) -> list[str]:
    """Notes in other encodings, line endings and header forms through every tag command."""
    from clipper.core import tags as tagmod

    lib = sb.library()
    problems: list[str] = []
    made: dict[Path, tuple[bytes, dict]] = {}
    folder = sb.vault / f"foreign{rng.getrandbits(24):06x}"
    folder.mkdir()
    for i in range(notes):
        data, how = hostile_note(rng)
        path = folder / f"note{i}.md"
        path.write_bytes(data)
        made[path] = (data, how)
    lib.refresh()
    notes_before = _note_bytes(sb)
    rows = {sb.vault / r["path"]: r for r in lib.notes()}
    op = rng.choice(["add", "remove", "rename", "delete"])
    old_tags = {p: list(rows[p]["tags"]) if p in rows else None for p in made}
    if op == "add":
        result = lib.set_tags([rows[p]["id"] for p in made if p in rows], add=["added"])
        change = lambda ts: tagmod.normalize_tags(ts + ["added"])  # noqa: E731
    elif op == "remove":
        tag = rng.choice(["alpha", "beta"])
        result = lib.set_tags([rows[p]["id"] for p in made if p in rows], remove=[tag])
        change = lambda ts: [t for t in ts if t != tag]  # noqa: E731
    elif op == "rename":
        old, new = rng.choice([("alpha", "omega"), ("work", "job"), ("beta", "alpha")])
        result = lib.rename_tag(old, new)
        change = lambda ts: tagmod.rename_in(ts, old, new)  # noqa: E731
    else:
        tag = rng.choice(["alpha", "work", "beta"])
        result = lib.delete_tag(tag)
        change = lambda ts: tagmod.remove_in(ts, tag)  # noqa: E731
    refused = {Path(p) for p, _why in getattr(result, "refused", [])}
    for path, (data, how) in made.items():
        now = path.read_bytes()
        tags_before = old_tags[path]
        want = change(tags_before) if tags_before is not None else None
        if now == data:
            if want is not None and want != tags_before and path not in refused:
                problems.append(f"wrong: {path.name} neither changed nor reported as refused ({how})")
            continue
        if path in refused:
            problems.append(f"wrong: {path.name} was reported as refused but changed ({how})")
        problems += check_tag_change(data, now, how, want)
    problems += _lost_but_tags(sb, notes_before)
    return problems


def _lost_but_tags(sb: Sandbox, before: set[bytes]) -> list[str]:
    return [] if len(_note_bytes(sb)) >= len(before) else ["lost: fewer notes after the tag change"]


# --- 9. YAML alias bombs and huge notes ----------------------------------------------------------


def hostile_header(rng: random.Random) -> str:
    kind = rng.choice(
        ["bomb", "merge", "cycle", "flow-deep", "block-deep", "compact-deep", "big", "wide", "junk"]
    )
    if kind == "bomb":
        width, levels = rng.randint(5, 12), rng.randint(6, 12)
        lines = [f"l0: &l0 [{', '.join(['lol'] * width)}]"]
        lines += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * width)}]" for i in range(1, levels)]
        return "\n".join(lines)
    if kind == "merge":
        lines = ["m0: &m0 {a: 1, b: 2, c: 3}"]
        lines += [f"m{i}: &m{i} {{<<: [{', '.join([f'*m{i - 1}'] * 9)}], k{i}: 1}}" for i in range(1, 10)]
        return "\n".join(lines)
    if kind == "cycle":
        return rng.choice(["a: &a [*a]", "a: &a {x: *a}", "a: &a [1, [2, *a]]"])
    if kind == "flow-deep":
        n = rng.choice([70, 900, 5000, 50000])
        return "a: " + "[" * n + "]" * n
    if kind == "block-deep":
        n = rng.choice([70, 300, 1200])
        return "\n".join(" " * i + "a:" for i in range(n)) + " x"
    if kind == "compact-deep":
        return "a:\n" + "- " * rng.choice([70, 900]) + "x"
    if kind == "big":
        return "title: x\ndescription: " + "y" * rng.choice([300_000, 2_000_000])
    if kind == "wide":
        return "tags: [" + ", ".join(f"t{i}" for i in range(30_000)) + "]"
    return "".join(rng.choice("&*[]{}:-?!|>#'\" \nab") for _ in range(rng.randint(10, 400)))


def attack_yaml_bombs(sb: Sandbox, rng: random.Random) -> list[str]:
    """Hostile headers among good notes: the vault stays searchable, each bad note is text."""
    problems: list[str] = []
    folder = sb.vault / f"bombs{rng.getrandbits(24):06x}"
    folder.mkdir()
    good, bad = {}, {}
    for i in range(rng.randint(2, 5)):
        marker = f"zqok{rng.getrandbits(32):08x}"
        (folder / f"good{i}.md").write_text(
            f"---\ntitle: Good {i}\ntags: [fine]\n---\n{marker} good body\n", "utf-8"
        )
        good[marker] = i
    for i in range(rng.randint(1, 3)):
        marker = f"zqbad{rng.getrandbits(32):08x}"
        header = hostile_header(rng)
        (folder / f"bad{i}.md").write_text(f"---\n{header}\n---\n{marker} body of a bad note\n", "utf-8")
        bad[marker] = len(header)
    lib = sb.library()
    start = time.monotonic()
    lib.refresh()
    took = time.monotonic() - start
    if took > 20:
        problems.append(f"slow: a refresh with {len(bad)} hostile headers took {took:.0f} s")
    from clipper.core.index import MAX_INDEXED_CHARS

    for marker in list(good) + [m for m, size in bad.items() if size < MAX_INDEXED_CHARS // 2]:
        if not lib.search(marker, limit=3):  # a bad note is indexed as text (up to the index's cap)
            problems.append(f"lost: {marker} is not searchable")
    rows = {r["path"]: r for r in lib.notes()}
    for i in range(len(bad)):
        if f"{folder.name}/bad{i}.md" not in rows:
            problems.append(f"lost: bad{i}.md is not in the catalog")
    return problems


# --- 10. orphaned workers ----------------------------------------------------------------------


def group_alive(pgid: int) -> bool:
    """True while a process of the group runs (a zombie has ended: it only waits to be reaped,
    and the reaper of an orphan, pid 1 or a subreaper, may take its time)."""
    return _count_group(pgid) > 0


def wait_group_gone(pgid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not group_alive(pgid):
            return True
        time.sleep(0.05)
    return not group_alive(pgid)


def wait_ready(proc) -> None:
    """Until the child prints "ready" (warnings may come first on the same pipe)."""
    seen = []
    for _ in range(50):
        line = proc.stdout.readline()
        if b"ready" in line:
            return
        seen.append(line)
        if not line:
            break
    raise RuntimeError(f"the child did not start: {b''.join(seen)[-500:]!r}")


def _slow_pages(folder: Path, n: int, paragraphs: int = 12000) -> None:
    for i in range(n):
        (folder / f"slow{i}.html").write_text(
            "<html><body>" + "<p>a slow paragraph</p>" * paragraphs + f"<p>{i}</p></body></html>", "utf-8"
        )


def kill_and_count(cmd: list[str], env: dict, ready, delay: float, timeout: float = 15.0) -> tuple[int, str]:
    """Start ``cmd`` in its own process group, wait until ``ready(proc)``, then ``delay`` more,
    kill -9 the leader only, and return (processes of its group still alive after ``timeout``,
    what it printed). The group is cleaned up afterwards (only the processes we started)."""
    proc = subprocess.Popen(
        cmd, env=env, cwd=str(REPO), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True
    )
    pgid = proc.pid
    try:
        ready(proc)
        time.sleep(delay)  # the moment of the crash, on purpose
        proc.kill()
        proc.wait()
        gone = wait_group_gone(pgid, timeout)
        left = 0 if gone else _count_group(pgid)
    finally:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, signal.SIGKILL)  # a survivor holds the pipe: read only after this
        wait_group_gone(pgid, 10)
    out = proc.stdout.read().decode("utf-8", "replace") if proc.stdout else ""
    proc.stdout.close()
    return left, out


def _count_group(pgid: int) -> int:
    """Processes of the group that are not zombies."""
    n = 0
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as fh:
                    fields = fh.read().rsplit(b")", 1)[1].split()
                if int(fields[2]) == pgid and fields[0] != b"Z":  # state, ppid, pgrp
                    n += 1
            except (OSError, IndexError, ValueError):
                pass
    return n


def _children_started(pgid: int, at_least: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and _count_group(pgid) < at_least + 1:
        time.sleep(0.05)


def attack_orphans(sb: Sandbox, rng: random.Random) -> list[str]:
    """kill -9 of ``clipper import`` (busy workers), or of a process holding idle workers and
    helpers (fork or fork server, PR_SET_PDEATHSIG on or off): no process of its group remains."""
    problems: list[str] = []
    env = worker_env()
    env["CLIPPER_CACHE_DIR"] = str(sb.root / "cache")
    kind = rng.choice(["cli", "child"])
    if kind == "cli":
        folder = Path(tempfile.mkdtemp(prefix="slow-", dir=sb.tmp))
        _slow_pages(folder, rng.randint(2, 4))
        jobs = rng.randint(1, 3)
        cmd = [
            sys.executable,
            "-m",
            "clipper",
            "import",
            str(folder),
            "--vault",
            str(sb.vault),
            "--jobs",
            str(jobs),
        ]
        left, out = kill_and_count(cmd, env, lambda p: _children_started(p.pid, 1), rng.uniform(0, 1.5))
        what = f"clipper import --jobs {jobs}"
    else:
        spec = {
            "context": rng.choice(["fork", "forkserver"]),
            "pdeathsig": rng.random() < 0.5,
            "watchdog": rng.random() < 0.5,
            "helpers": rng.randint(0, 3),
            "pool": rng.randint(0, 3),
            "busy": rng.random() < 0.5,
        }
        if not spec["helpers"] and not spec["pool"]:
            spec["pool"] = 2
        if spec["busy"] and not (spec["pdeathsig"] or spec["watchdog"]):
            spec["busy"] = False  # a busy worker with neither guard ends only when its call does

        ready = wait_ready

        cmd = [sys.executable, "-m", "tests.robustness.attacks", "orphan-child", json.dumps(spec)]
        left, out = kill_and_count(cmd, env, ready, rng.uniform(0, 0.3))
        what = f"a process with {spec}"
    if left:
        problems.append(f"orphan: {left} process(es) outlived {what}")
    return problems


_NO_GUARDS = "CLIPPER_ATTACKS_NO_GUARDS"


def _disable_guards() -> None:
    """Turn off the guards named in $CLIPPER_ATTACKS_NO_GUARDS (``pdeathsig``, ``watchdog``) in
    this process, so that a test shows what the others (the pipes' EOF) do alone."""
    names = [n for n in os.environ.get(_NO_GUARDS, "").split(",") if n]
    if not names:
        return
    from clipper.core import limits

    if "pdeathsig" in names:
        limits._die_with_parent = lambda parent_pid: None
    if "watchdog" in names:
        limits._watch_parent = lambda parent_pid: None


def orphan_child(spec: dict) -> None:
    """Start workers as the CLI or the app would (idle pool workers, index helpers, then pool
    workers busy with a call), say "ready", then wait to be killed. Pool workers come first: a
    Helper's sender thread makes later workers come from the fork server."""
    if spec.get("context") == "forkserver":
        import PySide6.QtCore  # noqa: F401 -- makes limits use the fork server, as the app does

    from clipper.core import limits

    off = [g for g in ("pdeathsig", "watchdog") if not spec.get(g)]
    # A fork server's child runs this module again (as __mp_main__) before its target: the
    # hook at the end of the module turns the same guards off there.
    os.environ[_NO_GUARDS] = ",".join(off)
    _disable_guards()
    pools = []
    for _ in range(spec.get("pool", 0)):
        gen = limits.run_many([(time.sleep, (0,))] * 3, jobs=2, timeout=120)
        next(gen)  # one call done: its worker waits for the next, idle
        pools.append(gen)
    helpers = [limits.Helper() for _ in range(spec.get("helpers", 0))]
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and len(_live_children()) < len(helpers) + min(len(pools), 1):
        time.sleep(0.02)
    if spec.get("busy"):  # say "ready" while this thread waits for two calls of a minute
        signal.signal(signal.SIGALRM, lambda *_: print("ready", flush=True))
        signal.setitimer(signal.ITIMER_REAL, 0.5)
        next(limits.run_many([(time.sleep, (60,))] * 2, jobs=2, timeout=120))
    else:
        print("ready", flush=True)
    time.sleep(600)
    del helpers, pools


def _live_children() -> list[int]:
    me = os.getpid()
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as fh:
                    fields = fh.read().rsplit(b")", 1)[1].split()
                if int(fields[1]) == me:
                    out.append(int(entry))
            except (OSError, IndexError, ValueError):
                pass
    return out


# --- 12. the smaller ones ------------------------------------------------------------------------


def attack_small(sb: Sandbox, rng: random.Random) -> list[str]:
    """Huge queries, hostile markup in text, internal DTDs, escaped titles, javascript: bases."""
    from clipper.core import pipeline

    problems: list[str] = []
    lib = sb.library()
    which = rng.choice(["query", "text", "dtd", "title", "base"])
    if which == "query":
        words = " ".join(
            "".join(rng.choice("abcdefghijklmnop") for _ in range(rng.randint(3, 9)))
            for _ in range(rng.choice([500, 5000, 20000]))
        )
        for fn in (lib.suggest, lib.search):
            start = time.monotonic()
            fn(words)
            if time.monotonic() - start > 5:
                problems.append(
                    f"slow: {fn.__name__} of {len(words.split())} words took {time.monotonic() - start:.1f} s"
                )
    elif which == "text":
        text = (
            "Title of the text\n\n"
            + rng.choice(
                [
                    "<script>alert(1)</script>",
                    "<img src=x onerror=alert(1)>",
                    "[x](javascript:alert(1))",
                    "[y]( JaVaScRiPt:alert(1))",
                    "<iframe src=//evil></iframe>",
                    "[r]: javascript:alert(1)",
                ]
            )
            + "\n\n"
            + "A paragraph of the article, with enough words to keep it. " * 6
        )
        path = Path(tempfile.mkdtemp(dir=sb.tmp)) / "hostile.txt"
        path.write_text(text, "utf-8")
        clip = _call(pipeline.extract_file, path, mode=rng.choice(["article", "page"]))
        if clip is not None:
            problems += [f"wrong: {bad}" for bad in markup_left(clip.markdown)]
    elif which == "dtd":
        page = (
            '<?xml version="1.0"?>\n<!DOCTYPE html [\n<!ENTITY e "entity">\n<!ENTITY x SYSTEM "file:///etc/passwd">\n]>\n'
            '<html xmlns="http://www.w3.org/1999/xhtml"><head><title>X</title></head><body>'
            + "<p>Article text that is long enough to keep.</p>" * 8
            + "</body></html>"
        )
        path = Path(tempfile.mkdtemp(dir=sb.tmp)) / rng.choice(["d.xhtml", "d.html"])
        path.write_text(page, "utf-8")
        clip = _call(pipeline.extract_file, path, mode=rng.choice(["article", "page"]))
        if clip is not None and (
            "]>" in clip.markdown or "ENTITY" in clip.markdown or "root:" in clip.markdown
        ):
            problems.append("wrong: the internal DTD reached the note")
    elif which == "title":
        first = rng.choice(
            [
                "-----BEGIN PGP SIGNED MESSAGE-----",
                "# not a heading",
                "1. first",
                "> quoted",
                "* star",
                "=====",
                "+ plus",
            ]
        )
        path = Path(tempfile.mkdtemp(dir=sb.tmp)) / "t.txt"
        path.write_text(first + "\n\n" + "Body text of the note, long enough. " * 5, "utf-8")
        clip = _call(pipeline.extract_file, path)
        if clip is not None and "\\" in clip.title:
            problems.append(f"wrong: the title keeps a Markdown escape: {clip.title!r}")
    else:
        base = rng.choice(
            ["javascript:", " javascript:alert(1)", "JaVaScRiPt:x", "vbscript:x", "data:text/html,x"]
        )
        html = (
            f'<html><head><base href="{base}"><title>T</title></head><body><article><h1>T</h1>'
            + "<p>Article text that is long enough to keep around. <a href='rel/l.html'>lnk</a></p>" * 8
            + "</article></body></html>"
        )
        clip = _call(
            pipeline.extract_clipboard,
            html=html,
            url="https://example.org/x/y.html",
            mode=rng.choice(["article", "page"]),
        )
        if clip is not None and "(https://example.org/x/rel/l.html)" not in clip.markdown:
            problems.append(f"wrong: <base href={base!r}> emptied the relative links")
    return problems


def markup_left(markdown: str) -> list[str]:
    """Raw HTML tags and unsafe links a Markdown renderer would honour in ``markdown``."""
    import re

    bad = []
    for m in re.finditer(r"(?<!\\)((?:\\\\)*)<([A-Za-z/!?][^>\n]*)", markdown):
        bad.append(f"raw tag <{m.group(2)[:30]}")
    for m in re.finditer(r"(?<!\\)\[[^\]\n]*\]\(\s*<?\s*(?i:javascript|vbscript|data|file):", markdown):
        bad.append(f"unsafe link {m.group(0)[:40]}")
    for m in re.finditer(
        r"(?im)^[ \t]{0,3}\[[^\]\n]+\]:[ \t]*<?(?:javascript|vbscript|data|file):", markdown
    ):
        bad.append(f"unsafe link definition {m.group(0)[:40]}")
    return bad


FAMILIES = {
    "trash-json": attack_trash_json,
    "folder-import": attack_folder_import,
    "clipboard": attack_clipboard,
    "fetched-page": attack_fetched_page,
    "vault-links": attack_vault_links,
    "tag-bytes": attack_tag_bytes,
    "yaml-bombs": attack_yaml_bombs,
    "orphans": attack_orphans,
    "small": attack_small,
}


def main() -> None:
    if sys.argv[1] == "orphan-child":
        orphan_child(json.loads(sys.argv[2]))


if os.environ.get(_NO_GUARDS) and __name__ == "__mp_main__":  # a worker of an orphan test's child
    _disable_guards()


if __name__ == "__main__":
    main()
