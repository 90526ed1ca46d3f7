#!/bin/bash
# Starts the counter at zero before any driver runs.
. "$(dirname "$0")/../../../lib/kv.sh"
[ "$(kv SET counter 0)" = OK ] || exit 1
: >"$STATE/acks"
faultline sdk reachable "the counter is initialised"
