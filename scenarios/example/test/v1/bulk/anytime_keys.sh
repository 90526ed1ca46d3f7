#!/bin/bash
# Beside the singleton: listing keys works and sometimes sees the batch.
. "$(dirname "$0")/../../../lib/kv.sh"
reply=$(kv KEYS) || exit 0
case "$reply" in *bulk*) seen=true ;; *) seen=false ;; esac
faultline sdk sometimes "$seen" "KEYS sees the batch being written" --line "$LINENO"
