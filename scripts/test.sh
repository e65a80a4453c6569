#!/usr/bin/env bash
# Set up (if needed) and run every check: ruff, then the whole test suite.
# Under CI=true, tests that need ../shared, a browser or a server fail instead of skipping.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --dev
echo "ruff ..."
.venv/bin/ruff check .
.venv/bin/ruff format --check . >/dev/null || echo "note: ruff format would reformat some files"
export HYPOTHESIS_PROFILE="${HYPOTHESIS_PROFILE:-ci}"
echo "pytest ..."
exec .venv/bin/python -m pytest -q "$@"
