#!/bin/bash
# After faults are healed: once the server answers again, no acknowledged increment is lost.
. "$(dirname "$0")/../../../lib/kv.sh"
wait_for_kv 30 || { faultline sdk unreachable "kv did not come back within 30s"; exit 1; }
max=$(sort -n "$STATE/acks" | tail -1)
reply=$(kv GET counter)
faultline sdk always-greater-than-or-equal-to "${reply#VALUE }" "${max:-0}" \
  "acknowledged increments survive" --line "$LINENO"
