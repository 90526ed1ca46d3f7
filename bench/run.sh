#!/usr/bin/env bash
# Benchmarks of `faultline run` against the release build, each printed beside its target and a
# baseline measured in the same run:
#   1. composer overhead per invocation (spawn to SDK lines ingested) of a trivial command, run
#      serially: faultline's time per invocation minus a shell loop's time for the same command,
#      with the run folder on a tmpfs (its own, as root), which is faultline's own overhead, and beside it
#      with the run folder on the work folder's filesystem: each invocation creates its folder,
#      output/, stdout and stderr, and on an ext4 that has freed many inodes lately (this VM's,
#      after many runs were deleted) allocating four inodes costs milliseconds;
#   2. invocations per second with 4 parallel drivers, beside `xargs -P 4` running the same command;
#   3. faultline's peak RSS over a 60-second run with 4 parallel drivers, beside its RSS at start;
#   4. the cost of the durable timeline (one write(2) per event, on disk before SIGKILL can lose
#      it), beside stdio's buffered writes of the same lines, per event and per invocation (the
#      events per invocation counted in run 1). Item 1 already includes this cost.
# Usage: bench/run.sh [seconds-for-1-and-2 (default 10)] [seconds-for-3 (default 60)]
set -euo pipefail
cd "$(dirname "$0")/.."
FL=${FAULTLINE:-$PWD/build/release/bin/faultline}
SHORT=${1:-10}
LONG=${2:-60}
[ -x "$FL" ] || { echo "bench/run.sh: build the release binary first (make build-release)" >&2; exit 2; }
work=$(mktemp -d /tmp/faultline-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT

# A scenario with one idle service and one trivial command that writes one SDK line.
scenario() {  # scenario DIR PARALLEL
  mkdir -p "$1/test/v1/t"
  cat >"$1/scenario.yaml" <<YAML
name: bench
services:
  idle: {command: [sleep, "3600"]}
workload: {max_parallel_drivers: $2, command_timeout: 60s}
YAML
  cp "$work/trivial" "$1/test/v1/t/parallel_driver_trivial"
}
cat >"$work/trivial" <<'SH'
#!/bin/sh
echo '{"antithesis_assert":{"assert_type":"always","display_type":"Always","condition":true,"hit":true,"must_hit":true,"id":"trivial","message":"trivial","location":{},"details":null}}' >>"$ANTITHESIS_SDK_LOCAL_OUTPUT"
SH
chmod +x "$work/trivial"
scenario "$work/serial" 1
scenario "$work/parallel" 4

invocations() {  # invocations RUN_OUT_DIR: total command invocations of the run's report
  grep -o '"invocations": [0-9]*' "$(ls -d "$1"/*/ | tail -1)report.json" | head -1 | grep -o '[0-9]*$'
}
now() { date +%s.%N; }

# 1. Overhead per invocation, serially: the run folder on a tmpfs, then on the work folder's disk.
# As root, the tmpfs is the run's own, mounted in a private mount namespace that the kernel removes
# with the run however it ends; otherwise a folder in /dev/shm (whose path, named in every
# command's environment, makes the commands keep the host's /dev/shm instead of one of their own:
# docs/design.md, "Nothing outlives faultline").
shm=""
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null; then
  shm="$work/tmpfs"
  mkdir "$shm"
  # shellcheck disable=SC2016
  n_shm=$(unshare --mount --propagation private bash -c '
    set -e
    mount -t tmpfs tmpfs "$1"
    "$2" run "$3" --seed 1 --duration "$4" --out "$1/out" >/dev/null
    grep -o "\"invocations\": [0-9]*" "$(ls -d "$1"/out/*/ | tail -1)report.json" |
      head -1 | grep -o "[0-9]*$"' _ "$shm" "$FL" "$work/serial" "${SHORT}s")
elif [ -d /dev/shm ] && [ -w /dev/shm ]; then
  shm=$(mktemp -d /dev/shm/faultline-bench.XXXXXX)
  trap 'rm -rf "$work" "$shm"' EXIT
  "$FL" run "$work/serial" --seed 1 --duration "${SHORT}s" --out "$shm/out" >/dev/null
  n_shm=$(invocations "$shm/out")
  rm -rf "$shm"
fi
"$FL" run "$work/serial" --seed 1 --duration "${SHORT}s" --out "$work/out1" >/dev/null
n1=$(invocations "$work/out1")
export ANTITHESIS_SDK_LOCAL_OUTPUT="$work/loop.jsonl"
count=2000
start=$(now)
for _ in $(seq $count); do "$work/trivial"; done
loop_s=$(awk "BEGIN{print $(now) - $start}")
unset ANTITHESIS_SDK_LOCAL_OUTPUT
if [ -n "$shm" ]; then
  awk -v n="$n_shm" -v d="$SHORT" -v c="$count" -v l="$loop_s" 'BEGIN {
    fl = d * 1000 / n; base = l * 1000 / c;
    printf "overhead per invocation:   faultline %.3f ms, shell loop %.3f ms, added %.3f ms (ratio %.2f), run folder on tmpfs   target: added <= 2 ms %s\n",
      fl, base, fl - base, fl / base, (fl - base <= 2.0) ? "MET" : "MISSED" }'
fi
awk -v n="$n1" -v d="$SHORT" -v c="$count" -v l="$loop_s" -v w="$work" 'BEGIN {
  fl = d * 1000 / n; base = l * 1000 / c;
  printf "  run folder on disk:      faultline %.3f ms, shell loop %.3f ms, added %.3f ms (ratio %.2f), run folder in %s (4 new inodes per invocation)\n",
    fl, base, fl - base, fl / base, w }'

