#!/bin/sh
# Quiet period, sentinel on the primary, then every key on every server.
exec faultline-pg-workload eventually
