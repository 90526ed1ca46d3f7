#!/bin/sh
# Reads every key on the replica and the subscriber; versions never go back.
exec faultline-pg-workload read
