# Sources and tests of src/process/: the event loop, spawning, containing and supervising children.
target_sources(faultline_core PRIVATE
  src/process/child_process.cc
  src/process/event_loop.cc
  src/process/guardian.cc
  src/process/proc_scan.cc
  src/process/spawn.cc
  src/process/supervisor.cc
)

# faultline-init: the init of every child's PID namespace and the holder of a unit's namespaces.
# A small program of its own, without sanitizers (it starts once per child and must start fast);
# faultline looks for it beside its own binary, tests find it in the build's bin folder.
add_executable(faultline-init src/process/init_main.cc)
target_compile_options(faultline-init PRIVATE -fno-sanitize=all)
# Linked statically: it starts once per command and per service, and loading libstdc++ and
# relocating it was a fifth of a trivial command's cost.
target_link_options(faultline-init PRIVATE -fno-sanitize=all -static)
set_target_properties(faultline-init PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${FAULTLINE_BIN_DIR})
target_compile_definitions(faultline_core PRIVATE
                           FAULTLINE_INIT_FALLBACK="${FAULTLINE_BIN_DIR}/faultline-init")
add_dependencies(faultline_core faultline-init)

faultline_test(process_test
  src/process/event_loop_test.cc
  src/process/supervisor_test.cc
  src/process/containment_test.cc
)
