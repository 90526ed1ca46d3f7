# Shared by the example's commands: talk to faultline-kv over bash's /dev/tcp.
# kv COMMAND...: prints the reply line; fails when the server cannot be reached.
kv() {
  exec 3<>"/dev/tcp/${KV_HOST:-127.0.0.1}/${KV_PORT:?}" 2>/dev/null || return 1
  printf '%s\n' "$*" >&3
  local reply
  IFS= read -r -t 5 reply <&3 || { exec 3>&-; return 1; }
  exec 3>&-
  printf '%s\n' "$reply"
}
# wait_for_kv SECONDS: polls until the server answers PING (it may be restarting after a fault).
wait_for_kv() {
  local deadline=$((SECONDS + $1))
  until [ "$(kv PING 2>/dev/null)" = PONG ]; do
    [ $SECONDS -ge $deadline ] && return 1
    sleep 0.1
  done
}
mkdir -p "${STATE:?}"
