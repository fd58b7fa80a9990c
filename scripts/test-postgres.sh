#!/usr/bin/env bash
# A throw-away PostgreSQL server for retain's tests and benchmarks, on loopback, in a temporary
# folder: the PostgreSQL tests (repository contract, two instances, CLI on PostgreSQL) run where
# RETAIN_TEST_DATABASE_URL names a server they can create databases on, and are skipped with one
# line elsewhere.
#
#   scripts/test-postgres.sh                      # start, run the PostgreSQL tests, stop
#   scripts/test-postgres.sh run npx jest tests/data   # start, run a command with the URL set, stop
#   eval "$(scripts/test-postgres.sh start)"      # start, export RETAIN_TEST_DATABASE_URL (and
#   scripts/test-postgres.sh stop                 #   RETAIN_TEST_PG_DIR) in this shell; stop later
#
# Needs PostgreSQL's server programs (Debian: apt-get install -y postgresql; any version >= 13).
# As root the server runs as the `postgres` user (PostgreSQL refuses to run as root). The server
# is tuned for tests (fsync off: a crash of the machine may lose the test data, nothing else);
# PG_TEST_FSYNC=on keeps the defaults, for benchmarks that should pay for durable commits.
set -euo pipefail

find_bin() {
  if command -v "$1" >/dev/null 2>&1; then command -v "$1"; return; fi
  local found
  found=$(ls -d /usr/lib/postgresql/*/bin/"$1" 2>/dev/null | sort -V | tail -n 1 || true)
  [ -n "$found" ] || { echo "test-postgres: $1 not found; install PostgreSQL (apt-get install -y postgresql)" >&2; exit 3; }
  echo "$found"
}

# Runs a PostgreSQL program as the user that owns the cluster.
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

start() {
  local dir="${1:-}"
  [ -n "$dir" ] || dir=$(mktemp -d "${TMPDIR:-/tmp}/retain-pg-XXXXXX")
  local initdb pg_ctl port fsync
  initdb=$(find_bin initdb)
  pg_ctl=$(find_bin pg_ctl)
  port=${PG_TEST_PORT:-$(free_port)}
  fsync=${PG_TEST_FSYNC:-off}
  [ "$(id -u)" = 0 ] && chown postgres "$dir"
  as_owner "$initdb" -D "$dir/data" -U retain --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
    as_owner "$initdb" -D "$dir/data" -U retain --auth=trust --encoding=UTF8 --no-locale >"$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log" >&2; exit 3; }
  local opts="-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=$fsync -c max_connections=200"
  [ "$fsync" = off ] && opts="$opts -c synchronous_commit=off -c full_page_writes=off"
  as_owner "$pg_ctl" -D "$dir/data" -l "$dir/server.log" -o "$opts" -w -t 60 start >/dev/null ||
    { cat "$dir/server.log" >&2; exit 3; }
  as_owner "$(find_bin createdb)" -h 127.0.0.1 -p "$port" -U retain retain_test
  echo "export RETAIN_TEST_DATABASE_URL=postgres://retain@127.0.0.1:$port/retain_test"
  echo "export RETAIN_TEST_PG_DIR=$dir"
}

stop() {
  local dir="${1:-${RETAIN_TEST_PG_DIR:-}}"
  [ -n "$dir" ] && [ -d "$dir/data" ] || { echo "test-postgres: no server folder to stop" >&2; exit 2; }
  as_owner "$(find_bin pg_ctl)" -D "$dir/data" -m fast -w stop >/dev/null || true
  rm -rf "$dir"
}

cmd="${1:-run}"
[ $# -gt 0 ] && shift
case "$cmd" in
  start) start "${1:-}" ;;
  stop) stop "${1:-}" ;;
  run)
    cd "$(dirname "$0")/.."
    eval "$(start)"
    trap 'stop "$RETAIN_TEST_PG_DIR"' EXIT
    if [ $# -eq 0 ]; then
      set -- npx jest tests/data/repositoryContract.test.ts tests/data/postgresBridge.test.ts \
        tests/data/postgresMigrations.test.ts tests/data/shopFactsEngines.test.ts \
        tests/cli/postgres.test.ts tests/jobs/twoInstances.test.ts
    fi
    "$@"
    ;;
  *) echo "usage: $0 [run [command...] | start [dir] | stop [dir]]" >&2; exit 2 ;;
esac
