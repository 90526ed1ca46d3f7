# Sources and tests of src/topology/: a history's services, ports, health, teardown.
target_sources(faultline_core PRIVATE
  src/topology/ports.cc
  src/topology/topology.cc
)
faultline_test(topology_test
  src/topology/topology_test.cc
)
