// The subcommand table of the faultline binary. Each handler receives the arguments after the
// subcommand's name (argv[0] is "faultline <name>") and returns a process exit code from
// base/exit_codes.h. Handlers run on the main thread.
#pragma once

#include <span>
#include <string_view>

namespace faultline::cli {

using Handler = int (*)(int argc, char** argv);

struct Subcommand {
  std::string_view name;
  std::string_view help;
  Handler handler;
};

int RunMain(int argc, char** argv);
int ValidateMain(int argc, char** argv);
int ReportMain(int argc, char** argv);
int SdkMain(int argc, char** argv);
int TdMain(int argc, char** argv);
int ProxyMain(int argc, char** argv);
int RenderComposeMain(int argc, char** argv);
int ImportComposeMain(int argc, char** argv);
int ExecMain(int argc, char** argv);

// Every subcommand, in the order `faultline help` lists them.
std::span<const Subcommand> Subcommands();

}  // namespace faultline::cli
