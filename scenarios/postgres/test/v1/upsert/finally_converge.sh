#!/bin/sh
# Every key on every server against the primary and the model.
exec faultline-pg-workload finally
