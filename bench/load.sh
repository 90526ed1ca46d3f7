#!/usr/bin/env bash
# Loading a 50,000-service scenario (the issue's figure: 20,000 services took 8 s, quadratic),
# beside libyaml parsing the same text alone (its events only, the floor of any loader), measured
# in one run; target: under 1 s.
# Usage: bench/load.sh [services (default 50000)]
set -euo pipefail
cd "$(dirname "$0")/.."
B=${LOAD_BENCH:-$PWD/build/release/bench/load_bench}
[ -x "$B" ] || { echo "bench/load.sh: build it first (build.sh release load_bench)" >&2; exit 2; }
read -r n load yaml < <("$B" "${1:-50000}")
awk -v n="$n" -v l="$load" -v y="$yaml" 'BEGIN {
  printf "scenario load:             %d services in %.3f s, libyaml parse alone %.3f s (ratio %.2f)   target: < 1 s %s\n",
    n, l, y, l / y, (l < 1.0) ? "MET" : "MISSED" }'
