# Sources and tests of src/faults/: the fault catalog (one file per kind), the pure planner, the
# schedule that injects and heals, and the controls it acts through.
target_sources(faultline_core PRIVATE
  src/faults/catalog.cc
  src/faults/cgroup_cpu.cc
  src/faults/clock_fault.cc
  src/faults/custom_fault.cc
  src/faults/disk_fault.cc
  src/faults/fault_events.cc
  src/faults/fault_schedule.cc
  src/faults/in_process.cc
  src/faults/link_network.cc
  src/faults/network_faults.cc
  src/faults/parse.cc
  src/faults/planner.cc
  src/faults/process_faults.cc
  src/faults/throttle.cc
)
faultline_test(faults_test
  src/faults/catalog_test.cc
  src/faults/cgroup_cpu_test.cc
  src/faults/disk_preload_test.cc
  src/faults/fault_schedule_test.cc
  src/faults/planner_test.cc
)
# faultline's disk preload, put in front of disk-fault targets (LD_PRELOAD): built without the
# sanitizers (it loads into programs that have none) and without libstdc++, with every symbol
# hidden but the calls it wraps. It lives beside the faultline binary.
add_library(faultline-disk SHARED src/faults/preload/disk_preload.cc)
set_target_properties(faultline-disk PROPERTIES
  COMPILE_OPTIONS "-Wall;-Wextra;-Werror;-O2;-fno-sanitize=all;-U_FORTIFY_SOURCE;-fno-exceptions;-fno-rtti;-fvisibility=hidden"
  LINK_OPTIONS "-fno-sanitize=all;-nodefaultlibs;-Wl,--no-undefined;-Wl,-z,now"
  LIBRARY_OUTPUT_DIRECTORY ${FAULTLINE_BIN_DIR})
target_include_directories(faultline-disk PRIVATE ${CMAKE_SOURCE_DIR}/src)
target_link_libraries(faultline-disk PRIVATE c)
set_source_files_properties(src/faults/in_process.cc PROPERTIES COMPILE_DEFINITIONS
                            FAULTLINE_DISK_PRELOAD_FALLBACK="${FAULTLINE_BIN_DIR}/libfaultline-disk.so")
add_dependencies(faultline_core faultline-disk)
add_dependencies(faults_test faultline-disk)
