#!/bin/bash
# How the scenario's PostgreSQL servers are prepared and run, here and on the remote platform: the
# one place that holds their settings. scenario.yaml's prepare steps run `server.sh prepare`, its
# commands `server.sh run` (listening on 127.0.0.1). On the platform (docker-compose.yaml, rendered
# from scenario.yaml) each server runs in a container of its own, from the scenario's image, as
# the postgres user; the platform runs no prepare step, so `server.sh ROLE ...` prepares the data
# folder when it has none (a restarted container keeps it) and then runs the server, listening on
# every address of its container (the others reach it by host name) and trusting the network.
# Usage: server.sh prepare ROLE DIR [PRIMARY_HOST PRIMARY_PORT]
#        server.sh run ROLE DIR PORT [PRIMARY_HOST PRIMARY_PORT] [-- POSTGRES_ARG...]
#        server.sh ROLE DIR PORT [PRIMARY_HOST PRIMARY_PORT]            (the platform's form)
# ROLE is primary, replica or subscriber; a replica names the primary it copies and follows.
# POSTGRES_ARGs come last, so they override (scenarios/postgres/unsafe: synchronous_commit=off).
set -eu
bin=/usr/lib/postgresql/15/bin
listen=127.0.0.1

usage() {
  echo "usage: server.sh [prepare|run] primary|replica|subscriber DIR [PORT] [PRIMARY_HOST PRIMARY_PORT]" >&2
  exit 2
}

prepare() {  # prepare ROLE DIR [PRIMARY_HOST PRIMARY_PORT]
  [ $# -ge 2 ] || usage
  local role=$1 data=$2/data
  case $role in
    primary | subscriber)
      # 1 MB WAL segments keep the prepared copies small.
      "$bin/initdb" -D "$data" -U postgres -A trust -E UTF8 --locale=C --wal-segsize=1 --no-sync
      printf 'host all all all trust\nhost replication all all trust\n' >>"$data/pg_hba.conf" ;;
    replica)
      # A base backup with a physical slot, so that the primary keeps the WAL the replica still
      # needs while a fault keeps it away. The primary may still be starting (on the platform its
      # health check gates this container, but a fault may land between the two).
      [ $# -ge 4 ] || usage
      for ((tries = 0; ; tries++)); do
        rm -rf "$data"
        "$bin/pg_basebackup" -h "$3" -p "$4" -U postgres -D "$data" -R -X stream -C -S replica \
          --checkpoint=fast --no-sync && break
        [ "$tries" -lt 60 ] || { echo "server.sh: no base backup from $3:$4" >&2; exit 1; }
        sleep 1
      done ;;
    *) usage ;;
  esac
}

run() {  # run ROLE DIR PORT [PRIMARY_HOST PRIMARY_PORT] [-- POSTGRES_ARG...]
  [ $# -ge 3 ] || usage
  local role=$1 data=$2/data port=$3 primary_host="" primary_port=""
  shift 3
  if [ "$role" = replica ]; then
    [ $# -ge 2 ] || usage
    primary_host=$1 primary_port=$2
    shift 2
  fi
  [ "${1:-}" != -- ] || shift
  # TCP only: a Unix socket's path (at most 107 bytes) would depend on where the folder is.
  local common=(-D "$data" -p "$port" -c "listen_addresses=$listen" -c unix_socket_directories=
                -c "cluster_name=$role")
  case $role in
    primary)
      # fsync stays on: the disk faults act on it, and durability is what the workload checks.
      exec "$bin/postgres" "${common[@]}" -c wal_level=logical -c max_wal_senders=10 \
        -c max_replication_slots=10 -c wal_sender_timeout=10s "$@" ;;
    replica)
      # primary_conninfo here, whatever -R wrote: the history's own proxy port. A killed standby
      # loses nothing without fsync (the page cache outlives the processes).
      exec "$bin/postgres" "${common[@]}" \
        -c "primary_conninfo=host=$primary_host port=$primary_port user=postgres application_name=replica" \
        -c primary_slot_name=replica -c hot_standby_feedback=on -c wal_receiver_timeout=10s \
        -c wal_retrieve_retry_interval=1s -c fsync=off "$@" ;;
    subscriber)
      exec "$bin/postgres" "${common[@]}" -c wal_retrieve_retry_interval=1s -c fsync=off "$@" ;;
    *) usage ;;
  esac
}

case ${1:-} in
  prepare) shift; prepare "$@" ;;
  run) shift; run "$@" ;;
  primary | replica | subscriber)
    [ $# -ge 3 ] || usage
    listen='*'
    if [ ! -s "$2/data/PG_VERSION" ]; then
      if [ "$1" = replica ]; then prepare "$1" "$2" "${4:-}" "${5:-}"; else prepare "$1" "$2"; fi
    fi
    run "$@" ;;
  *) usage ;;
esac
