#include "faults/catalog.h"

#include <algorithm>
#include <cctype>

#include "base/strings.h"

namespace faultline::faults {

const std::vector<KindRow>& Catalog() {
  static const std::vector<KindRow> rows = {KillRow(),    StopRow(),  PauseRow(), ThrottleRow(),
                                            NetworkRow(), ClockRow(), DiskRow(),  CustomRow()};
  return rows;
}

const KindRow* FindKind(std::string_view name) {
  for (const auto& row : Catalog()) {
    if (row.name == name) return &row;
  }
  return nullptr;
}

const KindConfig* FaultsConfig::Find(std::string_view name) const {
  for (const auto& k : kinds) {
    if (k.name == name) return &k;
  }
  return nullptr;
}

std::vector<std::string> FaultsConfig::Names() const {
  std::vector<std::string> out;
  for (const auto& k : kinds) out.push_back(k.name);
  return out;
}

std::optional<std::string> DrawServiceTarget(const std::vector<std::string>& targets,
                                             const PlannerView& view, Rng& rng) {
  std::vector<const std::string*> free;
  for (const auto& t : targets) {
    if (!view.busy.count(t) && view.up(t)) free.push_back(&t);
  }
  if (free.empty()) return std::nullopt;
  return *free[rng.Below(free.size())];
}

Millis DrawDuration(const DurationRange& range, Rng& rng) {
  return rng.Between(range.lo, range.hi);
}

double DrawNumber(const DoubleRange& range, Rng& rng) {
  return range.lo + (range.hi - range.lo) * rng.Unit();
}

namespace {

bool ValidCustomName(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return std::islower(static_cast<unsigned char>(c)) ||
           std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '_';
  });
}

void ParseCustomSection(const scenario::ConfigNode& node, ParseContext& ctx,
                        std::vector<KindConfig>& out) {
  const KindRow* custom = FindKind("custom");
  ctx.ForEach(node, "custom", {}, [&](const std::string& name, const scenario::ConfigNode& def) {
    if (!ValidCustomName(name)) {
      ctx.Error(def.key_pos, fmt::format("'{}' cannot name a custom fault (lower-case letters, "
                                         "digits, '-' and '_' only)",
                                         name));
      return;
    }
    if (FindKind(name) || name == "interval" || name == "swarm") {
      ctx.Error(
          def.key_pos,
          fmt::format("'{}' is a built-in fault kind; name the custom fault otherwise", name));
      return;
    }
    KindConfig k{name, custom, def.key_pos, CustomConfig{}};
    custom->parse(def, ctx, k);
    out.push_back(std::move(k));
  });
}

}  // namespace

FaultsParse ParseFaults(const scenario::Scenario& scenario) {
  FaultsParse result;
  if (!scenario.faults.present()) return result;
  ParseContext ctx(scenario, result.errors);
  std::vector<std::string> keys = {"interval", "swarm"};
  for (const auto& row : Catalog()) keys.emplace_back(row.name);
  FaultsConfig& config = result.config;
  ctx.ForEach(scenario.faults.node, "faults", keys,
              [&](const std::string& key, const scenario::ConfigNode& v) {
                if (key == "interval") {
                  if (auto r = ctx.Range(v, "faults interval", Millis(10))) config.interval = *r;
                } else if (key == "swarm") {
                  auto s = ctx.Scalar(v, "swarm");
                  if (s == "true" || s == "false") {
                    config.swarm = *s == "true";
                  } else if (s) {
                    ctx.Error(v.pos, fmt::format("swarm must be true or false, not '{}'", *s));
                  }
                } else if (key == "custom") {
                  ParseCustomSection(v, ctx, config.kinds);
                } else {
                  const KindRow* row = FindKind(key);
                  KindConfig k{key, row, v.key_pos, ProcessConfig{}};
                  row->parse(v, ctx, k);
                  config.kinds.push_back(std::move(k));
                }
              });
  return result;
}

}  // namespace faultline::faults
