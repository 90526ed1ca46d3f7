// LoadScenario: scenario.yaml into a validated Scenario. YamlDocument (libyaml's parser) gives a
// node tree with positions; every function below checks the shape it expects and records a
// Diagnostic (never throws), so one load reports every error in the file.
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <functional>
#include <set>
#include <unordered_set>

#include "base/files.h"
#include "base/signals.h"
#include "base/strings.h"
#include "base/terminal.h"
#include "scenario/placeholders.h"
#include "scenario/scenario.h"
#include "scenario/yaml_doc.h"

namespace faultline::scenario {
namespace {

const std::vector<std::string> kRootKeys = {
    "name",     "description", "setup_complete", "setup_timeout", "duration",
    "services", "links",       "workload",       "faults",        "network"};
const std::vector<std::string> kServiceKeys = {
    "prepare",     "command",          "user",       "port",     "env",       "healthcheck",
    "stop_signal", "stop_grace",       "depends_on", "compose",  "templates", "restart",
    "ports",       "hostname_aliases", "mounts",     "prepared", "volumes"};
const std::vector<std::string> kHealthKeys = {"command", "interval", "timeout"};
const std::vector<std::string> kLinkKeys = {"from", "to"};
const std::vector<std::string> kWorkloadKeys = {
    "env",    "max_parallel_drivers", "command_timeout", "compose",
    "mounts", "hostname_aliases",     "templates"};
constexpr const char* kWorkload = "workload";
constexpr size_t kMaxSectionNodes = 100000;
// A YAML alias may refer to itself (`l: &l [*l]`): a section's depth is bounded too.
constexpr int kMaxSectionDepth = 64;
// compose: sections become JSON for the composer. A YAML alias repeated inside itself (a "billion
// laughs") expands exponentially, so the conversion stops at these bounds.
constexpr size_t kMaxComposeValues = 100000;
constexpr int kMaxComposeDepth = 64;
// How often (in services) a long load looks for a pending SIGINT/SIGTERM.
constexpr size_t kInterruptCheckEvery = 256;

// A value, as the checks below mean it: a scalar that is not null. A null (`key:`, `~`, `null`
// unquoted) is no value (so `name:` is "name must be a single value"), and its text is "".
bool IsValue(YamlNode n) { return n.IsScalar() && !n.IsNull(); }
std::string ValueOf(YamlNode n) { return IsValue(n) ? std::string(n.Scalar()) : std::string(); }

// What a user likely meant as a host name: lower case, '-' for what a host name cannot hold.
std::string Suggestion(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
    out += ok ? c : '-';
  }
  while (!out.empty() && out.front() == '-') out.erase(0, 1);
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out.empty() ? "unit0" : out;
}

class Loader {
 public:
  Loader(std::string file, std::string text) : file_(std::move(file)), text_(std::move(text)) {}

  LoadResult Load(const std::string& dir);

 private:
  void Error(SourcePos pos, std::string message) {
    errors_.push_back(Diagnostic{file_, pos.line, pos.column, std::move(message)});
  }
  void Error(YamlNode n, std::string message) { Error(n.Pos(), std::move(message)); }
  // The child at `key` of a mapping, or the mapping itself when there is none (for positions).
  static YamlNode Child(YamlNode map, const char* key) {
    YamlNode child = map.Find(key);
    return child.IsDefined() ? child : map;
  }

  // Calls `each(key, value)` for every entry of a mapping after checking keys against `known`.
  bool ForEachKey(YamlNode map, std::string_view where, const std::vector<std::string>& known,
                  const std::function<void(const std::string&, YamlNode)>& each);
  std::optional<std::string> Scalar(YamlNode n, std::string_view what);
  std::optional<Text> TextOf(YamlNode n, std::string_view what);
  std::optional<Argv> ArgvOf(YamlNode n, std::string_view what);
  std::vector<std::string> NameList(YamlNode n, std::string_view what);
  std::optional<Millis> DurationOf(YamlNode n, std::string_view what);
  std::optional<DurationRange> RangeOf(YamlNode n, std::string_view what);
  std::optional<int> IntOf(YamlNode n, std::string_view what, int lo, int hi);
  Env EnvOf(YamlNode n, std::string_view what);
  Json JsonOf(YamlNode n);
  Json BoundedJson(YamlNode n, int depth, size_t& values);
  SourcePos PosOfOffset(size_t offset) const;
  bool CheckText();
  void CheckSingleDocument();
  void ValidateName(YamlNode n);
  void ValidateFixedPorts();
  // The service `name`, through an index built when parsing is done (linear search over 50,000
  // services per reference made loading quadratic).
  const Service* Find(std::string_view name) const;
  // The node a service of s_.services was read from.
  YamlNode ServiceNode(const Service& s) const { return service_nodes_[&s - s_.services.data()]; }

