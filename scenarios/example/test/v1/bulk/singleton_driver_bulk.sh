#!/bin/bash
# The only driver of its history: writes a batch of keys and reads each one back. Bounded in
# time as well as count: under faults a request may wait out its read timeout, and the driver
# must end well within its command timeout.
. "$(dirname "$0")/../../../lib/kv.sh"
count=$(( $(faultline sdk random --below 50) + 10 ))
deadline=$((SECONDS + 20))
: >"$STATE/bulk"
for i in $(seq "$count"); do
  [ $SECONDS -lt $deadline ] || break
  value="v$(faultline sdk random --below 1000000)"
  [ "$(kv SET "bulk$i" "$value")" = OK ] || continue
  echo "bulk$i $value" >>"$STATE/bulk"
  # A fault may keep the server away right after the SET (killed, paused, cut off): ask again once
  # it answers (while the deadline allows), and judge only an answer, since no answer says
  # nothing about the key.
  reply=$(kv GET "bulk$i") ||
    { [ $SECONDS -lt $deadline ] && wait_for_kv 3 && reply=$(kv GET "bulk$i"); } || continue
  [ "$reply" = "VALUE $value" ] && ok=true || ok=false
  faultline sdk always "$ok" "a written key reads back" key="bulk$i" --line "$LINENO"
done
