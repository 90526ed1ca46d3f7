#include "net/toxiproxy_api.h"

#include <algorithm>

#include "base/json.h"
#include "base/strings.h"
#include "net/socket.h"

namespace faultline::net {
namespace {

constexpr std::string_view kVersion = "faultline 0.1.0";

ApiResponse Json(int status, const nlohmann::json& body) { return {status, body.dump()}; }

ApiResponse Error(int status, std::string_view message) {
  return Json(status, {{"error", message}, {"status", status}});
}

ApiResponse NoContent() { return {204, ""}; }

// Parses a request body as JSON; an empty body is an empty object, as toxiproxy reads it.
Result<nlohmann::json> ParseBody(std::string_view body) {
  if (Trim(body).empty()) return nlohmann::json::object();
  auto json = ParseJson(body);
  if (json.is_discarded()) return Unexpected("bad request body: not valid JSON");
  return json;
}

Status ReadString(const nlohmann::json& body, const char* key, std::optional<std::string>& out) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) return Status::Ok();
  if (!it->is_string()) {
    return Status::Error(fmt::format("bad request body: field '{}' must be a string", key));
  }
  out = it->get<std::string>();
  return Status::Ok();
}

std::vector<std::string> SplitPath(std::string_view path) {
  std::vector<std::string> parts;
  for (auto& p : Split(path, '/')) {
    if (!p.empty()) parts.push_back(std::move(p));
  }
  return parts;
}

std::vector<std::string> ToxicTypes() {
  std::vector<std::string> types;
  for (FaultKind k :
       {FaultKind::kLatency, FaultKind::kBandwidth, FaultKind::kSlicer, FaultKind::kTimeout,
        FaultKind::kResetPeer, FaultKind::kLimitData, FaultKind::kSlowClose}) {
    types.emplace_back(KindName(k));
  }
  return types;
}

}  // namespace

Result<ProxyFields> ParseProxyFields(const nlohmann::json& body) {
  if (!body.is_object()) return Unexpected("bad request body: a proxy must be a JSON object");
  ProxyFields f;
  for (auto [key, field] : {std::pair{"name", &f.name}, std::pair{"listen", &f.listen},
                            std::pair{"upstream", &f.upstream}}) {
    if (Status s = ReadString(body, key, *field); !s.ok()) return Unexpected(s);
  }
  if (auto it = body.find("enabled"); it != body.end() && !it->is_null()) {
    if (!it->is_boolean()) return Unexpected("bad request body: field 'enabled' must be a boolean");
    f.enabled = it->get<bool>();
  }
  return f;
}

Result<ToxicFields> ParseToxicFields(const nlohmann::json& body) {
  if (!body.is_object()) return Unexpected("bad request body: a toxic must be a JSON object");
  ToxicFields f;
  for (auto [key, field] :
       {std::pair{"name", &f.name}, std::pair{"type", &f.type}, std::pair{"stream", &f.stream}}) {
    if (Status s = ReadString(body, key, *field); !s.ok()) return Unexpected(s);
  }
  if (auto it = body.find("toxicity"); it != body.end() && !it->is_null()) {
    if (!it->is_number()) return Unexpected("bad request body: field 'toxicity' must be a number");
    f.toxicity = it->get<double>();
  }
  if (auto it = body.find("attributes"); it != body.end()) f.attributes = *it;
  return f;
}

Result<FaultSpec> ToxicSpec(const ToxicFields& fields) {
  if (!fields.type || fields.type->empty()) return Unexpected("missing required field: type");
  auto types = ToxicTypes();
  if (std::find(types.begin(), types.end(), *fields.type) == types.end()) {
    std::string message = fmt::format("invalid toxic type: '{}'", *fields.type);
    if (auto s = Suggest(*fields.type, types)) message += fmt::format(" (did you mean '{}'?)", *s);
    return Unexpected(message + "; known types: " + Join(types, ", "));
  }
  auto spec = SpecFromAttributes(*ParseKind(*fields.type), fields.attributes);
  if (!spec) return Unexpected("bad attributes: " + spec.error());
  std::string stream = fields.stream.value_or("downstream");
  if (stream != "upstream" && stream != "downstream") {
    return Unexpected(
        fmt::format("stream was invalid, can be either upstream or downstream, got '{}'", stream));
  }
  spec->direction = stream == "upstream" ? Direction::kUpstream : Direction::kDownstream;
  spec->toxicity = fields.toxicity.value_or(1.0);
  if (!(spec->toxicity >= 0 && spec->toxicity <= 1)) {
    return Unexpected(fmt::format("toxicity must be between 0 and 1, got {}", spec->toxicity));
  }
  return spec;
}

