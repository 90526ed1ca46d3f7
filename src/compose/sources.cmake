# Sources and tests of src/compose/: docker-compose.yaml for the remote platform, both ways.
target_sources(faultline_core PRIVATE
  src/compose/render.cc
  src/compose/render_dir.cc
  src/compose/import.cc
  src/compose/rules.cc
)
faultline_test(compose_test
  src/compose/render_test.cc
  src/compose/shipped_test.cc
  src/compose/import_test.cc
  src/compose/rules_test.cc
)
faultline_fuzz(compose_import_fuzz fuzz/compose_import_fuzz.cc)
