#!/bin/sh
# The restart-subscription fault: ALTER SUBSCRIPTION faultline_sub $1 (DISABLE or ENABLE) on the
# subscriber at port $2, retried for up to 25 s (the fault's timeout is 30 s) while a kill, stop
# or pause keeps the server away. Exits 0 once the statement ran, or when the server answers
# that there is no such subscription (the testdrive templates make none: nothing to restart);
# otherwise prints psql's last error and exits 1.
set -u
action=$1
port=$2
psql="/usr/lib/postgresql/15/bin/psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p $port -U postgres -d postgres"
tries=0
until out=$($psql -c "ALTER SUBSCRIPTION faultline_sub $action" 2>&1); do
  case $out in
    *'subscription "faultline_sub" does not exist'*)
      echo "restart-subscription: no subscription faultline_sub on port $port: nothing to $action"
      exit 0 ;;
  esac
  tries=$((tries + 1))
  if [ "$tries" -ge 50 ]; then
    echo "ALTER SUBSCRIPTION faultline_sub $action on port $port: $out" >&2
    exit 1
  fi
  sleep 0.5
done
