# Sources and tests of src/net/: the fault proxy (relay, faults, control interface, toxiproxy API).
target_sources(faultline_core PRIVATE
  src/net/api_server.cc
  src/net/fault.cc
  src/net/fault_proxy.cc
  src/net/relay.cc
  src/net/socket.cc
  src/net/toxiproxy_api.cc
)
faultline_test(net_test
  src/net/fault_test.cc
  src/net/fault_proxy_test.cc
  src/net/toxiproxy_api_test.cc
)
faultline_bench(proxy_bench bench/net/proxy_bench.cc)
faultline_fuzz(proxy_api_json fuzz/proxy_api_json.cc)
