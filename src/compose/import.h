// Importing a platform docker-compose.yaml as a scenario that runs here in isolated mode
// (`network: isolated`): services keep their names, environment, depends_on, health checks, ports
// and host names; each image maps to a local program through a small mapping file; files that a
// service's Dockerfile COPYs from its build context are mounted at the same path in its unit
// (templates under /opt/antithesis/test/v1/ in the workload's too). What cannot be mapped becomes a
// to-do in the written file, never a guess. Pure functions over text; any thread.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/diagnostic.h"

namespace faultline::compose {

// The image mapping file: image (any tag) or image:tag -> the local argv that stands for the
// image's entrypoint; [] when the image has none (the service's command runs as written).
//   bitnami/etcd: [etcd]
//   python:3.11: []
struct ImageMap {
  std::vector<std::pair<std::string, std::vector<std::string>>> entries;  // in file order
  // The argv for `image`: an exact image:tag entry first, then the image without its tag.
  const std::vector<std::string>* Find(const std::string& image) const;
};
// Parses a mapping file; errors name the file, line and column.
struct ImageMapParse {
  ImageMap map;
  std::vector<Diagnostic> errors;
};
ImageMapParse ParseImageMap(const std::string& text, const std::string& file);

struct ImportInput {
  std::string text;         // the compose file
  std::string file;         // its name, for diagnostics
  std::string compose_dir;  // the folder build contexts and bind mounts are relative to
  std::string out_dir;      // where scenario.yaml goes (mount sources are written relative to it)
  ImageMap images;
  // Reads a build context's Dockerfile (a path under compose_dir); the tests give a fake.
  std::optional<std::string> (*read_file)(const std::string& path) = nullptr;
  // Whether a path under compose_dir is a folder (COPY copies a folder's contents, not the folder).
  bool (*is_dir)(const std::string& path) = nullptr;
};

// A to-do: something of the compose file that the scenario could not say, left for the user.
struct Todo {
  std::string service;  // empty for the file as a whole
  std::string message;
};

// A symbolic link the scenario folder needs: test/v1/<template> -> the template's folder.
struct TemplateLink {
  std::string link;    // relative to out_dir, e.g. "test/v1/bank"
  std::string target;  // relative to out_dir
};

struct ImportResult {
  std::optional<std::string> scenario_yaml;  // set when there is no error
  std::vector<TemplateLink> template_links;
  std::vector<Todo> todos;  // also written as comments into scenario_yaml
  std::vector<Diagnostic> errors;
};

// Imports a compose file. Errors (not YAML, ${VAR} interpolation, anchors and aliases, extends, a
// service name that cannot be a host name) name the file, line and column, the service and the
// key; nothing is written then. Never throws.
ImportResult ImportCompose(const ImportInput& input);

// Splits a compose string command the way docker does (shell words: quotes and backslashes, no
// expansion). nullopt for an unterminated quote.
std::optional<std::vector<std::string>> SplitWords(const std::string& s);

}  // namespace faultline::compose
