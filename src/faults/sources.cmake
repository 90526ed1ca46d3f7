# Sources and tests of src/faults/: the fault schedule, quiet periods, healing.
target_sources(faultline_core PRIVATE
  src/faults/fault_schedule.cc
)
faultline_test(faults_test
  src/faults/fault_schedule_test.cc
)
