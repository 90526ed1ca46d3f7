#!/usr/bin/env bash
# .td files of the corpus's 'generate' bucket against the primary, through the fault proxy, one after
# another for TD_SECONDS (default 30), so that faults land while they run. The n-th file is drawn
# from FAULTLINE_SEED and n, so a replay runs the same files. A failure that looks transient (a
# lost connection) runs the file once more; the first file that still fails ends the driver.
set -u
end=$((SECONDS + ${TD_SECONDS:-30}))
seed=000000000${FAULTLINE_SEED:-0}
seed=$((10#${seed: -9}))  # its last nine digits: shell arithmetic is 64-bit signed
n=0
while [ "$SECONDS" -lt "$end" ]; do
  faultline td --url "$PRIMARY_URL" --pick-from "$TD_MANIFEST" --bucket generate --retry-file-once \
    --seed "$((seed + n))" || exit 1
  n=$((n + 1))
done
echo "singleton_driver_td: $n file(s) of the 'generate' bucket passed"
