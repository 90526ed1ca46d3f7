# Benchmarks (make bench).

# The fault schedule's decision to in-force time per kind (bench/faults.sh).
faultline_bench(fault_bench bench/faults/fault_bench.cc)
add_dependencies(fault_bench fault_probe faultline-kv)
