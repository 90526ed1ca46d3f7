# Sources and tests of src/report/: terminal summary, report.json, rebuilding a run's report.
target_sources(faultline_core PRIVATE
  src/report/report.cc
)
faultline_test(report_test
  src/report/report_test.cc
)
