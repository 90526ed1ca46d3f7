# Sources and tests of src/base/.
target_sources(faultline_net PRIVATE
  src/base/diagnostic.cc
  src/base/duration.cc
  src/base/fatal.cc
  src/base/files.cc
  src/base/json.cc
  src/base/markup.cc
  src/base/rng.cc
  src/base/signals.cc
  src/base/status.cc
  src/base/strings.cc
  src/base/terminal.cc
)
faultline_test(base_test LIBRARY faultline_net
  src/base/duration_test.cc
  src/base/rng_test.cc
  src/base/strings_test.cc
  src/base/terminal_test.cc
)
