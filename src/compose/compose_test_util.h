// Test helpers: the shipped scenarios, and Debian's docker-compose run on a compose file's text
// (`config -q` checks the schema and interpolation without a Docker engine). For tests only; one
// thread.
#pragma once

#include <dirent.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

#include "base/files.h"
#include "base/status.h"
#include "base/strings.h"

namespace faultline::compose {

// Writes `text` as `dir`/docker-compose.yaml and runs `docker-compose -f FILE config -q`.
// OK when it accepts the file; otherwise its exit status and what it printed.
inline Status DockerComposeConfig(const std::string& text, const std::string& dir) {
  std::string file = dir + "/docker-compose.yaml";
  std::string log = dir + "/docker-compose.log";
  if (Status s = WriteFile(file, text); !s.ok()) return s;
  std::string cmd = fmt::format("cd {} && docker-compose -f {} config -q >{} 2>&1", ShellQuote(dir),
                                ShellQuote(file), ShellQuote(log));
  int rc = std::system(cmd.c_str());
  if (rc == 0) return Status::Ok();
  auto out = ReadFile(log);
  return Status::Error(fmt::format("docker-compose config -q exited with status {}: {}", rc,
                                   out.ok() ? *out : out.error()));
}

// The folders under the source tree's scenarios/ that hold a scenario.yaml, sorted: each must
// have its rendered docker-compose.yaml committed beside it (the tests fail when it is missing
// or out of date).
inline std::vector<std::string> ShippedScenarios() {
  std::vector<std::string> out;
  std::string root = std::string(FAULTLINE_SOURCE_DIR) + "/scenarios";
  DIR* d = opendir(root.c_str());
  if (d == nullptr) return out;
  while (dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name[0] == '.' || !PathExists(root + "/" + name + "/scenario.yaml")) continue;
    out.push_back(root + "/" + name);
  }
  closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace faultline::compose
