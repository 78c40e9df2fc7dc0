#!/usr/bin/env bash
# Build the one-folder bundle: dist/Clipper/Clipper (plus everything it needs beside it).
#
#     bash packaging/build.sh          # set up .venv if needed, then build
#     bash packaging/build.sh --smoke  # ... and run the offscreen smoke test on the result
#
# Works on a fresh clone: scripts/setup.sh creates .venv with Clipper's dependencies, then
# PyInstaller (the project's `package` extra) is added if missing. Prints the build time and
# the bundle size.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${CLIPPER_SKIP_SETUP:-}" != "1" ]; then
  bash scripts/setup.sh
fi
PY=.venv/bin/python
if ! "$PY" -c "import PyInstaller" 2>/dev/null; then
  "$PY" -m pip install "pyinstaller>=6.5"
fi

start=$(date +%s)
"$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath dist --workpath build/pyinstaller packaging/clipper.spec
end=$(date +%s)

if [ -d dist/Clipper.app ]; then out=dist/Clipper.app; else out=dist/Clipper; fi
echo "Built $out in $((end - start)) s; size $(du -sh "$out" | cut -f1)."

if [ "${1:-}" = "--smoke" ]; then
  "$PY" packaging/smoke_test.py "$out"
fi
