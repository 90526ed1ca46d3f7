# Black-box tests: the real faultline binary on fixture scenarios (tests/fixtures/).
faultline_test(e2e_test tests/e2e_test.cc)
target_include_directories(e2e_test PRIVATE ${CMAKE_SOURCE_DIR})
faultline_test(leak_test tests/leak_test.cc)
target_include_directories(leak_test PRIVATE ${CMAKE_SOURCE_DIR})
faultline_test(isolated_test tests/isolated_test.cc)
target_include_directories(isolated_test PRIVATE ${CMAKE_SOURCE_DIR})
