# Black-box tests: real processes, real binary.
