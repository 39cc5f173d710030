#!/usr/bin/env bash
# Hostile cases against a store, the journal, the configuration, the data and the worker channel, run
# against the built `sweepgrid` (bench/hostile/store-cases.sh [SWEEPGRID_DLL]); one line per case:
# case | exit code | seconds | first line of output | whether the stored sweep is intact afterwards.
# Run by hand (it takes a few minutes); the results of a run are in bench/results/hostile-store.md.
set -uo pipefail
DLL="${1:-$(cd "$(dirname "$0")/../.." && pwd)/src/SweepGrid.Cli/bin/Debug/net10.0/sweepgrid.dll}"
W="$(mktemp -d /tmp/sweepgrid-hostile-XXXXXX)"
trap 'rm -rf "$W"' EXIT
sg() { timeout "${LIMIT:-60}" dotnet "$DLL" "$@"; }
cat > "$W/s.hocon" <<'HOCON'
sweep {
  name = hostile
  dataset { name = synthetic, synthetic { train-size = 256, test-size = 64, features = 8, classes = 3 } }
  model { hidden = [16] }
  base { batch-size = 32, learning-rate = 0.05, epochs = 3 }
  grid { seed = [1, 2] }
  metrics { flatness = [] }
}
HOCON
# A finished sweep to copy into each case: 2 trials completed.
sg run "$W/s.hocon" --store "$W/base" --quiet >/dev/null 2>&1 || { echo "could not make the base store"; exit 1; }
TRIALS=$(dotnet "$DLL" export hostile --store "$W/base" --out "$W/base-out" >/dev/null 2>&1; tail -n +2 "$W/base-out/trials.csv" | cut -d, -f1 | tr '\n' ' ')
T1=${TRIALS%% *}
intact() { # the sweep still reads back with its 2 completed trials (read by sqlite3, not by SweepGrid)
  [ "$(sqlite3 -readonly "$1/results.db" "SELECT count(*) FROM trials WHERE sweep = 'hostile' AND status = 'completed'" 2>/dev/null)" = 2 ] && echo intact || echo "NOT intact"
}
case_() { # name, store, command...
  local name="$1" store="$2"; shift 2
  local start=$SECONDS out code
  out=$("$@" 2>&1); code=$?
  printf '%s | %s | %ss | %s | %s\n' "$name" "$code" "$((SECONDS - start))" "$(head -1 <<<"$out" | cut -c1-150)" "$( [ -n "$store" ] && intact "$store" || echo -)"
}
fresh() { rm -rf "$W/$1"; cp -a "$W/base" "$W/$1"; echo "$W/$1"; }
echo "case | exit | time | first line | stored sweep"

