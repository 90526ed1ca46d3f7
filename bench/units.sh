#!/usr/bin/env bash
# Isolated mode's costs against the release build, each figure beside its target and measured
# against its baseline in this one run:
#   bring-up   setup time of a scenario of N idle services in isolated mode (N+1 units and the
#              hub) vs the same scenario in loopback mode; the difference per unit (target
#              <= 15 ms per unit)
#   throughput a TCP stream between two units through the hub (nft redirect, the transparent
#              relay of the fault proxy) vs the same stream over a plain veth pair between two
#              namespaces, the median of three runs of each (target >= 0.5x)
#   round trip p50 of 64-byte round trips, the same two paths, the median of three runs of each
#              (target: at most 50 us added)
# Root only (isolated mode). Knobs: UNITS (8), ROUNDS (3), MIB (256), PINGS (5000), PRESET
# (release).
# Leaves nothing: the baseline's namespaces are held by processes this script kills on exit, and
# their veth pair goes with them.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$PWD/build/${PRESET:-release}/bin
if [ ! -x "$bin/faultline" ] || [ ! -x "$bin/tcp_probe" ]; then
  echo "units.sh: build the release preset first (/work/wt/build.sh release faultline tcp_probe)" >&2
  exit 2
fi
[ "$(id -u)" = 0 ] || { echo "units.sh: isolated mode needs root" >&2; exit 2; }
units=${UNITS:-8}
rounds=${ROUNDS:-3}
export BENCH_MIB=${MIB:-256} BENCH_PINGS=${PINGS:-5000}
work=$(mktemp -d /tmp/faultline-units-bench.XXXXXX)
holders=()
cleanup() {
  for p in "${holders[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
echo "machine: $(nproc) cores, $(uname -r); $units services, $rounds rounds"

# ---- bring-up ----
mkdir -p "$work/up/test/v1/t"
{
  echo "name: bring-up"
  echo "setup_timeout: 60s"
  echo "services:"
  for ((i = 0; i < units; i++)); do echo "  s$i: {command: [sleep, \"600\"]}"; done
} >"$work/up/scenario.yaml"
printf '#!/bin/sh\nexit 0\n' >"$work/up/test/v1/t/singleton_driver_done.sh"
chmod +x "$work/up/test/v1/t/singleton_driver_done.sh"
# Milliseconds from the history's start to its setup_complete event ("t" is in seconds).
setup_ms() {
  local out=$work/out-$1-$2
  timeout 120 "$bin/faultline" run "$work/up" --seed 1 --network "$1" --out "$out" >/dev/null 2>&1
  local timeline
  timeline=$(ls "$out"/*/h000*/timeline.jsonl)
  grep '"type":"setup_complete"' "$timeline" | head -1 | sed -n 's/.*"t":\([0-9.]*\).*/\1/p' |
    awk '{printf "%.1f", $1 * 1000}'
}
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
loop=() iso=()
for ((r = 0; r < rounds; r++)); do
  loop+=("$(setup_ms loopback "$r")")
  iso+=("$(setup_ms isolated "$r")")
done
l=$(median "${loop[@]}") i=$(median "${iso[@]}")
awk -v l="$l" -v i="$i" -v n="$units" 'BEGIN {
  per = (i - l) / (n + 1)
  printf "bring-up of %d services: isolated %.1f ms vs loopback %.1f ms (%.2fx); %.2f ms per unit (target <= 15 ms: %s)\n",
    n, i, l, i / l, per, (per <= 15) ? "met" : "MISSED"
}'

# ---- through the hub: a service and a driver in two units ----
mkdir -p "$work/relay/test/v1/t"
cat >"$work/relay/scenario.yaml" <<'YAML'
name: relay
network: isolated
setup_timeout: 30s
services:
  srv: {command: [tcp_probe, serve, "7000"], port: 7000}
workload: {command_timeout: 120s}
YAML
cat >"$work/relay/test/v1/t/singleton_driver_measure.sh" <<'SH'
#!/bin/sh
set -e
for i in 1 2 3; do tcp_probe rtt srv 7000 "$BENCH_PINGS"; done >"$FAULTLINE_HISTORY_DIR/rtt.txt"
for i in 1 2 3; do tcp_probe stream srv 7000 "$BENCH_MIB"; done >"$FAULTLINE_HISTORY_DIR/stream.txt"
SH
chmod +x "$work/relay/test/v1/t/singleton_driver_measure.sh"
timeout 300 "$bin/faultline" run "$work/relay" --seed 1 --out "$work/out-relay" >/dev/null 2>&1 || {
  echo "units.sh: the relay run failed" >&2
  exit 1
}
hub_dir=$(ls -d "$work"/out-relay/*/h000*)
hub_rtt=$(median $(awk '{print $2}' "$hub_dir/rtt.txt"))
hub_tput=$(median $(awk '{print $2}' "$hub_dir/stream.txt"))

# ---- the baseline: a plain veth pair between two namespaces ----
unshare --net sleep 600 &
a=$!
disown
holders+=("$a")
unshare --net sleep 600 &
b=$!
disown
holders+=("$b")
sleep 0.2
nsenter -t "$a" -n ip link add eth0 type veth peer name eth0 netns "$b"
nsenter -t "$a" -n ip addr add 198.18.250.1/24 dev eth0
nsenter -t "$b" -n ip addr add 198.18.250.2/24 dev eth0
for ns in "$a" "$b"; do nsenter -t "$ns" -n ip link set eth0 up; nsenter -t "$ns" -n ip link set lo up; done
nsenter -t "$b" -n "$bin/tcp_probe" serve 7000 &
holders+=("$!")
disown
for ((i = 0; i < 50; i++)); do
  nsenter -t "$a" -n bash -c 'exec 3<>/dev/tcp/198.18.250.2/7000' 2>/dev/null && break
  sleep 0.1
done
veth_rtt=$(median $(for i in 1 2 3; do
  nsenter -t "$a" -n "$bin/tcp_probe" rtt 198.18.250.2 7000 "$BENCH_PINGS" | awk '{print $2}'
done))
veth_tput=$(median $(for i in 1 2 3; do
  nsenter -t "$a" -n "$bin/tcp_probe" stream 198.18.250.2 7000 "$BENCH_MIB" | awk '{print $2}'
done))

awk -v h="$hub_tput" -v v="$veth_tput" -v mib="$BENCH_MIB" 'BEGIN {
  printf "throughput of %d MiB (median of 3 runs): through the hub %.0f MiB/s vs plain veth %.0f MiB/s (%.2fx; target >= 0.5x: %s)\n",
    mib, h, v, h / v, (h / v >= 0.5) ? "met" : "MISSED"
}'
awk -v h="$hub_rtt" -v v="$veth_rtt" -v n="$BENCH_PINGS" 'BEGIN {
  printf "round trip p50 of %d pings (median of 3 runs): through the hub %.1f us vs plain veth %.1f us (%.2fx, +%.1f us; target <= +50 us: %s)\n",
    n, h, v, h / v, h - v, (h - v <= 50) ? "met" : "MISSED"
}'
