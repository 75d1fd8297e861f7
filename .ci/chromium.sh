#!/usr/bin/env bash
# Installs Debian's Chromium for the browser test (tests/browser/), once: playwright-core drives it, and downloads
# no browser of its own. Needs root (CI runs as root); does nothing when /usr/bin/chromium is there.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium >/dev/null
/usr/bin/chromium --version
