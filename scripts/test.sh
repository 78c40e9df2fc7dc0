#!/usr/bin/env bash
# Set up (first time only) and run every check: lint, the import contracts (core has no Qt,
# one module imports whoosh, one trafilatura/readability), all tests.
# Qt tests run offscreen; the real drag-and-drop test runs on a virtual X screen (xvfb-run).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check .
.venv/bin/lint-imports  # the layering contracts of pyproject.toml (docs/ARCHITECTURE.md)
export QT_QPA_PLATFORM=${QT_QPA_PLATFORM:-offscreen}
exec xvfb-run -a -s "-screen 0 1280x1024x24" .venv/bin/python -m pytest "$@"
