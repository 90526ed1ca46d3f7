#!/bin/bash
# Writes through every member in turn, by host name on the fixed client port, for about 26
# seconds (at most 80 rounds). Each write is an SDK event with its member, outcome and wall-clock
# times, so a reader can line it up with the faults on the timeline; a write that commits is
# read back through the same member.
set -u
for ((round = 0; round < 80 && SECONDS < 26; round++)); do
  for member in etcd0 etcd1 etcd2; do
    start=$(date +%s%3N)
    if etcdctl --endpoints "http://$member:2379" --command-timeout 1s \
        put "k/$member/$round" "$round" >/dev/null 2>&1; then ok=true; else ok=false; fi
    end=$(date +%s%3N)
    faultline sdk event etcd_write member="$member" round:="$round" ok:="$ok" \
      start_ms:="$start" end_ms:="$end"
    faultline sdk sometimes "$ok" "a write through $member commits"
    if [ "$ok" = true ]; then
      got=$(etcdctl --endpoints "http://$member:2379" --command-timeout 1s \
        get --print-value-only "k/$member/$round" 2>/dev/null)
      # A read may time out when a partition begins between the two calls; a wrong value may not.
      [ $? -ne 0 ] || { [ "$got" = "$round" ] && same=true || same=false
        faultline sdk always "$same" "a committed write reads back through its member"; }
    fi
  done
  sleep 0.2
done
