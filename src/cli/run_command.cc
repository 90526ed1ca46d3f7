// `faultline run`, `faultline validate` and `faultline report`: flags, then the run room.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>

#include "base/exit_codes.h"
#include "base/files.h"
#include "base/signals.h"
#include "base/strings.h"
#include "cli/commands.h"
#include "compose/render_dir.h"
#include "compose/rules.h"
#include "process/event_loop.h"
#include "report/report.h"
#include "run/run.h"

namespace faultline::cli {
namespace {

// Parses with CLI11; returns an exit code when the program should stop (help, bad flags).
std::optional<int> Parse(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    std::fputs(app.help().c_str(), stdout);
    return kExitOk;
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "%s: %s\n", app.get_name().c_str(), e.what());
    std::fprintf(stderr, "run '%s --help' for the flags\n", app.get_name().c_str());
    return kExitUsage;
  }
  return std::nullopt;
}

int RunOrValidate(int argc, char** argv, bool validate) {
  CLI::App app(validate ? "Check a scenario quickly before a remote run: it loads, its services "
                          "come up and reach setup complete, its templates are well formed, and "
                          "each command runs once without faults."
                        : "Run a scenario's templates under faults and report its properties.",
               argv[0]);
  run::RunOptions o;
  o.validate = validate;
  std::string seed, duration, out = "runs";
  app.add_option("scenario", o.scenario_dir, "the scenario folder (holding scenario.yaml)")
      ->required();
  app.add_option("--out", o.out, "where the run folder goes (default: runs)");
  app.add_option("--template", o.template_name, "run only this template");
  app.add_option("--network", o.network,
                 "loopback (services on 127.0.0.1, no privileges) or isolated (a unit per service "
                 "with its own host name, address and file view; needs root); overrides the "
                 "scenario's network:")
      ->check(CLI::IsMember({"loopback", "isolated"}));
  if (!validate) {
    app.add_option("--seed", seed,
                   "the first history's seed; history i uses seed+i (default: random)");
    app.add_option("--duration", o.duration,
                   "the driver phase of each history, e.g. 30s or 20s..40s");
    app.add_option("--histories", o.histories, "how many histories to run (default: 1)")
        ->check(CLI::Range(1, 1000000));
    app.add_option("--jobs", o.jobs, "how many histories run at once (default: 1)")
        ->check(CLI::Range(1, 64));
    app.add_option("--replay-failures", o.replay_failures,
                   "run each failing property's first history again this many times and report "
                   "how often it fails again")
        ->check(CLI::Range(0, 100));
  }
  if (auto code = Parse(app, argc, argv)) return *code;
  if (!seed.empty()) {
    auto s = ParseUint(seed);
    if (!s) {
      std::fprintf(stderr, "%s: --seed must be a non-negative whole number, not '%s'\n", argv[0],
                   seed.c_str());
      return kExitUsage;
    }
    o.seed = *s;
    // History i runs with seed + i: the last must not wrap round to a small seed.
    if (*s > UINT64_MAX - static_cast<uint64_t>(o.histories - 1)) {
      std::fprintf(stderr,
                   "%s: --seed %s with --histories %d would wrap round past 18446744073709551615 "
                   "(history i uses seed + i)\n",
                   argv[0], seed.c_str(), o.histories);
      return kExitUsage;
    }
  }
  o.color = isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
  if (validate) {
    // What the platform would reject in the scenario's docker-compose.yaml: warnings only, since
    // the local run does not depend on it.
    for (const auto& w : compose::CheckRenderedFile(o.scenario_dir)) {
      std::fputs(compose::FormatWarning(w).c_str(), stderr);
    }
  }
  BlockSignals();
  return run::Execute(o, stdout, stderr);
}

}  // namespace

int RunMain(int argc, char** argv) { return RunOrValidate(argc, argv, false); }

int ValidateMain(int argc, char** argv) { return RunOrValidate(argc, argv, true); }

int ReportMain(int argc, char** argv) {
  CLI::App app(
      "Rebuild the report of a finished run from its folder (report.json and the summary).",
      argv[0]);
  std::string dir;
  app.add_option("run_dir", dir, "the run folder")->required();
  if (auto code = Parse(app, argc, argv)) return *code;
  properties::PropertyBook book;
  auto r = report::Rebuild(dir, book);
  if (!r) {
    std::fprintf(stderr, "faultline report: %s\n", r.error().c_str());
    return kExitUsage;
  }
  Status written = WriteFileAtomic(dir + "/report.json", report::ReportJson(*r).dump(2) + "\n");
  if (!written.ok()) std::fprintf(stderr, "faultline report: %s\n", written.message().c_str());
  report::PrintSummary(stdout, *r, isatty(STDOUT_FILENO) && !getenv("NO_COLOR"));
  return report::ExitCodeOf(*r);
}

}  // namespace faultline::cli
