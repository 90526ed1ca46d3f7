# Sources and tests of src/td/: the testdrive (.td) interpreter.
target_sources(faultline_core PRIVATE
  src/td/builtins.cc
  src/td/child_process.cc
  src/td/compare.cc
  src/td/diagnostic.cc
  src/td/driver.cc
  src/td/lexer.cc
  src/td/md5.cc
  src/td/parser.cc
  src/td/regex_util.cc
  src/td/render.cc
  src/td/runner.cc
  src/td/sdk_output.cc
  src/td/session.cc
  src/td/sql_actions.cc
)
# GCC 12 reports a false "maybe-uninitialized" inside libstdc++'s <regex> at -O1 with sanitizers
# (GCC bug 105562); only the files that instantiate std::regex are exempted.
set_source_files_properties(src/td/regex_util.cc src/td/parser.cc src/td/runner.cc
  src/td/sql_actions.cc src/td/builtins.cc PROPERTIES COMPILE_OPTIONS "-Wno-maybe-uninitialized")
