#!/bin/bash
# At the end: every acknowledged key still holds its value.
. "$(dirname "$0")/../../../lib/kv.sh"
wait_for_kv 30 || exit 1
while read -r key value; do
  [ "$(kv GET "$key")" = "VALUE $value" ] && ok=true || ok=false
  faultline sdk always "$ok" "acknowledged keys keep their values" key="$key" --line "$LINENO"
done <"$STATE/bulk"
