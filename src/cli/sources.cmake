# The faultline binary: main, the subcommand table, and one file of flags per subcommand.
add_executable(faultline
  src/cli/main.cc
  src/cli/run_command.cc
  src/cli/sdk_command.cc
  src/cli/td_command.cc
  src/cli/proxy_command.cc
)
target_link_libraries(faultline PRIVATE faultline_core)
set_target_properties(faultline PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${FAULTLINE_BIN_DIR})
