#!/usr/bin/env bash
# The main job: install, then serve the explorer on the embedded store with the shipped corpus
# (the app builds the graph on first start).   bash scripts/run.sh  [extra streamlit args]
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install --disable-pip-version-check -q -r requirements.txt
exec python -m streamlit run app.py --server.headless true --browser.gatherUsageStats false "$@"
