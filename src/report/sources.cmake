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
  src/report/rebuild.cc
  src/report/report.cc
  src/report/summary.cc
  src/report/trace.cc
)
faultline_test(report_test
  src/report/report_test.cc
)
