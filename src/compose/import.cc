#include "compose/import.h"

#include <fmt/format.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "base/duration.h"
#include "base/json.h"
#include "base/strings.h"
#include "compose/render.h"
#include "scenario/scenario.h"

namespace faultline::compose {
namespace {

namespace fs = std::filesystem;
using Argv = std::vector<std::string>;

// Keys with no meaning here: the platform's container settings, or what the keys below carry.
const std::set<std::string> kPlatformOnlyKeys = {"platform",       "init",     "image", "build",
                                                 "container_name", "hostname", "labels"};
// Files whose contents show that a service signals setup complete through the SDK.
constexpr std::string_view kSetupMarkers[] = {"antithesis_setup", "setup_complete",
                                              "setup-complete"};

// Finds YAML anchors and aliases, which yaml-cpp resolves silently: a compose file with them
// means something only after expansion that the user did not write out, so import refuses it.
class AnchorFinder : public YAML::EventHandler {
 public:
  std::vector<YAML::Mark> found;
  std::vector<YAML::Mark> documents;
  void OnDocumentStart(const YAML::Mark& m) override { documents.push_back(m); }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& m, YAML::anchor_t a) override { Note(m, a); }
  void OnAlias(const YAML::Mark& m, YAML::anchor_t) override { found.push_back(m); }
  void OnScalar(const YAML::Mark& m, const std::string&, YAML::anchor_t a,
                const std::string&) override {
    Note(m, a);
  }
  void OnSequenceStart(const YAML::Mark& m, const std::string&, YAML::anchor_t a,
                       YAML::EmitterStyle::value) override {
    Note(m, a);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& m, const std::string&, YAML::anchor_t a,
                  YAML::EmitterStyle::value) override {
    Note(m, a);
  }
  void OnMapEnd() override {}

 private:
  void Note(const YAML::Mark& m, YAML::anchor_t a) {
    if (a != YAML::NullAnchor) found.push_back(m);
  }
};

// A service as the scenario will say it.
struct OutService {
  std::string name;
  Argv command;
  std::vector<std::pair<std::string, std::string>> env;
  std::vector<std::string> depends_on;
  std::optional<Argv> health;
  std::string interval, timeout;
  std::vector<int> ports;
  std::vector<std::string> aliases;
  std::vector<std::pair<std::string, std::string>> mounts;  // target, source (relative to out)
  std::string user, stop_signal, stop_grace, restart, image;
  // What the compose file itself says to run, for `render-compose` to give back when the local
  // command differs from it (an image's entrypoint mapped to a local program, a Dockerfile's
  // ENTRYPOINT): kept as compose.entrypoint and compose.command.
  std::optional<Argv> compose_entrypoint;
  Argv compose_command;
  std::vector<std::pair<std::string, std::string>> volumes;  // named: name, target
  size_t copied_mounts = 0;  // of `mounts`, those from the Dockerfile's COPY lines
};

// Scenario strings hold placeholders: a literal brace is written doubled.
std::string EscapeBraces(std::string_view s) {
  std::string out;
  for (char c : s) {
    out += c;
    if (c == '{' || c == '}') out += c;
  }
  return out;
}

class Importer {
 public:
  explicit Importer(const ImportInput& in) : in_(in) {}
  ImportResult Run();

 private:
  void Error(const YAML::Node& n, std::string message) {
    YAML::Mark m = n.IsDefined() ? n.Mark() : YAML::Mark::null_mark();
    Error(m, std::move(message));
  }
  void Error(const YAML::Mark& m, std::string message) {
    int line = m.is_null() ? 0 : m.line + 1, col = m.is_null() ? 0 : m.column + 1;
    result_.errors.push_back(Diagnostic{in_.file, line, col, std::move(message)});
  }
  void Todo(const std::string& service, std::string message) {
    result_.todos.push_back(compose::Todo{service, std::move(message)});
  }
  bool Prescan();
  void CheckInterpolation(const YAML::Node& n, const std::string& where);
  std::optional<std::string> String(const YAML::Node& n, const std::string& what);
  std::optional<Argv> Words(const YAML::Node& n, const std::string& what);
  void ImportService(const std::string& name, const YAML::Node& n);
  void ImportKey(OutService& s, const std::string& key, const YAML::Node& v, Argv& entrypoint,
                 std::optional<Argv>& command);
  void ImportEnv(OutService& s, const YAML::Node& v);
  void ImportDependsOn(OutService& s, const YAML::Node& v);
  void ImportHealth(OutService& s, const YAML::Node& v);
  void ImportPorts(OutService& s, const YAML::Node& v);
  void ImportVolumes(OutService& s, const YAML::Node& v);
  void ImportNetworks(OutService& s, const YAML::Node& v);
  void ImportBuild(OutService& s, const YAML::Node& v, Argv& entrypoint,
                   std::optional<Argv>& command);
  void ImportCopy(OutService& s, const std::string& context, const Argv& args);
  void Resolve(OutService& s, const Argv& entrypoint, const std::optional<Argv>& command);
  std::string Relative(const std::string& path_in_compose_dir) const;
  void NoteSetupMarker(const std::string& path);
  std::string Emit();
  void EmitService(YAML::Emitter& out, const OutService& s) const;

