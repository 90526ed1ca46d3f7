// Placeholders inside scenario strings ("{port}", "{primary.port}", "{primary.port@replica}",
// "{dir}", "{history.seed}", ...), parsed at load time so that a typo is an error with its line
// and column, and resolved per history from the point of view of whoever will dial.
// Pure functions over plain values; any thread.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"

namespace faultline::scenario {

struct Placeholder {
  enum class Kind {
    kLiteral,      // text (with {{ and }} already unescaped)
    kOwnDir,       // {dir}
    kOwnPort,      // {port}
    kPort,         // {name.port} or {name.port@other}
    kRealPort,     // {name.real_port}
    kHost,         // {name.host}
    kNamedPort,    // {name.ports.client}
    kServiceDir,   // {name.dir} (extension)
    kHistoryDir,   // {history.dir}
    kHistorySeed,  // {history.seed}
    kScenarioDir,  // {scenario.dir}
  };
  Kind kind = Kind::kLiteral;
  std::string text;    // the literal, or the service name
  std::string dialer;  // for {name.port@other}: other
  size_t offset = 0;   // where the piece starts in the raw string
  std::string port;    // for {name.ports.client}: client
};

// Splits `raw` into literals and placeholders. An error gives the offset of the bad brace and
// what was expected.
struct PlaceholderError {
  size_t offset = 0;
  std::string message;
};
std::vector<Placeholder> ParsePlaceholders(std::string_view raw,
                                           std::vector<PlaceholderError>* errors);

// Everything a history knows that placeholders can name.
struct Addresses {
  std::string host = "127.0.0.1";
  std::map<std::string, std::string> hosts;  // isolated mode: unit -> its address
  std::map<std::pair<std::string, std::string>, int> named_ports;  // (service, name) -> port
  std::map<std::string, int> real_ports;                           // service -> its own port
  std::map<std::pair<std::string, std::string>, int> link_ports;   // (from, to) -> proxy port
  std::map<std::string, std::string> dirs;                         // service -> its folder
  std::string history_dir;
  uint64_t history_seed = 0;
  std::string scenario_dir;

  // The port `dialer` uses to reach `service`: the link's proxy port when the scenario routes
  // dialer -> service through the proxy, else the service's own port (0 when it has none).
  int PortFor(const std::string& service, const std::string& dialer) const;
};

// Resolves `raw` from the point of view of `viewpoint` (a service name, or "workload").
// Fails only for names the addresses do not know (load-time validation makes that a bug).
Result<std::string> ResolvePlaceholders(std::string_view raw, const std::string& viewpoint,
                                        const Addresses& addresses);

}  // namespace faultline::scenario
