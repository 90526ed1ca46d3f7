#include "compose/rules.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "base/terminal.h"
#include "compose/render.h"
#include "scenario/scenario.h"

namespace faultline::compose {
namespace {

// Keys the platform refuses or overrides.
constexpr const char* kRejectedKeys[] = {"logging", "pull_policy", "build", "extends"};

// `n[key]`, or an undefined node that can still be asked what it is (yaml-cpp throws when a
// missing key's node is asked its type).
YAML::Node Get(const YAML::Node& n, const char* key) {
  if (!n.IsDefined() || !n.IsMap()) return YAML::Node(YAML::NodeType::Undefined);
  YAML::Node v = n[key];
  return v.IsDefined() ? v : YAML::Node(YAML::NodeType::Undefined);
}

class RuleChecker {
 public:
  explicit RuleChecker(const std::string& file) : file_(file) {}
  std::vector<Diagnostic> Check(const std::string& text);

 private:
  void Find(const YAML::Node& n, std::string message) {
    YAML::Mark m = n.IsDefined() ? n.Mark() : YAML::Mark::null_mark();
    out_.push_back(Diagnostic{file_, m.is_null() ? 0 : m.line + 1, m.is_null() ? 0 : m.column + 1,
                              std::move(message)});
  }
  void CheckService(const std::string& name, const YAML::Node& svc);
  void CheckIdentity(const std::string& name, const YAML::Node& svc);
  void CheckStartUp(const std::string& name, const YAML::Node& svc);
  void CheckInterpolation(const YAML::Node& n, const std::string& where);
  void CheckLoopback(const std::string& name, const YAML::Node& svc);

