# Two binaries from one subcommand table. faultline-full holds every subcommand. faultline, the
# one users and shell scripts call, holds all but `td` and `proxy`, which it execs in
# faultline-full: linked --as-needed it loads no PostgreSQL, TLS or HTTP library, so a
# `faultline sdk` call starts several times faster. The files both hold are compiled once.
add_library(faultline_cli_common OBJECT src/cli/main.cc src/cli/run_command.cc
            src/cli/sdk_command.cc src/cli/exec_command.cc
            src/cli/compose_command.cc)
target_link_libraries(faultline_cli_common PRIVATE faultline_core)
if(FAULTLINE_PCH)
  target_precompile_headers(faultline_cli_common REUSE_FROM faultline_core)
endif()

add_executable(faultline-full $<TARGET_OBJECTS:faultline_cli_common> src/cli/td_command.cc
               src/cli/proxy_command.cc)
target_link_libraries(faultline-full PRIVATE faultline_core)
set_target_properties(faultline-full PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${FAULTLINE_BIN_DIR})

add_executable(faultline $<TARGET_OBJECTS:faultline_cli_common> src/cli/delegate.cc)
target_link_libraries(faultline PRIVATE faultline_core)
target_link_options(faultline PRIVATE -Wl,--as-needed)
set_target_properties(faultline PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${FAULTLINE_BIN_DIR})
add_dependencies(faultline faultline-full)
