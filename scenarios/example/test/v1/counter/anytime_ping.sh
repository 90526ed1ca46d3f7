#!/bin/bash
# Beside the drivers: the server answers.
. "$(dirname "$0")/../../../lib/kv.sh"
[ "$(kv PING)" = PONG ] && ok=true || ok=false
faultline sdk sometimes "$ok" "kv answers PING" --line "$LINENO"
