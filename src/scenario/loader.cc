// LoadScenario: scenario.yaml into a validated Scenario. yaml-cpp gives a node tree with
// positions; every function below checks the shape it expects and records a Diagnostic (never
// throws), so one load reports every error in the file.
#include <pwd.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <functional>
#include <set>

#include "base/files.h"
#include "base/signals.h"
#include "base/strings.h"
#include "scenario/placeholders.h"
#include "scenario/scenario.h"

namespace faultline::scenario {
namespace {

const std::vector<std::string> kRootKeys = {"name",          "description", "setup_complete",
                                            "setup_timeout", "duration",    "services",
                                            "links",         "workload",    "faults"};
const std::vector<std::string> kServiceKeys = {
    "prepare",    "command",    "user",    "port",      "env",     "healthcheck", "stop_signal",
    "stop_grace", "depends_on", "compose", "templates", "restart", "prepared"};
const std::vector<std::string> kHealthKeys = {"command", "interval", "timeout"};
const std::vector<std::string> kLinkKeys = {"from", "to"};
const std::vector<std::string> kWorkloadKeys = {"env", "max_parallel_drivers", "command_timeout",
                                                "compose"};
const std::vector<std::string> kFaultKeys = {"interval", "kill",  "stop", "pause",
                                             "network",  "clock", "disk"};
const std::vector<std::string> kNetworkKinds = {"partition",  "latency",    "bandwidth",
                                                "reset",      "slicer",     "timeout",
                                                "limit_data", "slow_close", "down"};
const std::vector<std::string> kDiskKinds = {"fsync-eio", "write-eio", "read-eio", "write-enospc",
                                             "open-eio"};
constexpr const char* kWorkload = "workload";

class Loader {
 public:
  Loader(std::string file, std::string text) : file_(std::move(file)), text_(std::move(text)) {}

  LoadResult Load(const std::string& dir);

 private:
  SourcePos Pos(const YAML::Node& n) const {
    if (!n.IsDefined()) return {};  // Mark() throws on a node that is not there
    YAML::Mark m = n.Mark();
    if (m.is_null()) return {};
    return {m.line + 1, m.column + 1};
  }
  void Error(SourcePos pos, std::string message) {
    errors_.push_back(Diagnostic{file_, pos.line, pos.column, std::move(message)});
  }
  void Error(const YAML::Node& n, std::string message) { Error(Pos(n), std::move(message)); }
  // The child at `key` of a mapping, or the mapping itself when there is none (for positions).
  static YAML::Node Child(const YAML::Node& map, const char* key) {
    if (!map.IsDefined() || !map.IsMap()) return map;
    const YAML::Node& const_map = map;
    YAML::Node child = const_map[key];
    return child.IsDefined() ? child : map;
  }

  // Calls `each(key, value)` for every entry of a mapping after checking keys against `known`.
  bool ForEachKey(const YAML::Node& map, std::string_view where,
                  const std::vector<std::string>& known,
                  const std::function<void(const std::string&, const YAML::Node&)>& each);
  std::optional<std::string> Scalar(const YAML::Node& n, std::string_view what);
  std::optional<Text> TextOf(const YAML::Node& n, std::string_view what);
  std::optional<Argv> ArgvOf(const YAML::Node& n, std::string_view what);
  std::vector<std::string> NameList(const YAML::Node& n, std::string_view what);
  std::optional<Millis> DurationOf(const YAML::Node& n, std::string_view what);
  std::optional<DurationRange> RangeOf(const YAML::Node& n, std::string_view what);
  std::optional<int> IntOf(const YAML::Node& n, std::string_view what, int lo, int hi);
  Env EnvOf(const YAML::Node& n, std::string_view what);
  Json JsonOf(const YAML::Node& n);

  void ParseRoot(const YAML::Node& root);
  void ParseService(const std::string& name, const YAML::Node& n);
  void ParseServiceKey(Service& s, const std::string& key, const YAML::Node& v);
  std::optional<HealthCheck> ParseHealthCheck(const YAML::Node& n);
  void ParseLinks(const YAML::Node& n);
  void ParseWorkload(const YAML::Node& n);
  void ParseFaults(const YAML::Node& n);
  void ParseServiceFault(ServiceFault& f, const YAML::Node& n, std::string_view kind,
                         const char* range_key);
  void ParseNetworkFault(const YAML::Node& n);
  void ParseClockFault(const YAML::Node& n);
  void ParseDiskFault(const YAML::Node& n);
  std::vector<std::string> KindList(const YAML::Node& n, std::string_view what,
                                    const std::vector<std::string>& valid);

