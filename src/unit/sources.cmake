# Sources and tests of src/unit/: isolated mode's units (namespaces held by faultline-init) and the
# hub that joins them (nftables rules through libnftables, the fault proxy in the hub).
pkg_check_modules(NFTABLES REQUIRED IMPORTED_TARGET libnftables)
target_sources(faultline_core PRIVATE
  src/unit/hub_network.cc
  src/unit/unit_set.cc
)
target_link_libraries(faultline_core PUBLIC PkgConfig::NFTABLES)
faultline_test(unit_test
  src/unit/unit_set_test.cc
)
