#!/bin/bash
# The same check when every command finished on its own.
exec "$(dirname "$0")/eventually_durable.sh"