# 4. The durable timeline's cost (timeline_bench: write(2) per event vs. buffered stdio).
TB=${TIMELINE_BENCH:-$PWD/build/release/bench/timeline_bench}
if [ -x "$TB" ]; then
  events=$(cat "$(ls -d "$work/out1"/*/ | tail -1)"h*/timeline.jsonl | wc -l)
  "$TB" --benchmark_format=csv 2>/dev/null | awk -F, -v e="$events" -v n="$n1" '
    /BM_DurableRecord/ { durable = $3 } /BM_BufferedStdioBaseline/ { buffered = $3 }
    END { per = e / n; added = (durable - buffered) * per / 1e6;
      printf "durable timeline:          %.2f us per event written whole, buffered stdio %.2f us (ratio %.2f); %.1f events per invocation: +%.4f ms per invocation   target: within the 2 ms overhead %s\n",
        durable / 1000, buffered / 1000, durable / buffered, per, added, (added <= 2.0) ? "MET" : "MISSED" }'
else
  echo "durable timeline:          build timeline_bench (build.sh release timeline_bench) to measure"
fi

# 2. Throughput with 4 parallel drivers.
"$FL" run "$work/parallel" --seed 1 --duration "${SHORT}s" --out "$work/out2" >/dev/null
n2=$(invocations "$work/out2")
export ANTITHESIS_SDK_LOCAL_OUTPUT="$work/xargs.jsonl"
start=$(now)
seq $count | xargs -P 4 -n 1 sh -c '"$0"' "$work/trivial"
xargs_s=$(awk "BEGIN{print $(now) - $start}")
unset ANTITHESIS_SDK_LOCAL_OUTPUT
awk -v n="$n2" -v d="$SHORT" -v c="$count" -v x="$xargs_s" 'BEGIN {
  fl = n / d; base = c / x;
  printf "invocations per second:    faultline %.0f/s with 4 parallel drivers, xargs -P 4 %.0f/s (ratio %.2f)   target: >= 300/s %s\n",
    fl, base, fl / base, (fl >= 300) ? "MET" : "MISSED" }'

# 3. Peak RSS over a long run.
"$FL" run "$work/parallel" --seed 2 --duration "${LONG}s" --out "$work/out3" >/dev/null &
pid=$!
sleep 1
start_kb=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
peak_kb=$start_kb
while kill -0 $pid 2>/dev/null; do
  kb=$(awk '/VmHWM/ {print $2}' /proc/$pid/status 2>/dev/null || echo 0)
  [ -n "$kb" ] && [ "$kb" -gt "$peak_kb" ] && peak_kb=$kb
  sleep 1
done
wait $pid || true
n3=$(invocations "$work/out3")
awk -v p="$peak_kb" -v s="$start_kb" -v n="$n3" -v d="$LONG" 'BEGIN {
  printf "peak RSS over %ds:         faultline %.1f MB after %d invocations, %.1f MB at start (ratio %.2f)   target: <= 20 MB %s\n",
    d, p / 1024, n, s / 1024, p / s, (p / 1024 <= 20) ? "MET" : "MISSED" }'
