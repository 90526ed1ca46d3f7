#!/usr/bin/env bash
# The fault schedule's benchmark, against the release build: the time from a fault's decision to
# the fault being in force, per kind, beside the same operation done directly (a kill(2), a
# proxy call), each printed with its target (10 ms at most for process and network faults).
# Build first with `make build-release` (make bench does). Extra flags go to the driver:
# --rounds N (default 20). Throttle needs root (cgroups); it is skipped otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
driver=build/release/bench/fault_bench
if [ ! -x "$driver" ] || [ ! -x build/release/bin/fault_probe ]; then
  echo "faults.sh: build the release preset first (make build-release)" >&2
  exit 2
fi
echo "machine: $(nproc) cores, $(uname -r)"
exec timeout 600 "$driver" "$@"
