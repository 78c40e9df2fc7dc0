"""The first thing a new user does, on a real X server with a window manager: start the app by its
entry point, copy an article in another program, and press Ctrl+V as soon as the window shows,
without clicking anything first. The article must become a note file in the vault.

The clipboard is owned by another process (xclip), the keys are real X key events (xdotool), the
window manager (openbox) gives the new window the focus as a desktop does. Runs under
``scripts/test.sh`` (xvfb-run); skipped without a display or the tools (scripts/setup.sh installs
them).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.qt.test_real_drag import ROOT, find_window, notes_in, xdotool

pytestmark = [
    pytest.mark.xvfb,
    pytest.mark.skipif(not os.environ.get("DISPLAY"), reason="needs an X server (run under xvfb-run)"),
    pytest.mark.skipif(any(shutil.which(t) is None for t in ("xdotool", "xclip", "openbox")),
                       reason="needs xdotool, xclip and openbox (scripts/setup.sh)"),
]

SEED = Path(__file__).resolve().parent.parent / "data" / "text" / "pasted-article.txt"
TITLE = "Harbour Town Will Rebuild Its Old Sea Wall, Mayor Says After Winter Storms"


def entry_point() -> list[str]:
    """``clipper-gui`` as installed beside this Python (the console script), else the module."""
    script = Path(sys.executable).with_name("clipper-gui")
    return [str(script)] if script.exists() else [sys.executable, "-m", "clipper.qt.app"]


def _stop(proc) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_the_first_ctrl_v_after_start_imports_the_article(tmp_path):
    vault = tmp_path / "vault"
    settings = tmp_path / "clipper.ini"
    settings.write_text("[General]\nwelcomed=true\ndownload_images=no\n")
    env = dict(os.environ, QT_QPA_PLATFORM="xcb", PYTHONPATH=str(ROOT),
               CLIPPER_CACHE_DIR=str(tmp_path / "cache"))
    env.pop("QT_QPA_PLATFORMTHEME", None)
    procs = []
    try:
        wm = subprocess.Popen(["openbox", "--sm-disable"], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
        procs.append(wm)
        time.sleep(0.5)  # the window manager takes the screen
        # Another program owns the clipboard (as a browser or an editor would after a copy).
        clip = subprocess.Popen(["xclip", "-quiet", "-selection", "clipboard", "-i", str(SEED)], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(clip)
        app = subprocess.Popen([*entry_point(), "--vault", str(vault), "--settings", str(settings)],
                               env=env, cwd=str(ROOT), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True)
        procs.append(app)
        window = find_window("Clipper", timeout=60)
        # As soon as it shows: Ctrl+V, to whatever has the focus (no click first).
        xdotool("key", "--clearmodifiers", "ctrl+v")

        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and not notes_in(vault):
            assert app.poll() is None, "Clipper exited"
            time.sleep(0.2)
        notes = notes_in(vault)
        assert len(notes) == 1, "the pasted article did not become a note"
        text = notes[0].read_text("utf-8")
        assert f"title: {TITLE}" in text or TITLE in text.split("\n---", 1)[0]
        assert "Elena Brandt" in text and "“We cannot keep pumping water" in text  # mojibake repaired
        assert "Read Full Article" not in text
        assert xdotool("getwindowname", window) == "Clipper"
        # Quit with the keyboard: the window saves its state, and the search box held nothing
        # of the article (it was imported, not typed into the search).
        xdotool("key", "--clearmodifiers", "ctrl+q")
        app.wait(timeout=30)
        saved = settings.read_text("utf-8")
        assert "last_search=\n" in saved, saved
    finally:
        for proc in reversed(procs):
            _stop(proc)
