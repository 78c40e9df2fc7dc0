"""Find Clipper's resource files (icons, desktop entry, metainfo) installed, bundled or in a checkout.

The files live in the top-level ``resources/`` folder of the source tree. ``pip install .``
copies them into the package as ``clipper/_resources`` (see ``setup.py``) and the PyInstaller
bundle puts them at the same place, so one lookup covers every case. No Qt here: the GUI
turns the paths into ``QIcon`` itself, e.g.::

    icon = QIcon()
    for path in app_icon_files():
        icon.addFile(str(path))
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

APP_ID = "io.github.clipper.Clipper"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)

_PACKAGE_DIR = Path(__file__).resolve().parent
# A file every complete resources folder holds; a folder without it is not ours.
_MARKER = Path("icons") / f"{APP_ID}.svg"


def _candidates() -> list[Path]:
    found = []
    env = os.environ.get("CLIPPER_RESOURCES")
    if env:
        found.append(Path(env).expanduser())
    found.append(_PACKAGE_DIR / "_resources")  # wheel install, PyInstaller bundle
    found.append(_PACKAGE_DIR.parent / "resources")  # source checkout, editable install
    return found


@lru_cache(maxsize=1)
def resources_dir() -> Path:
    """The folder holding the resource files; FileNotFoundError names the places searched."""
    candidates = _candidates()
    for folder in candidates:
        if (folder / _MARKER).is_file():
            return folder
    tried = ", ".join(str(c) for c in candidates)
    raise FileNotFoundError(f"Clipper's resource files are missing (looked in: {tried})")


def resource_path(*parts: str) -> Path:
    """The path of one resource file, e.g. ``resource_path("icons", "clipper.ico")``."""
    path = resources_dir().joinpath(*parts)
    if not path.exists():
        raise FileNotFoundError(f"no resource {'/'.join(parts)!r} in {resources_dir()}")
    return path


def app_icon_svg() -> Path:
    return resource_path("icons", f"{APP_ID}.svg")


def app_icon_png(size: int) -> Path:
    """The rendered PNG of the app icon at ``size`` pixels (one of ``ICON_SIZES``)."""
    return resource_path("icons", "hicolor", f"{size}x{size}", "apps", f"{APP_ID}.png")


def app_icon_files() -> list[Path]:
    """Every PNG size of the app icon, smallest first: add them all to one ``QIcon``."""
    return [app_icon_png(size) for size in ICON_SIZES]


def desktop_entry() -> Path:
    return resource_path(f"{APP_ID}.desktop")


def metainfo() -> Path:
    return resource_path(f"{APP_ID}.metainfo.xml")
