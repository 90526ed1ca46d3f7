# Test support compiled into faultline_core: a real PostgreSQL server for tests and benchmarks.
target_sources(faultline_core PRIVATE
  src/testing/postgres_server.cc
)
