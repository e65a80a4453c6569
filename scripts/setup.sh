#!/usr/bin/env bash
# Set up samskaping on a fresh machine: a virtual environment in .venv with the pinned
# packages, and Debian's chromium and poppler-utils (figure export, browser and PDF tests);
# with --dev also Debian's postgresql (the storage tests run against a real server).
#   scripts/setup.sh          runtime packages
#   scripts/setup.sh --dev    runtime + test and lint tools
set -euo pipefail
cd "$(dirname "$0")/.."

requirements=requirements.txt
[ "${1:-}" = "--dev" ] && requirements=requirements-dev.txt

if [ ! -x .venv/bin/python ]; then
  echo "Creating the virtual environment in .venv ..."
  "${PYTHON:-python3}" -m venv .venv
fi
echo "Installing Python packages from $requirements ..."
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$requirements" 2>&1 \
  | grep -v "is ignored: it is neither a file nor a directory" || true
.venv/bin/python -c "import streamlit, pandas, scipy, plotly, yaml" \
  || { echo "setup: the Python packages did not install" >&2; exit 1; }

# chromium renders static figures (kaleido) and runs the browser test; poppler-utils
# (pdftotext, pdfinfo) lets the tests read exported PDFs back.
if ! command -v chromium >/dev/null 2>&1 || ! command -v pdftotext >/dev/null 2>&1; then
  echo "Installing Debian's chromium and poppler-utils ..."
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium poppler-utils >/dev/null
fi

# The storage tests also run against PostgreSQL (scripts/postgres.sh starts a throwaway server).
if [ "$requirements" = requirements-dev.txt ]; then
  source scripts/postgres.sh
  install_postgres
fi
