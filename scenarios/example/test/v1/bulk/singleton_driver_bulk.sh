#!/bin/bash
# The only driver of its history: writes a batch of keys and reads each one back.
. "$(dirname "$0")/../../../lib/kv.sh"
count=$(( $(faultline sdk random --below 50) + 10 ))
: >"$STATE/bulk"
for i in $(seq "$count"); do
  value="v$(faultline sdk random --below 1000000)"
  [ "$(kv SET "bulk$i" "$value")" = OK ] || continue
  echo "bulk$i $value" >>"$STATE/bulk"
  [ "$(kv GET "bulk$i")" = "VALUE $value" ] && ok=true || ok=false
  faultline sdk always "$ok" "a written key reads back" key="bulk$i" --line "$LINENO"
done
