// `faultline td`: flags and wiring; the work lives in src/td/.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>

#include "base/duration.h"
#include "base/exit_codes.h"
#include "base/rng.h"
#include "base/strings.h"
#include "cli/commands.h"
#include "td/driver.h"

namespace faultline::cli {
namespace {

struct TdFlags {
  std::vector<std::string> vars;
  std::string seed;
  std::string default_timeout = "30s";
  std::string initial_backoff = "50ms";
  bool quiet = false;
};

void AddFlags(CLI::App& app, td::TdOptions& o, TdFlags& f) {
  app.add_option("files", o.files, "the .td files to run ('-' reads standard input)");
  app.add_option("--url,--materialize-url", o.run.url,
                 "libpq URL of the PostgreSQL-wire server (postgresql://user@host:port/db)");
  app.add_flag("--check", o.check, "only parse: list every error of every file");
  app.add_option("--var", f.vars, "NAME=VALUE, read as ${arg.NAME} (repeatable)");
  app.add_option("--seed", f.seed,
                 "seed for names and random choices (default: $FAULTLINE_SEED, "
                 "else random)");
  app.add_flag(
      "--no-reset", [&o](int64_t) { o.run.reset = false; },
      "run in the URL's database instead of a fresh database per file");
  app.add_option("--default-timeout", f.default_timeout,
                 "SQL timeout per statement, retries "
                 "included")
      ->capture_default_str();
  app.add_option("--initial-backoff", f.initial_backoff, "first retry delay")
      ->capture_default_str();
  app.add_option("--backoff-factor", o.run.backoff_factor, "growth of the retry delay")
      ->capture_default_str();
  app.add_option("--default-max-tries", o.run.default_max_tries,
                 "tries per statement (0: no "
                 "limit)")
      ->capture_default_str();
  app.add_option("--max-errors", o.max_errors, "stop after this many failed files")
      ->capture_default_str();
  app.add_option("--junit-report", o.junit_report, "write a JUnit XML report to this path");
  app.add_option("--shard", o.shard, "run only the files of this shard (0-based)");
  app.add_option("--shard-count", o.shard_count, "number of shards")->capture_default_str();
  app.add_option("--source", o.source, "where the files come from (a link), shown with failures");
  app.add_flag("--retry-file-once", o.retry_file_once,
               "run a file once more after a failure that looks transient (restart, network)");
  app.add_option("--pick-from", o.pick_from, "run one file chosen with the seed from this list");
  app.add_option("--bucket", o.bucket, "with --pick-from: choose only from this folder");
  app.add_flag("-q,--quiet", f.quiet, "print only failures and the summary");
}

// Turns the string flags into options; returns an error message for a bad value.
std::optional<std::string> Finish(td::TdOptions& o, const TdFlags& f) {
  for (const auto& v : f.vars) {
    size_t eq = v.find('=');
    if (eq == std::string::npos) return fmt::format("--var '{}' is not NAME=VALUE", v);
    o.run.args[v.substr(0, eq)] = v.substr(eq + 1);
  }
  std::string seed = f.seed;
  if (seed.empty() && std::getenv("FAULTLINE_SEED")) seed = std::getenv("FAULTLINE_SEED");
  if (seed.empty()) {
    o.run.seed = OsSeed() % 1000000000;
  } else if (auto s = ParseUint(seed)) {
    o.run.seed = *s;
  } else {
    return fmt::format("seed '{}' is not a non-negative integer", seed);
  }
  auto timeout = ParseDuration(f.default_timeout);
  if (!timeout) return "--default-timeout: " + timeout.error();
  auto backoff = ParseDuration(f.initial_backoff);
  if (!backoff) return "--initial-backoff: " + backoff.error();
  o.run.default_timeout = *timeout;
  o.run.initial_backoff = *backoff;
  // NaN fails every comparison, so the test is written to let only 1..100 through.
  if (!(o.run.backoff_factor >= 1.0 && o.run.backoff_factor <= 100.0)) {
    return fmt::format("--backoff-factor must be a number from 1 to 100, got {}",
                       o.run.backoff_factor);
  }
  if (o.files.empty() && o.pick_from.empty()) return "no .td files given (or use --pick-from)";
  if (!o.check && o.run.url.empty()) return "--url (or --materialize-url) is required to run";
  if (f.quiet) o.run.log = nullptr;
  return std::nullopt;
}

}  // namespace

int TdMain(int argc, char** argv) {
  CLI::App app{"Run testdrive (.td) files against a PostgreSQL-wire server.", "faultline td"};
  td::TdOptions options;
  TdFlags flags;
  AddFlags(app, options, flags);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // CLI11 reports --help through an exception too; exit() prints either and gives its code.
    int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }
  if (auto error = Finish(options, flags)) {
    std::fprintf(stderr, "faultline td: %s\n", error->c_str());
    return kExitUsage;
  }
  return td::RunTd(options);
}

}  // namespace faultline::cli