  const ImportInput& in_;
  ImportResult result_;
  std::vector<OutService> services_;
  std::optional<OutService> workload_;
  std::vector<std::pair<std::string, std::string>> template_mounts_;  // target, source
  bool setup_sdk_ = false;
};

bool Importer::Prescan() {
  try {
    std::istringstream stream(in_.text);
    YAML::Parser parser(stream);
    AnchorFinder finder;
    while (parser.HandleNextDocument(finder)) {
    }
    for (const auto& m : finder.found) {
      Error(m, "YAML anchors and aliases are not imported: write the values out in full");
    }
    if (finder.documents.size() > 1) {
      Error(finder.documents[1], "a second YAML document: docker-compose reads one");
    }
  } catch (const YAML::Exception& e) {
    Error(e.mark, fmt::format("not valid YAML: {}", e.msg));
  }
  return result_.errors.empty();
}

// docker-compose would fill `${VAR}` and `$VAR` from the user's shell; `$$` is a literal '$'.
void Importer::CheckInterpolation(const YAML::Node& n, const std::string& where) {
  if (n.IsScalar()) {
    const std::string& s = n.Scalar();
    for (size_t i = 0; i < s.size(); ++i) {
      if (s[i] != '$') continue;
      if (i + 1 < s.size() && s[i + 1] == '$') {
        ++i;
        continue;
      }
      Error(n, fmt::format("{}: '{}' is interpolated from the user's shell by docker-compose; "
                           "write the value itself (or '$$' for a literal '$')",
                           where, s));
      return;
    }
  } else if (n.IsMap()) {
    for (const auto& kv : n) {
      std::string key = kv.first.Scalar();
      CheckInterpolation(kv.second, where.empty() ? key : where + "." + key);
    }
  } else if (n.IsSequence()) {
    for (const auto& item : n) CheckInterpolation(item, where);
  }
}

std::optional<std::string> Importer::String(const YAML::Node& n, const std::string& what) {
  if (!n.IsScalar()) {
    Error(n, fmt::format("{} must be a string", what));
    return std::nullopt;
  }
  std::string out;
  const std::string& s = n.Scalar();
  for (size_t i = 0; i < s.size(); ++i) {
    out += s[i];
    if (s[i] == '$' && i + 1 < s.size() && s[i + 1] == '$') ++i;
  }
  return out;
}

std::optional<Argv> Importer::Words(const YAML::Node& n, const std::string& what) {
  if (n.IsScalar()) {
    auto s = String(n, what);
    if (!s) return std::nullopt;
    auto words = SplitWords(*s);
    if (!words) Error(n, fmt::format("{}: unterminated quote", what));
    return words;
  }
  if (!n.IsSequence()) {
    Error(n, fmt::format("{} must be a string or a list of strings", what));
    return std::nullopt;
  }
  Argv out;
  for (const auto& item : n) {
    auto s = String(item, "each entry of " + what);
    if (!s) return std::nullopt;
    out.push_back(*s);
  }
  return out;
}

void Importer::ImportEnv(OutService& s, const YAML::Node& v) {
  const std::string what = fmt::format("service '{}' environment", s.name);
  if (v.IsMap()) {
    for (const auto& kv : v) {
      auto value = kv.second.IsNull() ? std::optional<std::string>("") : String(kv.second, what);
      if (value) s.env.emplace_back(kv.first.Scalar(), *value);
    }
  } else if (v.IsSequence()) {
    for (const auto& item : v) {
      auto entry = String(item, what);
      if (!entry) continue;
      size_t eq = entry->find('=');
      if (eq == std::string::npos) {
        Todo(s.name, fmt::format("environment '{}' takes its value from the user's shell; give "
                                 "it in scenario.yaml",
                                 *entry));
        continue;
      }
      s.env.emplace_back(entry->substr(0, eq), entry->substr(eq + 1));
    }
  } else {
    Error(v, what + " must be a map or a list of NAME=VALUE");
  }
}

void Importer::ImportDependsOn(OutService& s, const YAML::Node& v) {
  if (v.IsSequence()) {
    for (const auto& item : v) {
      if (auto dep = String(item, "depends_on")) s.depends_on.push_back(*dep);
    }
    return;
  }
  if (!v.IsMap()) {
    Error(v, fmt::format("service '{}' depends_on must be a list or a map", s.name));
    return;
  }
  for (const auto& kv : v) {
    s.depends_on.push_back(kv.first.Scalar());
    YAML::Node cond = kv.second.IsMap() ? kv.second["condition"] : YAML::Node();
    if (cond.IsDefined() && cond.IsScalar() && cond.Scalar() != "service_healthy") {
      Todo(s.name, fmt::format("depends_on {} has condition {}; faultline starts a service once "
                               "its dependencies are healthy",
                               kv.first.Scalar(), cond.Scalar()));
    }
  }
}

void Importer::ImportHealth(OutService& s, const YAML::Node& v) {
  if (!v.IsMap()) {
    Error(v, fmt::format("service '{}' healthcheck must be a map", s.name));
    return;
  }
  if (v["disable"].IsDefined() && v["disable"].IsScalar() && v["disable"].Scalar() == "true") {
    return;
  }
  YAML::Node test = v["test"];
  if (test.IsDefined()) {
    auto words = test.IsScalar()
                     ? std::optional<Argv>(Argv{"CMD-SHELL", test.Scalar()})
                     : Words(test, fmt::format("service '{}' healthcheck.test", s.name));
    if (words && !words->empty()) {
      std::string form = words->front();
      Argv rest(words->begin() + 1, words->end());
      if (form == "CMD") {
        s.health = rest;
      } else if (form == "CMD-SHELL") {
        s.health = Argv{"sh", "-c", Join(rest, " ")};
      } else if (form != "NONE") {
        Error(test, fmt::format("service '{}' healthcheck.test must start with CMD, CMD-SHELL or "
                                "NONE, not '{}'",
                                s.name, form));
      }
    }
  }
  for (const char* key : {"interval", "timeout"}) {
    YAML::Node d = v[key];
    if (!d.IsDefined()) continue;
    auto text = String(d, fmt::format("healthcheck.{}", key));
    if (!text) continue;
    if (!ParseDuration(*text).ok()) {
      Todo(s.name, fmt::format("healthcheck.{} '{}' is not a duration faultline reads (250ms, 2s, "
                               "1m30s); the default is used",
                               key, *text));
      continue;
    }
    (std::string_view(key) == "interval" ? s.interval : s.timeout) = *text;
  }
  // retries and start_period need no counterpart: faultline checks until setup_timeout.
}

void Importer::ImportPorts(OutService& s, const YAML::Node& v) {
  if (!v.IsSequence()) {
    Error(v, fmt::format("service '{}' ports must be a list", s.name));
    return;
  }
  for (const auto& item : v) {
    std::string text;
    if (item.IsMap() && item["target"].IsDefined()) {
      text = item["target"].Scalar();
    } else if (item.IsScalar()) {
      text = item.Scalar();
    } else {
      Error(item, fmt::format("service '{}': a port must be a number, a string or a map with "
                              "target",
                              s.name));
      continue;
    }
    // "host:container/proto" or "ip:host:container": the container's port is what peers dial.
    text = text.substr(0, text.find('/'));
    text = text.substr(text.rfind(':') == std::string::npos ? 0 : text.rfind(':') + 1);
    auto port = ParseInt(text);
    if (!port || *port < 1 || *port > 65535) {
      Todo(s.name, fmt::format("port '{}' is not one port (ranges are not imported)", text));
      continue;
    }
    if (std::find(s.ports.begin(), s.ports.end(), *port) == s.ports.end()) {
      s.ports.push_back(static_cast<int>(*port));
    }
  }
}

void Importer::ImportVolumes(OutService& s, const YAML::Node& v) {
  if (!v.IsSequence()) {
    Error(v, fmt::format("service '{}' volumes must be a list", s.name));
    return;
  }
  for (const auto& item : v) {
    std::string source, target;
    bool rw = true;
    if (item.IsScalar()) {
      auto parts = Split(item.Scalar(), ':');
      if (parts.size() >= 2) source = parts[0], target = parts[1];
      if (parts.size() >= 3) rw = parts[2] != "ro";
    } else if (item.IsMap() && item["type"].IsDefined() && item["type"].Scalar() == "bind") {
      source = item["source"].IsDefined() ? item["source"].Scalar() : "";
      target = item["target"].IsDefined() ? item["target"].Scalar() : "";
      rw = !(item["read_only"].IsDefined() && item["read_only"].Scalar() == "true");
    }
    bool bind = !source.empty() && (source[0] == '.' || source[0] == '/');
    // A named volume: a folder that starts empty, in each history here.
    if (!bind && !source.empty() && item.IsScalar() && !target.empty() && target[0] == '/' &&
        scenario::IsHostName(source)) {
      s.volumes.emplace_back(source, target);
      continue;
    }
    if (!bind || target.empty() || target[0] != '/') {
      Todo(s.name, fmt::format("volume '{}' is not a bind mount of the compose folder; give the "
                               "unit a mount or a folder ({{dir}}) for it",
                               item.IsScalar() ? item.Scalar() : "(map)"));
      continue;
    }
    std::string rel = source[0] == '/' ? source : Relative(source);
    s.mounts.emplace_back(target, rel + (rw ? ":rw" : ""));
  }
}

void Importer::ImportNetworks(OutService& s, const YAML::Node& v) {
  // Every unit reaches every other through the hub: only the names matter.
  if (!v.IsMap()) return;
  for (const auto& kv : v) {
    YAML::Node aliases = kv.second.IsMap() ? kv.second["aliases"] : YAML::Node();
    if (!aliases.IsDefined() || !aliases.IsSequence()) continue;
    for (const auto& a : aliases) {
      if (a.IsScalar()) s.aliases.push_back(a.Scalar());
    }
  }
}

std::string Importer::Relative(const std::string& path_in_compose_dir) const {
  fs::path abs = fs::weakly_canonical(fs::path(in_.compose_dir) / path_in_compose_dir);
  fs::path out = fs::weakly_canonical(fs::path(in_.out_dir));
  std::string rel = abs.lexically_relative(out).string();
  return rel.empty() ? abs.string() : rel;
}

void Importer::NoteSetupMarker(const std::string& path) {
  if (in_.read_file == nullptr) return;
  auto text = in_.read_file(path);
  if (!text) return;
  for (auto marker : kSetupMarkers) {
    if (text->find(marker) != std::string::npos) setup_sdk_ = true;
  }
}

// COPY [--chown=..] SRC... DEST: each source lands at DEST (a folder when it ends in '/' or when
// there are several sources), and is mounted at that same path in the unit.
void Importer::ImportCopy(OutService& s, const std::string& context, const Argv& raw) {
  Argv args;
  for (const auto& a : raw) {
    if (a.starts_with("--from=")) {
      Todo(s.name, "a COPY --from another build stage is not imported: " + Join(raw, " "));
      return;
    }
    if (!a.starts_with("--")) args.push_back(a);
  }
  if (args.size() < 2) return;
  std::string dest = args.back();
  if (dest.empty() || dest[0] != '/') {
    Todo(s.name, fmt::format("COPY to the relative path '{}' is not imported (its WORKDIR is "
                             "unknown here)",
                             dest));
    return;
  }
  bool into_dir = dest.back() == '/' || args.size() > 2;
  for (size_t i = 0; i + 1 < args.size(); ++i) {
    std::string src = args[i];
    bool src_dir = src.back() == '/' || src == ".";
    while (src.size() > 1 && src.back() == '/') src.pop_back();
    std::string abs = (fs::path(in_.compose_dir) / context / src).lexically_normal().string();
    src_dir = src_dir || (in_.is_dir != nullptr && in_.is_dir(abs));
    std::string target = dest;
    if (into_dir && !src_dir) {
      target = (dest.back() == '/' ? dest : dest + "/") + fs::path(src).filename().string();
    }
    while (target.size() > 1 && target.back() == '/') target.pop_back();
    std::string source = Relative((fs::path(context) / src).string());
    if (!src_dir) NoteSetupMarker(abs);
    const std::string v1(kTemplatesDir);
    if (target == v1 || target.starts_with(v1 + "/")) {
      std::string link = "test/v1" + target.substr(v1.size());
      result_.template_links.push_back(
          {link, fs::path(source).lexically_relative(fs::path(link).parent_path()).string()});
      template_mounts_.emplace_back(target, source);
    }
    s.mounts.emplace_back(target, source);
    ++s.copied_mounts;
  }
}

void Importer::ImportBuild(OutService& s, const YAML::Node& v, Argv& entrypoint,
                           std::optional<Argv>& command) {
  std::string context = ".", dockerfile = "Dockerfile";
  if (v.IsScalar()) {
    context = v.Scalar();
  } else if (v.IsMap()) {
    if (v["context"].IsDefined()) context = v["context"].Scalar();
    if (v["dockerfile"].IsDefined()) dockerfile = v["dockerfile"].Scalar();
  }
  std::string path = (fs::path(in_.compose_dir) / context / dockerfile).lexically_normal().string();
  auto text = in_.read_file ? in_.read_file(path) : std::nullopt;
  if (!text) {
    Todo(s.name,
         fmt::format("cannot read its Dockerfile {}: the files it copies are not mounted", path));
    return;
  }
  std::string joined;
  std::istringstream lines(*text);
  for (std::string line; std::getline(lines, line);) {
    std::string_view t = Trim(line);
    if (t.empty() || t[0] == '#') continue;
    if (t.back() == '\\') {
      joined += std::string(t.substr(0, t.size() - 1)) + " ";
      continue;
    }
    joined += std::string(t);
    std::string instr = joined.substr(0, joined.find(' '));
    std::string rest = joined.size() > instr.size() ? joined.substr(instr.size() + 1) : "";
    joined.clear();
    std::transform(instr.begin(), instr.end(), instr.begin(), ::toupper);
    std::optional<Argv> args;
    std::string_view r = Trim(rest);
    if (!r.empty() && r[0] == '[') {
      auto j = ParseJson(r);
      if (j.is_array() && std::all_of(j.begin(), j.end(), [](auto& e) { return e.is_string(); })) {
        args = j.get<Argv>();
      }
    } else {
      args = SplitWords(std::string(r));
    }
    if (!args) continue;
    if (instr == "COPY" || instr == "ADD") ImportCopy(s, context, *args);
    // The exec forms are what docker runs; the shell forms go through /bin/sh -c.
    bool exec_form = !r.empty() && r[0] == '[';
    Argv run = exec_form ? *args : Argv{"/bin/sh", "-c", std::string(r)};
    if (instr == "ENTRYPOINT") entrypoint = run;
    if (instr == "CMD" && !command) command = run;
  }
}

// entrypoint + command, as docker runs them; the image's entrypoint comes from the mapping file.
void Importer::Resolve(OutService& s, const Argv& entrypoint, const std::optional<Argv>& command) {
  Argv program = entrypoint;
  if (program.empty() && !s.image.empty()) {
    const Argv* mapped = in_.images.Find(s.image);
    if (mapped == nullptr) {
      Todo(s.name, fmt::format("image '{}' has no local program in the mapping file (add "
                               "\"{}: [PROGRAM]\" to it, or give the command here)",
                               s.image, s.image.substr(0, s.image.rfind(':'))));
      s.command = {"sh", "-c",
                   fmt::format("echo 'TODO(import): service {} needs a local program for image "
                               "{}' >&2; exit 1",
                               s.name, s.image)};
      return;
    }
    program = *mapped;
  }
  if (command) program.insert(program.end(), command->begin(), command->end());
  if (program.empty()) {
    Todo(s.name, "no entrypoint, no command and no image: give the command here");
    s.command = {"sh", "-c",
                 fmt::format("echo 'TODO(import): service {} has no command' >&2; exit 1", s.name)};
    return;
  }
  s.command = program;
}

void Importer::ImportKey(OutService& s, const std::string& key, const YAML::Node& v,
                         Argv& entrypoint, std::optional<Argv>& command) {
  const std::string what = fmt::format("service '{}' {}", s.name, key);
  if (key == "environment") {
    ImportEnv(s, v);
  } else if (key == "depends_on") {
    ImportDependsOn(s, v);
  } else if (key == "healthcheck") {
    ImportHealth(s, v);
  } else if (key == "ports" || key == "expose") {
    ImportPorts(s, v);
  } else if (key == "volumes") {
    ImportVolumes(s, v);
  } else if (key == "networks") {
    ImportNetworks(s, v);
  } else if (key == "entrypoint") {
    if (auto w = Words(v, what)) entrypoint = s.compose_entrypoint.emplace(*w);
  } else if (key == "command") {
    if (auto w = Words(v, what)) command = s.compose_command = *w;
  } else if (key == "user" || key == "stop_signal" || key == "stop_grace_period") {
    auto text = String(v, what);
    if (!text) return;
    if (key == "user") s.user = *text;
    if (key == "stop_signal") s.stop_signal = *text;
    if (key == "stop_grace_period") s.stop_grace = *text;
  } else if (key == "restart") {
    auto text = String(v, what);
    if (text && *text != "no") s.restart = "on-failure";
  } else if (key == "extends") {
    Error(v, fmt::format("service '{}' uses extends, which is not imported: write the service out "
                         "in full",
                         s.name));
  } else if (!kPlatformOnlyKeys.count(key)) {
    Todo(s.name, fmt::format("key '{}' is not imported", key));
  }
}

void Importer::ImportService(const std::string& name, const YAML::Node& n) {
  OutService s;
  s.name = name;
  if (!n.IsMap()) {
    Error(n, fmt::format("service '{}' must be a map", name));
    return;
  }
  if (!scenario::IsHostName(name)) {
    Error(n, fmt::format("service '{}': isolated mode makes the name a host name, which holds "
                         "lowercase letters, digits and '-' only: rename it",
                         name));
  }
  Argv entrypoint;
  std::optional<Argv> command;
  if (n["image"].IsDefined()) {
    if (auto image = String(n["image"], "image")) s.image = *image;
  }
  if (n["build"].IsDefined()) ImportBuild(s, n["build"], entrypoint, command);
  for (const char* key : {"hostname", "container_name"}) {
    if (n[key].IsDefined() && n[key].IsScalar() && n[key].Scalar() != name &&
        std::find(s.aliases.begin(), s.aliases.end(), n[key].Scalar()) == s.aliases.end()) {
      s.aliases.push_back(n[key].Scalar());
    }
  }
  for (const auto& kv : n) {
    ImportKey(s, kv.first.Scalar(), kv.second, entrypoint, command);
  }
  // The service of a rendered file that holds the templates is faultline's own workload.
  if (name == kWorkloadService) {
    workload_ = std::move(s);
    return;
  }
  if (n["entrypoint"].IsDefined() && !entrypoint.empty()) {
    for (const auto& [target, source] : s.mounts) {
      if (target == entrypoint.front()) {
        NoteSetupMarker((fs::path(in_.out_dir) / source).lexically_normal().string());
      }
    }
  }
  Resolve(s, entrypoint, command);
  services_.push_back(std::move(s));
}

void Importer::EmitService(YAML::Emitter& out, const OutService& s) const {
  auto escaped = [](const Argv& argv) {
    Argv out;
    for (const auto& a : argv) out.push_back(EscapeBraces(a));
    return out;
  };
  out << YAML::Key << s.name << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "command" << YAML::Value << YAML::Flow << escaped(s.command);
  if (!s.user.empty()) out << YAML::Key << "user" << YAML::Value << s.user;
  if (!s.env.empty()) {
    out << YAML::Key << "env" << YAML::Value << YAML::BeginMap;
    for (const auto& [k, v] : s.env) {
      out << YAML::Key << k << YAML::Value << YAML::DoubleQuoted << EscapeBraces(v);
    }
    out << YAML::EndMap;
  }
  if (!s.ports.empty()) {
    out << YAML::Key << "ports" << YAML::Value << YAML::Flow << YAML::BeginMap;
    for (int p : s.ports) out << YAML::Key << fmt::format("p{}", p) << YAML::Value << p;
    out << YAML::EndMap;
  }
  if (!s.aliases.empty()) {
    out << YAML::Key << "hostname_aliases" << YAML::Value << YAML::Flow << s.aliases;
  }
  if (!s.mounts.empty()) {
    out << YAML::Key << "mounts" << YAML::Value << YAML::BeginMap;
    for (const auto& [target, source] : s.mounts) {
      out << YAML::Key << target << YAML::Value << source;
    }
    out << YAML::EndMap;
  }
  if (!s.volumes.empty()) {
    out << YAML::Key << "volumes" << YAML::Value << YAML::BeginMap;
    for (const auto& [name, target] : s.volumes) out << YAML::Key << name << YAML::Value << target;
    out << YAML::EndMap;
  }
  if (s.health) {
    out << YAML::Key << "healthcheck" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "command" << YAML::Value << YAML::Flow << escaped(*s.health);
    if (!s.interval.empty()) out << YAML::Key << "interval" << YAML::Value << s.interval;
    if (!s.timeout.empty()) out << YAML::Key << "timeout" << YAML::Value << s.timeout;
    out << YAML::EndMap;
  }
  if (!s.depends_on.empty()) {
    out << YAML::Key << "depends_on" << YAML::Value << YAML::Flow << s.depends_on;
  }
  if (!s.stop_signal.empty()) out << YAML::Key << "stop_signal" << YAML::Value << s.stop_signal;
  if (!s.stop_grace.empty()) out << YAML::Key << "stop_grace" << YAML::Value << s.stop_grace;
  if (!s.restart.empty()) out << YAML::Key << "restart" << YAML::Value << s.restart;
  // Kept so that `faultline render-compose` gives the platform the same image and the same
  // entrypoint and command back (rendering writes no empty command).
  bool same_argv = !s.compose_entrypoint && s.compose_command == s.command;
  // Files its Dockerfile copies are in its image on the platform, not bound from the host.
  bool mounts_in_image = !s.mounts.empty() && s.copied_mounts == s.mounts.size();
  if (!s.image.empty() || !same_argv || mounts_in_image) {
    out << YAML::Key << "compose" << YAML::Value << YAML::Flow << YAML::BeginMap;
    if (!s.image.empty()) out << YAML::Key << "image" << YAML::Value << s.image;
    if (mounts_in_image) out << YAML::Key << "mounts_in_image" << YAML::Value << true;
    if (s.compose_entrypoint) {
      out << YAML::Key << "entrypoint" << YAML::Value << YAML::Flow
          << escaped(*s.compose_entrypoint);
    }
    if (!same_argv) {
      out << YAML::Key << "command" << YAML::Value << YAML::Flow << escaped(s.compose_command);
    }
    out << YAML::EndMap;
  }
  out << YAML::EndMap;
}

std::string Importer::Emit() {
  std::string header = fmt::format(
      "# Imported by `faultline import-compose` from {}. Runs here in isolated mode: every\n"
      "# service in a unit of its own, with its host name, its fixed ports and its files.\n",
      in_.file);
  for (const auto& t : result_.todos) {
    header +=
        fmt::format("# TODO(import): {}{}\n", t.service.empty() ? "" : t.service + ": ", t.message);
  }
  YAML::Emitter out;
  out << YAML::BeginMap;
  std::string name = fs::path(in_.out_dir).filename().string();
  out << YAML::Key << "name" << YAML::Value << (name.empty() ? "imported" : name);
  out << YAML::Key << "network" << YAML::Value << "isolated";
  out << YAML::Key << "setup_complete" << YAML::Value << (setup_sdk_ ? "sdk" : "healthy");
  out << YAML::Key << "services" << YAML::Value << YAML::BeginMap;
  for (const auto& s : services_) EmitService(out, s);
  out << YAML::EndMap;
  std::vector<std::pair<std::string, std::string>> mounts = template_mounts_;
  std::vector<std::pair<std::string, std::string>> env;
  std::string image;
  if (workload_) {
    mounts.insert(mounts.end(), workload_->mounts.begin(), workload_->mounts.end());
    env = workload_->env;
    image = workload_->image;
  }
  std::sort(mounts.begin(), mounts.end());
  mounts.erase(std::unique(mounts.begin(), mounts.end()), mounts.end());
  if (!mounts.empty() || !env.empty() || !image.empty()) {
    out << YAML::Key << "workload" << YAML::Value << YAML::BeginMap;
    if (!env.empty()) {
      out << YAML::Key << "env" << YAML::Value << YAML::BeginMap;
      for (const auto& [k, v] : env) {
        out << YAML::Key << k << YAML::Value << YAML::DoubleQuoted << EscapeBraces(v);
      }
      out << YAML::EndMap;
    }
    if (!mounts.empty()) {
      out << YAML::Key << "mounts" << YAML::Value << YAML::BeginMap;
      for (const auto& [target, source] : mounts) {
        out << YAML::Key << target << YAML::Value << source;
      }
      out << YAML::EndMap;
    }
    if (!image.empty()) {
      out << YAML::Key << "compose" << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::Key
          << "image" << YAML::Value << image << YAML::EndMap;
    }
    out << YAML::EndMap;
  }
  out << YAML::EndMap;
  if (!out.good()) {
    result_.errors.push_back(
        Diagnostic{in_.file, 0, 0, "cannot write YAML: " + out.GetLastError()});
    return "";
  }
  return header + out.c_str() + "\n";
}

ImportResult Importer::Run() {
  if (!Prescan()) return std::move(result_);
  YAML::Node root;
  try {
    root = YAML::Load(in_.text);
  } catch (const YAML::Exception& e) {
    Error(e.mark, fmt::format("not valid YAML: {}", e.msg));
    return std::move(result_);
  }
  if (!root.IsMap() || !root["services"].IsDefined() || !root["services"].IsMap()) {
    Error(root, "a compose file is a map with a 'services' map");
    return std::move(result_);
  }
  CheckInterpolation(root, "");
  for (const auto& kv : root) {
    std::string key = kv.first.Scalar();
    if (key == "volumes" && kv.second.IsMap()) {
      // Plain named volumes are the services' `volumes`; one with options is not imported.
      for (const auto& v : kv.second) {
        if (!v.second.IsNull() && !(v.second.IsMap() && v.second.size() == 0)) {
          Todo("", fmt::format("volume '{}' has options (a driver, external, ...), which are not "
                               "imported: here it is an empty folder of each history",
                               v.first.Scalar()));
        }
      }
    } else if (key == "networks" || key == "volumes") {
      Todo("", fmt::format("top-level {} are not imported (units reach each other through the "
                           "hub; give services their folders)",
                           key));
    } else if (key != "services" && key != "version" && key != "name") {
      Todo("", fmt::format("top-level key '{}' is not imported", key));
    }
  }
  if (!result_.errors.empty()) return std::move(result_);
  for (const auto& kv : root["services"]) ImportService(kv.first.Scalar(), kv.second);
  if (!result_.errors.empty()) return std::move(result_);
  std::string yaml = Emit();
  if (result_.errors.empty()) result_.scenario_yaml = std::move(yaml);
  return std::move(result_);
}

}  // namespace

