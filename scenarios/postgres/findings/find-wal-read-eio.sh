#!/bin/bash
# Runs the postgres scenario with read-eio among the primary's disk fault kinds (the default
# scenario leaves it out, see README.md here) over the upsert template, and prints faultline's
# verdict: over a few 2-minute histories, "acknowledged upserts survive on the primary" fails
# when a crash recovery meets a failed WAL read.
#
# Usage (as root, from the project's root, after `make demo` or a release build):
#   scenarios/postgres/findings/find-wal-read-eio.sh [FIRST_SEED] [HISTORIES] [DURATION]
# KEEP=1 keeps the twin scenario (the report's replay commands name it); OUT=dir keeps the runs.
set -euo pipefail
first=${1:-1}
histories=${2:-5}
duration=${3:-2m}
faultline=${FAULTLINE:-build/release/bin/faultline}
scenario=$(realpath scenarios/postgres)
work=$(mktemp -d /tmp/faultline-wal-read-eio.XXXXXX)
chmod 755 "$work"
trap "[ -n \"${KEEP:-}\" ] || rm -rf \"$work\"" EXIT
twin="$work/postgres-read-eio"
mkdir -p "$twin"
for part in faults platform test; do ln -s "$scenario/$part" "$twin/$part"; done
sed 's/^name: .*/name: postgres-read-eio/;
     s/^    kinds: \[fsync-eio, write-enospc\]$/    kinds: [fsync-eio, write-enospc, read-eio]/' \
  "$scenario/scenario.yaml" >"$twin/scenario.yaml"
grep -q 'kinds: \[fsync-eio, write-enospc, read-eio\]' "$twin/scenario.yaml"
out=${OUT:-$work/runs}
"$faultline" run "$twin" --template upsert --seed "$first" --histories "$histories" \
  --duration "$duration" --jobs 2 --out "$out" || true
