#!/bin/sh
# Schema, publication, subscription and the model; waits until both replicas caught up.
exec faultline-pg-workload setup