  void ParseRoot(YamlNode root);
  void ParseService(const std::string& name, YamlNode n);
  void ParseServiceKey(Service& s, const std::string& key, YamlNode v);
  std::optional<HealthCheck> ParseHealthCheck(YamlNode n);
  void ParseLinks(YamlNode n);
  void ParseWorkload(YamlNode n);
  void ParseTemplateNames(YamlNode n);
  // A section whose meaning belongs to another room, kept with its positions. At most
  // `*budget` nodes are copied (YAML aliases can make a small file a huge tree).
  std::optional<ConfigNode> NodeOf(YamlNode n, size_t* budget, int depth = 0);
  std::vector<NamedPort> PortsOf(YamlNode n, const std::string& service);
  std::vector<MountSpec> MountsOf(YamlNode n, std::string_view owner);
  void ParseVolumes(Service& s, YamlNode n);

  void Validate();
  // Finds the service `name`; otherwise reports "<subject> '<name>', which is not a service" with
  // a suggestion, at `pos`, and returns null.
  const Service* RequireService(std::string_view subject, const std::string& name, SourcePos pos);
  // depends_on and links name services that exist; returns the declared link names.
  void ValidateReferences();
  void ValidateDependencies();
  // A reusable prepared folder has a prepare step, depends only on reusable services (a base
  // backup matches only the primary it was taken from), and holds no per-history value.
  void ValidateReusablePrepared();
  void ValidateText(const Text& t, const std::string& viewpoint);
  void ValidateAllTexts();

