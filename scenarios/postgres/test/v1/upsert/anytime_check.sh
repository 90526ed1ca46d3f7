#!/bin/sh
# Replication connected, reads work, acknowledged writes still on the primary.
exec faultline-pg-workload anytime
