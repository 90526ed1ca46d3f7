// Fuzz target: a platform docker-compose.yaml, as `faultline import-compose` and the platform rule
// check read it. Every input gives a scenario or diagnostics with a message; never a crash or an
// uncaught exception, and a written scenario is always YAML.
#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "compose/import.h"
#include "compose/rules.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  faultline::compose::ImportInput in{.text = text,
                                     .file = "docker-compose.yaml",
                                     .compose_dir = "/nonexistent-fuzz",
                                     .out_dir = "/nonexistent-fuzz/out",
                                     .images = {},
                                     .read_file = nullptr,
                                     .is_dir = nullptr};
  in.images.entries.push_back({"bitnami/etcd", {"etcd"}});
  auto r = faultline::compose::ImportCompose(in);
  for (const auto& d : r.errors) {
    if (d.message.empty()) std::abort();
  }
  if (r.scenario_yaml.has_value() != r.errors.empty()) std::abort();
  if (r.scenario_yaml) {
    try {
      (void)YAML::Load(*r.scenario_yaml);
    } catch (const YAML::Exception&) {
      std::abort();
    }
  }
  for (const auto& d : faultline::compose::CheckPlatformRules(text, "docker-compose.yaml")) {
    if (d.message.empty()) std::abort();
  }
  return 0;
}
