#include "compose/render.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "base/duration.h"
#include "base/signals.h"
#include "base/strings.h"
#include "scenario/placeholders.h"

namespace faultline::compose {
namespace {

using scenario::Scenario;
using scenario::Service;
using scenario::Text;
using Json = nlohmann::json;

// The keys a `compose:` map may hold, for a service and for the workload.
const std::vector<std::string> kServiceComposeKeys = {
    "image", "port", "ports", "command", "entrypoint", "env", "mounts_in_image"};
const std::vector<std::string> kWorkloadComposeKeys = {"image", "env", "packages"};
// What the workload image needs for `faultline sdk` and the shipped helper scripts.
constexpr const char* kWorkloadPackages =
    "bash ca-certificates coreutils libyaml-cpp0.7 libfmt9 libnftables1";

class Renderer {
 public:
  Renderer(const Scenario& s, const std::vector<TemplateSource>& templates)
      : s_(s), templates_(templates) {}
  RenderResult Run();

 private:
  void Error(scenario::SourcePos pos, std::string message) {
    errors_.push_back(Diagnostic{s_.file, pos.line, pos.column, std::move(message)});
  }
  void CheckComposeKeys(const Json& compose, const std::vector<std::string>& known,
                        const std::string& owner, scenario::SourcePos pos);
  std::string ImageOf(const Service& svc);
  std::string WorkloadImage() const;
  void AssignPorts(const Service& svc);
  std::string Resolve(const Text& t, const std::string& viewpoint, const std::string& key);
  std::vector<std::string> ResolveArgv(const scenario::Argv& argv, const std::string& viewpoint,
                                       const std::string& key);
  std::vector<std::string> ComposeArgv(const Json& compose, const char* key,
                                       const std::string& owner, scenario::SourcePos pos,
                                       const std::string& owner_name);
  void EmitService(YAML::Emitter& out, const Service& svc);
  void EmitEnvironment(YAML::Emitter& out, const scenario::Env& env, const Json& extra,
                       const std::string& viewpoint, scenario::SourcePos pos);
  void EmitHealthCheck(YAML::Emitter& out, const Service& svc);
  void EmitWorkload(YAML::Emitter& out);
  void CheckMounts(const std::string& owner, const std::vector<scenario::MountSpec>& mounts,
                   const std::string& image);
  std::string Header() const;
  std::string Dockerfile() const;
  std::string WorkloadPackages() const;

