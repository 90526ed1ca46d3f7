# Benchmarks (make bench).
faultline_bench(report_bench bench/report/report_bench.cc)

# The fault schedule's decision to in-force time per kind (bench/faults.sh).
faultline_bench(fault_bench bench/faults/fault_bench.cc)
add_dependencies(fault_bench fault_probe faultline-kv)

# The two ends of bench/units.sh's transfers (round trips, a stream), run inside units.
add_executable(tcp_probe bench/units/tcp_probe.cc)
set_target_properties(tcp_probe PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${FAULTLINE_BIN_DIR})
