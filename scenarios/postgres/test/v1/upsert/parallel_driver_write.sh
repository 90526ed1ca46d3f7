#!/bin/sh
# Random batches of upserts and deletes on the primary, every outcome in the model.
exec faultline-pg-workload write
