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
#include "scenario/config_node.h"
#include "scenario/source_pos.h"
#include "timeline/event.h"

namespace faultline::scenario {

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

// A named port (`ports: {client: 2379, peer: auto}`).
struct NamedPort {
  std::string name;
  int fixed = 0;  // 0: a fresh free port per history
  SourcePos pos;
};

// A bind mount into a unit (isolated mode): `target: source` or `target: source:rw`.
struct MountSpec {
  std::string target;  // absolute, as the unit sees it
  std::string source;  // absolute, on the host (relative ones are below the scenario folder)
  bool read_only = true;
  SourcePos pos;
};

// `network:` (or `faultline run --network`): loopback, or one unit per service and the workload.
enum class NetworkMode { kLoopback, kIsolated };

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
  Json compose;                               // used only by render-compose
  std::vector<NamedPort> ports;               // named ports, in file order
  std::vector<std::string> hostname_aliases;  // isolated mode: more names in every /etc/hosts
  std::vector<MountSpec> mounts;              // isolated mode: the unit's bind mounts
  // Isolated mode: folders that start empty in each history, at these paths of the unit (as
  // compose's named volumes do): name -> absolute path, in file order.
  std::vector<std::pair<std::string, std::string>> volumes;
  const NamedPort* FindPort(std::string_view port) const;
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
  std::vector<std::string> hostname_aliases;  // isolated mode: the workload unit's extra names
  std::vector<MountSpec> mounts;              // isolated mode: the workload unit's bind mounts
  // `templates: [a, b]`: the templates of test/v1/ (and services' folders) this scenario runs and
  // renders, so one tree of templates serves several scenarios. Empty: every template.
  std::vector<Text> templates;
};

enum class SetupMode { kHealthy, kSdk };

// The `faults:` section as written: its meaning (kinds, keys, ranges, targets) belongs to the fault
// catalog (src/faults/catalog.h), which parses and checks it with the positions kept here.
struct FaultsSection {
  ConfigNode node;  // kNull when the scenario has no `faults:`
  bool present() const { return node.kind != ConfigNode::Kind::kNull; }
};

struct Scenario {
  std::string name;
  std::string description;
  std::string dir;   // absolute path of the scenario folder
  std::string file;  // path of scenario.yaml as the user named it, for diagnostics
  SetupMode setup_complete = SetupMode::kHealthy;
  NetworkMode network = NetworkMode::kLoopback;
  SourcePos network_pos;  // where `network:` was written, for errors
  Millis setup_timeout{60000};
  DurationRange duration{Millis(60000), Millis(60000)};
  std::vector<Service> services;  // in file order
  std::vector<Link> links;
  Workload workload;
  FaultsSection faults;

  const Service* FindService(std::string_view name) const;
  // Services in an order where each comes after everything it depends on.
  std::vector<const Service*> StartOrder() const;
};

// What a load gives back: the scenario, or every problem found in the file.
struct LoadResult {
  std::optional<Scenario> scenario;
  // The scenario as far as it could be read, errors or not, so that other rooms can check their
  // sections (the fault catalog) and every error of a file is reported at once.
  Scenario partial;
  std::vector<Diagnostic> errors;
  std::string source;        // the file's text, for carets under errors
  bool interrupted = false;  // SIGINT/SIGTERM/SIGHUP arrived while loading: nothing was loaded
};

// The problems that keep `scenario` from running in isolated mode (a service name that is not a
// valid host name, an alias used twice), as diagnostics on its file. Empty when it can.
std::vector<Diagnostic> CheckIsolated(const Scenario& scenario);
// Whether `name` is a valid host name label: 1-63 lowercase letters, digits and '-', not starting
// or ending with '-' (dots separate labels in aliases).
bool IsHostName(std::string_view name);

// Loads `<dir>/scenario.yaml`. Never throws; every error names scenario.yaml:LINE:COL and says
// what was expected, unknown keys with a "did you mean" suggestion.
LoadResult LoadScenario(const std::string& dir);
// Loads from text, for tests and fuzzing; `dir` is where relative paths point.
LoadResult ParseScenario(const std::string& text, const std::string& file, const std::string& dir);
// With the loopback network, histories that run at once share the machine's ports: a fixed
// `port:` works with one history at a time only. Returns the error (at the first fixed port) when
// `jobs` > 1 and a service has one, else nullopt.
std::optional<Diagnostic> CheckFixedPortsForJobs(const Scenario& scenario, int jobs);

}  // namespace faultline::scenario
