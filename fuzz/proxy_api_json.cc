// Fuzz target for the toxiproxy HTTP API's JSON handling: the proxy and toxic body parsers, toxic
// specs and their rendering (which must parse back to the same spec), and the API itself handling
// toxic requests on a real, idle proxy whose upstream nothing dials. Any input must give a JSON
// answer with a status, never a crash. Proxy bodies are only parsed here, never applied, so that
// fuzzed addresses are never bound or resolved.
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string_view>

#include "base/json.h"
#include "net/fault_proxy.h"
#include "net/toxiproxy_api.h"

namespace {

using faultline::net::ApiResponse;

struct Fixture {
  Fixture() {
    auto started = faultline::net::FaultProxy::Start({});
    if (!started) std::abort();
    proxy = std::move(*started);
    api = std::make_unique<faultline::net::ToxiproxyApi>(*proxy);
    api->Handle("POST", "/proxies", R"({"name": "fz", "upstream": "127.0.0.1:1"})");
  }
  std::unique_ptr<faultline::net::FaultProxy> proxy;
  std::unique_ptr<faultline::net::ToxiproxyApi> api;
};

void CheckRoundTrip(const nlohmann::json& body) {
  auto fields = faultline::net::ParseToxicFields(body);
  if (!fields) return;
  auto spec = faultline::net::ToxicSpec(*fields);
  if (!spec) return;
  auto rendered = faultline::net::ToxicJson("n", *spec);
  auto again = faultline::net::ToxicSpec(*faultline::net::ParseToxicFields(rendered));
  if (!again || faultline::net::ToxicJson("n", *again) != rendered) std::abort();
}

void CheckAnswer(const ApiResponse& r) {
  if (r.status == 204) return;
  auto json = faultline::ParseJson(r.body);
  if (json.is_discarded()) std::abort();
  if (r.status >= 400 && (!json.contains("error") || !json["error"].is_string())) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto json = faultline::ParseJson(input);
  if (!json.is_discarded()) {
    CheckRoundTrip(json);
    (void)faultline::net::ParseProxyFields(json);
  }
  // Held for the whole process: its loop thread ends with the process.
  static Fixture* fixture = new Fixture();
  auto& api = *fixture->api;
  CheckAnswer(api.Handle("POST", "/proxies/fz/toxics", input));
  CheckAnswer(api.Handle("PATCH", "/proxies/fz/toxics/latency_downstream", input));
  CheckAnswer(api.Handle("GET", "/proxies", ""));
  CheckAnswer(api.Handle("POST", "/reset", ""));
  return 0;
}
