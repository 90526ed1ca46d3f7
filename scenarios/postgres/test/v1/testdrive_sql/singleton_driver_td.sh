#!/bin/sh
# One .td file of the corpus's 'sql' bucket, drawn from FAULTLINE_SEED, against the primary through
# the fault proxy; a transient-looking failure runs the file once more.
exec faultline td --url "$PRIMARY_URL" --pick-from "$TD_MANIFEST" --bucket sql --retry-file-once
