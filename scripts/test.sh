#!/usr/bin/env bash
# The test command: installs what the tests need on a fresh machine, then runs the whole suite.
#   bash scripts/test.sh            (extra arguments go to pytest)
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install --disable-pip-version-check -q -r requirements.txt
# The browser test drives Debian's Chromium with a CJK font; install them when we can (CI runs as root).
if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "wenquanyi\|wqy"; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-wqy-microhei >/dev/null
  else
    echo "note: /usr/bin/chromium or a CJK font is missing and we are not root: the browser test will be skipped" >&2
  fi
fi
exec python -m pytest "$@"
