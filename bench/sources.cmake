# Benchmarks (make bench).