nlohmann::json ToxicJson(std::string_view name, const FaultSpec& spec) {
  return {{"name", name},
          {"type", KindName(spec.kind)},
          {"stream", DirectionName(spec.direction)},
          {"toxicity", spec.toxicity},
          {"attributes", AttributesJson(spec)}};
}

nlohmann::json ToxiproxyApi::ProxyJson(const Proxy& proxy) const {
  nlohmann::json toxics = nlohmann::json::array();
  for (const auto& t : proxy.toxics) toxics.push_back(ToxicJson(t.name, t.spec));
  return {{"name", proxy.info.name},
          {"listen", proxy.info.listen},
          {"upstream", proxy.info.upstream},
          {"enabled", proxy.info.enabled},
          {"toxics", toxics}};
}

ApiResponse ToxiproxyApi::Handle(std::string_view method, std::string_view path,
                                 std::string_view body) {
  std::lock_guard<std::mutex> lock(mu_);
  return Route(method, SplitPath(path), body);
}

ApiResponse ToxiproxyApi::Route(std::string_view method, const std::vector<std::string>& parts,
                                std::string_view body) {
  auto only = [&](std::string_view allowed) {
    return Error(405, fmt::format("method {} not allowed here; use {}", method, allowed));
  };
  if (parts.size() == 1 && parts[0] == "version") {
    if (method != "GET") return only("GET");
    return Json(200, {{"version", kVersion}});
  }
  if (parts.size() == 1 && parts[0] == "reset") {
    if (method != "POST") return only("POST");
    return Reset();
  }
  if (parts.size() == 1 && parts[0] == "populate") {
    if (method != "POST") return only("POST");
    return Populate(body);
  }
  if (!parts.empty() && parts[0] == "proxies") return ProxyRoutes(method, parts, body);
  std::string path;
  for (const auto& p : parts) path += "/" + p;
  return Error(404, fmt::format("no such endpoint: {} {}", method, path.empty() ? "/" : path));
}

ApiResponse ToxiproxyApi::ProxyRoutes(std::string_view method,
                                      const std::vector<std::string>& parts,
                                      std::string_view body) {
  bool update = method == "POST" || method == "PATCH";
  if (parts.size() == 1) {
    if (method == "GET") {
      nlohmann::json all = nlohmann::json::object();
      for (const auto& [name, p] : proxies_) all[name] = ProxyJson(p);
      return Json(200, all);
    }
    if (method == "POST") return CreateProxy(body);
    return Error(405, "method not allowed on /proxies; use GET or POST");
  }
  auto it = proxies_.find(parts[1]);
  if (it == proxies_.end()) return Error(404, fmt::format("proxy not found: '{}'", parts[1]));
  Proxy& proxy = it->second;
  if (parts.size() == 2) {
    if (method == "GET") return Json(200, ProxyJson(proxy));
    if (update) return UpdateProxy(proxy, body);
    if (method == "DELETE") return DeleteProxy(parts[1]);
    return Error(405, "method not allowed on a proxy; use GET, POST, PATCH or DELETE");
  }
  if (parts[2] != "toxics" || parts.size() > 4) {
    return Error(404, fmt::format("no such endpoint under proxy '{}'", parts[1]));
  }
  if (parts.size() == 3) {
    if (method == "GET") {
      nlohmann::json list = nlohmann::json::array();
      for (const auto& t : proxy.toxics) list.push_back(ToxicJson(t.name, t.spec));
      return Json(200, list);
    }
    if (method == "POST") return CreateToxic(proxy, body);
    return Error(405, "method not allowed on toxics; use GET or POST");
  }
  auto t = std::find_if(proxy.toxics.begin(), proxy.toxics.end(),
                        [&](const Toxic& x) { return x.name == parts[3]; });
  if (t == proxy.toxics.end()) {
    return Error(404, fmt::format("toxic not found: '{}' on proxy '{}'", parts[3], parts[1]));
  }
  if (method == "GET") return Json(200, ToxicJson(t->name, t->spec));
  if (update) return UpdateToxic(proxy, *t, body);
  if (method == "DELETE") return DeleteToxic(proxy, parts[3]);
  return Error(405, "method not allowed on a toxic; use GET, POST, PATCH or DELETE");
}

Result<ToxiproxyApi::Proxy> ToxiproxyApi::MakeProxy(const ProxyFields& fields) {
  LinkConfig config;
  config.name = *fields.name;
  config.listen = fields.listen.value_or("127.0.0.1:0");
  if (config.listen.empty()) config.listen = "127.0.0.1:0";
  config.upstream = *fields.upstream;
  config.enabled = fields.enabled.value_or(true);
  auto info = proxy_.CreateLink(config);
  if (!info) return Unexpected(info.error());
  return Proxy{*info, config.listen, {}};
}

