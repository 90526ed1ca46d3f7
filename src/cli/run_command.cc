// `faultline run`, `validate`, `report` and `stop-faults`: flags and wiring.
#include <cstdio>

#include "base/exit_codes.h"
#include "cli/commands.h"

namespace faultline::cli {

int RunMain(int, char**) { std::fprintf(stderr, "faultline run: not built yet\n"); return kExitUsage; }
int ValidateMain(int, char**) { return kExitUsage; }
int ReportMain(int, char**) { return kExitUsage; }
int StopFaultsMain(int, char**) { return kExitUsage; }

}  // namespace faultline::cli
