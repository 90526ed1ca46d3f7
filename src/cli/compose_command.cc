// `faultline render-compose`: a scenario as the remote platform's docker-compose.yaml.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>

#include "base/exit_codes.h"
#include "base/files.h"
#include "cli/commands.h"
#include "compose/import.h"
#include "compose/render_dir.h"

namespace faultline::cli {

int RenderComposeMain(int argc, char** argv) {
  CLI::App app(
      "Write the remote platform's docker-compose.yaml and the workload image's "
      "Dockerfile.workload from a scenario.",
      argv[0]);
  std::string dir, out;
  app.add_option("scenario", dir, "the scenario folder (holding scenario.yaml)")->required();
  app.add_option("-o,--out", out, "where the files go (default: the scenario folder)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kExitOk : kExitUsage;
  }
  auto r = compose::RenderDir(dir);
  if (!r.rendered) {
    std::fputs(FormatDiagnostics(r.errors, r.source).c_str(), stderr);
    std::fprintf(stderr, "faultline render-compose: nothing written (%zu error(s))\n",
                 r.errors.size());
    return kExitUsage;
  }
  if (out.empty()) out = dir;
  if (Status s = compose::WriteRendered(*r.rendered, out); !s.ok()) {
    std::fprintf(stderr, "faultline render-compose: %s\n", s.message().c_str());
    return kExitInfrastructure;
  }
  std::printf("wrote %s/%s and %s/%s\n", out.c_str(), std::string(compose::kComposeFile).c_str(),
              out.c_str(), std::string(compose::kDockerfile).c_str());
  return kExitOk;
}

namespace {

// Images whose entrypoint a Debian package stands for, reading the same configuration.
constexpr std::pair<const char*, const char*> kBuiltinImages[] = {
    {"bitnami/etcd", "etcd"},
    {"docker.io/bitnami/etcd", "etcd"},
};

std::optional<std::string> ReadOptional(const std::string& path) {
  auto text = ReadFile(path);
  if (!text.ok()) return std::nullopt;
  return *text;
}

// The mapping file's entries first, then the built-in ones it does not override.
std::optional<compose::ImageMap> LoadImages(const std::string& file) {
  compose::ImageMap map;
  if (!file.empty()) {
    auto text = ReadFile(file);
    if (!text.ok()) {
      std::fprintf(stderr, "faultline import-compose: %s\n", text.error().c_str());
      return std::nullopt;
    }
    auto parsed = compose::ParseImageMap(*text, file);
    if (!parsed.errors.empty()) {
      std::fputs(FormatDiagnostics(parsed.errors, *text).c_str(), stderr);
      return std::nullopt;
    }
    map = std::move(parsed.map);
  }
  for (const auto& [image, program] : kBuiltinImages) {
    if (map.Find(image) == nullptr) map.entries.push_back({image, {program}});
  }
  return map;
}

Status WriteImport(const compose::ImportResult& r, const std::string& out) {
  if (Status s = MakeDirs(out); !s.ok()) return s;
  if (Status s = WriteFileAtomic(out + "/scenario.yaml", *r.scenario_yaml); !s.ok()) return s;
  for (const auto& l : r.template_links) {
    std::string link = out + "/" + l.link;
    if (Status s = MakeDirs(std::filesystem::path(link).parent_path().string()); !s.ok()) return s;
    std::error_code ec;
    std::filesystem::remove(link, ec);
    if (symlink(l.target.c_str(), link.c_str()) != 0) {
      return Status::FromErrno("cannot link " + link + " to " + l.target);
    }
  }
  return Status::Ok();
}

}  // namespace

int ImportComposeMain(int argc, char** argv) {
  CLI::App app(
      "Write a scenario (isolated mode) that runs a platform docker-compose.yaml here: services "
      "keep their names, environment, dependencies, health checks, ports and host names; images "
      "map to local programs; what cannot be mapped is left as a TODO.",
      argv[0]);
  std::string file, out, images;
  app.add_option("compose_file", file, "the platform's docker-compose.yaml")->required();
  app.add_option("-o,--out", out, "the scenario folder to write (default: the compose file's)");
  app.add_option("--images", images,
                 "the image mapping file: `image[:tag]: [local, argv]` per line ([] when the "
                 "service's command runs as written)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kExitOk : kExitUsage;
  }
  auto text = ReadFile(file);
  if (!text.ok()) {
    std::fprintf(stderr, "faultline import-compose: %s\n", text.error().c_str());
    return kExitUsage;
  }
  auto map = LoadImages(images);
  if (!map) return kExitUsage;
  std::string compose_dir = std::filesystem::path(file).parent_path().string();
  if (compose_dir.empty()) compose_dir = ".";
  if (out.empty()) out = compose_dir;
  compose::ImportInput in{.text = *text,
                          .file = file,
                          .compose_dir = compose_dir,
                          .out_dir = out,
                          .images = std::move(*map),
                          .read_file = ReadOptional,
                          .is_dir = [](const std::string& p) { return IsDirectory(p); }};
  auto r = compose::ImportCompose(in);
  if (!r.scenario_yaml) {
    std::fputs(FormatDiagnostics(r.errors, *text).c_str(), stderr);
    std::fprintf(stderr, "faultline import-compose: nothing written (%zu error(s))\n",
                 r.errors.size());
    return kExitUsage;
  }
  if (Status s = WriteImport(r, out); !s.ok()) {
    std::fprintf(stderr, "faultline import-compose: %s\n", s.message().c_str());
    return kExitInfrastructure;
  }
  for (const auto& t : r.todos) {
    std::fprintf(stderr, "TODO(import): %s%s\n",
                 t.service.empty() ? "" : (t.service + ": ").c_str(), t.message.c_str());
  }
  std::printf("wrote %s/scenario.yaml (%zu to-do(s), also written into it)\n", out.c_str(),
              r.todos.size());
  return kExitOk;
}

}  // namespace faultline::cli
