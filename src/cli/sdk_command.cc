// `faultline sdk`: flags and wiring; the work lives in its room.
#include <cstdio>

#include "base/exit_codes.h"
#include "cli/commands.h"

namespace faultline::cli {

int SdkMain(int /*argc*/, char** /*argv*/) {
  std::fprintf(stderr, "faultline sdk: not built yet\n");
  return kExitUsage;
}

}  // namespace faultline::cli
