#!/usr/bin/env bash
# Browser tests drive Debian's Chromium (Playwright cannot download its own browsers here).
set -euo pipefail
if command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "[ensure-chromium] installing Debian's chromium for the browser tests …"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null || {
    apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null
  }
  exit 0
fi
echo "[ensure-chromium] Chromium is missing. Install it (Debian/Ubuntu: sudo apt-get install chromium)," >&2
echo "  or set CHROMIUM=/path/to/chromium, or run 'make test-fast' to skip the browser tests." >&2
exit 1
