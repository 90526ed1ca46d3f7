# Example services built for the shipped scenarios; they land beside the faultline binary, which
# puts its own folder first in the PATH of every service and command.
add_executable(faultline-kv scenarios/example/kv/kv_server.cc)
set_target_properties(faultline-kv PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${FAULTLINE_BIN_DIR})
add_dependencies(faultline faultline-kv)
include(scenarios/postgres/workload/sources.cmake)
