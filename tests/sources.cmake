# Black-box tests: the real faultline binary on fixture scenarios (tests/fixtures/).
faultline_test(e2e_test tests/e2e_test.cc)
target_include_directories(e2e_test PRIVATE ${CMAKE_SOURCE_DIR})
# report.html in headless Chromium (tests/browser/report_page.py drives it).
faultline_test(report_browser_test tests/report_browser_test.cc)
target_include_directories(report_browser_test PRIVATE ${CMAKE_SOURCE_DIR})
# The binary's reports and progress output, seeds, merges and baselines.
faultline_test(report_e2e_test tests/report_e2e_test.cc)
target_include_directories(report_e2e_test PRIVATE ${CMAKE_SOURCE_DIR})
