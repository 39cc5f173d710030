#!/usr/bin/env bash
# A throwaway PostgreSQL 15 server for the tests that need one (loopback only, trust auth, a temp
# data directory). The tests call it themselves, so they need no set-up by hand:
#
#   .ci/postgres.sh start DIR PORT   install PostgreSQL 15 from Debian if missing, initdb DIR/data, start on 127.0.0.1:PORT
#   .ci/postgres.sh stop DIR         fast shutdown (also used by the tests to simulate an outage)
#   .ci/postgres.sh resume DIR PORT  start the existing DIR/data again
#
# Prints nothing on success but the server's log lines on failure. Runs the server as the `postgres`
# user when started as root (initdb refuses root).
set -euo pipefail
BIN=/usr/lib/postgresql/15/bin
command="${1:?usage: postgres.sh start|stop|resume DIR [PORT]}"
dir="${2:?usage: postgres.sh start|stop|resume DIR [PORT]}"

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

install() {
  [ -x "$BIN/initdb" ] && return
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo -n"
  # Debian 12's postgresql is version 15. Quiet unless it fails; waits for another apt to finish.
  "$(dirname "$0")/apt-install.sh" postgresql-15
  # The package starts a cluster-wide server on 5432; the tests never use it.
  $sudo pg_ctlcluster 15 main stop 2>/dev/null || true
}

start() {
  local port="${3:?PORT}"
  as_owner "$BIN/pg_ctl" -D "$dir/data" -w -t 60 -l "$dir/log" \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=on -c max_connections=200" start >/dev/null \
    || { cat "$dir/log" >&2; exit 1; }
}

case "$command" in
  start)
    install
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    as_owner "$BIN/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 >/dev/null
    start "$@"
    ;;
  resume)
    start "$@"
    ;;
  stop)
    as_owner "$BIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    ;;
  *)
    echo "postgres.sh: unknown command $command (expected start, stop or resume)" >&2
    exit 2
    ;;
esac
