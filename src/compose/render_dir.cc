#include "compose/render_dir.h"

#include <fmt/format.h>

#include "base/files.h"
#include "compose/rules.h"
#include "composer/templates.h"
#include "faults/config.h"
#include "scenario/scenario.h"

namespace faultline::compose {

DirRender RenderDir(const std::string& scenario_dir) {
  DirRender out;
  auto loaded = scenario::LoadScenario(scenario_dir);
  out.source = loaded.source;
  out.errors = loaded.errors;
  // A faults section that would not run renders no file either: the scenario is wrong.
  auto faults = faults::ParseFaults(loaded.partial);
  out.errors.insert(out.errors.end(), faults.errors.begin(), faults.errors.end());
  if (!loaded.scenario || !out.errors.empty()) return out;
  auto discovery = composer::DiscoverTemplates(*loaded.scenario);
  if (!discovery.errors.empty()) {
    out.errors = std::move(discovery.errors);
    return out;
  }
  auto r = Render(*loaded.scenario, TemplateSourcesOf(*loaded.scenario, discovery.templates));
  out.errors = std::move(r.errors);
  out.rendered = std::move(r.rendered);
  return out;
}

std::vector<Diagnostic> CheckRenderedFile(const std::string& scenario_dir) {
  std::string path = scenario_dir + "/" + std::string(kComposeFile);
  std::vector<Diagnostic> out;
  auto r = RenderDir(scenario_dir);
  for (auto& e : r.errors) {
    e.message = "cannot render for the platform: " + e.message;
    out.push_back(std::move(e));
  }
  auto text = ReadFile(path);
  if (!text.ok()) {
    out.push_back(Diagnostic{path, 0, 0,
                             fmt::format("no {} for the platform: `faultline render-compose {}` "
                                         "writes it",
                                         kComposeFile, scenario_dir)});
    return out;
  }
  if (r.rendered && r.rendered->compose != *text) {
    out.push_back(Diagnostic{path, 0, 0,
                             fmt::format("out of date with scenario.yaml: `faultline "
                                         "render-compose {}` renders it again",
                                         scenario_dir)});
  }
  auto rules = CheckPlatformRules(*text, path);
  out.insert(out.end(), rules.begin(), rules.end());
  return out;
}

Status WriteRendered(const Rendered& rendered, const std::string& out_dir) {
  if (Status s = MakeDirs(out_dir); !s.ok()) return s;
  if (Status s = WriteFileAtomic(out_dir + "/" + std::string(kComposeFile), rendered.compose);
      !s.ok()) {
    return s;
  }
  return WriteFileAtomic(out_dir + "/" + std::string(kDockerfile), rendered.dockerfile);
}

}  // namespace faultline::compose
