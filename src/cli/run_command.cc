// `faultline run`, `faultline validate` and `faultline report`: flags, then the run room.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>

#include "base/exit_codes.h"
#include "base/files.h"
#include "base/signals.h"
#include "base/strings.h"
#include "base/terminal.h"
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
  std::string seed, seeds, duration, out = "runs";
  bool no_progress = false;
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
    auto* histories =
        app.add_option("--histories", o.histories, "how many histories to run (default: 1)")
            ->check(CLI::Range(1, 1000000));
    app.add_option("--seeds", seeds,
                   "run exactly these history seeds, e.g. 100-199 or 3,17,40-42 (split a job "
                   "across machines by seed range; merge with faultline report --merge)")
        ->excludes("--seed")
        ->excludes(histories);
    app.add_option("--baseline", o.baseline,
                   "an earlier run folder: classify each property as a new failure, still "
                   "failing, resolved or newly passing");
    app.add_option("--jobs", o.jobs, "how many histories run at once (default: 1)")
        ->check(CLI::Range(1, 64));
    app.add_option("--replay-failures", o.replay_failures,
                   "run each failing property's first history again this many times and report "
                   "how often it fails again")
        ->check(CLI::Range(0, 100));
  }
  app.add_flag("--no-progress", no_progress,
               "plain log lines instead of a status line redrawn in place");
  if (auto code = Parse(app, argc, argv)) return *code;
  if (!seeds.empty()) {
    auto list = report::ParseSeeds(seeds);
    if (!list) {
      std::fprintf(stderr, "%s: --seeds: %s\n", argv[0], ForTerminal(list.error()).c_str());
      return kExitUsage;
    }
    o.seeds = std::move(*list);
    o.seeds_flag = seeds;
    o.histories = static_cast<int>(o.seeds.size());
  }
  if (!o.baseline.empty() && !PathExists(o.baseline + "/run.json")) {
    std::fprintf(stderr, "%s: --baseline: %s is not a faultline run folder (no run.json)\n",
                 argv[0], ForTerminal(o.baseline).c_str());
    return kExitUsage;
  }
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
  o.progress = o.color && !no_progress;
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
  report::TuneAllocatorForRebuild();
  CLI::App app(
      "Rebuild the reports of a finished run from its folder (report.json, junit.xml, "
      "report.html and the summary), or merge several runs into one report.",
      argv[0]);
  std::vector<std::string> dirs, merge;
  std::string out, baseline;
  app.add_option("run_dir", dirs, "the run folder");
  app.add_option("--merge", merge, "merge these run folders (e.g. one per machine) into one report")
      ->expected(1, -1);
  app.add_option("--out", out, "where a merged report goes (a folder; created if missing)");
  app.add_option("--baseline", baseline,
                 "an earlier run folder: classify each property as a new failure, still failing, "
                 "resolved or newly passing");
  if (auto code = Parse(app, argc, argv)) return *code;
  dirs.insert(dirs.end(), merge.begin(), merge.end());
  for (auto& d : dirs) {
    while (d.size() > 1 && d.back() == '/') d.pop_back();
  }
  bool merging = !merge.empty() || dirs.size() > 1;
  if (dirs.empty()) {
    std::fprintf(stderr, "faultline report: name a run folder (or --merge RUN_DIR... --out DIR)\n");
    return kExitUsage;
  }
  if (merging && out.empty()) {
    std::fprintf(stderr,
                 "faultline report: --merge needs --out DIR, the folder for the merged "
                 "report\n");
    return kExitUsage;
  }
  if (!merging && !out.empty()) {
    std::fprintf(stderr,
                 "faultline report: --out is for --merge; a run's reports are rebuilt in "
                 "its own folder\n");
    return kExitUsage;
  }
  std::string dir = merging ? out : dirs[0];
  if (merging) {
    if (Status s = MakeDirs(out); !s.ok()) {
      std::fprintf(stderr, "faultline report: %s\n", ForTerminal(s.message()).c_str());
      return kExitUsage;
    }
    for (auto& d : dirs) d = RealPath(d).value_or(d);
    dir = RealPath(out).value_or(out);
  }
  properties::PropertyBook book;
  auto r = merging ? report::Merge(dirs, dir, book) : report::Rebuild(dir, book);
  if (!r) {
    std::fprintf(stderr, "faultline report: %s\n", ForTerminal(r.error()).c_str());
    return kExitUsage;
  }
  if (!baseline.empty()) {
    auto b = report::LoadBaseline(baseline);
    if (!b) {
      std::fprintf(stderr, "faultline report: %s\n", ForTerminal(b.error()).c_str());
      return kExitUsage;
    }
    r->baseline = std::move(*b);
  }
  if (merging) {
    Status meta = WriteFileAtomic(dir + "/run.json", report::MetaJson(r->meta).dump(2) + "\n");
    if (!meta.ok()) std::fprintf(stderr, "faultline report: %s\n", meta.message().c_str());
  }
  Status written = report::WriteReportFiles(*r, dir);
  if (!written.ok()) {
    std::fprintf(stderr, "faultline report: %s\n", ForTerminal(written.message()).c_str());
  }
  report::PrintSummary(stdout, *r, isatty(STDOUT_FILENO) && !getenv("NO_COLOR"));
  return report::ExitCodeOf(*r);
}

}  // namespace faultline::cli
