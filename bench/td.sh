#!/usr/bin/env bash
# Benchmark of `faultline td` against `psql -f` on the same server in the same run: a generated
# file of 2,000 statements (1,000 INSERTs, then 1,000 SELECTs with their expected rows). Both run
# the same SQL, each against a fresh database, best of 3. Prints both times and the ratio beside
# the target (faultline td / psql <= 1.15). Starts its own PostgreSQL 15 (as the postgres user,
# fsync off, on a free loopback port) and stops it on every exit path.
# Usage: bench/td.sh [path/to/faultline]   (default: build/release/bin/faultline)
set -euo pipefail
cd "$(dirname "$0")/.."
faultline=${1:-build/release/bin/faultline}
[ -x "$faultline" ] || { echo "bench/td.sh: $faultline not built (make build-release)"; exit 2; }
pgbin=/usr/lib/postgresql/15/bin
statements=2000
target=1.15

work=$(mktemp -d /tmp/faultline-td-bench.XXXXXX)
pg_pid=
cleanup() {
  if [ -n "$pg_pid" ]; then
    kill -INT "$pg_pid" 2>/dev/null || true          # fast shutdown
    for _ in $(seq 50); do kill -0 "$pg_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pg_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

chown postgres: "$work"
setpriv --reuid=postgres --regid=postgres --init-groups -- \
  "$pgbin/initdb" -D "$work/data" -U postgres -A trust --no-sync >"$work/initdb.log" 2>&1
port=$((20000 + RANDOM % 20000))
while [ -n "$(ss -Hltn "sport = :$port")" ]; do port=$((20000 + RANDOM % 20000)); done
# Its own process group, and SIGKILL if this script dies without running the trap.
setsid setpriv --reuid=postgres --regid=postgres --init-groups --pdeathsig=KILL -- \
  "$pgbin/postgres" -D "$work/data" -p "$port" -k "$work" -c listen_addresses=127.0.0.1 \
  -c fsync=off >"$work/postgres.log" 2>&1 &
pg_pid=$!
url="postgresql://postgres@127.0.0.1:$port"
for _ in $(seq 100); do pg_isready -q -h 127.0.0.1 -p "$port" && break; sleep 0.1; done

# The same statements, as a .td file and as a psql script.
half=$((statements / 2))
{
  echo "> CREATE TABLE kv (k int PRIMARY KEY, v text)"
  for i in $(seq "$half"); do echo "> INSERT INTO kv VALUES ($i, 'value $i')"; done
  for i in $(seq "$half"); do printf '> SELECT k, v FROM kv WHERE k = %d\n%d "value %d"\n' "$i" "$i" "$i"; done
} >"$work/bench.td"
{
  echo "CREATE TABLE kv (k int PRIMARY KEY, v text);"
  for i in $(seq "$half"); do echo "INSERT INTO kv VALUES ($i, 'value $i');"; done
  for i in $(seq "$half"); do echo "SELECT k, v FROM kv WHERE k = $i;"; done
} >"$work/bench.sql"

fresh_db() { PGOPTIONS="-c client_min_messages=warning" psql -X -q -d "$url/postgres" -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1"; }
seconds_of() {  # runs "$@", prints its wall time in seconds; a failed run ends the benchmark
  local start end
  start=$(date +%s%N)
  if ! "$@" >/dev/null 2>"$work/stderr"; then
    echo "bench/td.sh: failed: $*" >&2
    cat "$work/stderr" >&2
    kill -TERM $$
  fi
  end=$(date +%s%N)
  awk -v s="$start" -v e="$end" 'BEGIN { printf "%.3f", (e - s) / 1e9 }'
}
best() { printf '%s\n' "$@" | sort -n | head -1; }

psql_times=() td_times=()
for round in 1 2 3; do
  fresh_db bench_psql
  psql_times+=("$(seconds_of psql -X -q -v ON_ERROR_STOP=1 -d "$url/bench_psql" -f "$work/bench.sql")")
  fresh_db bench_td
  td_times+=("$(seconds_of "$faultline" td -q --no-reset --url "$url/bench_td" "$work/bench.td")")
done
# The default mode (a fresh database made by faultline td itself), for reference.
reset_time=$(seconds_of "$faultline" td -q --url "$url/postgres" "$work/bench.td")

p=$(best "${psql_times[@]}")
t=$(best "${td_times[@]}")
ratio=$(awk -v t="$t" -v p="$p" 'BEGIN { printf "%.3f", t / p }')
verdict=$(awk -v r="$ratio" -v g="$target" 'BEGIN { print (r <= g) ? 1 : 0 }')
echo "td benchmark: $statements statements ($half INSERTs, then $half SELECTs with expected rows), best of 3"
printf '  psql -f (baseline)          %6.3f s\n' "$p"
printf '  faultline td --no-reset     %6.3f s\n' "$t"
printf '  faultline td (fresh db)     %6.3f s   (includes CREATE/DROP DATABASE)\n' "$reset_time"
printf '  ratio td/psql               %6.3f     target <= %s: %s\n' "$ratio" "$target" \
  "$([ "$verdict" = 1 ] && echo met || echo MISSED)"
[ "$verdict" = 1 ]
