// faultline: run deterministic fault-injection test templates on a laptop or a CI box.
// main() finds the subcommand in the table and hands it the rest of the command line.
#include <cstdio>
#include <string>
#include <vector>

#include "base/exit_codes.h"
#include "base/strings.h"
#include "base/terminal.h"
#include "cli/commands.h"

namespace faultline::cli {
namespace {

constexpr Subcommand kSubcommands[] = {
    {"run", "run a scenario's templates under faults and report its properties", RunMain},
    {"validate", "check a scenario quickly: it loads, comes up, and each command runs once",
     ValidateMain},
    {"render-compose", "write the remote platform's docker-compose.yaml from a scenario",
     RenderComposeMain},
    {"import-compose", "write a scenario (isolated mode) from a platform docker-compose.yaml",
     ImportComposeMain},
    {"report", "rebuild the reports of a finished run from its folder", ReportMain},
    {"td", "run testdrive (.td) files against a PostgreSQL-wire server", TdMain},
    {"sdk", "write SDK lines (assertions, events, setup complete) from shell scripts", SdkMain},
    {"proxy", "run the fault proxy alone, controlled through the toxiproxy HTTP API", ProxyMain},
    {"exec", "run a command inside a unit of a running history in isolated mode", ExecMain},
};

void PrintHelp(FILE* out) {
  std::fprintf(out, "usage: faultline <command> [args...]\n\ncommands:\n");
  for (const auto& c : kSubcommands) {
    std::fprintf(out, "  %-13.*s %.*s\n", static_cast<int>(c.name.size()), c.name.data(),
                 static_cast<int>(c.help.size()), c.help.data());
  }
  std::fprintf(out, "\n'faultline <command> --help' describes a command's flags.\n");
}

}  // namespace

std::span<const Subcommand> Subcommands() { return kSubcommands; }

}  // namespace faultline::cli

int main(int argc, char** argv) {
  using namespace faultline;  // NOLINT: main is the only place
  if (argc < 2) {
    cli::PrintHelp(stderr);
    return kExitUsage;
  }
  std::string name = argv[1];
  if (name == "help" || name == "--help" || name == "-h") {
    cli::PrintHelp(stdout);
    return kExitOk;
  }
  if (name == "--version" || name == "version") {
    std::printf("faultline 0.1.0\n");
    return kExitOk;
  }
  std::vector<std::string> names;
  for (const auto& c : cli::Subcommands()) {
    if (c.name == name) {
      std::string program = "faultline " + name;
      argv[1] = program.data();
      return c.handler(argc - 1, argv + 1);
    }
    names.emplace_back(c.name);
  }
  std::fprintf(stderr, "faultline: unknown command '%s'", ForTerminal(name).c_str());
  if (auto s = Suggest(name, names)) std::fprintf(stderr, " (did you mean '%s'?)", s->c_str());
  std::fprintf(stderr, "\n");
  cli::PrintHelp(stderr);
  return kExitUsage;
}
