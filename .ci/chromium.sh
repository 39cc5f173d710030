#!/usr/bin/env bash
# Headless Chromium and its WebDriver for the dashboard's browser tests, from Debian's packages
# (chromium, chromium-driver). The tests call it themselves, so they need no
# set-up by hand; nothing is downloaded from elsewhere (Selenium's own driver download is never used).
# Prints the paths of the browser and the driver, one per line.
set -euo pipefail
if ! [ -x /usr/bin/chromium ] || ! [ -x /usr/bin/chromedriver ]; then
  "$(dirname "$0")/apt-install.sh" chromium chromium-driver
fi
echo /usr/bin/chromium
echo /usr/bin/chromedriver
