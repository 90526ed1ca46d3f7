# Sources and tests of src/net/: the fault proxy (relay, faults, control interface, toxiproxy API).
target_sources(faultline_net PRIVATE
  src/net/api_server.cc
  src/net/fault.cc
  src/net/fault_proxy.cc
  src/net/relay.cc
  src/net/socket.cc
  src/net/toxiproxy_api.cc
)
faultline_test(net_test LIBRARY faultline_net
  src/net/fault_test.cc
  src/net/fault_proxy_test.cc
  src/net/toxiproxy_api_test.cc
)
faultline_bench(proxy_bench bench/net/proxy_bench.cc)
faultline_fuzz(proxy_api_json LIBRARY faultline_net fuzz/proxy_api_json.cc)
# `faultline proxy`, the command: the real binary.
faultline_test(proxy_command_test src/net/proxy_command_test.cc)
