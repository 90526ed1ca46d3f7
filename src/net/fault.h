// Network faults as data: the kinds the fault proxy can inject, the direction they apply to, and
// their attributes, named and measured as toxiproxy's toxics are (milliseconds, KB/s, bytes), so
// people who know toxiproxy feel at home. Parsing from and rendering to JSON lives here too, shared
// by the C++ control interface's events and the toxiproxy HTTP API. Pure values; any thread.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"

namespace faultline::net {

enum class FaultKind {
  kLatency,    // delay every chunk by latency ± jitter
  kBandwidth,  // pace bytes to `rate` KB/s
  kSlicer,     // cut chunks to about average_size bytes, `delay` µs apart
  kTimeout,    // hold all bytes (none lost); with timeout > 0, close the connection after it
  kResetPeer,  // reset (RST) both sides after `timeout` ms
  kLimitData,  // let `bytes` bytes through, then close the connection
  kSlowClose,  // pass a close on only after `delay` ms
  kDown,       // the link refuses new connections and closes the open ones
};

// Upstream is client to server, downstream server to client (toxiproxy's "stream").
enum class Direction { kUpstream, kDownstream, kBoth };

struct FaultSpec {
  FaultKind kind = FaultKind::kLatency;
  Direction direction = Direction::kDownstream;
  // The share of connections the fault applies to, drawn per connection from the seed.
  double toxicity = 1.0;
  // Attributes; each kind reads only its own (see KindAttributes).
  int64_t latency = 0;         // latency: ms
  int64_t jitter = 0;          // latency: ms
  int64_t rate = 0;            // bandwidth: KB/s (1 KB = 1000 bytes); 0 = unlimited
  int64_t average_size = 0;    // slicer: bytes
  int64_t size_variation = 0;  // slicer: bytes, < average_size
  int64_t delay = 0;           // slicer: µs between slices; slow_close: ms
  int64_t timeout = 0;         // timeout, reset_peer: ms
  int64_t bytes = 0;           // limit_data: bytes

  bool Applies(Direction d) const { return direction == Direction::kBoth || direction == d; }
};

// "latency", "bandwidth", ..., "down".
std::string_view KindName(FaultKind kind);
// The kind named `name`; an error that lists the known kinds (and a likely typo) otherwise.
Result<FaultKind> ParseKind(std::string_view name);
std::string_view DirectionName(Direction d);
// "upstream", "downstream" or "both"; an error naming the bad value otherwise.
Result<Direction> ParseDirection(std::string_view name);

// Builds a spec of `kind` from a JSON object of attributes in toxiproxy's names. Integral numbers
// only, none negative; a kind's defining attribute (latency's "latency", bandwidth's "rate", ...)
// is required, the others default to 0. Returns an error naming the missing, unknown or bad
// attribute otherwise. `direction` and `toxicity` are left at their defaults.
Result<FaultSpec> SpecFromAttributes(FaultKind kind, const nlohmann::json& attributes);
// Sets the attributes present in `attributes` on `spec`, leaving the others; same errors.
Status MergeAttributes(FaultSpec& spec, const nlohmann::json& attributes);
// The attributes of `spec`'s kind, every one of them, as a JSON object.
nlohmann::json AttributesJson(const FaultSpec& spec);

}  // namespace faultline::net
