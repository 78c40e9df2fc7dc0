#!/usr/bin/env bash
# Set up (first time only) and start the Clipper desktop app on the default vault.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}${QT_QPA_PLATFORM:-}" ]; then
  echo "No display found: starting Clipper on a virtual screen (xvfb-run)." >&2
  exec xvfb-run -a .venv/bin/clipper-gui "$@"
fi
exec .venv/bin/clipper-gui "$@"
