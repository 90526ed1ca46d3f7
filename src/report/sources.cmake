# Sources and tests of src/report/: the Report value, its formats (terminal summary, report.json,
# junit.xml, report.html), traces and analysis, baselines, and rebuilding or merging run folders.
target_sources(faultline_core PRIVATE
  src/report/analysis.cc
  src/report/baseline.cc
  src/report/html.cc
  src/report/html_text.cc
  src/report/html_timeline.cc
  src/report/json.cc
  src/report/junit.cc
  src/report/logs.cc
  src/report/progress.cc
  src/report/rebuild.cc
  src/report/report.cc
  src/report/summary.cc
  src/report/trace.cc
)
# The tests parse junit.xml back with libxml2.
find_package(LibXml2 REQUIRED)
faultline_test(report_test
  src/report/analysis_test.cc
  src/report/baseline_test.cc
  src/report/html_test.cc
  src/report/progress_test.cc
  src/report/junit_test.cc
  src/report/rebuild_test.cc
  src/report/report_test.cc
  src/report/summary_test.cc
  src/report/trace_test.cc
)
target_link_libraries(report_test PRIVATE LibXml2::LibXml2)
