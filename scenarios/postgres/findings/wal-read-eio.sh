#!/bin/bash
# Confirms, without faultline, what the postgres scenario's disk fault found: PostgreSQL 15 takes
# a transient read error of its WAL during crash recovery for the end of the WAL, ends recovery
# there ("redo done", at LOG level), and every commit after that point is gone although each was
# acknowledged.
#
# It commits rows one by one (each COMMIT acknowledged, fsync on), kills the server, and starts
# it again under strace, which fails reads (pread64) of the WAL segment holding the redo point
# with EIO: by default the 5th and the 6th, a disk that errs for a millisecond. Every other call
# runs as usual. Then it counts the rows. (One failed read alone is survived: recovery's
# read-ahead fails it, and the read of the record itself, a moment later, succeeds. When that
# read fails too, recovery ends.)
#
# Usage (as root; Debian's postgresql-15 and strace): wal-read-eio.sh [ROWS] [FAILED_READS]
# FAILED_READS is strace's `when`: 5..6 (the default), 5 (one read), 3..4, ...
# Exit 0 when the finding reproduces (rows lost), 1 when every committed row survived.
set -euo pipefail
rows=${1:-2000}
nth=${2:-5..6}
bin=/usr/lib/postgresql/15/bin
dir=$(mktemp -d /tmp/wal-read-eio.XXXXXX)
chown postgres: "$dir"
port=$((20000 + RANDOM % 10000))
as_pg() { runuser -u postgres -- "$@"; }
cleanup() {
  pkill -KILL -f -- "-D $dir/data" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT
psql() { as_pg "$bin/psql" -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -tA "$@"; }
start() {
  as_pg "$@" "$bin/postgres" -D "$dir/data" -p "$port" -c listen_addresses=127.0.0.1 \
    -c unix_socket_directories= >>"$dir/server.log" 2>&1 &
  for _ in $(seq 100); do
    "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" && return 0
    sleep 0.1
  done
  echo "the server did not start; its log:" >&2
  tail -20 "$dir/server.log" >&2
  return 1
}

as_pg "$bin/initdb" -D "$dir/data" -U postgres -A trust --no-sync >/dev/null
start
psql -c "CREATE TABLE t (i int PRIMARY KEY)" -c "CHECKPOINT"
for i in $(seq 1 "$rows"); do echo "INSERT INTO t VALUES ($i);"; done | psql >/dev/null
committed=$(psql -c "SELECT count(*) FROM t")
# The server dies as a crash would end it: the page cache (and so every acknowledged commit's
# WAL) stays.
pid=$(head -1 "$dir/data/postmaster.pid")
kill -KILL "$pid"
# Its backends end when they see the postmaster gone; the next start needs them gone.
for _ in $(seq 100); do
  pgrep -f -- "-D $dir/data" >/dev/null || pgrep -s "$(ps -o sid= -p "$pid" 2>/dev/null || echo 0)" >/dev/null || break
  pkill -KILL -f -- "-D $dir/data" 2>/dev/null || true
  sleep 0.1
done
segment=$(as_pg "$bin/pg_controldata" -D "$dir/data" | sed -n "s/^Latest checkpoint's REDO WAL file: *//p")
echo "committed and acknowledged: $committed rows; the server was killed"
echo "restarting it with read(s) $nth of pg_wal/$segment failing with EIO"
: >"$dir/server.log"
start strace -f -qq -o "$dir/strace.out" -P "$dir/data/pg_wal/$segment" \
  -e trace=pread64 -e inject=pread64:error=EIO:when="$nth"
survived=$(psql -c "SELECT count(*) FROM t")
grep -E "could not read|redo done|invalid record|redo starts" "$dir/server.log" | sed 's/^/  server: /'
echo "after recovery: $survived rows of $committed"
if [ "$survived" -lt "$committed" ]; then
  echo "FINDING: $((committed - survived)) acknowledged commits lost to a transient WAL read error"
  exit 0
fi
echo "every committed row survived"
exit 1
