#!/bin/bash
# Alone among the drivers: the counter is at least every value an INCR acknowledged.
. "$(dirname "$0")/../../../lib/kv.sh"
max=$(sort -n "$STATE/acks" | tail -1)
reply=$(kv GET counter) || exit 0  # unreachable right now: nothing to judge
faultline sdk always-greater-than-or-equal-to "${reply#VALUE }" "${max:-0}" \
  "the counter holds every acknowledged increment" --line "$LINENO"
