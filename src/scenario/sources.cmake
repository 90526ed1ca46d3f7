# Sources and tests of src/scenario/: scenario.yaml, placeholders.
target_sources(faultline_core PRIVATE
  src/scenario/loader.cc
  src/scenario/placeholders.cc
  src/scenario/yaml_doc.cc
)
# scenario.yaml is parsed by libyaml (yaml_doc.cc); compose/ keeps yaml-cpp for compose files.
target_link_libraries(faultline_core PRIVATE PkgConfig::LIBYAML)
faultline_test(scenario_test
  src/scenario/loader_test.cc
  src/scenario/loader_hardening_test.cc
  src/scenario/placeholders_test.cc
  src/scenario/yaml_doc_test.cc
)
faultline_fuzz(scenario_fuzz fuzz/scenario_fuzz.cc)
faultline_bench(load_bench bench/scenario/load_bench.cc)
# Its baseline is libyaml's event parser alone.
target_link_libraries(load_bench PRIVATE PkgConfig::LIBYAML)