  const Scenario& s_;
  const std::vector<TemplateSource>& templates_;
  scenario::Addresses addresses_;
  std::vector<Diagnostic> errors_;
  // (scenario-relative source, absolute target) pairs the workload image must hold.
  std::vector<std::pair<std::string, std::string>> copies_;
};

std::string Quoted(const std::string& s) { return Json(s).dump(); }

// A flow list of strings, each quoted: compose wants strings where YAML would read 7000 or true.
void EmitStrings(YAML::Emitter& out, const std::vector<std::string>& items) {
  out << YAML::Flow << YAML::BeginSeq;
  for (const auto& item : items) out << YAML::DoubleQuoted << item;
  out << YAML::EndSeq;
}

void Renderer::CheckComposeKeys(const Json& compose, const std::vector<std::string>& known,
                                const std::string& owner, scenario::SourcePos pos) {
  if (compose.is_null()) return;
  if (!compose.is_object()) {
    Error(pos, fmt::format("{}: compose must be a map (image: ..., ...)", owner));
    return;
  }
  for (const auto& [key, value] : compose.items()) {
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      Error(pos, fmt::format("{}: unknown key compose.{} (expected one of: {})", owner, key,
                             fmt::join(known, ", ")));
    }
  }
}

std::string Renderer::ImageOf(const Service& svc) {
  const Json* image = nullptr;
  if (svc.compose.is_object() && svc.compose.contains("image")) image = &svc.compose["image"];
  if (image == nullptr || !image->is_string() || image->get<std::string>().empty()) {
    Error(svc.pos, fmt::format("service '{}' has no compose.image: the platform runs every service "
                               "from an image (add compose: {{image: \"NAME:TAG\"}})",
                               svc.name));
    return "";
  }
  std::string value = image->get<std::string>();
  if (value.find('$') != std::string::npos) {
    Error(svc.pos, fmt::format("service '{}': compose.image '{}' holds '$', which docker-compose "
                               "would take from the user's shell",
                               svc.name, value));
  }
  return value;
}

std::string Renderer::WorkloadImage() const {
  const Json& c = s_.workload.compose;
  if (c.is_object() && c.contains("image") && c["image"].is_string() &&
      !c["image"].get<std::string>().empty()) {
    return c["image"].get<std::string>();
  }
  return s_.name + "-workload:latest";
}

// Fixed ports stay; compose.port / compose.ports choose the others, else the first free port from
// kFirstAutoPort on (each container has an address of its own, so ports never clash across them).
void Renderer::AssignPorts(const Service& svc) {
  std::set<int> used;
  if (svc.fixed_port != 0) used.insert(svc.fixed_port);
  for (const auto& p : svc.ports) {
    if (p.fixed != 0) used.insert(p.fixed);
  }
  const Json& c = svc.compose;
  auto chosen = [&](const Json* j, const std::string& key) -> int {
    if (j == nullptr) return 0;
    // scenario.yaml's compose: values arrive as strings ("5432").
    std::optional<int64_t> port;
    if (j->is_number_integer()) port = j->get<int64_t>();
    if (j->is_string()) port = ParseInt(j->get<std::string>());
    if (!port || *port < 1 || *port > 65535) {
      Error(svc.pos,
            fmt::format("service '{}': {} must be a port number (1-65535)", svc.name, key));
      return 0;
    }
    used.insert(static_cast<int>(*port));
    return static_cast<int>(*port);
  };
  int next = kFirstAutoPort;
  auto fresh = [&] {
    while (used.count(next)) ++next;
    used.insert(next);
    return next;
  };
  if (svc.has_port) {
    int port = svc.fixed_port;
    if (port == 0 && c.is_object() && c.contains("port")) port = chosen(&c["port"], "compose.port");
    addresses_.real_ports[svc.name] = port != 0 ? port : fresh();
  }
  for (const auto& p : svc.ports) {
    int port = p.fixed;
    if (port == 0 && c.is_object() && c.contains("ports") && c["ports"].is_object() &&
        c["ports"].contains(p.name)) {
      port = chosen(&c["ports"][p.name], "compose.ports." + p.name);
    }
    addresses_.named_ports[{svc.name, p.name}] = port != 0 ? port : fresh();
  }
}

std::string Renderer::Resolve(const Text& t, const std::string& viewpoint, const std::string& key) {
  std::vector<scenario::PlaceholderError> parse_errors;
  for (const auto& p : scenario::ParsePlaceholders(t.raw, &parse_errors)) {
    if (p.kind == scenario::Placeholder::Kind::kHistorySeed) {
      Error(t.pos, fmt::format("{} {}: {{history.seed}} cannot be resolved for compose (the "
                               "platform runs no faultline histories, so there is no seed)",
                               viewpoint == kWorkloadService ? "the workload's"
                                                             : "service '" + viewpoint + "'",
                               key));
      return "";
    }
  }
  auto resolved = scenario::ResolvePlaceholders(t.raw, viewpoint, addresses_);
  if (!resolved) {
    Error(t.pos, fmt::format("{} of '{}': {} cannot be resolved for compose: {}", key, viewpoint,
                             t.raw, resolved.error()));
    return "";
  }
  return EscapeDollars(*resolved);
}

std::vector<std::string> Renderer::ResolveArgv(const scenario::Argv& argv,
                                               const std::string& viewpoint,
                                               const std::string& key) {
  std::vector<std::string> out;
  for (const auto& t : argv) out.push_back(Resolve(t, viewpoint, key));
  return out;
}

// compose.command / compose.entrypoint: an argv list of strings, with placeholders resolved as in
// `command` (the positions are the service's: compose maps keep none of their own).
std::vector<std::string> Renderer::ComposeArgv(const Json& compose, const char* key,
                                               const std::string& owner, scenario::SourcePos pos,
                                               const std::string& owner_name) {
  std::vector<std::string> out;
  const Json& v = compose[key];
  if (!v.is_array()) {
    Error(pos, fmt::format("{}: compose.{} must be a list of strings (an argv)", owner, key));
    return out;
  }
  for (const auto& item : v) {
    if (!item.is_string()) {
      Error(pos, fmt::format("{}: compose.{} must be a list of strings (an argv)", owner, key));
      return {};
    }
    out.push_back(
        Resolve(Text{item.get<std::string>(), pos}, owner_name, fmt::format("compose.{}", key)));
  }
  return out;
}

void Renderer::EmitEnvironment(YAML::Emitter& out, const scenario::Env& env, const Json& extra,
                               const std::string& viewpoint, scenario::SourcePos pos) {
  std::map<std::string, std::string> values;  // sorted, so the file diffs well
  values["NO_COLOR"] = "1";
  for (const auto& [name, text] : env) values[name] = Resolve(text, viewpoint, "env " + name);
  if (extra.is_object()) {
    for (const auto& [name, value] : extra.items()) {
      if (!value.is_string()) {
        Error(pos, fmt::format("{}: compose.env.{} must be a string", viewpoint, name));
        continue;
      }
      values[name] = EscapeDollars(value.get<std::string>());
    }
  } else if (!extra.is_null()) {
    Error(pos, fmt::format("{}: compose.env must be a map of strings", viewpoint));
  }
  out << YAML::Key << "environment" << YAML::Value << YAML::BeginMap;
  for (const auto& [name, value] : values) {
    out << YAML::Key << name << YAML::Value << YAML::DoubleQuoted << value;
  }
  out << YAML::EndMap;
}

void Renderer::EmitHealthCheck(YAML::Emitter& out, const Service& svc) {
  std::vector<std::string> test = {"CMD"};
  scenario::HealthCheck hc = svc.healthcheck.value_or(scenario::HealthCheck{});
  if (!hc.command.empty()) {
    for (auto& arg : ResolveArgv(hc.command, svc.name, "healthcheck.command")) test.push_back(arg);
  } else if (svc.has_port) {
    // faultline's own check is "the port accepts a connection"; bash says the same in the image.
    test.insert(test.end(),
                {"bash", "-c",
                 fmt::format("exec 3<>/dev/tcp/127.0.0.1/{}", addresses_.real_ports[svc.name])});
  } else {
    test.push_back("true");  // no check and no port: healthy once started, as faultline does
  }
  int64_t retries =
      std::max<int64_t>(3, s_.setup_timeout.count() / std::max<int64_t>(1, hc.interval.count()));
  out << YAML::Key << "healthcheck" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "test" << YAML::Value;
  EmitStrings(out, test);
  out << YAML::Key << "interval" << YAML::Value << FormatDuration(hc.interval);
  out << YAML::Key << "timeout" << YAML::Value << FormatDuration(hc.timeout);
  out << YAML::Key << "retries" << YAML::Value << retries;
  out << YAML::EndMap;
}

void Renderer::CheckMounts(const std::string& owner, const std::vector<scenario::MountSpec>& mounts,
                           const std::string& image) {
  for (const auto& m : mounts) {
    std::string prefix = s_.dir + "/";
    if (m.source.rfind(prefix, 0) != 0) {
      Error(m.pos, fmt::format("{}: mount {} comes from {}, outside the scenario folder, so no "
                               "image can be built with it",
                               owner, m.target, m.source));
    } else if (image != WorkloadImage()) {
      Error(m.pos, fmt::format("{}: mounts {}, but the platform binds no host files: build it into "
                               "the image, or give the service the workload's image ({})",
                               owner, m.target, WorkloadImage()));
    } else {
      copies_.emplace_back(m.source.substr(prefix.size()), m.target);
    }
  }
}

void Renderer::EmitService(YAML::Emitter& out, const Service& svc) {
  const std::string owner = fmt::format("service '{}'", svc.name);
  CheckComposeKeys(svc.compose, kServiceComposeKeys, owner, svc.pos);
  if (!scenario::IsHostName(svc.name)) {
    Error(svc.pos, fmt::format("{}: the name is its host name and container name on the platform, "
                               "so it must be lowercase letters, digits and '-' (no '_')",
                               owner));
  }
  std::string image = ImageOf(svc);
  // mounts_in_image: its image already holds the files (built from its Dockerfile, whose COPY
  // lines `import-compose` made the mounts of).
  const Json& c = svc.compose;
  if (!(c.is_object() && c.contains("mounts_in_image") && c["mounts_in_image"] == "true")) {
    CheckMounts(owner, svc.mounts, image);
  }
  bool has_compose = svc.compose.is_object();
  out << YAML::Key << svc.name << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "image" << YAML::Value << image;
  out << YAML::Key << "platform" << YAML::Value << std::string(kPlatform);
  out << YAML::Key << "container_name" << YAML::Value << svc.name;
  out << YAML::Key << "hostname" << YAML::Value << svc.name;
  out << YAML::Key << "init" << YAML::Value << true;
  if (!svc.user.empty()) out << YAML::Key << "user" << YAML::Value << svc.user;
  if (has_compose && svc.compose.contains("entrypoint")) {
    out << YAML::Key << "entrypoint" << YAML::Value;
    EmitStrings(out, ComposeArgv(svc.compose, "entrypoint", owner, svc.pos, svc.name));
  }
  std::vector<std::string> command =
      has_compose && svc.compose.contains("command")
          ? ComposeArgv(svc.compose, "command", owner, svc.pos, svc.name)
          : ResolveArgv(svc.command, svc.name, "command");
  if (!svc.prepare.empty() && !(has_compose && svc.compose.contains("command"))) {
    Error(svc.pos, fmt::format("{} has prepare steps, which the platform does not run: give "
                               "compose.command (the image's own entrypoint prepares it)",
                               owner));
  }
  if (!command.empty()) {
    out << YAML::Key << "command" << YAML::Value;
    EmitStrings(out, command);
  }
  EmitEnvironment(out, svc.env,
                  has_compose && svc.compose.contains("env") ? svc.compose["env"] : Json(),
                  svc.name, svc.pos);
  std::vector<std::string> expose;
  if (svc.has_port) expose.push_back(std::to_string(addresses_.real_ports[svc.name]));
  for (const auto& p : svc.ports) {
    expose.push_back(std::to_string(addresses_.named_ports[{svc.name, p.name}]));
  }
  if (!expose.empty()) {
    out << YAML::Key << "expose" << YAML::Value;
    EmitStrings(out, expose);
  }
  EmitHealthCheck(out, svc);
  if (!svc.depends_on.empty()) {
    out << YAML::Key << "depends_on" << YAML::Value << YAML::BeginMap;
    for (const auto& dep : svc.depends_on) {
      out << YAML::Key << dep << YAML::Value << YAML::BeginMap << YAML::Key << "condition"
          << YAML::Value << "service_healthy" << YAML::EndMap;
    }
    out << YAML::EndMap;
  }
  out << YAML::Key << "stop_signal" << YAML::Value << SignalName(svc.stop_signal);
  out << YAML::Key << "stop_grace_period" << YAML::Value << FormatDuration(svc.stop_grace);
  if (!svc.hostname_aliases.empty()) {
    out << YAML::Key << "networks" << YAML::Value << YAML::BeginMap << YAML::Key << "default"
        << YAML::Value << YAML::BeginMap << YAML::Key << "aliases" << YAML::Value << YAML::Flow
        << svc.hostname_aliases << YAML::EndMap << YAML::EndMap;
  }
  // Named volumes: empty at the start, as each history's are here.
  if (!svc.volumes.empty()) {
    std::vector<std::string> volumes;
    for (const auto& [name, path] : svc.volumes) volumes.push_back(name + ":" + path);
    out << YAML::Key << "volumes" << YAML::Value;
    EmitStrings(out, volumes);
  }
  out << YAML::EndMap;
}

void Renderer::EmitWorkload(YAML::Emitter& out) {
  const std::string name(kWorkloadService);
  CheckComposeKeys(s_.workload.compose, kWorkloadComposeKeys, "the workload", {});
  CheckMounts("the workload", s_.workload.mounts, WorkloadImage());
  if (const Json& c = s_.workload.compose; c.is_object() && c.contains("packages")) {
    auto is_package = [](const Json& p) {
      if (!p.is_string() || p.get<std::string>().empty()) return false;
      const std::string& name = p.get_ref<const std::string&>();
      return std::all_of(name.begin(), name.end(), [](char ch) {
        return std::islower(static_cast<unsigned char>(ch)) ||
               std::isdigit(static_cast<unsigned char>(ch)) || ch == '+' || ch == '-' || ch == '.';
      });
    };
    if (!c["packages"].is_array() ||
        !std::all_of(c["packages"].begin(), c["packages"].end(), is_package)) {
      Error({},
            "the workload: compose.packages must be a list of Debian package names (for "
            "example [etcd-client])");
    }
  }
  out << YAML::Key << name << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "image" << YAML::Value << WorkloadImage();
  out << YAML::Key << "platform" << YAML::Value << std::string(kPlatform);
  out << YAML::Key << "container_name" << YAML::Value << name;
  out << YAML::Key << "hostname" << YAML::Value << name;
  out << YAML::Key << "init" << YAML::Value << true;
  // The platform runs the templates' commands in this container: it only has to stay up.
  out << YAML::Key << "command" << YAML::Value << YAML::Flow
      << std::vector<std::string>{"sleep", "infinity"};
  const Json& c = s_.workload.compose;
  EmitEnvironment(out, s_.workload.env, c.is_object() && c.contains("env") ? c["env"] : Json(),
                  name, {});
  // Up means ready: the templates' commands need nothing but the container itself.
  out << YAML::Key << "healthcheck" << YAML::Value << YAML::BeginMap << YAML::Key << "test"
      << YAML::Value;
  EmitStrings(out, {"CMD", "true"});
  out << YAML::EndMap;
  if (!s_.services.empty()) {
    out << YAML::Key << "depends_on" << YAML::Value << YAML::BeginMap;
    for (const auto& svc : s_.services) {
      out << YAML::Key << svc.name << YAML::Value << YAML::BeginMap << YAML::Key << "condition"
          << YAML::Value << "service_healthy" << YAML::EndMap;
    }
    out << YAML::EndMap;
  }
  if (!s_.workload.hostname_aliases.empty()) {
    out << YAML::Key << "networks" << YAML::Value << YAML::BeginMap << YAML::Key << "default"
        << YAML::Value << YAML::BeginMap << YAML::Key << "aliases" << YAML::Value << YAML::Flow
        << s_.workload.hostname_aliases << YAML::EndMap << YAML::EndMap;
  }
  out << YAML::EndMap;
}

std::string Renderer::Header() const {
  std::string h = fmt::format(
      "# Rendered by `faultline render-compose` from {}/scenario.yaml (scenario '{}').\n"
      "# Edit scenario.yaml and render again; a test fails when this file is out of date.\n",
      s_.name, s_.name);
  std::vector<std::string> left_out;
  if (s_.faults.present()) {
    for (const auto& [key, node] : s_.faults.node.entries) left_out.push_back("faults." + key);
  }
  if (!s_.links.empty()) left_out.push_back("links (faultline's fault proxy)");
  if (!left_out.empty()) {
    h += fmt::format(
        "# Left out, because the platform configures its own faults: {}.\n"
        "# Services reach each other by service name and real port, with no proxy between.\n",
        fmt::join(left_out, ", "));
  }
  return h;
}

// kWorkloadPackages, then workload.compose.packages (the Debian packages of the programs the
// templates call: etcd-client for etcdctl, postgresql-client for psql).
std::string Renderer::WorkloadPackages() const {
  std::string packages = kWorkloadPackages;
  const Json& compose = s_.workload.compose;
  if (compose.is_object() && compose.contains("packages") && compose["packages"].is_array()) {
    for (const auto& p : compose["packages"]) {
      if (p.is_string()) packages += " " + p.get<std::string>();
    }
  }
  return packages;
}

std::string Renderer::Dockerfile() const {
  std::string d = fmt::format(
      "# Rendered by `faultline render-compose` from scenario.yaml: the image {} of scenario '{}'\n"
      "# (its workload, and every service whose compose.image is the same). Build it from the\n"
      "# scenario folder with faultline's binaries copied into bin/ (faultline, so that\n"
      "# `faultline sdk` works in the templates' commands, and any program the services run):\n"
      "#   docker build -f {} -t {} .\n"
      "FROM debian:bookworm-slim\n"
      "RUN apt-get update && apt-get install -y --no-install-recommends {} \\\n"
      "    && rm -rf /var/lib/apt/lists/*\n"
      "COPY [\"bin/\", \"/usr/local/bin/\"]\n"
      "COPY [\".\", {}]\n",
      WorkloadImage(), s_.name, kDockerfile, WorkloadImage(), WorkloadPackages(),
      Quoted(std::string(kScenarioDir) + "/"));
  for (const auto& t : templates_) {
    d += fmt::format("COPY [{}, {}]\n", Quoted(t.dir + "/"),
                     Quoted(fmt::format("{}/{}/", kTemplatesDir, t.name)));
  }
  for (const auto& [source, target] : copies_) {
    d += fmt::format("COPY [{}, {}]\n", Quoted(source), Quoted(target));
  }
  // The folders {dir} and {history.dir} name, for the services that run in this image.
  std::vector<std::string> dirs = {fmt::format("{}/{}", kStateDir, kWorkloadService)};
  for (const auto& svc : s_.services) dirs.push_back(fmt::format("{}/{}", kStateDir, svc.name));
  d += fmt::format("RUN mkdir -p {}\n", fmt::join(dirs, " "));
  // A service that runs in this image as a user of its own owns its folder.
  for (const auto& svc : s_.services) {
    const Json& c = svc.compose;
    if (svc.user.empty() || !c.is_object() || !c.contains("image") || !c["image"].is_string() ||
        c["image"].get<std::string>() != WorkloadImage()) {
      continue;
    }
    d += fmt::format("RUN chown {} {}/{}\n", svc.user, kStateDir, svc.name);
  }
  return d;
}

RenderResult Renderer::Run() {
  for (const auto& svc : s_.services) {
    addresses_.hosts[svc.name] = svc.name;
    addresses_.dirs[svc.name] = fmt::format("{}/{}", kStateDir, svc.name);
    AssignPorts(svc);
  }
  addresses_.hosts[std::string(kWorkloadService)] = std::string(kWorkloadService);
  addresses_.dirs[std::string(kWorkloadService)] = fmt::format("{}/workload", kStateDir);
  addresses_.history_dir = std::string(kStateDir);
  addresses_.scenario_dir = std::string(kScenarioDir);
  if (s_.FindService(kWorkloadService) != nullptr) {
    Error(s_.FindService(kWorkloadService)->pos,
          "a service named 'workload' would clash with the rendered workload container");
  }
  YAML::Emitter out;
  out << YAML::BeginMap << YAML::Key << "services" << YAML::Value << YAML::BeginMap;
  for (const auto& svc : s_.services) EmitService(out, svc);
  EmitWorkload(out);
  out << YAML::EndMap;
  std::set<std::string> volumes;
  for (const auto& svc : s_.services) {
    for (const auto& [name, path] : svc.volumes) {
      if (!volumes.insert(name).second) {
        Error(svc.pos, fmt::format("service '{}': volume '{}' is named twice in the scenario (a "
                                   "named volume is shared in compose, a history's are not)",
                                   svc.name, name));
      }
    }
  }
  if (!volumes.empty()) {
    out << YAML::Key << "volumes" << YAML::Value << YAML::BeginMap;
    for (const auto& name : volumes) {
      out << YAML::Key << name << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::EndMap;
    }
    out << YAML::EndMap;
  }
  out << YAML::EndMap;
  RenderResult r;
  r.errors = std::move(errors_);
  if (!out.good()) {
    r.errors.push_back(Diagnostic{s_.file, 0, 0, "cannot emit YAML: " + out.GetLastError()});
  }
  if (r.errors.empty()) r.rendered = Rendered{Header() + out.c_str() + "\n", Dockerfile()};
  return r;
}

}  // namespace

std::string EscapeDollars(std::string_view value) {
  std::string out;
  for (char c : value) {
    out += c;
    if (c == '$') out += '$';
  }
  return out;
}

RenderResult Render(const scenario::Scenario& scenario,
                    const std::vector<TemplateSource>& templates) {
  return Renderer(scenario, templates).Run();
}

std::vector<TemplateSource> TemplateSourcesOf(const scenario::Scenario& scenario,
                                              const std::vector<composer::Template>& templates) {
  std::vector<TemplateSource> out;
  std::set<std::pair<std::string, std::string>> seen;
  const std::string prefix = scenario.dir + "/";
  for (const auto& t : templates) {
    for (const auto& c : t.commands) {
      std::string dir = c.dir.rfind(prefix, 0) == 0 ? c.dir.substr(prefix.size()) : c.dir;
      if (seen.insert({t.name, dir}).second) out.push_back(TemplateSource{t.name, dir});
    }
  }
  return out;
}

}  // namespace faultline::compose
