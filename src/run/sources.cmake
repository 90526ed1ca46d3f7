# Sources and tests of src/run/: histories and runs, `faultline run` and `validate`.
target_sources(faultline_core PRIVATE
  src/run/control_server.cc
  src/run/history.cc
  src/run/run.cc
)
faultline_test(run_test
  src/run/control_server_test.cc
)
