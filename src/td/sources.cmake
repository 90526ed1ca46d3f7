# Sources and tests of src/td/: the testdrive (.td) interpreter.
target_sources(faultline_core PRIVATE
  src/td/builtins.cc
  src/td/compare.cc
  src/td/diagnostic.cc
  src/td/driver.cc
  src/td/lexer.cc
  src/td/md5.cc
  src/td/parser.cc
  src/td/regex_util.cc
  src/td/render.cc
  src/td/runner.cc
  src/td/session.cc
  src/td/sql_actions.cc
)
# GCC 12 reports a false "maybe-uninitialized" inside libstdc++'s <regex> at -O1 with sanitizers
# (GCC bug 105562); only the files that instantiate std::regex are exempted.
set_source_files_properties(src/td/regex_util.cc src/td/parser.cc src/td/runner.cc
  src/td/sql_actions.cc src/td/builtins.cc PROPERTIES COMPILE_OPTIONS "$<$<CXX_COMPILER_ID:GNU>:-Wno-maybe-uninitialized>")

faultline_test(td_unit_test
  src/td/parser_test.cc
  src/td/render_test.cc
)


faultline_pg_test(td_pg_test src/td/td_pg_test.cc src/td/td_cli_test.cc src/td/td_pg_env.cc)
target_link_libraries(td_pg_test PRIVATE LibXml2::LibXml2)  # the JUnit report, read back
# The tests build RunConfigs with designated initializers and leave the other fields defaulted.
set_source_files_properties(src/td/td_pg_test.cc src/td/td_cli_test.cc
  PROPERTIES COMPILE_OPTIONS "$<$<CXX_COMPILER_ID:GNU>:-Wno-maybe-uninitialized>;-Wno-missing-field-initializers")

faultline_fuzz(td_parse fuzz/td_parse.cc)