  std::string file_;
  std::vector<Diagnostic> out_;
};

void RuleChecker::CheckIdentity(const std::string& name, const YAML::Node& svc) {
  if (!scenario::IsHostName(name)) {
    Find(svc, fmt::format("service '{}': the platform needs names that are host names "
                          "(lowercase letters, digits, '-'; no '_')",
                          name));
  }
  if (!Get(svc, "image").IsDefined()) {
    Find(svc, fmt::format("service '{}' has no image: the platform pulls every image, it builds "
                          "none",
                          name));
  }
  YAML::Node platform = Get(svc, "platform");
  if (!platform.IsDefined() || !platform.IsScalar() || platform.Scalar() != kPlatform) {
    Find(platform.IsDefined() ? platform : svc,
         fmt::format("service '{}': platform must be {}", name, kPlatform));
  }
  YAML::Node container = Get(svc, "container_name"), host = Get(svc, "hostname");
  if (!container.IsDefined() || !host.IsDefined() || !container.IsScalar() || !host.IsScalar() ||
      container.Scalar() != host.Scalar()) {
    Find(svc, fmt::format("service '{}': hostname and container_name must both be given and "
                          "equal",
                          name));
  }
  YAML::Node init = Get(svc, "init");
  if (!init.IsDefined() || !init.IsScalar() || init.Scalar() != "true") {
    Find(init.IsDefined() ? init : svc,
         fmt::format("service '{}': init must be true (an init reaps the test commands' orphans)",
                     name));
  }
  YAML::Node env = Get(svc, "environment");
  bool no_color = env.IsMap() && Get(env, "NO_COLOR").IsDefined();
  if (env.IsSequence()) {
    for (const auto& e : env) no_color |= e.IsScalar() && e.Scalar().starts_with("NO_COLOR=");
  }
  if (!no_color) {
    Find(env.IsDefined() ? env : svc,
         fmt::format("service '{}': environment should set NO_COLOR=1 (colour codes garble the "
                     "platform's logs)",
                     name));
  }
  for (const char* key : kRejectedKeys) {
    if (Get(svc, key).IsDefined()) {
      Find(Get(svc, key), fmt::format("service '{}': the platform rejects '{}'", name, key));
    }
  }
}

void RuleChecker::CheckStartUp(const std::string& name, const YAML::Node& svc) {
  YAML::Node hc = Get(svc, "healthcheck");
  if (!hc.IsDefined() || !hc.IsMap() || !Get(hc, "test").IsDefined()) {
    Find(svc, fmt::format("service '{}' has no healthcheck.test: services that depend on it "
                          "cannot wait for it",
                          name));
  }
  YAML::Node deps = Get(svc, "depends_on");
  if (deps.IsSequence()) {
    Find(deps, fmt::format("service '{}': depends_on as a list starts it before its dependencies "
                           "are healthy; give each condition: service_healthy",
                           name));
  } else if (deps.IsMap()) {
    for (const auto& kv : deps) {
      YAML::Node cond = kv.second.IsMap() ? Get(kv.second, "condition") : YAML::Node();
      if (!cond.IsDefined() || !cond.IsScalar() || cond.Scalar() != "service_healthy") {
        Find(cond.IsDefined() ? cond : kv.second,
             fmt::format("service '{}': depends_on {} should have condition: service_healthy", name,
                         kv.first.Scalar()));
      }
    }
  }
}

// docker-compose fills ${VAR} and $VAR from the shell of whoever runs it: on the platform, nobody.
void RuleChecker::CheckInterpolation(const YAML::Node& n, const std::string& where) {
  if (n.IsScalar()) {
    const std::string& s = n.Scalar();
    for (size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '$' && i + 1 < s.size() && s[i + 1] == '$') {
        ++i;
      } else if (s[i] == '$') {
        Find(n, fmt::format("{}: '{}' takes a value from the shell of whoever runs docker-compose "
                            "(write '$$' for a literal '$')",
                            where, s));
        return;
      }
    }
  } else if (n.IsMap()) {
    for (const auto& kv : n) CheckInterpolation(kv.second, where + "." + kv.first.Scalar());
  } else if (n.IsSequence()) {
    for (const auto& item : n) CheckInterpolation(item, where);
  }
}

// A server bound to the loopback address of its container is out of reach of every other one.
void RuleChecker::CheckLoopback(const std::string& name, const YAML::Node& svc) {
  auto look = [&](const YAML::Node& n, const std::string& key) {
    if (!n.IsScalar()) return;
    const std::string& s = n.Scalar();
    if (s.find("127.0.0.1") != std::string::npos || s.find("localhost") != std::string::npos) {
      Find(n, fmt::format("service '{}' {} names '{}': a listener on the container's loopback "
                          "address is out of reach of the other containers (use 0.0.0.0, or the "
                          "service name to dial it)",
                          name, key, s));
    }
  };
  for (const char* key : {"command", "entrypoint"}) {
    if (Get(svc, key).IsSequence()) {
      for (const auto& item : Get(svc, key)) look(item, key);
    } else {
      look(Get(svc, key), key);
    }
  }
  if (Get(svc, "environment").IsMap()) {
    for (const auto& kv : Get(svc, "environment"))
      look(kv.second, "environment " + kv.first.Scalar());
  }
}

void RuleChecker::CheckService(const std::string& name, const YAML::Node& svc) {
  if (!svc.IsMap()) {
    Find(svc, fmt::format("service '{}' must be a map", name));
    return;
  }
  CheckIdentity(name, svc);
  CheckStartUp(name, svc);
  CheckInterpolation(svc, "services." + name);
  CheckLoopback(name, svc);
}

std::vector<Diagnostic> RuleChecker::Check(const std::string& text) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    out_.push_back(Diagnostic{file_, e.mark.is_null() ? 0 : e.mark.line + 1,
                              e.mark.is_null() ? 0 : e.mark.column + 1,
                              "not valid YAML: " + e.msg});
    return out_;
  }
  if (!root.IsMap() || !Get(root, "services").IsMap()) {
    Find(root, "a compose file is a map with a 'services' map");
    return out_;
  }
  if (Get(root, "networks").IsMap()) {
    for (const auto& kv : Get(root, "networks")) {
      if (kv.second.IsMap() && Get(kv.second, "internal").IsDefined()) {
        Find(Get(kv.second, "internal"), fmt::format("network '{}': the platform rejects internal "
                                                     "networks",
                                                     kv.first.Scalar()));
      }
    }
  }
  for (const auto& kv : Get(root, "services")) CheckService(kv.first.Scalar(), kv.second);
  return out_;
}

}  // namespace

std::vector<Diagnostic> CheckPlatformRules(const std::string& text, const std::string& file) {
  return RuleChecker(file).Check(text);
}

std::string FormatWarning(const Diagnostic& d) {
  std::string out = ForTerminal(d.file);
  if (d.line > 0) out += fmt::format(":{}", d.line);
  if (d.line > 0 && d.column > 0) out += fmt::format(":{}", d.column);
  return out + fmt::format(": warning: {}\n", ForTerminal(d.message, /*keep_newlines=*/true));
}

}  // namespace faultline::compose
