#!/usr/bin/env bash
# The corpus's 'generate' bucket against the primary, through the fault proxy, while faults land:
# the scenario's workload/td-bucket.sh (TD_BUCKET_DRIVER) runs its files and says how.
exec "$TD_BUCKET_DRIVER" generate
