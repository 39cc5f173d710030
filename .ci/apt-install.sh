#!/usr/bin/env bash
# Installs Debian packages for the tests' own set-up scripts (chromium.sh, postgres.sh):
#   .ci/apt-install.sh PACKAGE...
# Another apt or dpkg process (unattended upgrades, a second test run) may hold the dpkg and list
# locks: apt waits for them up to LOCK_WAIT seconds (apt's DPkg::Lock::Timeout), and an update that
# still finds the lists locked is tried again until then, instead of failing the tests at once.
set -euo pipefail
LOCK_WAIT="${SWEEPGRID_APT_LOCK_WAIT:-600}"
sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo -n"
apt=($sudo apt-get -o "DPkg::Lock::Timeout=$LOCK_WAIT" -qq)
deadline=$((SECONDS + LOCK_WAIT))
until out="$("${apt[@]}" update 2>&1)"; do
  if [ $SECONDS -ge $deadline ] || ! grep -qi "lock" <<<"$out"; then
    echo "apt-get update failed: $out" >&2
    exit 1
  fi
  sleep 5
done
DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y "$@" >/dev/null
