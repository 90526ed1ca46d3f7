// Rendering a scenario as the remote platform's docker-compose.yaml and the Dockerfile of its
// workload image. Every service becomes a container named after it (host name == container name),
// with its compose.image, platform linux/amd64, init, NO_COLOR=1, its command and environment with
// placeholders resolved for a compose network (service names as hosts, real ports: the platform
// injects network faults itself, so faultline's proxy is not in the path), a health check and
// depends_on with condition service_healthy. The workload service holds the scenario's templates
// at /opt/antithesis/test/v1/ and stays alive. Pure functions over plain values; any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/diagnostic.h"
#include "composer/templates.h"
#include "scenario/scenario.h"

namespace faultline::compose {

// Where things live inside the rendered containers.
inline constexpr std::string_view kTemplatesDir = "/opt/antithesis/test/v1";
inline constexpr std::string_view kScenarioDir = "/opt/faultline/scenario";  // {scenario.dir}
inline constexpr std::string_view kStateDir = "/var/lib/faultline";  // {history.dir}; {dir} below
// Every container has an address of its own, so a `port: auto` renders as this port (and a
// service's named auto ports as the next free ones), unless compose.port / compose.ports say.
inline constexpr int kFirstAutoPort = 7000;
inline constexpr std::string_view kWorkloadService = "workload";
inline constexpr std::string_view kPlatform = "linux/amd64";
inline constexpr std::string_view kComposeFile = "docker-compose.yaml";
inline constexpr std::string_view kDockerfile = "Dockerfile.workload";

// One template folder to build into the workload image: `dir` is relative to the scenario folder.
struct TemplateSource {
  std::string name;
  std::string dir;
};

struct Rendered {
  std::string compose;     // the text of docker-compose.yaml
  std::string dockerfile;  // the text of Dockerfile.workload
};

struct RenderResult {
  std::optional<Rendered> rendered;  // set when there is no error
  std::vector<Diagnostic> errors;  // each names the service and the key, at its scenario.yaml line
};

// Renders `scenario` with `templates` in the workload image. Errors (a service without
// compose.image, a name that is not a host name, a placeholder with no compose meaning, a mount
// the platform cannot bind) are all reported at once; nothing is rendered then.
RenderResult Render(const scenario::Scenario& scenario,
                    const std::vector<TemplateSource>& templates);

// The folders, relative to the scenario folder, that hold the discovered templates' commands.
std::vector<TemplateSource> TemplateSourcesOf(const scenario::Scenario& scenario,
                                              const std::vector<composer::Template>& templates);

// `value` with every '$' doubled, so that docker-compose interpolates nothing from the shell.
std::string EscapeDollars(std::string_view value);

}  // namespace faultline::compose
