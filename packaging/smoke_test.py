"""Smoke test of a built bundle, offscreen: it starts, imports a saved page, and finds it.

    python3 packaging/smoke_test.py [dist/Clipper]      # exit 0 = passed

Runs the bundle's executable (needs no Python packages itself) with private HOME/XDG folders:
1. ``Clipper --version`` prints the version of ``clipper/__init__.py``;
2. the app (``QT_QPA_PLATFORM=offscreen``) started as ``Clipper --vault V "saved page.html"``
   writes a note holding the page's article and keeps running (no crash); then it is stopped;
3. the bundled library finds the note (``Clipper -c CODE``: Library.open + search), and so does
   ``Clipper search --vault V WORD`` (the bundle's CLI mode);
4. ``Clipper import --vault V2 "saved page.html"`` + ``search`` work without the app as well.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UNIQUE = "zyxquokkaword"
TITLE = "The Quiet Wombat Almanac"
PAGE = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{TITLE} - Example News</title>
<meta name="author" content="Ada Example"><meta property="og:site_name" content="Example News">
<link rel="canonical" href="https://news.example.org/wombat-almanac"></head>
<body><nav><a href="/">Home</a> <a href="/about">About</a> <a href="/login">Log in</a></nav>
<article><h1>{TITLE}</h1><p class="byline">By Ada Example, 3 March 2024</p>
<p>Wombats dig burrows with their strong claws, and the {UNIQUE} marks this test page.</p>
<p>They are marsupials that live in Australia and can run surprisingly fast over short
distances when they need to, which surprises most people who meet one.</p>
<p>Their cube-shaped droppings are one of the stranger facts that naturalists love to repeat
at dinner parties, and the shape helps the droppings stay where they are placed.</p>
<p>Researchers who followed burrows for a whole season found that a single wombat may use a
dozen of them, moving between burrows every few nights.</p></article>
<footer>Copyright Example News. Subscribe to our newsletter!</footer></body></html>
"""
GUI_TIMEOUT = 90.0


def executable(bundle: Path) -> Path:
    for candidate in (bundle / "Clipper", bundle / "Clipper.exe", bundle / "clipper-cli.exe",
                      bundle / "Contents" / "MacOS" / "Clipper"):
        if candidate.is_file():
            return candidate
    raise SystemExit(f"FAIL: no Clipper executable in {bundle}")


def cli_executable(bundle: Path, exe: Path) -> Path:
    cli = bundle / "clipper-cli.exe"  # Windows: the app is windowed, the CLI is separate
    return cli if cli.is_file() else exe


def private_env(tmp: Path) -> dict[str, str]:
    env = dict(os.environ)
    home = tmp / "home"
    home.mkdir()
    env.update({
        "HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local/share"), "XDG_CACHE_HOME": str(home / ".cache"),
        "CLIPPER_CACHE_DIR": str(home / ".cache/Clipper"), "QT_QPA_PLATFORM": "offscreen",
    })
    env.pop("CLIPPER_VAULT", None)
    return env


