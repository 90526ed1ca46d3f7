# The upsert workload of scenarios/postgres: libpq, SQLite (the model) and the public SDK header,
# nothing of faultline_core, like a user's own workload. The binary lands beside faultline, which
# puts its folder first in every command's PATH.
find_package(SQLite3 REQUIRED)
set(pg_workload_dir ${CMAKE_SOURCE_DIR}/scenarios/postgres/workload)
add_library(pg_workload STATIC
  ${pg_workload_dir}/checker.cc
  ${pg_workload_dir}/checks.cc
  ${pg_workload_dir}/model.cc
  ${pg_workload_dir}/pg_session.cc
  ${pg_workload_dir}/reader.cc
  ${pg_workload_dir}/setup.cc
  ${pg_workload_dir}/workload.cc
  ${pg_workload_dir}/writer.cc
)
target_include_directories(pg_workload PUBLIC ${CMAKE_SOURCE_DIR}/include ${pg_workload_dir})
target_link_libraries(pg_workload PUBLIC PostgreSQL::PostgreSQL SQLite::SQLite3 fmt::fmt)

add_executable(faultline-pg-workload ${pg_workload_dir}/main.cc)
target_link_libraries(faultline-pg-workload PRIVATE pg_workload)
set_target_properties(faultline-pg-workload PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${FAULTLINE_BIN_DIR})
add_dependencies(faultline faultline-pg-workload)

# The verdicts, pure; and the binary against a real PostgreSQL (bad input among it).
faultline_test(pg_workload_checker_test ${pg_workload_dir}/checker_test.cc)
target_link_libraries(pg_workload_checker_test PRIVATE pg_workload)
faultline_pg_test(pg_workload_test ${pg_workload_dir}/workload_test.cc)
target_link_libraries(pg_workload_test PRIVATE pg_workload)
add_dependencies(pg_workload_test faultline-pg-workload)

# End-to-end: the real faultline on scenarios/postgres, with faults, and its unsafe variant.
faultline_test(postgres_e2e_test ${CMAKE_SOURCE_DIR}/scenarios/postgres/e2e_test.cc)
target_include_directories(postgres_e2e_test PRIVATE ${CMAKE_SOURCE_DIR})
target_link_libraries(postgres_e2e_test PRIVATE pg_workload)
