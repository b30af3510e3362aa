#!/usr/bin/env bash
# Install Debian's Chromium for the web app's browser tests (tests/web), only when it is missing.
# Playwright cannot download its own browsers on this network, so tests launch /usr/bin/chromium.
# Idempotent and quiet; needs root (or sudo) the first time.
set -euo pipefail
CHROMIUM=/usr/bin/chromium
if [ -x "$CHROMIUM" ]; then
    exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null
test -x "$CHROMIUM" || { echo "chromium did not install at $CHROMIUM" >&2; exit 1; }