  std::string file_;
  std::string text_;
  Scenario s_;
  std::vector<Diagnostic> errors_;
  std::vector<YamlNode> service_nodes_;  // of s_.services[i], for positions
  std::map<std::string, const Service*, std::less<>> by_name_;
  std::vector<size_t> line_starts_;  // offset of each line of text_, for positions
  bool interrupted_ = false;
};

bool Loader::ForEachKey(YamlNode map, std::string_view where, const std::vector<std::string>& known,
                        const std::function<void(const std::string&, YamlNode)>& each) {
  if (!map.IsMap()) {
    Error(map, fmt::format("{} must be a mapping of keys to values", where));
    return false;
  }
  // Views into the document, which outlives the loop: no copy of each of 50,000 service names.
  std::unordered_set<std::string_view> seen;
  seen.reserve(map.size());
  for (const auto& kv : map.entries()) {
    std::string_view key_text = IsValue(kv.first) ? kv.first.Scalar() : std::string_view();
    if (!seen.insert(key_text).second) {
      Error(kv.first, fmt::format("duplicate key '{}' in {}", key_text, where));
      continue;
    }
    std::string key(key_text);
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

std::optional<std::string> Loader::Scalar(YamlNode n, std::string_view what) {
  if (!IsValue(n)) {
    Error(n, fmt::format("{} must be a single value", what));
    return std::nullopt;
  }
  return std::string(n.Scalar());
}

std::optional<Text> Loader::TextOf(YamlNode n, std::string_view what) {
  auto s = Scalar(n, what);
  if (!s) return std::nullopt;
  return Text{*s, n.Pos()};
}

std::optional<Argv> Loader::ArgvOf(YamlNode n, std::string_view what) {
  if (!n.IsSequence() || n.size() == 0) {
    Error(n, fmt::format("{} must be a non-empty list of arguments, like [program, arg] (commands "
                         "never pass through a shell; write [sh, -c, \"...\"] for one)",
                         what));
    return std::nullopt;
  }
  Argv argv;
  for (YamlNode item : n.items()) {
    auto t = TextOf(item, fmt::format("each argument of {}", what));
    if (!t) return std::nullopt;
    argv.push_back(std::move(*t));
  }
  return argv;
}

std::vector<std::string> Loader::NameList(YamlNode n, std::string_view what) {
  std::vector<std::string> out;
  if (IsValue(n)) {
    out.push_back(std::string(n.Scalar()));
    return out;
  }
  if (!n.IsSequence()) {
    Error(n, fmt::format("{} must be a list of names", what));
    return out;
  }
  for (YamlNode item : n.items()) {
    if (auto s = Scalar(item, fmt::format("each entry of {}", what))) out.push_back(*s);
  }
  return out;
}

std::optional<Millis> Loader::DurationOf(YamlNode n, std::string_view what) {
  auto s = Scalar(n, what);
  if (!s) return std::nullopt;
  auto d = ParseDuration(*s);
  if (!d) {
    Error(n, fmt::format("{}: {}", what, d.error()));
    return std::nullopt;
  }
  return *d;
}

std::optional<DurationRange> Loader::RangeOf(YamlNode n, std::string_view what) {
  auto s = Scalar(n, what);
  if (!s) return std::nullopt;
  auto r = ParseDurationRange(*s);
  if (!r) {
    Error(n, fmt::format("{}: {} (a range is written 2s..10s)", what, r.error()));
    return std::nullopt;
  }
  return *r;
}

std::optional<int> Loader::IntOf(YamlNode n, std::string_view what, int lo, int hi) {
  auto s = Scalar(n, what);
  if (!s) return std::nullopt;
  auto v = ParseInt(*s);
  if (!v || *v < lo || *v > hi) {
    Error(n, fmt::format("{} must be a whole number from {} to {}, not '{}'", what, lo, hi, *s));
    return std::nullopt;
  }
  return static_cast<int>(*v);
}

Env Loader::EnvOf(YamlNode n, std::string_view what) {
  Env env;
  ForEachKey(n, what, {}, [&](const std::string& key, YamlNode v) {
    if (key.empty() || key.find('=') != std::string::npos) {
      Error(n, fmt::format("'{}' is not a valid environment variable name", key));
      return;
    }
    if (auto t = TextOf(v, fmt::format("the value of {}", key))) env.emplace_back(key, *t);
  });
  return env;
}

Json Loader::JsonOf(YamlNode n) {
  size_t values = 0;
  Json j = BoundedJson(n, 0, values);
  if (values > kMaxComposeValues) {
    Error(n, fmt::format("compose holds more than {} values or nests deeper than {} levels (a YAML "
                         "alias that repeats itself?)",
                         kMaxComposeValues, kMaxComposeDepth));
    return nullptr;
  }
  return j;
}

// JsonOf's work: stops (leaving `values` past the bound) once the bounds are reached.
Json Loader::BoundedJson(YamlNode n, int depth, size_t& values) {
  if (++values > kMaxComposeValues || depth > kMaxComposeDepth) {
    values = kMaxComposeValues + 1;
    return nullptr;
  }
  if (n.IsMap()) {
    Json j = Json::object();
    for (const auto& kv : n.entries()) {
      j[ValueOf(kv.first)] = BoundedJson(kv.second, depth + 1, values);
      if (values > kMaxComposeValues) return nullptr;
    }
    return j;
  }
  if (n.IsSequence()) {
    Json j = Json::array();
    for (YamlNode item : n.items()) {
      j.push_back(BoundedJson(item, depth + 1, values));
      if (values > kMaxComposeValues) return nullptr;
    }
    return j;
  }
  if (IsValue(n)) return ValueOf(n);
  return nullptr;
}

SourcePos Loader::PosOfOffset(size_t offset) const {
  auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
  size_t line = static_cast<size_t>(it - line_starts_.begin());  // 1-based: it is past the line
  size_t start = line > 0 ? line_starts_[line - 1] : 0;
  return {static_cast<int>(line), static_cast<int>(offset - start + 1)};
}

// The file as a whole: YAML is UTF-8 here, and every value ends up in JSON (the timeline, the
// report), which must be UTF-8; a bad byte is named where it is rather than crashing later.
bool Loader::CheckText() {
  line_starts_.push_back(0);
  for (size_t i = 0; i < text_.size(); ++i) {
    if (text_[i] == '\n') line_starts_.push_back(i + 1);
  }
  if (size_t at = InvalidUtf8At(text_); at != std::string::npos) {
    Error(PosOfOffset(at), fmt::format("byte 0x{:02x} is not valid UTF-8 (save scenario.yaml as "
                                       "UTF-8)",
                                       static_cast<unsigned char>(text_[at])));
    return false;
  }
  if (size_t nul = text_.find('\0'); nul != std::string::npos) {
    Error(PosOfOffset(nul), "scenario.yaml holds a NUL byte");
    return false;
  }
  return true;
}

// A second document starts with "---" at the start of a line once the first has content; its
// keys would be ignored without a word.
void Loader::CheckSingleDocument() {
  bool content = false;
  for (size_t i = 0; i < line_starts_.size(); ++i) {
    size_t end = i + 1 < line_starts_.size() ? line_starts_[i + 1] - 1 : text_.size();
    std::string_view line(text_.data() + line_starts_[i], end - line_starts_[i]);
    bool marker = line.starts_with("---") &&
                  (line.size() == 3 || line[3] == ' ' || line[3] == '\t' || line[3] == '\r');
    if (marker && content) {
      Error(SourcePos{static_cast<int>(i + 1), 1},
            "scenario.yaml holds a second YAML document; faultline reads one (remove this '---' "
            "and what follows, or merge it into the first)");
      return;
    }
    std::string_view trimmed = Trim(line);
    if (!marker && !trimmed.empty() && trimmed[0] != '#' && trimmed[0] != '%') content = true;
  }
}

// The name goes into run folder names and the terminal: letters, digits, '.', '_', '-'.
void Loader::ValidateName(YamlNode n) {
  const std::string& name = s_.name;
  bool ok = !name.empty() && name.size() <= 64 && name[0] != '.' && name[0] != '-' &&
            name.find_first_not_of(
                "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                "0123456789._-") == std::string::npos;
  if (!ok) {
    Error(n, fmt::format("name '{}' must be 1 to 64 letters, digits, '.', '_' or '-', not starting "
                         "with '.' or '-' (it names the run's folders)",
                         ForTerminal(name)));
  }
}

const Service* Loader::Find(std::string_view name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : it->second;
}

// With the loopback network every history shares the machine's ports: a fixed port may belong to
// one service only. (In an isolated network each history has its own, and this check does not
// apply; the number of histories at once is checked by CheckFixedPortsForJobs.)
void Loader::ValidateFixedPorts() {
  if (s_.network == NetworkMode::kIsolated) return;
  std::map<int, std::string> owner;
  auto claim = [&](int port, const std::string& what, SourcePos at) {
    if (port == 0) return;
    auto [it, fresh] = owner.emplace(port, what);
    if (!fresh) {
      Error(at, fmt::format("port {} is also the fixed port of {} (each needs its own in loopback "
                            "mode; 'port: auto' picks a free one, network: isolated gives each "
                            "service its own address)",
                            port, it->second));
    }
  };
  for (const auto& s : s_.services) {
    YamlNode node = ServiceNode(s);
    claim(s.fixed_port, fmt::format("service '{}'", s.name), Child(node, "port").Pos());
    for (const auto& p : s.ports) {
      claim(p.fixed, fmt::format("port '{}' of service '{}'", p.name, s.name), p.pos);
    }
  }
}

LoadResult Loader::Load(const std::string& dir) {
  LoadResult result;
  if (!CheckText()) {
    result.errors = std::move(errors_);
    result.source = std::move(text_);
    return result;
  }
  YamlParseOptions options;
  options.interrupted = TerminationPending;
  // The document outlives every node the loader keeps (service_nodes_) until the end of Load.
  YamlDocument doc = YamlDocument::Parse(text_, options);
  if (const auto& e = doc.error()) {
    Error(e->pos, e->Message());
    result.errors = std::move(errors_);
    result.source = std::move(text_);
    return result;
  }
  interrupted_ = doc.interrupted();
  if (!interrupted_) CheckSingleDocument();
  s_.dir = dir;
  s_.file = file_;
  YamlNode root = doc.root();
  if (!interrupted_ && !root.IsMap()) {
    Error(root, "scenario.yaml must be a mapping with at least 'name' and 'services'");
  } else if (!interrupted_) {
    ParseRoot(root);
    Validate();
  }
  result.interrupted = interrupted_;
  result.partial = s_;
  if (errors_.empty() && !interrupted_) result.scenario = std::move(s_);
  std::stable_sort(errors_.begin(), errors_.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return std::tie(a.line, a.column) < std::tie(b.line, b.column);
  });
  result.errors = std::move(errors_);
  result.source = std::move(text_);
  return result;
}

void Loader::ParseRoot(YamlNode root) {
  bool has_services = false;
  ForEachKey(root, "the scenario", kRootKeys, [&](const std::string& key, YamlNode v) {
    if (key == "name") {
      if (auto s = Scalar(v, "name")) {
        s_.name = *s;
        ValidateName(v);
      }
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
      if (auto d = DurationOf(v, "setup_timeout")) {
        if (*d <= Millis(0)) Error(v, "setup_timeout must be longer than 0s");
        s_.setup_timeout = *d;
      }
    } else if (key == "duration") {
      if (auto r = RangeOf(v, "duration")) s_.duration = *r;
    } else if (key == "services") {
      has_services = true;
      size_t count = 0;
      ForEachKey(v, "services", {}, [&](const std::string& name, YamlNode sv) {
        if (interrupted_) return;
        if (++count % kInterruptCheckEvery == 0 && TerminationPending()) {
          interrupted_ = true;
          return;
        }
        ParseService(name, sv);
      });
    } else if (key == "links") {
      ParseLinks(v);
    } else if (key == "workload") {
      ParseWorkload(v);
    } else if (key == "faults") {
      size_t budget = kMaxSectionNodes;
      if (!v.IsMap()) {
        Error(v, "faults must be a mapping of fault kinds, like {kill: {targets: [db]}}");
      } else if (auto node = NodeOf(v, &budget)) {
        s_.faults.node = std::move(*node);
      }
    } else if (key == "network") {
      s_.network_pos = v.Pos();
      auto m = Scalar(v, "network");
      if (m == "loopback") {
        s_.network = NetworkMode::kLoopback;
      } else if (m == "isolated") {
        s_.network = NetworkMode::kIsolated;
      } else if (m) {
        Error(v, fmt::format("network must be 'loopback' or 'isolated', not '{}'", *m));
      }
    }
  });
  if (s_.name.empty()) Error(SourcePos{1, 1}, "the scenario has no 'name'");
  if (!has_services) Error(SourcePos{1, 1}, "the scenario has no 'services'");
}

void Loader::ParseService(const std::string& name, YamlNode n) {
  Service s;
  s.name = name;
  s.pos = n.Pos();
  if (name.empty() || name == kWorkload || name == "history" || name == "scenario" ||
      name.find_first_of(".@{} /") != std::string::npos) {
    Error(n, fmt::format("'{}' cannot name a service (reserved, or holds one of . @ {{ }} / space)",
                         name));
  }
  service_nodes_.push_back(n);
  bool has_command = false;
  ForEachKey(n, fmt::format("service '{}'", name), kServiceKeys,
             [&](const std::string& key, YamlNode v) {
               has_command |= key == "command";
               ParseServiceKey(s, key, v);
             });
  if (!has_command && n.IsMap()) Error(n, fmt::format("service '{}' has no 'command'", name));
  s_.services.push_back(std::move(s));
}

void Loader::ParseServiceKey(Service& s, const std::string& key, YamlNode v) {
  if (key == "command") {
    if (auto a = ArgvOf(v, "command")) s.command = std::move(*a);
  } else if (key == "prepare") {
    // One argv ([initdb, -D, ...]) or a list of them ([[initdb, ...], [cp, ...]]).
    if (v.IsSequence() && v.size() > 0 && v[0].IsSequence()) {
      for (YamlNode item : v.items()) {
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
    if (IsValue(v) && v.Scalar() == "auto") return;
    if (auto p = IntOf(v, "port (or 'auto')", 1, 65535)) s.fixed_port = *p;
  } else if (key == "env") {
    s.env = EnvOf(v, "env");
  } else if (key == "healthcheck") {
    s.healthcheck = ParseHealthCheck(v);
  } else if (key == "stop_signal") {
    auto name = Scalar(v, "stop_signal");
    if (!name) return;
    if (auto sig = ParseSignal(*name); sig && !EndsAProcess(*sig)) {
      Error(v, fmt::format("stop_signal {} does not end a process (use SIGTERM, SIGINT, SIGQUIT or "
                           "another that does)",
                           SignalName(*sig)));
    } else if (sig) {
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
  } else if (key == "ports") {
    s.ports = PortsOf(v, s.name);
  } else if (key == "hostname_aliases") {
    s.hostname_aliases = NameList(v, "hostname_aliases");
  } else if (key == "mounts") {
    s.mounts = MountsOf(v, fmt::format("service '{}'", s.name));
  } else if (key == "volumes") {
    ParseVolumes(s, v);
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

std::optional<HealthCheck> Loader::ParseHealthCheck(YamlNode n) {
  HealthCheck h;
  ForEachKey(n, "healthcheck", kHealthKeys, [&](const std::string& key, YamlNode v) {
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

void Loader::ParseLinks(YamlNode n) {
  if (!n.IsSequence()) {
    Error(n, "links must be a list like [{from: replica, to: primary}]");
    return;
  }
  for (YamlNode item : n.items()) {
    Link link;
    link.pos = item.Pos();
    ForEachKey(item, "a link", kLinkKeys, [&](const std::string& key, YamlNode v) {
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

void Loader::ParseWorkload(YamlNode n) {
  ForEachKey(n, "workload", kWorkloadKeys, [&](const std::string& key, YamlNode v) {
    if (key == "env") {
      s_.workload.env = EnvOf(v, "workload env");
    } else if (key == "max_parallel_drivers") {
      if (auto i = IntOf(v, "max_parallel_drivers", 1, 256)) s_.workload.max_parallel_drivers = *i;
    } else if (key == "command_timeout") {
      if (auto d = DurationOf(v, "command_timeout")) {
        if (*d <= Millis(0)) Error(v, "command_timeout must be longer than 0s");
        s_.workload.command_timeout = *d;
      }
    } else if (key == "compose") {
      s_.workload.compose = JsonOf(v);
    } else if (key == "mounts") {
      s_.workload.mounts = MountsOf(v, "the workload");
    } else if (key == "hostname_aliases") {
      s_.workload.hostname_aliases = NameList(v, "hostname_aliases");
    } else if (key == "templates") {
      ParseTemplateNames(v);
    }
  });
}

// The names are checked against the templates folder by template discovery, which knows it.
void Loader::ParseTemplateNames(YamlNode n) {
  if (!n.IsSequence() || n.size() == 0) {
    Error(n, "workload.templates must be a non-empty list of template names (omit it for all)");
    return;
  }
  for (YamlNode item : n.items()) {
    auto t = TextOf(item, "each entry of workload.templates");
    if (!t) continue;
    if (t->raw.empty() || t->raw.find('/') != std::string::npos) {
      Error(item,
            fmt::format("'{}' is not a template name (a folder name under test/v1/)", t->raw));
      continue;
    }
    s_.workload.templates.push_back(std::move(*t));
  }
}

std::vector<NamedPort> Loader::PortsOf(YamlNode n, const std::string& service) {
  std::vector<NamedPort> ports;
  std::map<int, std::string> fixed;
  ForEachKey(
      n, fmt::format("the ports of service '{}'", service), {},
      [&](const std::string& name, YamlNode v) {
        if (name.empty() || name.find_first_of(".@{} ") != std::string::npos) {
          Error(v, fmt::format("'{}' cannot name a port (holds one of . @ {{ }} space)", name));
          return;
        }
        NamedPort p{name, 0, v.Pos()};
        if (!(IsValue(v) && v.Scalar() == "auto")) {
          auto number = IntOf(v, fmt::format("port '{}' (a number or 'auto')", name), 1, 65535);
          if (!number) return;
          p.fixed = *number;
          if (auto [it, fresh] = fixed.emplace(*number, name); !fresh) {
            Error(v, fmt::format("ports '{}' and '{}' of service '{}' are both {}", it->second,
                                 name, service, *number));
          }
        }
        ports.push_back(std::move(p));
      });
  return ports;
}

void Loader::ParseVolumes(Service& s, YamlNode n) {
  ForEachKey(n, fmt::format("the volumes of service '{}'", s.name), {},
             [&](const std::string& name, YamlNode v) {
               auto path = Scalar(v, fmt::format("the path of volume {}", name));
               if (!path) return;
               bool named = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
                 return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
                        c == '.';
               });
               if (!named || !std::isalnum(static_cast<unsigned char>(name[0]))) {
                 Error(v, fmt::format("volume name '{}' must be lowercase letters, digits, '-', "
                                      "'_' and '.', beginning with a letter or digit",
                                      name));
                 return;
               }
               if (path->empty() || (*path)[0] != '/' || *path == "/" ||
                   path->find("/../") != std::string::npos || path->ends_with("/..")) {
                 Error(v, fmt::format("volume {} path '{}' must be an absolute path below /", name,
                                      *path));
                 return;
               }
               s.volumes.emplace_back(name, *path);
             });
}

std::vector<MountSpec> Loader::MountsOf(YamlNode n, std::string_view owner) {
  std::vector<MountSpec> mounts;
  ForEachKey(
      n, fmt::format("the mounts of {}", owner), {}, [&](const std::string& target, YamlNode v) {
        auto text = Scalar(v, fmt::format("the source of mount {}", target));
        if (!text) return;
        MountSpec m{target, *text, true, v.Pos()};
        if (m.source.ends_with(":rw")) {
          m.read_only = false;
          m.source.resize(m.source.size() - 3);
        } else if (m.source.ends_with(":ro")) {
          m.source.resize(m.source.size() - 3);
        }
        if (target.empty() || target[0] != '/' || target == "/" ||
            target.find("/../") != std::string::npos || target.ends_with("/..")) {
          Error(v, fmt::format("mount target '{}' must be an absolute path below /", target));
          return;
        }
        while (m.target.size() > 1 && m.target.back() == '/') m.target.pop_back();
        if (!m.source.starts_with('/')) m.source = s_.dir + "/" + m.source;
        if (!PathExists(m.source)) {
          Error(v, fmt::format("mount source '{}' does not exist (sources are relative to "
                               "the scenario folder {})",
                               *text, s_.dir));
          return;
        }
        mounts.push_back(std::move(m));
      });
  return mounts;
}

std::optional<ConfigNode> Loader::NodeOf(YamlNode n, size_t* budget, int depth) {
  if (*budget == 0) {
    Error(n, fmt::format("this section holds more than {} values (are YAML aliases repeating it?)",
                         kMaxSectionNodes));
    return std::nullopt;
  }
  if (depth > kMaxSectionDepth) {
    Error(n, fmt::format("this section nests deeper than {} levels (does a YAML alias refer to "
                         "itself?)",
                         kMaxSectionDepth));
    return std::nullopt;
  }
  --*budget;
  ConfigNode out;
  out.pos = n.Pos();
  if (IsValue(n)) {
    out.kind = ConfigNode::Kind::kScalar;
    out.scalar = n.Scalar();
  } else if (n.IsSequence()) {
    out.kind = ConfigNode::Kind::kSequence;
    for (YamlNode item : n.items()) {
      auto child = NodeOf(item, budget, depth + 1);
      if (!child) return std::nullopt;
      out.items.push_back(std::move(*child));
    }
  } else if (n.IsMap()) {
    out.kind = ConfigNode::Kind::kMap;
    for (const auto& kv : n.entries()) {
      if (!IsValue(kv.first)) {
        Error(kv.first, "a key must be a single value");
        continue;
      }
      auto child = NodeOf(kv.second, budget, depth + 1);
      if (!child) return std::nullopt;
      child->key_pos = kv.first.Pos();
      out.entries.push_back({std::string(kv.first.Scalar()), std::move(*child)});
    }
  }
  return out;
}

const Service* Loader::RequireService(std::string_view subject, const std::string& name,
                                      SourcePos pos) {
  if (const Service* found = Find(name)) return found;
  std::vector<std::string> names;
  for (const auto& s : s_.services) names.push_back(s.name);
  std::string message = fmt::format("{} '{}', which is not a service", subject, name);
  if (auto sug = Suggest(name, names)) message += fmt::format(" (did you mean '{}'?)", *sug);
  Error(pos, message);
  return nullptr;
}

void Loader::ValidateReferences() {
  for (const auto& s : s_.services) {
    for (const auto& dep : s.depends_on) {
      RequireService("depends_on names", dep, Child(ServiceNode(s), "depends_on").Pos());
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
}

void Loader::Validate() {
  if (interrupted_) return;
  for (const auto& s : s_.services) by_name_.emplace(s.name, &s);
  ValidateFixedPorts();
  ValidateReferences();
  ValidateDependencies();
  ValidateReusablePrepared();
  ValidateAllTexts();
  if (s_.network == NetworkMode::kIsolated) {
    for (auto& d : CheckIsolated(s_)) errors_.push_back(std::move(d));
  } else {
    for (const auto& svc : s_.services) {
      if (!svc.volumes.empty()) {
        Error(svc.pos, fmt::format("service '{}' has volumes, which need 'network: isolated' (a "
                                   "unit of its own to mount them in)",
                                   svc.name));
      }
    }
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
      const Service* d = Find(dep);
      if (!d) continue;
      if (state[dep] == 1) {
        auto from = std::find(stack.begin(), stack.end(), dep);
        std::vector<std::string> cycle(from, stack.end());
        cycle.push_back(dep);
        Error(Child(ServiceNode(s), "depends_on"),
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
    YamlNode where = Child(ServiceNode(s), "prepared");
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
  if (t.pos.line > 0 && static_cast<size_t>(t.pos.line) <= line_starts_.size()) {
    size_t at = line_starts_[t.pos.line - 1] + static_cast<size_t>(t.pos.column - 1);
    if (at < text_.size() && (text_[at] == '"' || text_[at] == '\'')) quote = 1;
  }
  auto where = [&](size_t offset) {
    return SourcePos{t.pos.line, t.pos.column + quote + static_cast<int>(offset)};
  };
  for (const auto& e : errors) Error(where(e.offset), e.message);
  const Service* own = Find(viewpoint);
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
                         p.kind == Kind::kHost || p.kind == Kind::kServiceDir ||
                         p.kind == Kind::kNamedPort;
    if (!names_service) continue;
    const Service* target = RequireService("placeholder names", p.text, where(p.offset));
    if (!target) continue;
    if (p.kind == Kind::kNamedPort && !target->FindPort(p.port)) {
      std::vector<std::string> names;
      for (const auto& np : target->ports) names.push_back(np.name);
      std::string message = fmt::format("service '{}' has no port named '{}'", p.text, p.port);
      if (auto sug = Suggest(p.port, names)) message += fmt::format(" (did you mean '{}'?)", *sug);
      Error(where(p.offset), message);
      continue;
    }
    if ((p.kind == Kind::kPort || p.kind == Kind::kRealPort) && !target->has_port) {
      Error(where(p.offset), fmt::format("service '{}' has no 'port'", p.text));
    }
    if (!p.dialer.empty() && p.dialer != kWorkload && !Find(p.dialer)) {
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

const NamedPort* Service::FindPort(std::string_view port) const {
  for (const auto& p : ports) {
    if (p.name == port) return &p;
  }
  return nullptr;
}

bool IsHostName(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  for (const auto& label : Split(std::string(name), '.')) {
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
      return false;
    }
    for (char c : label) {
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
    }
  }
  return true;
}

std::vector<Diagnostic> CheckIsolated(const Scenario& s) {
  std::vector<Diagnostic> out;
  std::map<std::string, std::string> names;  // host name -> its unit
  auto claim = [&](const std::string& name, const std::string& unit, SourcePos pos,
                   std::string_view what) {
    if (!IsHostName(name)) {
      out.push_back(
          {s.file, pos.line, pos.column,
           fmt::format("{} '{}' is not a valid host name, which isolated mode needs (lower"
                       "case letters, digits and '-', as in '{}')",
                       what, name, Suggestion(name))});
      return;
    }
    if (auto [it, fresh] = names.emplace(name, unit); !fresh && it->second != unit) {
      out.push_back(
          {s.file, pos.line, pos.column,
           fmt::format("the host name '{}' names both '{}' and '{}'", name, it->second, unit)});
    }
  };
  claim(kWorkload, kWorkload, {}, "the workload");
  for (const auto& svc : s.services) {
    claim(svc.name, svc.name, svc.pos, "the service name");
    for (const auto& a : svc.hostname_aliases) claim(a, svc.name, svc.pos, "the alias");
  }
  for (const auto& a : s.workload.hostname_aliases) claim(a, kWorkload, {}, "the alias");
  if (s.services.size() + 1 > 250) {
    out.push_back({s.file, s.network_pos.line, s.network_pos.column,
                   "isolated mode gives each unit an address of 198.18.N.2 and holds at most 250 "
                   "units"});
  }
  return out;
}

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

std::optional<Diagnostic> CheckFixedPortsForJobs(const Scenario& scenario, int jobs) {
  // In isolated mode every history has a network of its own.
  if (jobs <= 1 || scenario.network == NetworkMode::kIsolated) return std::nullopt;
  for (const auto& s : scenario.services) {
    if (s.fixed_port == 0) continue;
    return Diagnostic{scenario.file, s.pos.line, s.pos.column,
                      fmt::format("service '{}' has the fixed port {}, which {} histories at once "
                                  "(--jobs {}) cannot share: use 'port: auto', or --jobs 1",
                                  s.name, s.fixed_port, jobs, jobs)};
  }
  return std::nullopt;
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
