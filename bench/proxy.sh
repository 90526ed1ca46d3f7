#!/usr/bin/env bash
# The fault proxy's benchmark, against the release build: throughput of a 1 GiB loopback transfer
# and 64-byte ping-pong latency, direct vs through `faultline proxy` vs through socat, each figure
# printed beside its target. Build first with `make build-release` (make bench does).
# Extra flags go to the driver: --bytes N, --pings N.
set -euo pipefail
cd "$(dirname "$0")/.."
driver=build/release/bench/proxy_bench
if [ ! -x "$driver" ] || [ ! -x build/release/bin/faultline ]; then
  echo "proxy.sh: build the release preset first (make build-release)" >&2
  exit 2
fi
command -v socat >/dev/null || { echo "proxy.sh: socat is not installed (make deps)" >&2; exit 2; }
echo "machine: $(nproc) cores, $(uname -r)"
exec timeout 600 "$driver" --faultline build/release/bin/faultline "$@"
