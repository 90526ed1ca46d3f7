# Sources and tests of src/timeline/.
target_sources(faultline_core PRIVATE
  src/timeline/event.cc
  src/timeline/timeline.cc
)
faultline_test(timeline_test
  src/timeline/timeline_test.cc
)
faultline_bench(timeline_bench bench/timeline/timeline_bench.cc)
