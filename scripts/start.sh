#!/usr/bin/env bash
# Set up (if needed) and start the dashboard on the bundled synthetic demo data.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "Starting the dashboard on http://localhost:${PORT:-8501} (bundled synthetic demo data) ..."
exec .venv/bin/python -m streamlit run app.py --server.headless true --server.port "${PORT:-8501}" \
  --browser.gatherUsageStats false
