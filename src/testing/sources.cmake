# Test support compiled into faultline_core: a real PostgreSQL server and a fault harness (one
# history's services and fault schedule) for tests and benchmarks.
target_sources(faultline_core PRIVATE
  src/testing/fault_harness.cc
  src/testing/postgres_server.cc
)

# One CTest entry: the fixture's own tests start and stop real servers.
faultline_pg_test(postgres_server_test src/testing/postgres_server_test.cc)
