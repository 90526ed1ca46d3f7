#!/usr/bin/env bash
# How fast faultline finds a real durability bug, and what a history's start-up costs.
#
# 1. Time to detect: the unsafe variant (scenarios/postgres/unsafe: synchronous_commit=off on the
#    primary, kill faults on it) over SEEDS seeds, one history each of BUDGET; for each, the time
#    from the history's start to its first failing property (target: median <= 30 s).
# 2. The safe twin: the same file with synchronous_commit=on, same seeds and budget (target: no
#    failing property).
# 3. Start-up: history start to setup complete for all three servers, with the reusable prepared
#    folders copied (the safe twin's histories after the first) and with every history running
#    initdb and pg_basebackup itself (a twin with 'prepared: per-history'); target <= 1.5 s with
#    the copy. The first history of a reusable run also pays the one-time preparation.
#
# Usage: bench/time-to-detect.sh [path/to/faultline]   (default: build/release/bin/faultline)
# Environment: SEEDS (5), SEED (first seed, 1), BUDGET (45s), STARTUPS (4).
set -euo pipefail
cd "$(dirname "$0")/.."
faultline=$(realpath "${1:-build/release/bin/faultline}")
[ -x "$faultline" ] || { echo "bench/time-to-detect.sh: $faultline not built (make build-release)"; exit 2; }
command -v jq >/dev/null || { echo "bench/time-to-detect.sh: needs jq"; exit 2; }
seeds=${SEEDS:-5}
first=${SEED:-1}
budget=${BUDGET:-45s}
startups=${STARTUPS:-4}
target_detect=30
target_startup=1.5
upsert=$(realpath scenarios/postgres/test/v1/upsert)

work=$(mktemp -d /tmp/faultline-ttd.XXXXXX)
chmod 755 "$work"
trap "[ -n \"${KEEP:-}\" ] || rm -rf \"$work\"" EXIT

# A twin of the unsafe variant with `sed` applied to its scenario.yaml, in $work/<name>.
twin() {
  local name=$1 expr=$2
  mkdir -p "$work/$name/test/v1"
  sed "$expr" scenarios/postgres/unsafe/scenario.yaml >"$work/$name/scenario.yaml"
  ln -s "$upsert" "$work/$name/test/v1/upsert"
}
twin unsafe 's/^name: .*/name: unsafe/'
twin safe 's/^name: .*/name: safe/; s/synchronous_commit=off/synchronous_commit=on/'
twin per-history 's/^name: .*/name: per-history/; s/synchronous_commit=off/synchronous_commit=on/;
                  s/prepared: reusable/prepared: per-history/'
grep -q 'synchronous_commit=off' "$work/unsafe/scenario.yaml"
! grep -q 'synchronous_commit=off' "$work/safe/scenario.yaml"

# Runs a twin; prints the run folder.
run() {
  local name=$1 histories=$2 duration=$3
  "$faultline" run "$work/$name" --seed "$first" --histories "$histories" --duration "$duration" \
    --out "$work/runs-$name" >"$work/$name.out" 2>&1 || true
  ls -d "$work/runs-$name"/*/ | head -1
}

# The first failing Always (or reached Unreachable) of a history: "<t> <message> (<key> = <value>)".
# `sed -n 1p`, not `head -1`: under pipefail, jq's SIGPIPE once head stops reading ended the
# script (exit 141) whenever a history had many failures.
first_failure() {
  jq -r 'select(.type == "assert" and .assert.hit == true and .assert.condition == false
                and (.assert.assert_type == "always" or .assert.display_type == "Unreachable"))
         | "\(.t) \(.assert.message)" + (if (.assert.details.key // "") != ""
             then " (\(.assert.details.key) = \(.assert.details.value))" else "" end)' \
    "$1/timeline.jsonl" | sed -n 1p
}
setup_seconds() {
  jq -r 'select(.type == "setup_complete") | .t' "$1/timeline.jsonl" | sed -n 1p
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {print (b == 0 ? "nan" : a / b)}'; }
median() { sort -g | awk '{a[NR] = $1} END {if (NR == 0) print "nan"; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

echo "time to detect: unsafe variant (synchronous_commit=off, kill faults on the primary),"
echo "  $seeds seeds from $first, one history of $budget each"
unsafe_run=$(run unsafe "$seeds" "$budget")
: >"$work/detect"
for h in "$unsafe_run"/h*/; do
  seed=$(basename "$h" | sed 's/.*seed//')
  f=$(first_failure "$h")
  if [ -n "$f" ]; then
    echo "$f" | awk '{print $1}' >>"$work/detect"
    printf '  seed %-4s %6.1f s  %s\n' "$seed" "${f%% *}" "${f#* }"
  else
    echo "${budget%s}" >>"$work/detect"  # no failure: counts as the whole budget
    printf '  seed %-4s no failing property within %s\n' "$seed" "$budget"
  fi
done
detect=$(median <"$work/detect")
printf '  median %.1f s   target <= %s s   ratio %.2f\n' "$detect" "$target_detect" \
  "$(ratio "$detect" "$target_detect")"
jq -r '.properties[] | select(.id == "acknowledged upserts survive on the primary" and .status == "failed") |
       "  report: \(.status), \(.failures) failing invocation(s); first: history \(.first_fail.history),
          \(.first_fail.details.key // "?") = \(.first_fail.details.value // "?"); replay: \(.first_fail.replay // "?")"' \
  "$unsafe_run/report.json" || true

echo
echo "safe twin (synchronous_commit=on), same seeds and budget:"
safe_run=$(run safe "$seeds" "$budget")
failed=$(jq '.summary.failed' "$safe_run/report.json")
jq -r '.properties[] | select(.status == "failed") | "  FAILED \(.id): \(.reason // "")"' \
  "$safe_run/report.json"
printf '  failing properties: %s   target 0   outcome: %s\n' "$failed" \
  "$(jq -r '.outcome' "$safe_run/report.json")"

echo
echo "start-up, history start to setup complete (primary, replica, subscriber):"
for h in "$safe_run"/h*/; do setup_seconds "$h"; done | tail -n +2 >"$work/copy"
first_history=$(setup_seconds "$(ls -d "$safe_run"/h*/ | head -1)")
per_run=$(run per-history "$startups" 5s)
for h in "$per_run"/h*/; do setup_seconds "$h"; done >"$work/prepare"
copy=$(median <"$work/copy")
prepare=$(median <"$work/prepare")
printf '  every history prepares (initdb x2, pg_basebackup): median %.2f s over %d\n' "$prepare" \
  "$(wc -l <"$work/prepare")"
printf '  reusable folders copied:                           median %.2f s over %d   target <= %s s   ratio %.2f\n' \
  "$copy" "$(wc -l <"$work/copy")" "$target_startup" "$(ratio "$copy" "$target_startup")"
printf '  copy / prepare: %.2f; first history of the run (one-time preparation + copy): %.2f s\n' \
  "$(ratio "$copy" "$prepare")" "$first_history"
