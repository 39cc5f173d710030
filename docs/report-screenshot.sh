#!/usr/bin/env bash
# Renders the report of the shipped Fashion-MNIST study and screenshots it in headless Chromium:
#   docs/report-screenshot.sh [STORE]   (STORE defaults to sweepgrid-data)
# Runs the study first if the store lacks it (about 5 minutes on 2 cores), adds the SB ↔ LB
# interpolation, writes docs/gap-fashion-mnist-report/, docs/gap-fashion-mnist-report.png and a copy of
# its Hessian density figure, docs/gap-fashion-mnist-hessian-density.png.
set -euo pipefail
cd "$(dirname "$0")/.."
store="${1:-sweepgrid-data}"
sweepgrid() { dotnet run --project src/SweepGrid.Cli -c Release -- "$@"; }

if ! command -v chromium >/dev/null; then
  sudo_if() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
  sudo_if apt-get update -qq && sudo_if apt-get install -y -qq chromium
fi

sweepgrid run hocon/sweeps/gap-fashion-mnist.hocon --store "$store" --quiet
# Seed 1 of SB (batch 128) and of LB (batch 2048, same learning rate): the first two such trials in grid order.
tables="$(mktemp -d)"
sweepgrid export gap-fashion-mnist --store "$store" --out "$tables" >/dev/null
mapfile -t ids < <(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
  $col["seed"] == 1 && $col["lr_scaling"] == "none" { print $col["trial"] }' "$tables/trials.csv" | head -2)
rm -rf "$tables"
if [ "${#ids[@]}" -eq 2 ]; then sweepgrid interpolate "${ids[0]}" "${ids[1]}" --store "$store" >/dev/null; fi
sweepgrid report gap-fashion-mnist --store "$store" --out docs/gap-fashion-mnist-report
cp docs/gap-fashion-mnist-report/hessian-density.png docs/gap-fashion-mnist-hessian-density.png
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1200,4200 \
  --screenshot="$PWD/docs/gap-fashion-mnist-report.png" "file://$PWD/docs/gap-fashion-mnist-report/report.html"
