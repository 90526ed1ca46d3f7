// The fault configuration of a scenario, typed: what the catalog's parsers make of the `faults:`
// section of scenario.yaml (docs/faults.md). One KindConfig per configured kind (a custom fault
// is a kind of its own, named by the scenario). Plain values, built once per run by ParseFaults
// and read by every history; any thread may read them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "base/diagnostic.h"
#include "base/duration.h"
#include "scenario/scenario.h"

namespace faultline::faults {

struct DoubleRange {
  double lo = 0;
  double hi = 0;
};
struct IntRange {
  int64_t lo = 0;
  int64_t hi = 0;
};
// A signed range, for clock offsets ("-120s..120s").
struct OffsetRange {
  Millis lo{0};
  Millis hi{0};
};

// kill, stop, pause: which services, and how long they stay down or paused.
struct ProcessConfig {
  std::vector<std::string> targets;
  DurationRange duration{Millis(1000), Millis(5000)};
};

struct ThrottleConfig {
  std::vector<std::string> targets;
  DoubleRange share{0.05, 0.5};  // of one CPU
  DurationRange duration{Millis(1000), Millis(5000)};
};

enum class NetKind { kPartition, kLatency, kBandwidth, kSlicer, kReset, kDown, kTimeout, kLoss };
// Partition shapes, the ones that find bugs: one node cut from the rest; a minority from a
// majority; two sides that only a bridge node sees both of; one node that cannot send (or
// cannot receive) while the other direction works.
enum class Shape { kIsolate, kMajority, kBridge, kOneWay };

struct NetworkConfig {
  std::vector<std::string> links;  // declared link names; empty: every link
  std::vector<std::string> nodes;  // only flows among these nodes; empty: every node
  std::vector<NetKind> kinds{NetKind::kPartition, NetKind::kLatency};
  std::vector<Shape> shapes{Shape::kIsolate, Shape::kMajority, Shape::kBridge, Shape::kOneWay};
  DurationRange duration{Millis(1000), Millis(8000)};
  DurationRange latency{Millis(50), Millis(500)};
  DurationRange jitter{Millis(0), Millis(50)};
  IntRange bandwidth{8, 512};  // KB/s
  DoubleRange loss{0.05, 0.3};
};

struct ClockConfig {
  std::vector<std::string> targets;
  OffsetRange offset{Millis(-60000), Millis(60000)};
  bool jump = true;   // the offset is set at once
  bool drift = true;  // the offset is reached in small steps over the duration
  DurationRange duration{Millis(2000), Millis(10000)};
};

enum class DiskKind { kFsyncEio, kWriteEio, kWriteEnospc, kReadEio, kOpenEio };

struct DiskConfig {
  std::vector<std::string> targets;
  std::vector<DiskKind> kinds{DiskKind::kFsyncEio};
  DoubleRange probability{0.05, 0.05};
  DurationRange duration{Millis(1000), Millis(5000)};
};

struct CustomConfig {
  scenario::Argv command;
  scenario::Argv heal;  // empty: nothing to run when it heals
  DurationRange duration{Millis(1000), Millis(5000)};
  Millis timeout{30000};
};

using KindSettings = std::variant<ProcessConfig, ThrottleConfig, NetworkConfig, ClockConfig,
                                  DiskConfig, CustomConfig>;

struct KindRow;

struct KindConfig {
  std::string name;  // the catalog's name ("kill"), or a custom fault's own name
  const KindRow* row = nullptr;
  scenario::SourcePos pos;
  KindSettings settings;

  template <typename T>
  const T& Get() const {
    return std::get<T>(settings);
  }
};

struct FaultsConfig {
  DurationRange interval{Millis(2000), Millis(10000)};
  bool swarm = true;
  std::vector<KindConfig> kinds;  // in file order

  bool any() const { return !kinds.empty(); }
  const KindConfig* Find(std::string_view name) const;
  std::vector<std::string> Names() const;
};

struct FaultsParse {
  FaultsConfig config;
  std::vector<Diagnostic> errors;  // scenario.yaml:LINE:COL, each saying what was expected
};

// Reads `scenario.faults` against the catalog. The scenario may be partial (a load with errors
// elsewhere), so that every error of the file is reported at once. Never throws.
FaultsParse ParseFaults(const scenario::Scenario& scenario);

}  // namespace faultline::faults
