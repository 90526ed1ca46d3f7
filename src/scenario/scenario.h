// Scenario: a loaded, validated scenario.yaml (../shared/spec/scenario.md) — the topology of
// services, the links that cross the fault proxy, the workload's side and the faults that may be
// injected. Strings that hold placeholders stay unresolved here (Text) with their position, and are
// resolved per history by placeholders.h. Plain values, built once by LoadScenario and read by
// every history; any thread may read them.
#pragma once

#include <csignal>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/diagnostic.h"
#include "base/duration.h"
#include "base/status.h"
#include "timeline/event.h"

namespace faultline::scenario {

struct SourcePos {
  int line = 0;  // 1-based
  int column = 0;
};

// A string that may hold placeholders, with where it was written.
struct Text {
  std::string raw;
  SourcePos pos;
};
using Argv = std::vector<Text>;
using Env = std::vector<std::pair<std::string, Text>>;  // in file order

struct HealthCheck {
  Argv command;          // empty: healthy when the service's port accepts a connection
  Millis interval{250};  // between attempts
  Millis timeout{5000};  // per attempt
};

enum class Restart { kNo, kOnFailure };

struct Service {
  std::string name;
  SourcePos pos;
  std::vector<Argv> prepare;  // run in order, once per history, before the first start
  Argv command;
  std::string user;       // empty: run as faultline's own user
  bool has_port = false;  // `port: auto` or a number
  int fixed_port = 0;     // 0: a fresh free port per history
  Env env;
  std::optional<HealthCheck> healthcheck;
  int stop_signal = SIGTERM;
  Millis stop_grace{10000};
  std::vector<std::string> depends_on;
  std::string templates;           // extension: this service's own templates folder, relative
  Restart restart = Restart::kNo;  // extension: restart after an exit no fault caused
  // Extension (`prepared: reusable`): the folder `prepare` leaves is made once per run and copied
  // into every history (topology/prepared_store.h).
  bool reusable_prepared = false;
  Json compose;  // used only by render-compose
};

struct Link {
  std::string from;  // a service, or "workload"
  std::string to;    // a service with a port
  SourcePos pos;
  std::string Name() const { return from + "->" + to; }
};

struct Workload {
  Env env;
  int max_parallel_drivers = 4;
  Millis command_timeout{120000};
  Json compose;
};

enum class SetupMode { kHealthy, kSdk };

// A signed range, for clock offsets ("-120s..120s").
struct OffsetRange {
  Millis lo{0};
  Millis hi{0};
};

struct ServiceFault {
  bool enabled = false;
  std::vector<std::string> targets;
  DurationRange range;  // kill/stop: down time; pause: duration
};

struct NetworkFault {
  bool enabled = false;
  std::vector<std::string> links;  // link names ("from->to"); every link for `links: all`
  std::vector<std::string> kinds;  // partition, latency, bandwidth, reset, slicer, ...
  DurationRange duration;
};

struct ClockFault {
  bool enabled = false;
  std::vector<std::string> targets;
  OffsetRange offset;
};

struct DiskFault {
  bool enabled = false;
  std::vector<std::string> targets;
  std::vector<std::string> kinds;  // fsync-eio, ...
  double probability = 0.05;
};

struct Faults {
  DurationRange interval{Millis(2000), Millis(10000)};
  ServiceFault kill;
  ServiceFault stop;
  ServiceFault pause;
  NetworkFault network;
  ClockFault clock;
  DiskFault disk;
  bool any() const {
    return kill.enabled || stop.enabled || pause.enabled || network.enabled || clock.enabled ||
           disk.enabled;
  }
};

struct Scenario {
  std::string name;
  std::string description;
  std::string dir;   // absolute path of the scenario folder
  std::string file;  // path of scenario.yaml as the user named it, for diagnostics
  SetupMode setup_complete = SetupMode::kHealthy;
  Millis setup_timeout{60000};
  DurationRange duration{Millis(60000), Millis(60000)};
  std::vector<Service> services;  // in file order
  std::vector<Link> links;
  Workload workload;
  Faults faults;

  const Service* FindService(std::string_view name) const;
  // Services in an order where each comes after everything it depends on.
  std::vector<const Service*> StartOrder() const;
};

// What a load gives back: the scenario, or every problem found in the file.
struct LoadResult {
  std::optional<Scenario> scenario;
  std::vector<Diagnostic> errors;
  std::string source;  // the file's text, for carets under errors
};

// Loads `<dir>/scenario.yaml`. Never throws; every error names scenario.yaml:LINE:COL and says
// what was expected, unknown keys with a "did you mean" suggestion.
LoadResult LoadScenario(const std::string& dir);
// Loads from text, for tests and fuzzing; `dir` is where relative paths point.
LoadResult ParseScenario(const std::string& text, const std::string& file, const std::string& dir);

}  // namespace faultline::scenario
