# Sources and tests of src/run/: histories and runs, `faultline run` and `validate`.
target_sources(faultline_core PRIVATE
  src/run/command_runner.cc
  src/run/control_server.cc
  src/run/fault_commands.cc
  src/run/history.cc
  src/run/isolated_network.cc
  src/run/loopback_network.cc
  src/run/resolved_scenario.cc
  src/run/run.cc
  src/run/sdk_ingest.cc
  src/run/setup_gate.cc
  src/run/validate_sequence.cc
)
faultline_test(run_test
  src/run/control_server_test.cc
)
