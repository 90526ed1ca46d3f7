#!/bin/bash
# Faults are healed: within 30 s every member commits a write, and every member serves the same
# keys and the last write (linearizable reads through each member).
set -u
healthy=false
for ((i = 0; i < 60; i++)); do
  if etcdctl --endpoints http://etcd0:2379,http://etcd1:2379,http://etcd2:2379 \
      --command-timeout 2s endpoint health >/dev/null 2>&1; then healthy=true; break; fi
  sleep 0.5
done
faultline sdk always "$healthy" "every member is healthy once faults heal"
last=$(date +%s%N)
etcdctl --endpoints http://etcd0:2379 --command-timeout 5s put k/last "$last" >/dev/null
for member in etcd0 etcd1 etcd2; do
  value=$(etcdctl --endpoints "http://$member:2379" --command-timeout 5s \
    get --print-value-only k/last 2>/dev/null)
  [ "$value" = "$last" ] && same=true || same=false
  faultline sdk always "$same" "every member serves the last write after faults heal" \
    member="$member"
done
# The members are read one after another: a write a driver gave up on during a partition may
# still commit between two reads, so the counts are read again (at most 10 times) until they agree.
for ((try = 0; try < 10; try++)); do
  counts=()
  for member in etcd0 etcd1 etcd2; do
    counts+=("$(etcdctl --endpoints "http://$member:2379" --command-timeout 5s \
      get --prefix --keys-only k/ 2>/dev/null | grep -c '^k/')")
  done
  [ "${counts[0]}" = "${counts[1]}" ] && [ "${counts[1]}" = "${counts[2]}" ] && [ -n "${counts[0]}" ] \
    && agree=true || agree=false
  [ "$agree" = true ] && break
  sleep 0.5
done
faultline sdk always "$agree" "every member holds the same keys" counts="${counts[*]}"
