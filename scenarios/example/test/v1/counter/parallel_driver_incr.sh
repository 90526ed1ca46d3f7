#!/bin/bash
# Increments the counter a seeded number of times and records every acknowledged value.
. "$(dirname "$0")/../../../lib/kv.sh"
n=$(( $(faultline sdk random --below 20) + 1 ))
for _ in $(seq "$n"); do
  reply=$(kv INCR counter) || reply=""
  case "$reply" in
    VALUE*) echo "${reply#VALUE }" >>"$STATE/acks"; ok=true ;;
    *) ok=false ;;
  esac
  faultline sdk sometimes "$ok" "an INCR is acknowledged" --line "$LINENO"
done
