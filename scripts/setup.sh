#!/usr/bin/env bash
# Set up everything Clipper needs on Debian/Ubuntu: system libraries for Qt (also headless),
# a virtual environment in .venv with an up-to-date pip, and the project with its test tools.
# Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

SYSTEM_PACKAGES=(
  # Qt (PySide6) runtime, also needed offscreen
  libegl1 libgl1 libglib2.0-0 libdbus-1-3 libfontconfig1 libfreetype6 libx11-6 libxkbcommon0
  fonts-dejavu-core fonts-wqy-microhei
  # xcb platform plugin (real windows, Xvfb)
  libx11-xcb1 libxkbcommon-x11-0 libxcb1 libxcb-cursor0 libxcb-icccm4 libxcb-image0
  libxcb-keysyms1 libxcb-randr0 libxcb-render0 libxcb-render-util0 libxcb-shape0 libxcb-shm0
  libxcb-sync1 libxcb-util1 libxcb-xfixes0 libxcb-xkb1
  # virtual screen and input for headless runs and the real-window tests (drag and drop, the
  # first paste): a light window manager (focus, placement as on a desktop) and the clipboard
  xvfb xauth xdotool openbox xclip
  # a real sync engine for the two-machine sync test (tests/sync)
  syncthing
  # packaging checks (PyInstaller needs objdump; desktop entry and metainfo validators)
  binutils desktop-file-utils appstream
  # building Python packages that ship no wheel
  python3-venv python3-dev gcc
)

if command -v dpkg-query >/dev/null 2>&1; then
  missing=()
  for p in "${SYSTEM_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    echo "Installing system packages: ${missing[*]}"
    $SUDO apt-get update
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
  fi
else
  echo "Not a Debian-like system: install the Qt runtime libraries yourself (see README)." >&2
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
stamp=.venv/.clipper-installed
want=$(cat pyproject.toml | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  .venv/bin/python -m pip install --upgrade pip
  .venv/bin/python -m pip install -e ".[test]"
  echo "$want" > "$stamp"
fi
# Byte-code for the project's own modules (pip compiles the libraries, not an editable install):
# every `clipper` command and every import child would otherwise compile the sources again, and
# some environments forbid writing it at run time (PYTHONDONTWRITEBYTECODE). Stale files are
# harmless: Python checks each source's time stamp.
.venv/bin/python -m compileall -q -j 0 clipper >/dev/null || true
