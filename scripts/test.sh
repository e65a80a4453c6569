#!/usr/bin/env bash
# Set up (if needed) and run every check: ruff, then the whole test suite.
# Under CI=true, tests that need ../shared, a browser or a server fail instead of skipping.
# A throwaway PostgreSQL server is started for the storage tests unless SAMSKAPING_TEST_POSTGRES_URL is set.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --dev
echo "ruff ..."
.venv/bin/ruff check .
.venv/bin/ruff format --check . >/dev/null || echo "note: ruff format would reformat some files"
export HYPOTHESIS_PROFILE="${HYPOTHESIS_PROFILE:-ci}"
if [ -z "${SAMSKAPING_TEST_POSTGRES_URL:-}" ]; then
  # The storage tests run against SQLite and a real PostgreSQL server (stopped again on exit).
  source scripts/postgres.sh
  start_test_postgres || echo "note: no PostgreSQL server programs; the PostgreSQL storage tests will not run"
fi
echo "pytest ..."
.venv/bin/python -m pytest -q "$@"
