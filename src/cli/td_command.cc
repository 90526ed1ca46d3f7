// `faultline td`: flags and wiring; the work lives in its room.
#include <cstdio>

#include "base/exit_codes.h"
#include "cli/commands.h"

namespace faultline::cli {

int TdMain(int /*argc*/, char** /*argv*/) {
  std::fprintf(stderr, "faultline td: not built yet\n");
  return kExitUsage;
}

}  // namespace faultline::cli
