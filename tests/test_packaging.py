"""Packaging and desktop integration: resource files, launchers, install script, wheel, bundle.

The wheel and the PyInstaller bundle are built only with CLIPPER_SLOW=1 (they take ~10-60 s
and reach the package index for build tools); everything else is fast.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

import clipper
from clipper import resources

ROOT = Path(__file__).resolve().parent.parent
RES = ROOT / "resources"
APP_ID = "io.github.clipper.Clipper"
DESKTOP = RES / f"{APP_ID}.desktop"
METAINFO = RES / f"{APP_ID}.metainfo.xml"


def need(tool: str) -> str:
    path = shutil.which(tool)
    if not path:
        pytest.skip(f"{tool} is not installed (scripts/setup.sh installs it)")
    return path


def desktop_keys(path: Path) -> dict[str, str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "[Desktop Entry]"
    return dict(line.split("=", 1) for line in lines[1:] if "=" in line and not line.startswith("#"))


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n", path
    return struct.unpack(">II", data[16:24])


# --- resource files ---------------------------------------------------------------------------

def test_desktop_entry_is_valid():
    out = subprocess.run([need("desktop-file-validate"), str(DESKTOP)], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "error" not in out.stdout.lower()


def test_desktop_entry_opens_web_pages_with_the_app():
    keys = desktop_keys(DESKTOP)
    assert keys["Exec"] == "clipper-gui %F"
    assert keys["Icon"] == APP_ID
    assert keys["MimeType"] == "text/html;application/x-mimearchive;message/rfc822;text/markdown;"
    assert {"Office", "Utility"} <= set(keys["Categories"].split(";"))


def test_metainfo_is_valid():
    out = subprocess.run([need("appstreamcli"), "validate", "--no-net", str(METAINFO)],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_metainfo_matches_the_app():
    root = ET.parse(METAINFO).getroot()
    assert root.findtext("id") == APP_ID
    assert root.findtext("launchable") == DESKTOP.name
    releases = [r.get("version") for r in root.iter("release")]
    assert releases[0] == clipper.__version__, "add a <release> for the new version"
    assert root.find("content_rating") is not None
    assert root.find("screenshots/screenshot/image").text.endswith(".png")


def test_icon_svg_and_every_png_size():
    svg = ET.parse(RES / "icons" / f"{APP_ID}.svg").getroot()
    assert svg.tag.endswith("svg") and svg.get("viewBox") == "0 0 128 128"
    for size in resources.ICON_SIZES:
        assert png_size(resources.app_icon_png(size)) == (size, size)
    assert (RES / "icons" / "clipper.ico").read_bytes()[:4] == b"\0\0\1\0"
    assert (RES / "icons" / "clipper.icns").read_bytes()[:4] == b"icns"


# --- finding resources ------------------------------------------------------------------------

@pytest.fixture
def fresh_lookup():
    resources.resources_dir.cache_clear()
    yield
    resources.resources_dir.cache_clear()


def test_resources_found_in_the_checkout(fresh_lookup):
    assert resources.resources_dir() == RES
    assert resources.desktop_entry() == DESKTOP
    assert resources.metainfo() == METAINFO
    assert resources.app_icon_svg().is_file()
    assert [png_size(p)[0] for p in resources.app_icon_files()] == list(resources.ICON_SIZES)


def test_resources_folder_can_be_overridden(fresh_lookup, tmp_path, monkeypatch):
    shutil.copytree(RES, tmp_path / "res")
    monkeypatch.setenv("CLIPPER_RESOURCES", str(tmp_path / "res"))
    assert resources.resources_dir() == tmp_path / "res"


def test_missing_resource_names_what_was_searched(fresh_lookup):
    with pytest.raises(FileNotFoundError, match="nope.txt"):
        resources.resource_path("nope.txt")


def test_resources_module_does_not_load_qt():
    code = "import clipper.resources as r, sys; r.app_icon_files(); assert 'PySide6' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


# --- launchers --------------------------------------------------------------------------------

def test_python_m_clipper_version():
    out = subprocess.run([sys.executable, "-m", "clipper", "--version"], capture_output=True, text=True)
    assert out.returncode == 0
    assert out.stdout.strip() == f"clipper {clipper.__version__}"


def test_clipper_command_version():
    exe = Path(sys.executable).parent / "clipper"
    if not exe.exists():
        pytest.skip("the clipper command is not installed in this environment")
    out = subprocess.run([str(exe), "--version"], capture_output=True, text=True)
    assert out.stdout.strip() == f"clipper {clipper.__version__}"
    assert (Path(sys.executable).parent / "clipper-gui").exists()


def test_version_lives_in_one_place():
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'dynamic = ["version"]' in pyproject
    assert 'version = { attr = "clipper.__version__" }' in pyproject
    spec = (ROOT / "packaging" / "clipper.spec").read_text(encoding="utf-8")
    assert "__version__" in spec  # the bundle reads it from clipper/__init__.py too


def load_bundle_entry():
    spec = importlib.util.spec_from_file_location("clipper_main", ROOT / "packaging" / "clipper_main.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_bundle_entry_dispatches_commands_to_the_cli():
    entry = load_bundle_entry()
    assert "extract" in entry.cli_commands()
    assert entry.wants_cli(["extract", "page.html"])
    assert entry.wants_cli(["--version"])
    assert entry.wants_cli([], prog="/usr/local/bin/clipper")
    assert not entry.wants_cli([])
    assert not entry.wants_cli(["page.html"])
    assert not entry.wants_cli(["--vault", "/tmp/v", "page.html"])
    assert not entry.wants_cli([], prog="/opt/clipper/Clipper")


def test_bundle_entry_runs_code_and_modules(capsys, monkeypatch):
    monkeypatch.setattr(sys, "argv", list(sys.argv))
    entry = load_bundle_entry()
    assert entry.main(["-c", "import sys; print('args', sys.argv[1:])", "a", "b"]) == 0
    assert "args ['a', 'b']" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exc:
        entry.main(["-m", "clipper", "--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip() == f"clipper {clipper.__version__}"


# --- install script ---------------------------------------------------------------------------

def test_install_script_puts_files_in_xdg_folders(tmp_path):
    env = dict(os.environ, HOME=str(tmp_path), XDG_DATA_HOME=str(tmp_path / "share"))
    script = ROOT / "packaging" / "install-linux.sh"
    subprocess.run(["bash", str(script), "--exec", "/opt/x/Clipper"], env=env, check=True,
                   capture_output=True)
    share = tmp_path / "share"
    desktop = share / "applications" / DESKTOP.name
    assert desktop_keys(desktop)["Exec"] == "/opt/x/Clipper %F"
    assert (share / "metainfo" / METAINFO.name).is_file()
    assert (share / "icons/hicolor/scalable/apps" / f"{APP_ID}.svg").is_file()
    for size in resources.ICON_SIZES:
        assert png_size(share / f"icons/hicolor/{size}x{size}/apps/{APP_ID}.png") == (size, size)
    if shutil.which("desktop-file-validate"):
        subprocess.run(["desktop-file-validate", str(desktop)], check=True, capture_output=True)

    subprocess.run(["bash", str(script), "--uninstall"], env=env, check=True, capture_output=True)
    assert not desktop.exists()
    assert not list(share.rglob(f"{APP_ID}.*"))


# --- slow: real wheel and bundle --------------------------------------------------------------

@pytest.mark.slow
def test_wheel_install_ships_resources_and_launchers(tmp_path):
    """A non-editable install (a wheel) carries the resources and both launchers."""
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
                   check=True, cwd=tmp_path)
    (wheel,) = tmp_path.glob("clipper_notes-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert f"clipper/_resources/{DESKTOP.name}" in names
    assert f"clipper/_resources/icons/hicolor/512x512/apps/{APP_ID}.png" in names
    entry_points = zipfile.ZipFile(wheel).read(
        next(n for n in names if n.endswith("entry_points.txt"))).decode()
    assert "clipper = clipper.cli:main" in entry_points
    assert "clipper-gui = clipper.qt.app:main" in entry_points

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    bin_dir = venv / "bin"
    subprocess.run([bin_dir / "python", "-m", "pip", "install", "-q", "--no-deps", str(wheel)], check=True)
    out = subprocess.run([bin_dir / "clipper", "--version"], capture_output=True, text=True, cwd=tmp_path)
    assert out.stdout.strip() == f"clipper {clipper.__version__}"
    code = "from clipper import resources as r; print(r.resources_dir()); r.app_icon_files(); r.metainfo()"
    out = subprocess.run([bin_dir / "python", "-c", code], capture_output=True, text=True,
                         cwd=tmp_path, check=True)
    assert re.search(r"site-packages/clipper/_resources$", out.stdout.strip())


@pytest.mark.slow
def test_bundle_builds_and_passes_its_smoke_test():
    env = dict(os.environ, CLIPPER_SKIP_SETUP="1")
    subprocess.run(["bash", "packaging/build.sh", "--smoke"], cwd=ROOT, env=env, check=True, timeout=900)
