# Black-box tests: the real faultline binary on fixture scenarios (tests/fixtures/).
faultline_test(e2e_test tests/e2e_test.cc)
target_include_directories(e2e_test PRIVATE ${CMAKE_SOURCE_DIR})
# report.html in headless Chromium (tests/browser/report_page.py drives it).
faultline_test(report_browser_test tests/report_browser_test.cc)
target_include_directories(report_browser_test PRIVATE ${CMAKE_SOURCE_DIR})
# The binary's reports and progress output, seeds, merges and baselines.
faultline_test(report_e2e_test tests/report_e2e_test.cc)
target_include_directories(report_e2e_test PRIVATE ${CMAKE_SOURCE_DIR})
target_link_libraries(report_e2e_test PRIVATE LibXml2::LibXml2)  # junit.xml parsed back

# The fault kinds against real processes. fault_probe is their service; it is built without
# sanitizers so that libfaketime and the disk preload can be preloaded into it (ASan must come first).
add_executable(fault_probe tests/programs/fault_probe.cc)
target_compile_options(fault_probe PRIVATE -fno-sanitize=all)
target_link_options(fault_probe PRIVATE -fno-sanitize=all)
set_target_properties(fault_probe PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${FAULTLINE_BIN_DIR})
faultline_test(fault_kinds_test tests/fault_kinds_test.cc)
add_dependencies(fault_kinds_test fault_probe faultline-kv)
faultline_test(hardening_test tests/hardening_test.cc)
target_include_directories(hardening_test PRIVATE ${CMAKE_SOURCE_DIR})
faultline_test(leak_test tests/leak_test.cc)
target_include_directories(leak_test PRIVATE ${CMAKE_SOURCE_DIR})
faultline_test(isolated_test tests/isolated_test.cc)
target_include_directories(isolated_test PRIVATE ${CMAKE_SOURCE_DIR})
