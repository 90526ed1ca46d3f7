# Sources and tests of src/faults/: the fault catalog (one file per kind), the pure planner, the
# schedule that injects and heals, and the controls it acts through.
target_sources(faultline_core PRIVATE
  src/faults/catalog.cc
  src/faults/cgroup_cpu.cc
  src/faults/clock_fault.cc
  src/faults/custom_fault.cc
  src/faults/disk_fault.cc
  src/faults/fault_events.cc
  src/faults/fault_schedule.cc
  src/faults/in_process.cc
  src/faults/link_network.cc
  src/faults/network_faults.cc
  src/faults/parse.cc
  src/faults/planner.cc
  src/faults/process_faults.cc
  src/faults/throttle.cc
)
faultline_test(faults_test
  src/faults/catalog_test.cc
  src/faults/fault_schedule_test.cc
  src/faults/planner_test.cc
)
