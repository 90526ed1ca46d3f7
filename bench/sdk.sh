#!/usr/bin/env bash
# The faultline SDK's costs beside their targets, from the release build (make build-release):
# - one assertion with the output off (no ANTITHESIS_SDK_LOCAL_OUTPUT): target <= 5 ns;
# - one assertion with the output on, once its call site has written its line: target <= 50 ns;
#   both beside the baseline (the same loop with the bare condition) as a ratio;
# - the wall time of one `faultline sdk reachable` call (scripts run it many times per history),
#   beside the cost of starting /bin/true and `faultline --version`.
# Exits 1 when a macro misses its target.
set -euo pipefail
cd "$(dirname "$0")/.."
build=build/release
bench=$build/bench/sdk_bench
faultline=$build/bin/faultline
if [ ! -x "$bench" ] || [ ! -x "$faultline" ]; then
  echo "bench/sdk.sh: build first with 'make build-release'" >&2
  exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# name -> cpu ns per iteration, one run of the benchmark binary per output mode.
run_bench() {
  env "$@" "$bench" --benchmark_format=csv --benchmark_min_time=0.3 2>/dev/null |
    awk -F, '/^"BM_/ { gsub(/"/, "", $1); print $1, $4 }'
}
run_bench -u ANTITHESIS_SDK_LOCAL_OUTPUT >"$tmp/off"
run_bench ANTITHESIS_SDK_LOCAL_OUTPUT="$tmp/bench.jsonl" >"$tmp/on"

status=0
baseline=$(awk '$1 == "BM_Baseline" { print $2 }' "$tmp/off")
printf '%-40s %22s %30s\n' "ns per assertion" "output off (<= 5 ns)" "output on, after 1st line (<= 50 ns)"
printf '%-40s %14.2f\n' "baseline: the condition, no assertion" "$baseline"
while read -r name off; do
  [ "$name" = BM_Baseline ] && continue
  on=$(awk -v n="$name" '$1 == n { print $2 }' "$tmp/on")
  verdict_off=$(awk -v v="$off" 'BEGIN { print (v <= 5) ? "ok" : "OVER" }')
  verdict_on=$(awk -v v="$on" 'BEGIN { print (v <= 50) ? "ok" : "OVER" }')
  case "$name" in
    BM_AlwaysMacro) label="FAULTLINE_ALWAYS, with details" ;;
    BM_NumericMacro) label="FAULTLINE_ALWAYS_LESS_THAN" ;;
    BM_AlternatingMacro) label="FAULTLINE_SOMETIMES, alternating" ;;
    BM_AlwaysFunction) label="faultline::always (function form)" ;;
    BM_AlwaysMacroThreads/threads:8) label="FAULTLINE_ALWAYS, 8 threads, one site" ;;
    *) label=$name ;;
  esac
  ratio_off=$(awk -v v="$off" -v b="$baseline" 'BEGIN { printf "%.1fx", (b > 0) ? v / b : 0 }')
  ratio_on=$(awk -v v="$on" -v b="$baseline" 'BEGIN { printf "%.1fx", (b > 0) ? v / b : 0 }')
  printf '%-40s %14.2f %-7s %6s %15.2f %-7s %6s\n' "$label" "$off" "$verdict_off" "$ratio_off" \
    "$on" "$verdict_on" "$ratio_on"
  if [[ "$name" != BM_AlwaysFunction && ( "$verdict_off" != ok || "$verdict_on" != ok ) ]]; then
    status=1
  fi
done <"$tmp/off"

# Wall time per process, mean over n calls.
n=200
per_call_ms() {
  local start end
  start=$(date +%s%N)
  for ((i = 0; i < n; i++)); do "$@" >/dev/null; done
  end=$(date +%s%N)
  awk -v s="$start" -v e="$end" -v n="$n" 'BEGIN { printf "%.2f", (e - s) / n / 1e6 }'
}
export ANTITHESIS_SDK_LOCAL_OUTPUT="$tmp/shell.jsonl"
sdk_ms=$(per_call_ms "$faultline" sdk reachable "bench: a shell assertion" step:=1)
version_ms=$(per_call_ms "$faultline" --version)
true_ms=$(per_call_ms /bin/true)
unset ANTITHESIS_SDK_LOCAL_OUTPUT
ratio=$(awk -v s="$sdk_ms" -v t="$true_ms" 'BEGIN { printf "%.1f", s / t }')
printf '\nfaultline sdk reachable: %s ms per call (mean of %d, %sx /bin/true); baselines: faultline --version %s ms, /bin/true %s ms\n' \
  "$sdk_ms" "$n" "$ratio" "$version_ms" "$true_ms"
exit $status
