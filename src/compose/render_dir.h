// Rendering a scenario folder: load scenario.yaml (with its faults section), discover the
// templates it ships, render, and write docker-compose.yaml and Dockerfile.workload. Used by
// `faultline render-compose` and by the test that keeps each shipped scenario's rendered file
// current. One thread at a time per call; no shared state.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/diagnostic.h"
#include "base/status.h"
#include "compose/render.h"

namespace faultline::compose {

struct DirRender {
  std::optional<Rendered> rendered;  // set when the scenario loads and renders without error
  std::vector<Diagnostic> errors;    // load, template and render errors, every one
  std::string source;                // scenario.yaml's text, for carets under errors
};

// Loads and renders the scenario in `scenario_dir`. Never throws.
DirRender RenderDir(const std::string& scenario_dir);

// What `faultline validate` warns about for the platform: the scenario's render errors, a missing
// or out-of-date docker-compose.yaml beside scenario.yaml, and every platform rule that file
// breaks (CheckPlatformRules). Empty when the platform would take the file as it is.
std::vector<Diagnostic> CheckRenderedFile(const std::string& scenario_dir);

// Writes `rendered` as `out_dir`/docker-compose.yaml and `out_dir`/Dockerfile.workload (the
// folder is created). Returns the first write error.
Status WriteRendered(const Rendered& rendered, const std::string& out_dir);

}  // namespace faultline::compose