def run(cmd: list, env: dict, timeout: float = 120) -> subprocess.CompletedProcess:
    started = time.monotonic()
    args = (str(c).strip().replace("\n", "; ") for c in cmd[1:])
    shown = " ".join(a if len(a) < 60 else a[:57] + "..." for a in args)
    try:
        proc = subprocess.run([str(c) for c in cmd], env=env, capture_output=True, text=True,
                              timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        print(f"FAIL: `{shown}` did not finish in {timeout:.0f} s\n{exc.stdout or ''}{exc.stderr or ''}")
        raise SystemExit(1) from None
    print(f"$ {shown}  -> exit {proc.returncode} in {time.monotonic() - started:.2f} s")
    return proc


# Run inside the bundle: open the vault with the bundled library, print the titles of the hits.
SEARCH_CODE = """
import json, sys
from clipper import Library
with Library.open(sys.argv[1]) as lib:
    print(json.dumps([hit.title for hit in lib.search(sys.argv[2])]))
"""


def library_titles(exe: Path, vault: Path, query: str, env: dict) -> list[str]:
    proc = run([exe, "-c", SEARCH_CODE, vault, query], env)
    check(proc.returncode == 0, "the bundled library opens the vault and searches", proc)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def notes_with(vault: Path, word: str) -> list[Path]:
    found = []
    for md in vault.rglob("*.md"):
        if ".trash" in md.parts:
            continue
        try:
            if word in md.read_text(encoding="utf-8"):
                found.append(md)
        except OSError:
            pass
    return found


def check(cond: bool, message: str, proc: subprocess.CompletedProcess | None = None) -> None:
    if cond:
        print(f"  ok: {message}")
        return
    print(f"FAIL: {message}")
    if proc is not None:
        print("--- stdout ---\n" + proc.stdout[-3000:] + "\n--- stderr ---\n" + proc.stderr[-3000:])
    raise SystemExit(1)


def expected_version() -> str:
    text = (ROOT / "clipper" / "__init__.py").read_text(encoding="utf-8")
    return re.search(r'^__version__ = "([^"]+)"', text, re.M)[1]


def smoke_gui(exe: Path, cli: Path, tmp: Path, env: dict, page: Path) -> None:
    vault = tmp / "vault-gui"
    log = (tmp / "gui.log").open("w+")
    started = time.monotonic()
    proc = subprocess.Popen([str(exe), "--vault", str(vault), str(page)], env=env,
                            stdout=log, stderr=subprocess.STDOUT)
    try:
        notes = []
        while time.monotonic() - started < GUI_TIMEOUT:
            notes = notes_with(vault, UNIQUE) if vault.exists() else []
            if notes or proc.poll() is not None:
                break
            time.sleep(0.2)
        took = time.monotonic() - started
        alive = proc.poll() is None
        log.seek(0)
        output = log.read()
        if not notes or not alive:
            print(f"FAIL: app (exit {proc.returncode}) wrote {len(notes)} matching note(s) in "
                  f"{took:.1f} s\n--- app output ---\n{output[-4000:]}")
            raise SystemExit(1)
        print(f"  ok: app imported the page given on its command line in {took:.2f} s -> "
              f"{notes[0].relative_to(vault)}")
        time.sleep(1.0)  # let it finish indexing/settling; it must still be running after that
        check(proc.poll() is None, "app still running after the import (no crash)")
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        log.close()
    titles = library_titles(cli, vault, UNIQUE, env)
    check(TITLE in titles, f"the bundled library finds the imported note by {UNIQUE!r}")
    found = run([cli, "search", "--vault", vault, UNIQUE], env)
    check(found.returncode == 0 and TITLE in found.stdout, "`search` finds the imported note", found)


def smoke_cli(cli: Path, tmp: Path, env: dict, page: Path) -> None:
    vault = tmp / "vault-cli"
    imported = run([cli, "import", "--vault", vault, page], env)
    check(imported.returncode == 0 and len(notes_with(vault, UNIQUE)) == 1,
          "CLI import writes one note", imported)
    found = run([cli, "search", "--vault", vault, "wombat burrows"], env)
    check(found.returncode == 0 and TITLE in found.stdout, "CLI search finds it", found)


def main(argv: list[str]) -> int:
    bundle = Path(argv[0] if argv else ROOT / "dist" / "Clipper").resolve()
    exe = executable(bundle)
    cli = cli_executable(bundle, exe)
    print(f"Smoke test of {exe}")
    with tempfile.TemporaryDirectory(prefix="clipper-smoke-") as name:
        tmp = Path(name)
        env = private_env(tmp)
        page = tmp / "saved page.html"
        page.write_text(PAGE, encoding="utf-8")
        version = run([cli, "--version"], env, timeout=60)
        check(version.returncode == 0 and version.stdout.strip().endswith(expected_version()),
              f"--version prints {expected_version()}", version)
        smoke_gui(exe, cli, tmp, env, page)
        smoke_cli(cli, tmp, env, page)
    print("PASSED")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