  void Validate();
  // Finds the service `name`; otherwise reports "<subject> '<name>', which is not a service" with
  // a suggestion, at `pos`, and returns null.
  const Service* RequireService(std::string_view subject, const std::string& name, SourcePos pos);
  // depends_on and links name services that exist; returns the declared link names.
  std::set<std::string> ValidateReferences();
  void ValidateNetworkLinks(const std::set<std::string>& link_names);
  void ValidateDependencies();
  // A reusable prepared folder has a prepare step, depends only on reusable services (a base
  // backup matches only the primary it was taken from), and holds no per-history value.
  void ValidateReusablePrepared();
  void ValidateTargets(const std::vector<std::string>& targets, const YAML::Node& where,
                       std::string_view what);
  void ValidateText(const Text& t, const std::string& viewpoint);
  void ValidateAllTexts();

  std::string file_;
  std::string text_;
  Scenario s_;
  std::vector<Diagnostic> errors_;
  std::map<std::string, YAML::Node> service_nodes_;
  std::map<std::string, YAML::Node> fault_nodes_;
  YAML::Node network_links_node_;
};

bool Loader::ForEachKey(const YAML::Node& map, std::string_view where,
                        const std::vector<std::string>& known,
                        const std::function<void(const std::string&, const YAML::Node&)>& each) {
  if (!map.IsMap()) {
    Error(map, fmt::format("{} must be a mapping of keys to values", where));
    return false;
  }
  std::set<std::string> seen;
  for (const auto& kv : map) {
    std::string key = kv.first.IsScalar() ? kv.first.Scalar() : std::string();
    if (!seen.insert(key).second) {
      Error(kv.first, fmt::format("duplicate key '{}' in {}", key, where));
      continue;
    }
    if (!known.empty() && std::find(known.begin(), known.end(), key) == known.end()) {
      std::string message = fmt::format("unknown key '{}' in {}", key, where);
      if (auto s = Suggest(key, known)) {
        message += fmt::format(" (did you mean '{}'?)", *s);
      } else {
        message += fmt::format(" (expected one of: {})", Join(known, ", "));
      }
      Error(kv.first, message);
      continue;
    }
    each(key, kv.second);
  }
  return true;
}

std::optional<std::string> Loader::Scalar(const YAML::Node& n, std::string_view what) {
  if (!n.IsScalar()) {
    Error(n, fmt::format("{} must be a single value", what));
    return std::nullopt;
  }
  return n.Scalar();
}

std::optional<Text> Loader::TextOf(const YAML::Node& n, std::string_view what) {
  auto s = Scalar(n, what);
  if (!s) return std::nullopt;
  return Text{*s, Pos(n)};
}

std::optional<Argv> Loader::ArgvOf(const YAML::Node& n, std::string_view what) {
  if (!n.IsSequence() || n.size() == 0) {
    Error(n, fmt::format("{} must be a non-empty list of arguments, like [program, arg] (commands "
                         "never pass through a shell; write [sh, -c, \"...\"] for one)",
                         what));
    return std::nullopt;
  }
  Argv argv;
  for (const auto& item : n) {
    auto t = TextOf(item, fmt::format("each argument of {}", what));
    if (!t) return std::nullopt;
    argv.push_back(std::move(*t));
  }
  return argv;
}

std::vector<std::string> Loader::NameList(const YAML::Node& n, std::string_view what) {
  std::vector<std::string> out;
  if (n.IsScalar()) {
    out.push_back(n.Scalar());
    return out;
  }
  if (!n.IsSequence()) {
    Error(n, fmt::format("{} must be a list of names", what));
    return out;
  }
  for (const auto& item : n) {
    if (auto s = Scalar(item, fmt::format("each entry of {}", what))) out.push_back(*s);
  }
  return out;
}

std::optional<Millis> Loader::DurationOf(const YAML::Node& n, std::string_view what) {
  auto s = Scalar(n, what);
  if (!s) return std::nullopt;
  auto d = ParseDuration(*s);
  if (!d) {
    Error(n, fmt::format("{}: {}", what, d.error()));
    return std::nullopt;
  }
  return *d;
}

std::optional<DurationRange> Loader::RangeOf(const YAML::Node& n, std::string_view what) {
  auto s = Scalar(n, what);
  if (!s) return std::nullopt;
  auto r = ParseDurationRange(*s);
  if (!r) {
    Error(n, fmt::format("{}: {} (a range is written 2s..10s)", what, r.error()));
    return std::nullopt;
  }
  return *r;
}

std::optional<int> Loader::IntOf(const YAML::Node& n, std::string_view what, int lo, int hi) {
  auto s = Scalar(n, what);
  if (!s) return std::nullopt;
  auto v = ParseInt(*s);
  if (!v || *v < lo || *v > hi) {
    Error(n, fmt::format("{} must be a whole number from {} to {}, not '{}'", what, lo, hi, *s));
    return std::nullopt;
  }
  return static_cast<int>(*v);
}

Env Loader::EnvOf(const YAML::Node& n, std::string_view what) {
  Env env;
  ForEachKey(n, what, {}, [&](const std::string& key, const YAML::Node& v) {
    if (key.empty() || key.find('=') != std::string::npos) {
      Error(n, fmt::format("'{}' is not a valid environment variable name", key));
      return;
    }
    if (auto t = TextOf(v, fmt::format("the value of {}", key))) env.emplace_back(key, *t);
  });
  return env;
}

Json Loader::JsonOf(const YAML::Node& n) {
  if (n.IsMap()) {
    Json j = Json::object();
    for (const auto& kv : n) j[kv.first.Scalar()] = JsonOf(kv.second);
    return j;
  }
  if (n.IsSequence()) {
    Json j = Json::array();
    for (const auto& item : n) j.push_back(JsonOf(item));
    return j;
  }
  if (n.IsScalar()) return n.Scalar();
  return nullptr;
}

LoadResult Loader::Load(const std::string& dir) {
  LoadResult result;
  YAML::Node root;
  try {
    root = YAML::Load(text_);
  } catch (const YAML::Exception& e) {
    // yaml-cpp reports syntax errors by exception; this is the one place we catch one.
    Error(SourcePos{e.mark.line + 1, e.mark.column + 1}, e.msg);
    result.errors = std::move(errors_);
    result.source = std::move(text_);
    return result;
  }
  s_.dir = dir;
  s_.file = file_;
  if (!root.IsMap()) {
    Error(root, "scenario.yaml must be a mapping with at least 'name' and 'services'");
  } else {
    ParseRoot(root);
    Validate();
  }
  if (errors_.empty()) result.scenario = std::move(s_);
  std::stable_sort(errors_.begin(), errors_.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return std::tie(a.line, a.column) < std::tie(b.line, b.column);
  });
  result.errors = std::move(errors_);
  result.source = std::move(text_);
  return result;
}

void Loader::ParseRoot(const YAML::Node& root) {
  bool has_services = false;
  ForEachKey(root, "the scenario", kRootKeys, [&](const std::string& key, const YAML::Node& v) {
    if (key == "name") {
      if (auto s = Scalar(v, "name")) s_.name = *s;
    } else if (key == "description") {
      if (auto s = Scalar(v, "description")) s_.description = *s;
    } else if (key == "setup_complete") {
      auto s = Scalar(v, "setup_complete");
      if (s == "healthy") {
        s_.setup_complete = SetupMode::kHealthy;
      } else if (s == "sdk") {
        s_.setup_complete = SetupMode::kSdk;
      } else if (s) {
        Error(v, fmt::format("setup_complete must be 'healthy' or 'sdk', not '{}'", *s));
      }
    } else if (key == "setup_timeout") {
      if (auto d = DurationOf(v, "setup_timeout")) s_.setup_timeout = *d;
    } else if (key == "duration") {
      if (auto r = RangeOf(v, "duration")) s_.duration = *r;
    } else if (key == "services") {
      has_services = true;
      ForEachKey(v, "services", {},
                 [&](const std::string& name, const YAML::Node& sv) { ParseService(name, sv); });
    } else if (key == "links") {
      ParseLinks(v);
    } else if (key == "workload") {
      ParseWorkload(v);
    } else if (key == "faults") {
      ParseFaults(v);
    }
  });
  if (s_.name.empty()) Error(SourcePos{1, 1}, "the scenario has no 'name'");
  if (!has_services) Error(SourcePos{1, 1}, "the scenario has no 'services'");
}

void Loader::ParseService(const std::string& name, const YAML::Node& n) {
  Service s;
  s.name = name;
  s.pos = Pos(n);
  if (name.empty() || name == kWorkload || name == "history" || name == "scenario" ||
      name.find_first_of(".@{} /") != std::string::npos) {
    Error(n, fmt::format("'{}' cannot name a service (reserved, or holds one of . @ {{ }} / space)",
                         name));
  }
  service_nodes_[name] = n;
  bool has_command = false;
  ForEachKey(n, fmt::format("service '{}'", name), kServiceKeys,
             [&](const std::string& key, const YAML::Node& v) {
               has_command |= key == "command";
               ParseServiceKey(s, key, v);
             });
  if (!has_command && n.IsMap()) Error(n, fmt::format("service '{}' has no 'command'", name));
  s_.services.push_back(std::move(s));
}

void Loader::ParseServiceKey(Service& s, const std::string& key, const YAML::Node& v) {
  if (key == "command") {
    if (auto a = ArgvOf(v, "command")) s.command = std::move(*a);
  } else if (key == "prepare") {
    // One argv ([initdb, -D, ...]) or a list of them ([[initdb, ...], [cp, ...]]).
    if (v.IsSequence() && v.size() > 0 && v[0].IsSequence()) {
      for (const auto& item : v) {
        if (auto a = ArgvOf(item, "each prepare command")) s.prepare.push_back(std::move(*a));
      }
    } else if (auto a = ArgvOf(v, "prepare")) {
      s.prepare.push_back(std::move(*a));
    }
  } else if (key == "user") {
    if (auto u = Scalar(v, "user")) {
      s.user = *u;
      if (::geteuid() == 0 && !getpwnam(u->c_str())) {
        Error(v, fmt::format("user '{}' does not exist on this machine", *u));
      }
    }
  } else if (key == "port") {
    s.has_port = true;
    if (v.IsScalar() && v.Scalar() == "auto") return;
    if (auto p = IntOf(v, "port (or 'auto')", 1, 65535)) s.fixed_port = *p;
  } else if (key == "env") {
    s.env = EnvOf(v, "env");
  } else if (key == "healthcheck") {
    s.healthcheck = ParseHealthCheck(v);
  } else if (key == "stop_signal") {
    auto name = Scalar(v, "stop_signal");
    if (!name) return;
    if (auto sig = ParseSignal(*name)) {
      s.stop_signal = *sig;
    } else {
      Error(v, fmt::format("unknown signal '{}' (expected a name like SIGINT or SIGTERM)", *name));
    }
  } else if (key == "stop_grace") {
    if (auto d = DurationOf(v, "stop_grace")) s.stop_grace = *d;
  } else if (key == "depends_on") {
    s.depends_on = NameList(v, "depends_on");
  } else if (key == "compose") {
    s.compose = JsonOf(v);
  } else if (key == "templates") {
    if (auto t = Scalar(v, "templates")) s.templates = *t;
  } else if (key == "prepared") {
    auto p = Scalar(v, "prepared");
    if (p == "reusable" || p == "per-history") {
      s.reusable_prepared = p == "reusable";
    } else if (p) {
      Error(v, fmt::format("prepared must be 'reusable' or 'per-history', not '{}'", *p));
    }
  } else if (key == "restart") {
    auto r = Scalar(v, "restart");
    if (r == "no") {
      s.restart = Restart::kNo;
    } else if (r == "on-failure") {
      s.restart = Restart::kOnFailure;
    } else if (r) {
      Error(v, fmt::format("restart must be 'no' or 'on-failure', not '{}'", *r));
    }
  }
}

std::optional<HealthCheck> Loader::ParseHealthCheck(const YAML::Node& n) {
  HealthCheck h;
  ForEachKey(n, "healthcheck", kHealthKeys, [&](const std::string& key, const YAML::Node& v) {
    if (key == "command") {
      if (auto a = ArgvOf(v, "healthcheck command")) h.command = std::move(*a);
    } else if (key == "interval") {
      if (auto d = DurationOf(v, "healthcheck interval")) h.interval = *d;
    } else if (key == "timeout") {
      if (auto d = DurationOf(v, "healthcheck timeout")) h.timeout = *d;
    }
  });
  if (h.interval < Millis(10)) Error(n, "healthcheck interval must be at least 10ms");
  return h;
}

void Loader::ParseLinks(const YAML::Node& n) {
  if (!n.IsSequence()) {
    Error(n, "links must be a list like [{from: replica, to: primary}]");
    return;
  }
  for (const auto& item : n) {
    Link link;
    link.pos = Pos(item);
    ForEachKey(item, "a link", kLinkKeys, [&](const std::string& key, const YAML::Node& v) {
      auto s = Scalar(v, key);
      if (!s) return;
      (key == "from" ? link.from : link.to) = *s;
    });
    if (item.IsMap() && (link.from.empty() || link.to.empty())) {
      Error(item, "a link needs both 'from' and 'to'");
      continue;
    }
    s_.links.push_back(std::move(link));
  }
}

void Loader::ParseWorkload(const YAML::Node& n) {
  ForEachKey(n, "workload", kWorkloadKeys, [&](const std::string& key, const YAML::Node& v) {
    if (key == "env") {
      s_.workload.env = EnvOf(v, "workload env");
    } else if (key == "max_parallel_drivers") {
      if (auto i = IntOf(v, "max_parallel_drivers", 1, 256)) s_.workload.max_parallel_drivers = *i;
    } else if (key == "command_timeout") {
      if (auto d = DurationOf(v, "command_timeout")) s_.workload.command_timeout = *d;
    } else if (key == "compose") {
      s_.workload.compose = JsonOf(v);
    }
  });
}

void Loader::ParseFaults(const YAML::Node& n) {
  ForEachKey(n, "faults", kFaultKeys, [&](const std::string& key, const YAML::Node& v) {
    fault_nodes_[key] = v;
    if (key == "interval") {
      if (auto r = RangeOf(v, "faults interval")) s_.faults.interval = *r;
      if (s_.faults.interval.lo < Millis(10)) Error(v, "faults interval must be at least 10ms");
    } else if (key == "kill") {
      ParseServiceFault(s_.faults.kill, v, "kill", "down");
    } else if (key == "stop") {
      ParseServiceFault(s_.faults.stop, v, "stop", "down");
    } else if (key == "pause") {
      ParseServiceFault(s_.faults.pause, v, "pause", "duration");
    } else if (key == "network") {
      ParseNetworkFault(v);
    } else if (key == "clock") {
      ParseClockFault(v);
    } else if (key == "disk") {
      ParseDiskFault(v);
    }
  });
}

void Loader::ParseServiceFault(ServiceFault& f, const YAML::Node& n, std::string_view kind,
                               const char* range_key) {
  f.enabled = true;
  f.range = DurationRange{Millis(1000), Millis(5000)};
  bool has_targets = false;
  ForEachKey(n, fmt::format("the {} fault", kind), {"targets", range_key},
             [&](const std::string& key, const YAML::Node& v) {
               if (key == "targets") {
                 has_targets = true;
                 f.targets = NameList(v, "targets");
               } else if (auto r = RangeOf(v, fmt::format("{} {}", kind, range_key))) {
                 f.range = *r;
               }
             });
  if (n.IsMap() && !has_targets) Error(n, fmt::format("the {} fault needs 'targets'", kind));
}

std::vector<std::string> Loader::KindList(const YAML::Node& n, std::string_view what,
                                          const std::vector<std::string>& valid) {
  std::vector<std::string> out;
  if (!n.IsSequence()) {
    Error(n, fmt::format("{} must be a list, like [{}]", what, valid.front()));
    return out;
  }
  for (const auto& item : n) {
    auto s = Scalar(item, what);
    if (!s) continue;
    if (std::find(valid.begin(), valid.end(), *s) == valid.end()) {
      std::string message = fmt::format("unknown {} '{}'", what, *s);
      if (auto sug = Suggest(*s, valid)) {
        message += fmt::format(" (did you mean '{}'?)", *sug);
      } else {
        message += fmt::format(" (expected one of: {})", Join(valid, ", "));
      }
      Error(item, message);
      continue;
    }
    out.push_back(*s);
  }
  return out;
}

void Loader::ParseNetworkFault(const YAML::Node& n) {
  NetworkFault& f = s_.faults.network;
  f.enabled = true;
  f.kinds = {"partition", "latency"};
  f.duration = DurationRange{Millis(1000), Millis(8000)};
  ForEachKey(n, "the network fault", {"links", "kinds", "duration"},
             [&](const std::string& key, const YAML::Node& v) {
               if (key == "links") {
                 network_links_node_ = v;
                 if (v.IsScalar() && v.Scalar() == "all") return;  // filled in by Validate
                 f.links = NameList(v, "links ('all', or names like replica->primary)");
               } else if (key == "kinds") {
                 f.kinds = KindList(v, "network fault kind", kNetworkKinds);
               } else if (auto r = RangeOf(v, "network duration")) {
                 f.duration = *r;
               }
             });
}

// Parses "-120s..120s", "5s", "-2s": the clock may go either way.
std::optional<OffsetRange> ParseOffsetRange(std::string_view text, std::string* error) {
  auto signed_duration = [&](std::string_view part) -> std::optional<Millis> {
    bool negative = !part.empty() && part.front() == '-';
    auto d = ParseDuration(negative ? part.substr(1) : part);
    if (!d) {
      *error = d.error();
      return std::nullopt;
    }
    return negative ? -*d : *d;
  };
  size_t dots = text.find("..");
  auto lo = signed_duration(dots == std::string_view::npos ? text : text.substr(0, dots));
  if (!lo) return std::nullopt;
  auto hi = dots == std::string_view::npos ? lo : signed_duration(text.substr(dots + 2));
  if (!hi) return std::nullopt;
  if (*hi < *lo) {
    *error = fmt::format("range '{}' ends before it starts", text);
    return std::nullopt;
  }
  return OffsetRange{*lo, *hi};
}

void Loader::ParseClockFault(const YAML::Node& n) {
  ClockFault& f = s_.faults.clock;
  f.enabled = true;
  f.offset = OffsetRange{Millis(-60000), Millis(60000)};
  bool has_targets = false;
  ForEachKey(n, "the clock fault", {"targets", "offset"},
             [&](const std::string& key, const YAML::Node& v) {
               if (key == "targets") {
                 has_targets = true;
                 f.targets = NameList(v, "targets");
                 return;
               }
               auto s = Scalar(v, "clock offset");
               if (!s) return;
               std::string error;
               if (auto r = ParseOffsetRange(*s, &error)) {
                 f.offset = *r;
               } else {
                 Error(v, fmt::format("clock offset: {} (a range is written -120s..120s)", error));
               }
             });
  if (n.IsMap() && !has_targets) Error(n, "the clock fault needs 'targets'");
}

void Loader::ParseDiskFault(const YAML::Node& n) {
  DiskFault& f = s_.faults.disk;
  f.enabled = true;
  f.kinds = {"fsync-eio"};
  bool has_targets = false;
  ForEachKey(n, "the disk fault", {"targets", "kinds", "probability"},
             [&](const std::string& key, const YAML::Node& v) {
               if (key == "targets") {
                 has_targets = true;
                 f.targets = NameList(v, "targets");
               } else if (key == "kinds") {
                 f.kinds = KindList(v, "disk fault kind", kDiskKinds);
               } else if (auto s = Scalar(v, "probability")) {
                 auto p = ParseDouble(*s);
                 if (!p || *p <= 0 || *p > 1) {
                   Error(v, fmt::format("probability must be a number in (0, 1], not '{}'", *s));
                 } else {
                   f.probability = *p;
                 }
               }
             });
  if (n.IsMap() && !has_targets) Error(n, "the disk fault needs 'targets'");
}

const Service* Loader::RequireService(std::string_view subject, const std::string& name,
                                      SourcePos pos) {
  if (const Service* found = s_.FindService(name)) return found;
  std::vector<std::string> names;
  for (const auto& s : s_.services) names.push_back(s.name);
  std::string message = fmt::format("{} '{}', which is not a service", subject, name);
  if (auto sug = Suggest(name, names)) message += fmt::format(" (did you mean '{}'?)", *sug);
  Error(pos, message);
  return nullptr;
}

std::set<std::string> Loader::ValidateReferences() {
  for (const auto& s : s_.services) {
    for (const auto& dep : s.depends_on) {
      RequireService("depends_on names", dep, Pos(Child(service_nodes_[s.name], "depends_on")));
    }
  }
  std::set<std::string> link_names;
  for (const auto& link : s_.links) {
    if (link.from != kWorkload) RequireService("a link's 'from' names", link.from, link.pos);
    const Service* to = RequireService("a link's 'to' names", link.to, link.pos);
    if (to && !to->has_port) {
      Error(link.pos, fmt::format("a link goes to '{}', which has no 'port'", link.to));
    }
    if (link.from == link.to) Error(link.pos, "a link cannot go from a service to itself");
    if (!link_names.insert(link.Name()).second) {
      Error(link.pos, fmt::format("the link {} is declared twice", link.Name()));
    }
  }
  return link_names;
}

void Loader::ValidateNetworkLinks(const std::set<std::string>& link_names) {
  NetworkFault& f = s_.faults.network;
  if (!f.enabled) return;
  bool all = !network_links_node_.IsDefined() ||
             (network_links_node_.IsScalar() && network_links_node_.Scalar() == "all");
  if (all) {
    for (const auto& link : s_.links) f.links.push_back(link.Name());
  } else {
    std::vector<std::string> names(link_names.begin(), link_names.end());
    for (const auto& l : f.links) {
      if (link_names.count(l)) continue;
      std::string message =
          fmt::format("network fault names the link '{}', which is not declared", l);
      if (auto sug = Suggest(l, names)) message += fmt::format(" (did you mean '{}'?)", *sug);
      Error(network_links_node_, message);
    }
  }
  if (f.links.empty()) {
    Error(fault_nodes_["network"], "the network fault has no link to act on (declare 'links')");
  }
}

void Loader::Validate() {
  std::set<std::string> link_names = ValidateReferences();
  ValidateDependencies();
  ValidateReusablePrepared();
  auto fault_targets = [&](const std::vector<std::string>& targets, const char* kind) {
    if (fault_nodes_.count(kind)) ValidateTargets(targets, fault_nodes_[kind], kind);
  };
  fault_targets(s_.faults.kill.targets, "kill");
  fault_targets(s_.faults.stop.targets, "stop");
  fault_targets(s_.faults.pause.targets, "pause");
  fault_targets(s_.faults.clock.targets, "clock");
  fault_targets(s_.faults.disk.targets, "disk");
  ValidateNetworkLinks(link_names);
  ValidateAllTexts();
}

void Loader::ValidateTargets(const std::vector<std::string>& targets, const YAML::Node& where,
                             std::string_view what) {
  for (const auto& t : targets) {
    RequireService(fmt::format("the {} fault targets", what), t, Pos(Child(where, "targets")));
  }
}

void Loader::ValidateDependencies() {
  // Depth-first search for a cycle; report it once, naming the services on it.
  std::map<std::string, int> state;  // 0 unvisited, 1 on the stack, 2 done
  std::vector<std::string> stack;
  std::function<bool(const Service&)> visit = [&](const Service& s) {
    state[s.name] = 1;
    stack.push_back(s.name);
    for (const auto& dep : s.depends_on) {
      const Service* d = s_.FindService(dep);
      if (!d) continue;
      if (state[dep] == 1) {
        auto from = std::find(stack.begin(), stack.end(), dep);
        std::vector<std::string> cycle(from, stack.end());
        cycle.push_back(dep);
        Error(Child(service_nodes_[s.name], "depends_on"),
              fmt::format("depends_on makes a cycle: {}", Join(cycle, " -> ")));
        return true;
      }
      if (state[dep] == 0 && visit(*d)) return true;
    }
    stack.pop_back();
    state[s.name] = 2;
    return false;
  };
  for (const auto& s : s_.services) {
    if (state[s.name] == 0 && visit(s)) return;
  }
}

void Loader::ValidateReusablePrepared() {
  for (const auto& s : s_.services) {
    if (!s.reusable_prepared) continue;
    YAML::Node where = Child(service_nodes_[s.name], "prepared");
    if (s.prepare.empty()) {
      Error(where, fmt::format("service '{}' says 'prepared: reusable' but has no 'prepare' step",
                               s.name));
    }
    for (const auto& dep : s.depends_on) {
      const Service* d = s_.FindService(dep);
      if (d && !d->reusable_prepared) {
        Error(where, fmt::format("service '{}' has a reusable prepared folder but depends on '{}', "
                                 "whose folder is not reusable: what '{}' prepares from it would "
                                 "not match the '{}' of each history (make it 'prepared: "
                                 "reusable' too)",
                                 s.name, dep, s.name, dep));
      }
    }
    for (const auto& argv : s.prepare) {
      for (const auto& t : argv) {
        for (const char* per_history : {"{history.dir}", "{history.seed}"}) {
          if (t.raw.find(per_history) == std::string::npos) continue;
          Error(t.pos, fmt::format("a reusable prepare step cannot use {}: its folder is made once "
                                   "per run and would hold one history's value",
                                   per_history));
        }
      }
    }
  }
}

void Loader::ValidateText(const Text& t, const std::string& viewpoint) {
  std::vector<PlaceholderError> errors;
  auto pieces = ParsePlaceholders(t.raw, &errors);
  // A quoted scalar's mark points at its opening quote.
  int quote = 0;
  if (t.pos.line > 0) {
    size_t line_start = 0;
    for (int i = 1; i < t.pos.line && line_start != std::string::npos; ++i) {
      line_start = text_.find('\n', line_start);
      if (line_start != std::string::npos) ++line_start;
    }
    size_t at = line_start + static_cast<size_t>(t.pos.column - 1);
    if (line_start != std::string::npos && at < text_.size() &&
        (text_[at] == '"' || text_[at] == '\'')) {
      quote = 1;
    }
  }
  auto where = [&](size_t offset) {
    return SourcePos{t.pos.line, t.pos.column + quote + static_cast<int>(offset)};
  };
  for (const auto& e : errors) Error(where(e.offset), e.message);
  const Service* own = s_.FindService(viewpoint);
  for (const auto& p : pieces) {
    using Kind = Placeholder::Kind;
    if ((p.kind == Kind::kOwnDir || p.kind == Kind::kOwnPort) && !own) {
      Error(where(p.offset), fmt::format("'{{{}}}' means a service's own {}; the workload has none "
                                         "(name the service, as in {{primary.{}}})",
                                         p.kind == Kind::kOwnDir ? "dir" : "port",
                                         p.kind == Kind::kOwnDir ? "folder" : "port",
                                         p.kind == Kind::kOwnDir ? "dir" : "port"));
    } else if (p.kind == Kind::kOwnPort && !own->has_port) {
      Error(where(p.offset),
            fmt::format("'{{port}}' is used, but service '{}' has no 'port'", viewpoint));
    }
    bool names_service = p.kind == Kind::kPort || p.kind == Kind::kRealPort ||
                         p.kind == Kind::kHost || p.kind == Kind::kServiceDir;
    if (!names_service) continue;
    const Service* target = RequireService("placeholder names", p.text, where(p.offset));
    if (!target) continue;
    if ((p.kind == Kind::kPort || p.kind == Kind::kRealPort) && !target->has_port) {
      Error(where(p.offset), fmt::format("service '{}' has no 'port'", p.text));
    }
    if (!p.dialer.empty() && p.dialer != kWorkload && !s_.FindService(p.dialer)) {
      Error(where(p.offset), fmt::format("'@{}' names no service", p.dialer));
    }
  }
}

void Loader::ValidateAllTexts() {
  for (const auto& s : s_.services) {
    for (const auto& argv : s.prepare) {
      for (const auto& t : argv) ValidateText(t, s.name);
    }
    for (const auto& t : s.command) ValidateText(t, s.name);
    if (s.healthcheck) {
      for (const auto& t : s.healthcheck->command) ValidateText(t, s.name);
    }
    for (const auto& [k, t] : s.env) ValidateText(t, s.name);
  }
  for (const auto& [k, t] : s_.workload.env) ValidateText(t, kWorkload);
}

}  // namespace

