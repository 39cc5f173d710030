#!/usr/bin/env bash
# docs/dashboard.png: the dashboard's sweep page while the quick sweep runs, in headless Chromium.
# Runs the sweep in a throwaway store, serves it, waits until some trials are done and others run,
# and screenshots the page with the first four trials' curves ticked (?trials=...).
set -euo pipefail
cd "$(dirname "$0")/.."
port=8097
store=$(mktemp -d)
dotnet build src/SweepGrid.Cli -v q -nologo > /dev/null
exe=src/SweepGrid.Cli/bin/Debug/net10.0/sweepgrid
.ci/chromium.sh > /dev/null
"$exe" run hocon/sweeps/quick.hocon --store "$store" --quiet > /dev/null & run=$!
"$exe" serve --store "$store" --port "$port" > /dev/null & serve=$!
trap 'kill $run $serve 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$store"' EXIT
# Until 4 of the 10 trials are completed (the status table's 4th column).
until "$exe" status quick --store "$store" 2>/dev/null | awk 'NR == 2 { exit !($4 >= 4) }'; do sleep 1; done
trials=$(curl -sf "http://127.0.0.1:$port/api/sweeps/quick/trials" | grep -o '"trial":"[0-9a-f]*"' | head -4 | cut -d'"' -f4 | paste -sd,)
chromium --headless=new --no-sandbox --disable-gpu --hide-scrollbars --window-size=1400,1700 --virtual-time-budget=8000 \
  --screenshot=docs/dashboard.png "http://127.0.0.1:$port/sweeps/quick?trials=$trials" 2>/dev/null
echo "wrote docs/dashboard.png"
