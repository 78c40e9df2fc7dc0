"""A real drag and drop between two processes on an X server (Xvfb), driven by xdotool.

A helper process shows a small window that starts a QDrag of a saved page when the mouse is
pressed on it; the Clipper app runs in another process; xdotool (a third process) presses the
mouse on the helper, moves onto Clipper's window and releases. The page must become a note.
Runs under ``scripts/test.sh`` (xvfb-run); skipped without a display or xdotool.
"""

from __future__ import annotations

import os
import queue
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.qt.pages import write_page

pytestmark = [
    pytest.mark.xvfb,
    pytest.mark.skipif(not os.environ.get("DISPLAY"), reason="needs an X server (run under xvfb-run)"),
    pytest.mark.skipif(shutil.which("xdotool") is None, reason="needs xdotool"),
]

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent


def xdotool(*args: str, timeout: float = 30) -> str:
    out = subprocess.run(["xdotool", *args], capture_output=True, text=True, timeout=timeout, check=True)
    return out.stdout.strip()


def find_window(name: str, timeout: float = 30) -> str:
    """Window id of the visible window named exactly ``name`` (waits for it to be mapped)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            ids = xdotool("search", "--onlyvisible", "--name", f"^{name}$", timeout=10).split()
        except subprocess.CalledProcessError:
            ids = []
        if ids:
            return ids[-1]
        time.sleep(0.2)
    raise AssertionError(f"no window named {name!r} appeared")


def geometry(window_id: str) -> dict:
    shell = xdotool("getwindowgeometry", "--shell", window_id)
    pairs = (line.split("=") for line in shell.splitlines())
    return {k: int(v) for k, v in pairs if k in ("X", "Y", "WIDTH", "HEIGHT")}


class Lines:
    """Lines a child process prints, read on a thread so that the test can wait for one."""

    def __init__(self, proc):
        self.queue: queue.Queue = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, args=(proc.stdout,), daemon=True).start()

    def _read(self, stream):
        for line in stream:
            self.queue.put(line.strip())

    def wait_for(self, prefix: str, timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.queue.get(timeout=0.2)
            except queue.Empty:
                continue
            self.seen.append(line)
            if line.startswith(prefix):
                return line
        raise AssertionError(f"the helper never printed {prefix!r}; it printed {self.seen!r}")


def notes_in(vault: Path) -> list[Path]:
    return [p for p in vault.glob("*.md") if not p.name.startswith(".")]


def test_a_file_dragged_from_another_app_becomes_a_note(tmp_path):
    page = write_page(tmp_path, "dragged.html", "Dragged Between Windows", "windmill")
    vault = tmp_path / "vault"
    settings = tmp_path / "clipper.ini"
    settings.write_text("[General]\nwelcomed=true\ndownload_images=no\n")
    env = dict(os.environ, QT_QPA_PLATFORM="xcb", PYTHONPATH=str(ROOT))
    env.pop("QT_QPA_PLATFORMTHEME", None)
    procs = []
    try:
        app = subprocess.Popen([sys.executable, "-m", "clipper.qt.app", "--vault", str(vault),
                                "--settings", str(settings)], env=env, cwd=str(ROOT),
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        procs.append(app)
        source = subprocess.Popen([sys.executable, str(HERE / "drag_source.py"), str(page), "0", "0"],
                                  env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        procs.append(source)
        source_lines = Lines(source)
        source_lines.wait_for("READY")

        app_win = find_window("Clipper")
        src_win = find_window("DragSourceWindow")
        # Side by side, no overlap (there is no window manager on Xvfb to place them).
        xdotool("windowmove", src_win, "0", "0")
        xdotool("windowsize", app_win, "800", "600")
        xdotool("windowmove", app_win, "300", "0")
        time.sleep(0.5)  # let both apps handle the configure events
        src, dst = geometry(src_win), geometry(app_win)
        sx, sy = src["X"] + src["WIDTH"] // 2, src["Y"] + src["HEIGHT"] // 2
        tx, ty = dst["X"] + dst["WIDTH"] // 2, dst["Y"] + dst["HEIGHT"] // 2
        assert not (src["X"] <= tx < src["X"] + src["WIDTH"] and src["Y"] <= ty < src["Y"] + src["HEIGHT"])

        # The drag: press on the source, move in steps over to Clipper, release.
        xdotool("mousemove", "--sync", str(sx), str(sy))
        xdotool("mousedown", "1")
        source_lines.wait_for("PRESSED")  # the helper's QDrag has started
        time.sleep(0.2)
        for i in range(1, 9):
            x = sx + (tx - sx) * i // 8
            y = sy + (ty - sy) * i // 8
            xdotool("mousemove", str(x), str(y))
            time.sleep(0.15)
        xdotool("mousemove", str(tx + 3), str(ty + 3))
        time.sleep(0.4)
        xdotool("mouseup", "1")
        source_lines.wait_for("DROPPED")

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not notes_in(vault):
            assert app.poll() is None, "Clipper exited"
            time.sleep(0.2)
        notes = notes_in(vault)
        assert len(notes) == 1, "the dropped page did not become a note"
        text = notes[0].read_text("utf-8")
        assert "Dragged Between Windows" in text
        assert "windmill" in text
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
