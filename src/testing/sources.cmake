# Test support compiled into faultline_core: a real PostgreSQL server for tests and benchmarks.