const Service* Scenario::FindService(std::string_view name) const {
  for (const auto& s : services) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

std::vector<const Service*> Scenario::StartOrder() const {
  std::vector<const Service*> order;
  std::set<std::string> placed;
  // Validation rejected cycles, so every pass places at least one service.
  while (order.size() < services.size()) {
    size_t before = order.size();
    for (const auto& s : services) {
      if (placed.count(s.name)) continue;
      bool ready = std::all_of(s.depends_on.begin(), s.depends_on.end(),
                               [&](const std::string& d) { return placed.count(d) > 0; });
      if (ready) {
        order.push_back(&s);
        placed.insert(s.name);
      }
    }
    if (order.size() == before) break;
  }
  return order;
}

LoadResult ParseScenario(const std::string& text, const std::string& file, const std::string& dir) {
  return Loader(file, text).Load(dir);
}

LoadResult LoadScenario(const std::string& dir) {
  std::string file = dir + "/scenario.yaml";
  auto text = ReadFile(file);
  if (!text) {
    LoadResult r;
    r.errors.push_back(
        Diagnostic{file, 0, 0, fmt::format("cannot read the scenario: {}", text.error())});
    return r;
  }
  auto abs = RealPath(dir);
  return ParseScenario(*text, file, abs ? *abs : dir);
}

}  // namespace faultline::scenario
