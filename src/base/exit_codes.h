// The exit codes of every faultline subcommand, in one place, because scripts and CI depend on them.
#pragma once

namespace faultline {

enum ExitCode : int {
  kExitOk = 0,              // every property passed (or the subcommand succeeded)
  kExitFailed = 1,          // a property, a check or a test failed
  kExitUsage = 2,           // usage or input error: bad flags, a bad scenario, a bad .td file
  kExitInfrastructure = 3,  // the environment failed us: a service would not start, no ports
  kExitInterrupted = 130,   // SIGINT or SIGTERM
};

}  // namespace faultline
