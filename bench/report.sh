#!/usr/bin/env bash
# Reports of a large run, from the release build (make build-release):
# - building every report (report.json, junit.xml, report.html) for 100 histories of 10,000
#   timeline events each, beside the baseline of reading the timelines: target <= 2 s;
# - opening that report.html in headless Chromium until its load event, beside opening the
#   report of a one-history run in the same browser: target <= 2 s.
set -euo pipefail
cd "$(dirname "$0")/.."
bench=build/release/bench/report_bench
if [ ! -x "$bench" ]; then
  echo "bench/report.sh: build first with 'make build-release' (target report_bench)" >&2
  exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$bench" --keep "$tmp/big"
"$bench" --keep "$tmp/small" --histories 1 --events 200 >/dev/null
load() {  # load HTML: seconds from navigation to the load event
  /usr/bin/python3 tests/browser/report_page.py "$1" |
    /usr/bin/python3 -c 'import json,sys; print("%.3f" % json.load(sys.stdin)["load_seconds"])'
}
small=$(load "$tmp/small/report.html")
big=$(load "$tmp/big/report.html")
awk -v b="$big" -v s="$small" 'BEGIN {
  printf "report.html load in Chromium: %.3f s; baseline, a one-history report: %.3f s (ratio %.1f); target <= 2 s (%.2f of it) %s\n",
    b, s, b / s, b / 2.0, (b <= 2.0) ? "MET" : "MISSED" }'
