# Benchmarks (make bench).
faultline_bench(report_bench bench/report/report_bench.cc)
