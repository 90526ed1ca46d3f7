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
  src/td/sql_actions.cc src/td/builtins.cc PROPERTIES COMPILE_OPTIONS "$<$<CXX_COMPILER_ID:GNU>:-Wno-maybe-uninitialized>")

faultline_test(td_unit_test
  src/td/parser_test.cc
  src/td/render_test.cc
)

# Tests against a real PostgreSQL 15 share one server per binary, so they run as one CTest entry
# (gtest discovery would start a process, and a server, per test).
function(faultline_pg_test name)
  add_executable(${name} ${ARGN})
  target_link_libraries(${name} PRIVATE faultline_core GTest::gmock GTest::gtest GTest::gtest_main)
  target_compile_definitions(${name} PRIVATE FAULTLINE_BIN_DIR="${FAULTLINE_BIN_DIR}"
                             FAULTLINE_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
  add_dependencies(${name} faultline)
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES TIMEOUT 600)
endfunction()

faultline_pg_test(td_pg_test src/td/td_pg_test.cc src/td/td_cli_test.cc src/td/td_pg_env.cc)
# The tests build RunConfigs with designated initializers and leave the other fields defaulted.
set_source_files_properties(src/td/td_pg_test.cc src/td/td_cli_test.cc
  PROPERTIES COMPILE_OPTIONS "$<$<CXX_COMPILER_ID:GNU>:-Wno-maybe-uninitialized>;-Wno-missing-field-initializers")

faultline_fuzz(td_parse fuzz/td_parse.cc)