const std::vector<std::string>* ImageMap::Find(const std::string& image) const {
  for (const auto& [name, argv] : entries) {
    if (name == image) return &argv;
  }
  // An image's tag follows the last ':' after the last '/' (a registry may have a port).
  size_t slash = image.rfind('/');
  size_t colon = image.rfind(':');
  if (colon == std::string::npos || (slash != std::string::npos && colon < slash)) return nullptr;
  std::string untagged = image.substr(0, colon);
  for (const auto& [name, argv] : entries) {
    if (name == untagged) return &argv;
  }
  return nullptr;
}

ImageMapParse ParseImageMap(const std::string& text, const std::string& file) {
  ImageMapParse out;
  auto error = [&](const YAML::Mark& m, std::string message) {
    out.errors.push_back(Diagnostic{file, m.is_null() ? 0 : m.line + 1,
                                    m.is_null() ? 0 : m.column + 1, std::move(message)});
  };
  try {
    YAML::Node root = YAML::Load(text);
    if (root.IsNull()) return out;
    if (!root.IsMap()) {
      error(root.Mark(), "the image mapping is a map of image to local argv ([etcd], or [])");
      return out;
    }
    for (const auto& kv : root) {
      if (!kv.second.IsSequence()) {
        error(kv.second.Mark(),
              fmt::format("image '{}' must map to a list (the local argv)", kv.first.Scalar()));
        continue;
      }
      Argv argv;
      for (const auto& item : kv.second) {
        if (!item.IsScalar()) {
          error(item.Mark(), "each word of a local argv must be a string");
          continue;
        }
        argv.push_back(item.Scalar());
      }
      out.map.entries.emplace_back(kv.first.Scalar(), std::move(argv));
    }
  } catch (const YAML::Exception& e) {
    error(e.mark, fmt::format("not valid YAML: {}", e.msg));
  }
  return out;
}

ImportResult ImportCompose(const ImportInput& input) { return Importer(input).Run(); }

std::optional<std::vector<std::string>> SplitWords(const std::string& s) {
  std::vector<std::string> out;
  std::string word;
  bool in_word = false;
  char quote = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (quote != 0) {
      if (c == quote) {
        quote = 0;
      } else if (c == '\\' && quote == '"' && i + 1 < s.size()) {
        word += s[++i];
      } else {
        word += c;
      }
    } else if (c == '\'' || c == '"') {
      quote = c;
      in_word = true;
    } else if (c == '\\' && i + 1 < s.size()) {
      word += s[++i];
      in_word = true;
    } else if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) out.push_back(word);
      word.clear();
      in_word = false;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (quote != 0) return std::nullopt;
  if (in_word) out.push_back(word);
  return out;
}

}  // namespace faultline::compose