S=$(fresh logs-fifo); mkfifo "$S/logs/node-x-20261204.log"
case_ "logs/: a FIFO; serve's trial page" "$S" bash -c "dotnet '$DLL' serve --store '$S' --port 18081 >/dev/null 2>&1 & sleep 4; curl -s -m 20 -o /dev/null -w 'HTTP %{http_code} in %{time_total}s' http://127.0.0.1:18081/sweeps/hostile/trials/$T1; kill %1"
S=$(fresh logs-zero); ln -s /dev/zero "$S/logs/node-z-20261204.log"
case_ "logs/: a link to /dev/zero; serve's trial page" "$S" bash -c "dotnet '$DLL' serve --store '$S' --port 18082 >/dev/null 2>&1 & sleep 4; curl -s -m 20 -o /dev/null -w 'HTTP %{http_code} in %{time_total}s' http://127.0.0.1:18082/sweeps/hostile/trials/$T1; kill %1"
S=$(fresh logs-dir); mkdir "$S/logs/node-d-20261204.log"
case_ "logs/: a folder named *.log; status" "$S" sg status --store "$S"
S=$(fresh results-fifo); rm "$S/results.db"; mkfifo "$S/results.db"
case_ "results.db: a FIFO; status" "" sg status --store "$S"
S=$(fresh results-dir); rm "$S/results.db"; mkdir "$S/results.db"
case_ "results.db: a folder; status" "" sg status --store "$S"
S=$(fresh results-random); head -c 65536 /dev/urandom > "$S/results.db"
case_ "results.db: random bytes; status" "" sg status --store "$S"
S=$(fresh results-zero); rm "$S/results.db"; ln -s /dev/zero "$S/results.db"
case_ "results.db: a link to /dev/zero; status" "" sg status --store "$S"
S=$(fresh journal-random); head -c 65536 /dev/urandom > "$S/journal.db"
case_ "journal.db: random bytes; run again" "$S" sg run "$W/s.hocon" --store "$S" --quiet
S=$(fresh journal-fifo); rm -f "$S/journal.db"*; mkfifo "$S/journal.db"
case_ "journal.db: a FIFO; run again" "$S" sg run "$W/s.hocon" --store "$S" --quiet
S=$(fresh journal-dir); rm -f "$S/journal.db"*; mkdir "$S/journal.db"
case_ "journal.db: a folder; run again" "$S" sg run "$W/s.hocon" --store "$S" --quiet
S=$(fresh store-file); rm -rf "$S"; echo x > "$S"
case_ "the store is a file; run" "" sg run "$W/s.hocon" --store "$S" --quiet
S=$(fresh ckpt-folder-file); rm -rf "$S/checkpoints"; echo x > "$S/checkpoints"
case_ "checkpoints/ is a file; run a new sweep" "$S" sg run "$W/s.hocon" --store "$S" --quiet
S=$(fresh logs-folder-file); rm -rf "$S/logs"; echo x > "$S/logs"
case_ "logs/ is a file; run again" "$S" sg run "$W/s.hocon" --store "$S" --quiet
for kind in fifo zero random big; do
  S="$W/ckpt-$kind"; rm -rf "$S"; mkdir -p "$S/checkpoints/hostile"
  for t in $TRIALS; do
    f="$S/checkpoints/hostile/$t.ckpt"
    case $kind in
      fifo) mkfifo "$f" ;; zero) ln -s /dev/zero "$f" ;; random) head -c 4096 /dev/urandom > "$f" ;; big) truncate -s 3G "$f" ;;
    esac
  done
  case_ "each trial's checkpoint: $kind; run (the trials start afresh)" "$S" sg run "$W/s.hocon" --store "$S" --quiet
done
S=$(fresh weights-fifo); for f in "$S"/weights/hostile/*.pt; do rm "$f"; mkfifo "$f"; done
case_ "final weights: FIFOs; interpolate" "$S" sg interpolate $TRIALS --store "$S"
S=$(fresh weights-zero); for f in "$S"/weights/hostile/*.pt; do rm "$f"; ln -s /dev/zero "$f"; done
case_ "final weights: links to /dev/zero; interpolate" "$S" sg interpolate $TRIALS --store "$S"
mkfifo "$W/health.json"
case_ "health file: a FIFO; health" "" sg health --health-file "$W/health.json"
ln -s /dev/zero "$W/health2.json"
case_ "health file: a link to /dev/zero; health" "" sg health --health-file "$W/health2.json"
mkdir -p "$W/fm"; for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do mkfifo "$W/fm/$f"; done
sed 's/dataset {.*/dataset { name = fashion-mnist, path = "'"${W//\//\\/}"'\/fm" }/' "$W/s.hocon" > "$W/fm.hocon"
case_ "dataset files: FIFOs; run" "" sg run "$W/fm.hocon" --store "$W/fm-store" --quiet
case_ "sweep file: /dev/zero; run" "" sg run /dev/zero --store "$W/z-store" --quiet
case_ "sweep file: a folder; run" "" sg run "$W" --store "$W/z-store" --quiet
case_ "worker channel: random bytes on a worker's stdin" "" bash -c "head -c 100000 /dev/urandom | timeout 30 dotnet '$DLL' worker --trial-runner noop; echo \"worker exit \$?\""
case_ "worker channel: a frame claiming 2 GB" "" bash -c "printf '\\xff\\xff\\xff\\x7f' | timeout 30 dotnet '$DLL' worker --trial-runner noop; echo \"worker exit \$?\""
case_ "worker channel: a valid length, then JSON that is no message" "" bash -c "python3 -c \"import sys,struct; b=b'{\\\"\$type\\\":\\\"nope\\\"}'; sys.stdout.buffer.write(struct.pack('<i',len(b))+b)\" | timeout 30 dotnet '$DLL' worker --trial-runner noop; echo \"worker exit \$?\""
