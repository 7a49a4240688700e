#!/usr/bin/env bash
# Remakes docs/dashboard.png (shown in the README): the browser test of the dashboard
# (tests/python/harness/test_dashboard_browser.py) saves its screenshot of the queued tasks there.
# Needs `make build pypackage` first.
set -euo pipefail
cd "$(dirname "$0")/.."
DASHBOARD_SCREENSHOT="$PWD/docs/dashboard.png" \
  DRAYMAN_SERVER="$PWD/${BUILD_DIR:-build}/server/drayman-server" \
  .venv/bin/python -m pytest -q -p no:cacheprovider tests/python/harness/test_dashboard_browser.py
