# Sources and tests of src/topology/: a history's services, ports, health, teardown, and the
# run's reusable prepared folders.
target_sources(faultline_core PRIVATE
  src/topology/ports.cc
  src/topology/prepared_store.cc
  src/topology/topology.cc
  src/topology/tree_copy.cc
)
faultline_test(topology_test
  src/topology/ports_test.cc
  src/topology/prepared_store_test.cc
  src/topology/topology_test.cc
  src/topology/tree_copy_test.cc
)
