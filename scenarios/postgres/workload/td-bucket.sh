#!/usr/bin/env bash
# Usage: td-bucket.sh BUCKET (the testdrive templates' singleton_driver_td.sh runs it).
# .td files of the corpus's bucket BUCKET against the primary, through the fault proxy, one after
# another for TD_SECONDS (default 30), so that faults land while they run. The n-th file is drawn
# from FAULTLINE_SEED and n, so a replay runs the same files. A failure that looks transient (a
# lost connection) runs the file once more at once (--retry-file-once); a file that still fails
# runs once more with faults stopped (ANTITHESIS_STOP_FAULTS: healed, and none for 10 s) once the
# primary accepts connections again (a kill keeps it down for seconds, a disk fault fails its
# queries while it lasts, a network fault can hold a statement until its timeout). A wrong answer
# fails then too: the first file that fails without faults ends the driver.
set -u
bucket=$1
end=$((SECONDS + ${TD_SECONDS:-30}))
seed=000000000${FAULTLINE_SEED:-0}
seed=$((10#${seed: -9}))  # its last nine digits: shell arithmetic is 64-bit signed
n=0
td() {
  faultline td --url "$PRIMARY_URL" --pick-from "$TD_MANIFEST" --bucket "$bucket" --retry-file-once \
    --seed "$((seed + n))"
}
# Waits up to 30 s for the primary (through the proxy) to accept connections.
primary_ready() {
  local tries=0
  until /usr/lib/postgresql/15/bin/pg_isready -q -d "$PRIMARY_URL" -t 2; do
    tries=$((tries + 1))
    [ "$tries" -lt 30 ] || return 1
    sleep 1
  done
}
while [ "$SECONDS" -lt "$end" ]; do
  if ! td; then
    echo "singleton_driver_td: file $n failed; once more with faults stopped" >&2
    if [ -n "${ANTITHESIS_STOP_FAULTS:-}" ]; then
      "$ANTITHESIS_STOP_FAULTS" 10 || echo "singleton_driver_td: faults could not be stopped" >&2
    fi
    primary_ready || echo "singleton_driver_td: the primary still does not answer" >&2
    td || exit 1
  fi
  n=$((n + 1))
done
echo "singleton_driver_td: $n file(s) of the '$bucket' bucket passed"
