# Sources and tests of src/scenario/: scenario.yaml, placeholders.
target_sources(faultline_core PRIVATE
  src/scenario/loader.cc
  src/scenario/placeholders.cc
)
faultline_test(scenario_test
  src/scenario/loader_test.cc
  src/scenario/loader_hardening_test.cc
  src/scenario/placeholders_test.cc
)
faultline_fuzz(scenario_fuzz fuzz/scenario_fuzz.cc)
faultline_bench(load_bench bench/scenario/load_bench.cc)