namespace {

// Checks what can be checked without touching the network, so that errors are 400s.
Status CheckProxyFields(const ProxyFields& f) {
  if (!f.name || f.name->empty()) return Status::Error("missing required field: name");
  if (f.name->find('/') != std::string::npos) {
    return Status::Error(fmt::format("bad proxy name '{}': no '/' allowed", *f.name));
  }
  if (!f.upstream || f.upstream->empty()) return Status::Error("missing required field: upstream");
  if (auto hp = SplitHostPort(*f.upstream); !hp) return Status::Error("upstream: " + hp.error());
  if (f.listen && !f.listen->empty()) {
    if (auto hp = SplitHostPort(*f.listen); !hp) return Status::Error("listen: " + hp.error());
  }
  return Status::Ok();
}

}  // namespace

ApiResponse ToxiproxyApi::CreateProxy(std::string_view body) {
  auto json = ParseBody(body);
  if (!json) return Error(400, json.error());
  auto fields = ParseProxyFields(*json);
  if (!fields) return Error(400, fields.error());
  if (Status s = CheckProxyFields(*fields); !s.ok()) return Error(400, s.message());
  if (proxies_.count(*fields->name)) {
    return Error(409, fmt::format("proxy already exists: '{}'", *fields->name));
  }
  auto proxy = MakeProxy(*fields);
  if (!proxy) return Error(500, proxy.error());
  auto [it, inserted] = proxies_.emplace(*fields->name, std::move(*proxy));
  return Json(201, ProxyJson(it->second));
}

// Puts a proxy's toxics in force again on a freshly made link (after listen or upstream changed).
Status ToxiproxyApi::Reapply(Proxy& proxy) {
  for (auto& t : proxy.toxics) {
    auto applied = proxy_.ApplyFault(proxy.info.name, t.spec);
    if (!applied) return applied.status();
    t.id = applied->id;
  }
  return Status::Ok();
}

ApiResponse ToxiproxyApi::UpdateProxy(Proxy& proxy, std::string_view body) {
  auto json = ParseBody(body);
  if (!json) return Error(400, json.error());
  auto fields = ParseProxyFields(*json);
  if (!fields) return Error(400, fields.error());
  ProxyFields merged = *fields;
  merged.name = proxy.info.name;
  if (!merged.upstream) merged.upstream = proxy.info.upstream;
  if (!merged.listen) merged.listen = proxy.info.listen;
  if (!merged.enabled) merged.enabled = proxy.info.enabled;
  if (Status s = CheckProxyFields(merged); !s.ok()) return Error(400, s.message());
  bool moved = *merged.upstream != proxy.info.upstream ||
               (*merged.listen != proxy.info.listen && *merged.listen != proxy.requested_listen);
  if (moved) {
    // toxiproxy restarts a proxy whose address changes: connections drop, toxics stay.
    if (Status s = proxy_.RemoveLink(proxy.info.name); !s.ok()) return Error(500, s.message());
    auto remade = MakeProxy(merged);
    if (!remade) {
      proxies_.erase(proxy.info.name);
      return Error(500, remade.error());
    }
    remade->toxics = std::move(proxy.toxics);
    proxy = std::move(*remade);
    if (Status s = Reapply(proxy); !s.ok()) return Error(500, s.message());
  } else if (*merged.enabled != proxy.info.enabled) {
    if (Status s = proxy_.SetLinkEnabled(proxy.info.name, *merged.enabled); !s.ok()) {
      return Error(500, s.message());
    }
    proxy.info.enabled = *merged.enabled;
  }
  return Json(200, ProxyJson(proxy));
}

ApiResponse ToxiproxyApi::DeleteProxy(const std::string& name) {
  if (Status s = proxy_.RemoveLink(name); !s.ok()) return Error(500, s.message());
  proxies_.erase(name);
  return NoContent();
}

ApiResponse ToxiproxyApi::CreateToxic(Proxy& proxy, std::string_view body) {
  auto json = ParseBody(body);
  if (!json) return Error(400, json.error());
  auto fields = ParseToxicFields(*json);
  if (!fields) return Error(400, fields.error());
  auto spec = ToxicSpec(*fields);
  if (!spec) return Error(400, spec.error());
  std::string name = fields->name.value_or("");
  if (name.empty()) name = fmt::format("{}_{}", *fields->type, DirectionName(spec->direction));
  for (const auto& t : proxy.toxics) {
    if (t.name == name) {
      return Error(409,
                   fmt::format("toxic already exists: '{}' on proxy '{}'", name, proxy.info.name));
    }
  }
  auto applied = proxy_.ApplyFault(proxy.info.name, *spec);
  if (!applied) return Error(500, applied.error());
  proxy.toxics.push_back(Toxic{name, *spec, applied->id});
  return Json(200, ToxicJson(name, *spec));
}

