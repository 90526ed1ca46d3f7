#include "td/sdk_output.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "base/unique_fd.h"

namespace faultline::td {

void SdkReachable(const std::string& message, const std::string& file) {
  const char* path = std::getenv("ANTITHESIS_SDK_LOCAL_OUTPUT");
  if (!path || !*path) return;
  nlohmann::json line = {{"antithesis_assert",
                          {{"assert_type", "reachability"},
                           {"display_type", "Reachable"},
                           {"condition", true},
                           {"hit", true},
                           {"must_hit", true},
                           {"id", message},
                           {"message", message},
                           {"location",
                            {{"file", "src/td/driver.cc"},
                             {"function", "RunTd"},
                             {"class", ""},
                             {"begin_line", 0},
                             {"begin_column", 0}}},
                           {"details", {{"file", file}}}}}};
  std::string text = line.dump() + "\n";
  // O_APPEND makes each line one write, so lines from several processes never interleave.
  UniqueFd fd(::open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
  if (fd) (void)!::write(fd.get(), text.data(), text.size());
}

}  // namespace faultline::td
