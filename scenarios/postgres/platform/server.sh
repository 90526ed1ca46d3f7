#!/bin/bash
# On the remote platform (docker-compose.yaml, rendered from scenario.yaml) each server runs in a
# container of its own, from the scenario's image, as the postgres user. The platform runs no
# prepare step: this script prepares the data folder as the prepare steps of scenario.yaml do
# here, then runs PostgreSQL in the foreground with the same settings as the services' commands,
# listening on every address of its container (the others reach it by host name) and trusting
# the compose network.
# Usage: server.sh primary|subscriber DIR PORT
#        server.sh replica DIR PORT PRIMARY_HOST PRIMARY_PORT
set -eu
role=$1 dir=$2 port=$3
bin=/usr/lib/postgresql/15/bin
data=$dir/data
if [ ! -s "$data/PG_VERSION" ]; then
  case $role in
    primary | subscriber)
      "$bin/initdb" -D "$data" -U postgres -A trust -E UTF8 --locale=C --wal-segsize=1 --no-sync
      printf 'host all all all trust\nhost replication all all trust\n' >>"$data/pg_hba.conf" ;;
    replica)
      # The primary may still be starting: its health check gates this container, but a fault
      # may land between the two.
      for ((tries = 0; ; tries++)); do
        rm -rf "$data"
        "$bin/pg_basebackup" -h "$4" -p "$5" -U postgres -D "$data" -R -X stream -C -S replica \
          --checkpoint=fast --no-sync && break
        [ "$tries" -lt 60 ] || { echo "server.sh: no base backup from $4:$5" >&2; exit 1; }
        sleep 1
      done ;;
    *)
      echo "server.sh: unknown role '$role' (primary, replica or subscriber)" >&2
      exit 2 ;;
  esac
fi
common=(-D "$data" -p "$port" -c "listen_addresses=*" -c unix_socket_directories=
        -c "cluster_name=$role")
case $role in
  primary)
    exec "$bin/postgres" "${common[@]}" -c wal_level=logical -c max_wal_senders=10 \
      -c max_replication_slots=10 -c wal_sender_timeout=10s ;;
  replica)
    exec "$bin/postgres" "${common[@]}" \
      -c "primary_conninfo=host=$4 port=$5 user=postgres application_name=replica" \
      -c primary_slot_name=replica -c hot_standby_feedback=on -c wal_receiver_timeout=10s \
      -c wal_retrieve_retry_interval=1s -c fsync=off ;;
  subscriber)
    exec "$bin/postgres" "${common[@]}" -c wal_retrieve_retry_interval=1s -c fsync=off ;;
esac
