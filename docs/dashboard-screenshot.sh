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
"$exe" run hocon/sweeps/quick.hocon --store "$store" --quiet > /dev/null 2>&1 & run=$!
"$exe" serve --store "$store" --port "$port" > /dev/null & serve=$!
trap 'kill $run $serve 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$store"' EXIT
# Until 4 of the 10 trials are completed (the status table's 4th column).
until "$exe" status quick --store "$store" 2>/dev/null | awk 'NR == 2 { exit !($4 >= 4) }'; do sleep 1; done
trials=$(curl -sf "http://127.0.0.1:$port/api/sweeps/quick/trials" | grep -o '"trial":"[0-9a-f]*"' | head -4 | cut -d'"' -f4 | paste -sd,)
# Chromium's own --screenshot waits for the page to stop loading, which a page with a live event stream
# never does; so the browser is driven through chromium-driver's WebDriver endpoint, with curl.
chromedriver --port=9515 > /dev/null 2>&1 & driver=$!
trap 'kill $run $serve $driver 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$store"' EXIT
until curl -sf http://127.0.0.1:9515/status > /dev/null; do sleep 0.2; done
session=$(curl -sf -X POST http://127.0.0.1:9515/session -H 'Content-Type: application/json' -d '{"capabilities": {"alwaysMatch": {
  "goog:chromeOptions": {"binary": "/usr/bin/chromium", "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=1400,1700"]}}}}' \
  | grep -o '"sessionId":"[^"]*"' | cut -d'"' -f4)
curl -sf -X POST "http://127.0.0.1:9515/session/$session/url" -H 'Content-Type: application/json' \
  -d "{\"url\": \"http://127.0.0.1:$port/sweeps/quick?trials=$trials\"}" > /dev/null
sleep 6   # the curves and figures load, and an update or two arrives
curl -sf "http://127.0.0.1:9515/session/$session/screenshot" | grep -o '"value":"[^"]*"' | cut -d'"' -f4 | base64 -d > docs/dashboard.png
curl -sf -X DELETE "http://127.0.0.1:9515/session/$session" > /dev/null
echo "wrote docs/dashboard.png"
