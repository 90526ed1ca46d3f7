// `faultline td` and `faultline proxy` in the lean faultline binary: they exec faultline-full,
// which holds the PostgreSQL and HTTP clients. The lean binary loads neither library, so the
// `faultline sdk` calls that shell commands make by the thousand start in about a millisecond.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "base/exit_codes.h"
#include "base/files.h"
#include "cli/commands.h"

namespace faultline::cli {
namespace {

// argv[0] is "faultline <name>"; the rest are the subcommand's arguments.
int ExecFull(const char* name, int argc, char** argv) {
  std::string full = SelfExeDir() + "/faultline-full";
  std::vector<char*> args;
  args.push_back(full.data());
  args.push_back(const_cast<char*>(name));
  for (int i = 1; i < argc; ++i) args.push_back(argv[i]);
  args.push_back(nullptr);
  execv(full.c_str(), args.data());
  std::fprintf(stderr, "faultline %s: cannot run %s: %s\n", name, full.c_str(),
               std::strerror(errno));
  return kExitInfrastructure;
}

}  // namespace

int TdMain(int argc, char** argv) { return ExecFull("td", argc, argv); }
int ProxyMain(int argc, char** argv) { return ExecFull("proxy", argc, argv); }

}  // namespace faultline::cli
