#!/bin/sh
# The restart-subscription fault: ALTER SUBSCRIPTION faultline_sub $1 (DISABLE or ENABLE) on the
# subscriber at port $2, retried for up to 25 s (the fault's timeout is 30 s) while a kill, stop
# or pause keeps the server away. Exits 0 once the statement ran; otherwise prints psql's last
# error and exits 1.
set -u
action=$1
port=$2
tries=0
until out=$(/usr/lib/postgresql/15/bin/psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" \
    -U postgres -d postgres -c "ALTER SUBSCRIPTION faultline_sub $action" 2>&1); do
  tries=$((tries + 1))
  if [ "$tries" -ge 50 ]; then
    echo "ALTER SUBSCRIPTION faultline_sub $action on port $port: $out" >&2
    exit 1
  fi
  sleep 0.5
done
