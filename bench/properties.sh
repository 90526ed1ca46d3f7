#!/usr/bin/env bash
# 300,000 distinct property ids (the issue's figure: 2.9 GB of memory, a 253 MB report.json):
# peak RSS and report.json size with the property book's cap, beside the same flood with no cap,
# measured in one run.
# Usage: bench/properties.sh [ids (default 300000)]
set -euo pipefail
cd "$(dirname "$0")/.."
B=${PROPERTY_BENCH:-$PWD/build/release/bench/property_flood}
[ -x "$B" ] || { echo "bench/properties.sh: build it first (build.sh release property_flood)" >&2; exit 2; }
n=${1:-300000}
read -r capped_kb capped_bytes < <("$B" "$n")
read -r free_kb free_bytes < <("$B" "$n" none)
awk -v n="$n" -v ck="$capped_kb" -v cb="$capped_bytes" -v fk="$free_kb" -v fb="$free_bytes" 'BEGIN {
  printf "%d property ids, capped:   peak RSS %.1f MB, report.json %.1f MB; without the cap %.1f MB, %.1f MB (ratios %.3f, %.3f)   target: bounded %s\n",
    n, ck / 1024, cb / 1e6, fk / 1024, fb / 1e6, ck / fk, cb / fb, (ck / 1024 < 200) ? "MET" : "MISSED" }'
