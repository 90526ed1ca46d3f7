// ToxiproxyApi: toxiproxy's HTTP API (proxies, toxics, /reset, /populate, /version) as a function
// from (method, path, body) to (status, JSON body), over a FaultProxy. A toxiproxy proxy is a link;
// a toxic is a fault with a name. Keeping HTTP out of this class lets tests and the fuzzer drive it
// directly; ApiServer (api_server.h) puts it on a port. Errors are {"error": ..., "status": ...}
// with 400 (bad input), 404 (unknown proxy, toxic or path), 405 or 409 (name taken).
// Thread-safe: any number of HTTP threads may call Handle at once; one mutex orders them.
#pragma once

#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "net/fault.h"
#include "net/fault_proxy.h"

namespace faultline::net {

struct ApiResponse {
  int status = 200;
  std::string body;  // JSON, empty for 204
};

// The fields of a proxy in a request body; absent fields stay nullopt.
struct ProxyFields {
  std::optional<std::string> name, listen, upstream;
  std::optional<bool> enabled;
};
// The fields of a toxic in a request body; `attributes` is null when absent.
struct ToxicFields {
  std::optional<std::string> name, type, stream;
  std::optional<double> toxicity;
  nlohmann::json attributes;
};

// Reads a proxy object. Returns an error naming the field of the wrong JSON type otherwise.
Result<ProxyFields> ParseProxyFields(const nlohmann::json& body);
// Reads a toxic object. Returns an error naming the field of the wrong JSON type otherwise.
Result<ToxicFields> ParseToxicFields(const nlohmann::json& body);
// Turns toxic fields into a fault spec (type, stream, toxicity, attributes), with toxiproxy's
// defaults (stream downstream, toxicity 1). Errors name the bad field; an unknown type's error
// starts with "invalid toxic type".
Result<FaultSpec> ToxicSpec(const ToxicFields& fields);

class ToxiproxyApi {
 public:
  explicit ToxiproxyApi(FaultProxy& proxy) : proxy_(proxy) {}

  // Serves one request. Never throws; malformed bodies are 400s.
  ApiResponse Handle(std::string_view method, std::string_view path, std::string_view body);
  // Creates the proxies of a toxiproxy config file (a JSON array of proxies), as POST /populate
  // does. Returns an error with the API's message when the file does not parse or a proxy fails.
  Status PopulateFromConfig(std::string_view json_text);

 private:
  struct Toxic {
    std::string name;
    FaultSpec spec;
    FaultId id = 0;
  };
  struct Proxy {
    LinkInfo info;
    std::string requested_listen;
    std::vector<Toxic> toxics;
  };

  ApiResponse Route(std::string_view method, const std::vector<std::string>& parts,
                    std::string_view body);
  ApiResponse CreateProxy(std::string_view body);
  ApiResponse UpdateProxy(Proxy& proxy, std::string_view body);
  ApiResponse DeleteProxy(const std::string& name);
  ApiResponse CreateToxic(Proxy& proxy, std::string_view body);
  ApiResponse UpdateToxic(Proxy& proxy, Toxic& toxic, std::string_view body);
  ApiResponse DeleteToxic(Proxy& proxy, const std::string& name);
  ApiResponse Populate(std::string_view body);
  ApiResponse Reset();
  ApiResponse ProxyRoutes(std::string_view method, const std::vector<std::string>& parts,
                          std::string_view body);
  Result<Proxy> MakeProxy(const ProxyFields& fields);
  Status Reapply(Proxy& proxy);
  nlohmann::json ProxyJson(const Proxy& proxy) const;

  FaultProxy& proxy_;
  std::mutex mu_;
  std::map<std::string, Proxy> proxies_;  // GUARDED_BY(mu_)
};

nlohmann::json ToxicJson(std::string_view name, const FaultSpec& spec);

}  // namespace faultline::net
