#include "net/fault.h"

#include <array>
#include <cmath>
#include <span>
#include <vector>

#include "base/strings.h"

namespace faultline::net {
namespace {

struct KindEntry {
  FaultKind kind;
  std::string_view name;
};

constexpr std::array<KindEntry, 8> kKinds = {{
    {FaultKind::kLatency, "latency"},
    {FaultKind::kBandwidth, "bandwidth"},
    {FaultKind::kSlicer, "slicer"},
    {FaultKind::kTimeout, "timeout"},
    {FaultKind::kResetPeer, "reset_peer"},
    {FaultKind::kLimitData, "limit_data"},
    {FaultKind::kSlowClose, "slow_close"},
    {FaultKind::kDown, "down"},
}};

// The largest value each unit takes. Times become steady-clock deadlines in nanoseconds, which
// overflow int64 near 9.2e18: a value near INT64_MAX would wrap round to "now" and act as zero.
constexpr int64_t kMaxMs = int64_t{100000} * 3600 * 1000;  // 100000 hours, as base/duration
constexpr int64_t kMaxUs = kMaxMs * 1000;
constexpr int64_t kMaxRate = int64_t{1} << 40;  // KB/s: far above any link
constexpr int64_t kMaxSize = int64_t{1} << 30;  // slicer bytes per slice
constexpr int64_t kMaxBytes = INT64_MAX;        // limit_data: a count, never a time

struct AttributeDef {
  std::string_view name;
  int64_t FaultSpec::*field;
  bool required;
  int64_t max;
  std::string_view unit;
};

// One table per kind, so that parsing, validation and rendering cannot disagree.
std::span<const AttributeDef> KindAttributes(FaultKind kind) {
  static constexpr AttributeDef kLatency[] = {{"latency", &FaultSpec::latency, true, kMaxMs, "ms"},
                                              {"jitter", &FaultSpec::jitter, false, kMaxMs, "ms"}};
  static constexpr AttributeDef kBandwidth[] = {{"rate", &FaultSpec::rate, true, kMaxRate, "KB/s"}};
  static constexpr AttributeDef kSlicer[] = {
      {"average_size", &FaultSpec::average_size, true, kMaxSize, "bytes"},
      {"size_variation", &FaultSpec::size_variation, false, kMaxSize, "bytes"},
      {"delay", &FaultSpec::delay, false, kMaxUs, "us"}};
  static constexpr AttributeDef kTimeout[] = {{"timeout", &FaultSpec::timeout, true, kMaxMs, "ms"}};
  static constexpr AttributeDef kResetPeer[] = {
      {"timeout", &FaultSpec::timeout, false, kMaxMs, "ms"}};
  static constexpr AttributeDef kLimitData[] = {
      {"bytes", &FaultSpec::bytes, true, kMaxBytes, "bytes"}};
  static constexpr AttributeDef kSlowClose[] = {{"delay", &FaultSpec::delay, true, kMaxMs, "ms"}};
  switch (kind) {
    case FaultKind::kLatency:
      return kLatency;
    case FaultKind::kBandwidth:
      return kBandwidth;
    case FaultKind::kSlicer:
      return kSlicer;
    case FaultKind::kTimeout:
      return kTimeout;
    case FaultKind::kResetPeer:
      return kResetPeer;
    case FaultKind::kLimitData:
      return kLimitData;
    case FaultKind::kSlowClose:
      return kSlowClose;
    case FaultKind::kDown:
      return {};
  }
  return {};
}

std::vector<std::string> AttributeNames(FaultKind kind) {
  std::vector<std::string> names;
  for (const auto& a : KindAttributes(kind)) names.emplace_back(a.name);
  return names;
}

Result<int64_t> NonNegativeValue(FaultKind kind, std::string_view name, const nlohmann::json& v) {
  auto where = fmt::format("attribute '{}' of {}", name, KindName(kind));
  if (v.is_number_integer() || v.is_number_unsigned()) {
    if (v.is_number_unsigned() && v.get<uint64_t>() > uint64_t{INT64_MAX}) {
      return Unexpected(where + " is too large");
    }
    int64_t n = v.get<int64_t>();
    if (n < 0) return Unexpected(fmt::format("{} must not be negative, got {}", where, n));
    return n;
  }
  if (v.is_number_float()) {
    double d = v.get<double>();
    if (std::isfinite(d) && d >= 0 && d < 9.2e18 && std::floor(d) == d) {
      return static_cast<int64_t>(d);
    }
    return Unexpected(fmt::format("{} must be a whole number of at least 0, got {}", where, d));
  }
  return Unexpected(fmt::format("{} must be a number, got {}", where, v.dump()));
}

Result<int64_t> AttributeValue(FaultKind kind, const AttributeDef& def, const nlohmann::json& v) {
  auto value = NonNegativeValue(kind, def.name, v);
  if (value && *value > def.max) {
    return Unexpected(fmt::format("attribute '{}' of {} must be at most {} {}, got {}", def.name,
                                  KindName(kind), def.max, def.unit, *value));
  }
  return value;
}

Status Validate(const FaultSpec& spec) {
  if (spec.kind == FaultKind::kSlicer) {
    if (spec.average_size < 1)
      return Status::Error("attribute 'average_size' of slicer must be >= 1");
    if (spec.size_variation >= spec.average_size) {
      return Status::Error(fmt::format(
          "attribute 'size_variation' of slicer must be less than average_size ({}), got {}",
          spec.average_size, spec.size_variation));
    }
  }
  return Status::Ok();
}

}  // namespace

std::string_view KindName(FaultKind kind) {
  for (const auto& k : kKinds) {
    if (k.kind == kind) return k.name;
  }
  return "unknown";
}

Result<FaultKind> ParseKind(std::string_view name) {
  std::vector<std::string> names;
  for (const auto& k : kKinds) {
    if (k.name == name) return k.kind;
    names.emplace_back(k.name);
  }
  std::string message = fmt::format("unknown fault kind '{}'", name);
  if (auto s = Suggest(name, names)) message += fmt::format(" (did you mean '{}'?)", *s);
  return Unexpected(message);
}

std::string_view DirectionName(Direction d) {
  switch (d) {
    case Direction::kUpstream:
      return "upstream";
    case Direction::kDownstream:
      return "downstream";
    case Direction::kBoth:
      return "both";
  }
  return "unknown";
}

Result<Direction> ParseDirection(std::string_view name) {
  if (name == "upstream") return Direction::kUpstream;
  if (name == "downstream") return Direction::kDownstream;
  if (name == "both") return Direction::kBoth;
  return Unexpected(
      fmt::format("stream must be 'upstream', 'downstream' or 'both', got '{}'", name));
}

Status MergeAttributes(FaultSpec& spec, const nlohmann::json& attributes) {
  if (attributes.is_null()) return Validate(spec);
  if (!attributes.is_object()) {
    return Status::Error(
        fmt::format("attributes must be a JSON object, got {}", attributes.dump()));
  }
  auto defs = KindAttributes(spec.kind);
  for (const auto& [key, value] : attributes.items()) {
    const AttributeDef* def = nullptr;
    for (const auto& d : defs) {
      if (d.name == key) def = &d;
    }
    if (def == nullptr) {
      std::string message = fmt::format("unknown attribute '{}' for {}", key, KindName(spec.kind));
      if (auto s = Suggest(key, AttributeNames(spec.kind))) {
        message += fmt::format(" (did you mean '{}'?)", *s);
      }
      return Status::Error(message);
    }
    auto v = AttributeValue(spec.kind, *def, value);
    if (!v) return v.status();
    spec.*(def->field) = *v;
  }
  return Validate(spec);
}

Result<FaultSpec> SpecFromAttributes(FaultKind kind, const nlohmann::json& attributes) {
  FaultSpec spec;
  spec.kind = kind;
  for (const auto& def : KindAttributes(kind)) {
    if (!def.required) continue;
    if (!attributes.is_object() || !attributes.contains(std::string(def.name))) {
      return Unexpected(
          fmt::format("missing required attribute '{}' for {}", def.name, KindName(kind)));
    }
  }
  if (Status s = MergeAttributes(spec, attributes); !s.ok()) return Unexpected(s);
  return spec;
}

nlohmann::json AttributesJson(const FaultSpec& spec) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& def : KindAttributes(spec.kind)) out[std::string(def.name)] = spec.*(def.field);
  return out;
}

}  // namespace faultline::net
