# Sources and tests of src/sdk/: reading SDK output and the `faultline sdk` command; and, for the
# public header include/faultline/sdk.h, its workload programs, compile checks and benchmark.
target_sources(faultline_core PRIVATE
  src/sdk/assertion.cc
  src/sdk/file_reader.cc
  src/sdk/protocol.cc
  src/sdk/shell_sdk.cc
)
faultline_test(sdk_test
  src/sdk/file_reader_test.cc
  src/sdk/protocol_test.cc
  src/sdk/sdk_header_test.cc
  src/sdk/sdk_programs_test.cc
  src/sdk/shell_sdk_test.cc
)
target_compile_definitions(sdk_test PRIVATE FAULTLINE_SDK_PROGRAM_DIR="${CMAKE_BINARY_DIR}/tests")

# Workloads built with the public header alone: they must not link faultline_core. One is C++17,
# the others the project's C++20.
foreach(program every_kind threads random)
  add_executable(sdk_${program} tests/sdk/programs/${program}.cc)
  target_include_directories(sdk_${program} PRIVATE ${CMAKE_SOURCE_DIR}/include)
  target_link_libraries(sdk_${program} PRIVATE Threads::Threads)
  set_target_properties(sdk_${program} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  add_dependencies(sdk_test sdk_${program})
endforeach()
set_target_properties(sdk_every_kind PROPERTIES CXX_STANDARD 17)

# Compile checks: the header alone, with each compiler and standard, warnings as errors. The full
# check compiles with -O2 (some warnings need the optimizer); the disabled build and the official
# spellings are checked for syntax only.
find_program(FAULTLINE_GXX NAMES g++)
find_program(FAULTLINE_CLANGXX NAMES clang++)
set(sdk_check_flags -Wall -Wextra -Wpedantic -Werror -I${CMAKE_SOURCE_DIR}/include)
set(sdk_programs ${CMAKE_SOURCE_DIR}/tests/sdk/programs)
foreach(compiler IN ITEMS FAULTLINE_GXX FAULTLINE_CLANGXX)
  if(NOT ${compiler})
    continue()
  endif()
  get_filename_component(name ${${compiler}} NAME)
  foreach(std 17 20)
    add_test(NAME sdk_header_compiles.${name}.c++${std}
             COMMAND ${${compiler}} -std=c++${std} ${sdk_check_flags} -O2 -c
                     ${sdk_programs}/compile_check.cc -o /dev/null)
    add_test(NAME sdk_header_compiles_disabled.${name}.c++${std}
             COMMAND ${${compiler}} -std=c++${std} ${sdk_check_flags} -DFAULTLINE_SDK_DISABLED
                     -fsyntax-only ${sdk_programs}/compile_check.cc)
    add_test(NAME sdk_header_compiles_short_names.${name}.c++${std}
             COMMAND ${${compiler}} -std=c++${std} ${sdk_check_flags} -fsyntax-only
                     ${sdk_programs}/short_names_check.cc)
  endforeach()
endforeach()

# The benchmark (bench/sdk.sh runs it from the release build). Header alone, plus Google Benchmark.
add_executable(sdk_bench bench/sdk/sdk_bench.cc)
target_include_directories(sdk_bench PRIVATE ${CMAKE_SOURCE_DIR}/include)
target_link_libraries(sdk_bench PRIVATE benchmark::benchmark Threads::Threads)
set_target_properties(sdk_bench PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
