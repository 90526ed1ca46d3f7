// `faultline proxy`: flags and wiring; the work lives in its room.
#include <cstdio>

#include "base/exit_codes.h"
#include "cli/commands.h"

namespace faultline::cli {

int ProxyMain(int /*argc*/, char** /*argv*/) {
  std::fprintf(stderr, "faultline proxy: not built yet\n");
  return kExitUsage;
}

}  // namespace faultline::cli
