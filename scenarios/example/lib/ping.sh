#!/bin/bash
# Health check: faultline-kv answers PING on port $1.
exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
printf 'PING\n' >&3
IFS= read -r -t 2 reply <&3
[ "$reply" = PONG ]