ApiResponse ToxiproxyApi::UpdateToxic(Proxy& proxy, Toxic& toxic, std::string_view body) {
  (void)proxy;
  auto json = ParseBody(body);
  if (!json) return Error(400, json.error());
  auto fields = ParseToxicFields(*json);
  if (!fields) return Error(400, fields.error());
  if (fields->type && *fields->type != KindName(toxic.spec.kind)) {
    return Error(400, fmt::format("cannot change the type of toxic '{}' from {} to {}", toxic.name,
                                  KindName(toxic.spec.kind), *fields->type));
  }
  FaultSpec spec = toxic.spec;
  if (Status s = MergeAttributes(spec, fields->attributes); !s.ok()) {
    return Error(400, "bad attributes: " + s.message());
  }
  if (fields->toxicity) spec.toxicity = *fields->toxicity;
  if (!(spec.toxicity >= 0 && spec.toxicity <= 1)) {
    return Error(400, fmt::format("toxicity must be between 0 and 1, got {}", spec.toxicity));
  }
  auto updated = proxy_.UpdateFault(toxic.id, spec);
  if (!updated) return Error(500, updated.error());
  toxic.spec = spec;
  return Json(200, ToxicJson(toxic.name, toxic.spec));
}

ApiResponse ToxiproxyApi::DeleteToxic(Proxy& proxy, const std::string& name) {
  auto it = std::find_if(proxy.toxics.begin(), proxy.toxics.end(),
                         [&](const Toxic& t) { return t.name == name; });
  if (auto healed = proxy_.Heal(it->id); !healed) return Error(500, healed.error());
  proxy.toxics.erase(it);
  return NoContent();
}

ApiResponse ToxiproxyApi::Reset() {
  for (auto& [name, proxy] : proxies_) {
    for (const auto& t : proxy.toxics) {
      if (auto healed = proxy_.Heal(t.id); !healed) return Error(500, healed.error());
    }
    proxy.toxics.clear();
    if (!proxy.info.enabled) {
      if (Status s = proxy_.SetLinkEnabled(name, true); !s.ok()) return Error(500, s.message());
      proxy.info.enabled = true;
    }
  }
  return NoContent();
}

ApiResponse ToxiproxyApi::Populate(std::string_view body) {
  auto json = ParseBody(body);
  if (!json) return Error(400, json.error());
  if (!json->is_array()) return Error(400, "bad request body: populate takes a JSON array");
  // Every entry is checked before any proxy changes, so a bad file changes nothing.
  std::vector<ProxyFields> all;
  for (const auto& entry : *json) {
    auto fields = ParseProxyFields(entry);
    if (!fields) return Error(400, fields.error());
    if (Status s = CheckProxyFields(*fields); !s.ok()) return Error(400, s.message());
    all.push_back(*fields);
  }
  nlohmann::json out = nlohmann::json::array();
  for (const auto& fields : all) {
    auto it = proxies_.find(*fields.name);
    if (it != proxies_.end()) {
      Proxy& p = it->second;
      std::string listen = fields.listen.value_or("127.0.0.1:0");
      bool same = *fields.upstream == p.info.upstream &&
                  (listen == p.info.listen || listen == p.requested_listen);
      if (!same) {
        ApiResponse r = DeleteProxy(*fields.name);
        if (r.status != 204) return r;
      } else {
        nlohmann::json patch = {{"enabled", fields.enabled.value_or(true)}};
        ApiResponse r = UpdateProxy(p, patch.dump());
        if (r.status != 200) return r;
        out.push_back(ProxyJson(p));
        continue;
      }
    }
    auto proxy = MakeProxy(fields);
    if (!proxy) {
      return Json(500, {{"error", proxy.error()}, {"status", 500}, {"proxies", out}});
    }
    auto [pos, inserted] = proxies_.emplace(*fields.name, std::move(*proxy));
    out.push_back(ProxyJson(pos->second));
  }
  return Json(201, {{"proxies", out}});
}

Status ToxiproxyApi::PopulateFromConfig(std::string_view json_text) {
  ApiResponse r = Handle("POST", "/populate", json_text);
  if (r.status == 201) return Status::Ok();
  auto json = ParseJson(r.body);
  if (json.is_object() && json.contains("error") && json["error"].is_string()) {
    return Status::Error(json["error"].get<std::string>());
  }
  return Status::Error(fmt::format("populate failed with HTTP status {}", r.status));
}

}  // namespace faultline::net
