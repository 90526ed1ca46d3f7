# Sources and tests of src/process/: the event loop, spawning and supervising children.
target_sources(faultline_core PRIVATE
  src/process/child_process.cc
  src/process/event_loop.cc
  src/process/guardian.cc
  src/process/proc_scan.cc
  src/process/spawn.cc
  src/process/supervisor.cc
)
faultline_test(process_test
  src/process/event_loop_test.cc
  src/process/supervisor_test.cc
)
