#include "sdk/shell_sdk.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <variant>
#include <vector>

#include "base/exit_codes.h"
#include "base/files.h"
#include "base/json.h"
#include "base/strings.h"
#include "base/unique_fd.h"
#include "timeline/event.h"

namespace faultline::sdk {
namespace {

using internal::Compare;
using internal::Kind;

// What an assertion subcommand takes before its message.
enum class Operands { kCondition, kNone, kNumbers, kBools };

struct AssertSpec {
  const char* name;
  Kind kind;
  Operands operands;
  Compare op;  // for kNumbers
  const char* help;
};

constexpr AssertSpec kAsserts[] = {
    {"always", Kind::kAlways, Operands::kCondition, Compare::kGreater,
     "CONDITION is true every time, and this is reached at least once"},
    {"always-or-unreachable", Kind::kAlwaysOrUnreachable, Operands::kCondition, Compare::kGreater,
     "CONDITION is true every time this is reached (never reached is fine)"},
    {"sometimes", Kind::kSometimes, Operands::kCondition, Compare::kGreater,
     "CONDITION is true at least once"},
    {"reachable", Kind::kReachable, Operands::kNone, Compare::kGreater,
     "this point is reached at least once"},
    {"unreachable", Kind::kUnreachable, Operands::kNone, Compare::kGreater,
     "this point is never reached"},
    {"always-greater-than", Kind::kAlways, Operands::kNumbers, Compare::kGreater,
     "LEFT > RIGHT every time"},
    {"always-greater-than-or-equal-to", Kind::kAlways, Operands::kNumbers, Compare::kGreaterOrEqual,
     "LEFT >= RIGHT every time"},
    {"always-less-than", Kind::kAlways, Operands::kNumbers, Compare::kLess,
     "LEFT < RIGHT every time"},
    {"always-less-than-or-equal-to", Kind::kAlways, Operands::kNumbers, Compare::kLessOrEqual,
     "LEFT <= RIGHT every time"},
    {"sometimes-greater-than", Kind::kSometimes, Operands::kNumbers, Compare::kGreater,
     "LEFT > RIGHT at least once"},
    {"sometimes-greater-than-or-equal-to", Kind::kSometimes, Operands::kNumbers,
     Compare::kGreaterOrEqual, "LEFT >= RIGHT at least once"},
    {"sometimes-less-than", Kind::kSometimes, Operands::kNumbers, Compare::kLess,
     "LEFT < RIGHT at least once"},
    {"sometimes-less-than-or-equal-to", Kind::kSometimes, Operands::kNumbers, Compare::kLessOrEqual,
     "LEFT <= RIGHT at least once"},
    {"always-some", Kind::kAlways, Operands::kBools, Compare::kGreater,
     "at least one NAME=BOOL is true every time"},
    {"sometimes-all", Kind::kSometimes, Operands::kBools, Compare::kGreater,
     "every NAME=BOOL is true at least once"},
};

constexpr const char* kDetailHelp =
    "details: KEY=TEXT (a string), KEY:=JSON (a number, boolean, object...) or a JSON object";

// Everything a subcommand may take; only one subcommand is parsed per call.
struct Args {
  std::string condition;
  std::string left;
  std::string right;
  std::string message;
  std::string name;                  // event name, or the kind to declare
  std::vector<std::string> rest;     // details, NAME=BOOL pairs, or choices
  std::vector<std::string> details;  // -d/--detail
  std::string file;
  std::string function;
  int line = 0;
  uint64_t below = 0;
};

// A usage error: printed with the subcommand's help, exit 2.
struct UsageError {
  std::string message;
};

using Number = std::variant<int64_t, uint64_t, double>;

std::optional<Number> ParseNumber(std::string_view text) {
  if (auto i = ParseInt(text)) return Number(*i);
  if (auto u = ParseUint(text)) return Number(*u);
  if (auto d = ParseDouble(text)) return Number(*d);
  return std::nullopt;
}

Value NumberValue(const Number& n) {
  return std::visit([](auto v) { return Value(v); }, n);
}

// A record in the state file for one (tag, kind, message): "p <hash>" for a passing line,
// "f <hash>" for a failing one, "r <hash>" for a declaration.
std::string Record(char tag, Kind kind, std::string_view message) {
  char kind_byte = static_cast<char>(kind);
  uint64_t hash = internal::Fnv1a64(message, internal::Fnv1a64(std::string_view(&kind_byte, 1)));
  return fmt::format("{} {:016x}", tag, hash);
}

// ShellState: what the `faultline sdk` calls of one invocation share, kept in the state file
// beside its output file and locked (flock) for as long as the object lives: the records of the
// outcomes written so far, and one "n" line per random number drawn. Without a state file (no
// output, or it cannot be opened) nothing is deduplicated and draws start from 0 in every call.
class ShellState {
 public:
  explicit ShellState(const std::string& output) {
    if (output.empty()) return;
    fd_.Reset(
        ::open(ShellStatePath(output).c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
    if (!fd_) return;
    while (::flock(fd_.get(), LOCK_EX) != 0) {
      if (errno != EINTR) {
        fd_.Reset();
        return;
      }
    }
    char buf[65536];
    while (true) {
      ssize_t n = ::pread(fd_.get(), buf, sizeof buf, static_cast<off_t>(contents_.size() - 1));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      contents_.append(buf, static_cast<size_t>(n));
    }
    for (size_t at = contents_.find("\nn\n"); at != std::string::npos;
         at = contents_.find("\nn\n", at + 2)) {
      ++draws_;
    }
  }

  // True, and recorded, the first time `record` is claimed in this invocation.
  bool Claim(const std::string& record) {
    if (!fd_) return true;
    if (contents_.find("\n" + record + "\n") != std::string::npos) return false;
    Append(record);
    return true;
  }

  // The index of the next random draw of this invocation.
  uint64_t NextDrawIndex() {
    if (fd_) Append("n");
    return draws_++;
  }

 private:
  void Append(const std::string& record) {
    std::string line = record + "\n";
    contents_ += line;
    if (!internal::WriteAll(fd_.get(), line)) {
      std::fprintf(stderr, "faultline sdk: warning: cannot write the state file: %s\n",
                   std::strerror(errno));
    }
  }

  UniqueFd fd_;
  std::string contents_ = "\n";  // the file's text after a leading newline, so every record
                                 // is found as "\n<record>\n"
  uint64_t draws_ = 0;
};

// Appends one line with one write(2); a failure is a warning, never an error.
void AppendLine(const std::string& path, std::string line) {
  line.push_back('\n');
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644));
  if (!fd || !internal::WriteAll(fd.get(), line)) {
    std::fprintf(stderr, "faultline sdk: warning: cannot write %s: %s\n", path.c_str(),
                 std::strerror(errno));
  }
}

// The output file of this invocation, from the environment.
std::string OutputPath() {
  return ShellOutputPath(std::getenv("ANTITHESIS_SDK_LOCAL_OUTPUT"),
                         std::getenv("ANTITHESIS_OUTPUT_DIR"));
}

Details BuildDetails(const std::vector<std::string>& args) {
  Details details;
  for (const std::string& arg : args) {
    Status s = AddDetail(arg, details);
    if (!s.ok()) throw UsageError{s.message()};
  }
  return details;
}

std::string CheckedMessage(const std::string& message) {
  if (message.empty()) throw UsageError{"MESSAGE must not be empty"};
  return message;
}

// Writes one evaluation line unless this invocation already wrote this outcome.
void WriteEvaluation(const AssertSpec& spec, const Args& a, bool condition,
                     const Details& details) {
  std::string output = OutputPath();
  if (output.empty()) return;
  ShellState state(output);
  if (!state.Claim(Record(condition ? 'p' : 'f', spec.kind, a.message))) return;
  std::string file = a.file.empty() ? CallerScript() : a.file;
  internal::SiteInfo site{spec.kind, a.message, file.c_str(), a.function.c_str(), a.line, 0};
  std::string details_json = details.to_json();
  AppendLine(output, internal::AssertLine(site, /*hit=*/true, condition, &details_json));
}

void RunAssert(const AssertSpec& spec, const Args& a) {
  CheckedMessage(a.message);
  bool condition = true;
  Details details;
  switch (spec.operands) {
    case Operands::kCondition: {
      auto c = ParseCondition(a.condition);
      if (!c) throw UsageError{"CONDITION must be true or false, not '" + a.condition + "'"};
      condition = *c;
      details = BuildDetails(a.rest);
      break;
    }
    case Operands::kNone:
      condition = spec.kind == Kind::kReachable;
      details = BuildDetails(a.rest);
      break;
    case Operands::kNumbers: {
      auto left = ParseNumber(a.left);
      auto right = ParseNumber(a.right);
      if (!left) throw UsageError{"LEFT must be a number, not '" + a.left + "'"};
      if (!right) throw UsageError{"RIGHT must be a number, not '" + a.right + "'"};
      condition = std::visit([&](auto l, auto r) { return internal::Compares(spec.op, l, r); },
                             *left, *right);
      details = BuildDetails(a.rest);
      details.set("left", NumberValue(*left)).set("right", NumberValue(*right));
      break;
    }
    case Operands::kBools: {
      std::vector<std::pair<std::string, bool>> bools;
      for (const std::string& pair : a.rest) {
        size_t eq = pair.find('=');
        auto value = eq == std::string::npos ? std::nullopt : ParseCondition(pair.substr(eq + 1));
        if (eq == 0 || !value) throw UsageError{"'" + pair + "' is not NAME=true or NAME=false"};
        bools.emplace_back(pair.substr(0, eq), *value);
      }
      if (bools.empty()) throw UsageError{"give at least one NAME=BOOL"};
      Bools named(bools);
      condition = spec.kind == Kind::kSometimes ? named.all() : named.any();
      named.add_to(details);
      break;
    }
  }
  for (const std::string& arg : a.details) {
    Status s = AddDetail(arg, details);
    if (!s.ok()) throw UsageError{s.message()};
  }
  WriteEvaluation(spec, a, condition, details);
}

void RunDeclare(const Args& a) {
  const AssertSpec* spec = nullptr;
  for (const AssertSpec& s : kAsserts) {
    if (a.name == s.name) spec = &s;
  }
  if (spec == nullptr) {
    std::vector<std::string> names;
    for (const AssertSpec& s : kAsserts) names.emplace_back(s.name);
    std::string hint;
    if (auto s = Suggest(a.name, names)) hint = " (did you mean '" + *s + "'?)";
    throw UsageError{"'" + a.name + "' is not an assertion kind" + hint};
  }
  CheckedMessage(a.message);
  std::string output = OutputPath();
  if (output.empty()) return;
  ShellState state(output);
  if (!state.Claim(Record('r', spec->kind, a.message))) return;
  std::string file = a.file.empty() ? CallerScript() : a.file;
  internal::SiteInfo site{spec->kind, a.message, file.c_str(), a.function.c_str(), a.line, 0};
  AppendLine(output, internal::AssertLine(site, /*hit=*/false, /*condition=*/false, nullptr));
}

void RunSetupComplete(const Args& a) {
  Details details = BuildDetails(a.rest);
  for (const std::string& arg : a.details) {
    Status s = AddDetail(arg, details);
    if (!s.ok()) throw UsageError{s.message()};
  }
  std::string output = OutputPath();
  std::string details_json = details.to_json();
  if (!output.empty()) {
    AppendLine(output, internal::SetupCompleteLine(details.empty() ? nullptr : &details_json));
  }
}

void RunEvent(const Args& a) {
  if (a.name.empty()) throw UsageError{"NAME must not be empty"};
  if (internal::IsReservedKey(a.name)) {
    throw UsageError{"'" + a.name + "' is a name the protocol reserves"};
  }
  Details details = BuildDetails(a.rest);
  for (const std::string& arg : a.details) {
    Status s = AddDetail(arg, details);
    if (!s.ok()) throw UsageError{s.message()};
  }
  std::string output = OutputPath();
  if (!output.empty()) AppendLine(output, internal::EventLine(a.name, details.to_json()));
}

// Draws uniformly below `n` (all 64 bits when n is 0) from FAULTLINE_SEED's sequence, continuing
// this invocation's draws, or from the operating system without a seed.
uint64_t Draw(uint64_t n) {
  const char* seed_text = std::getenv("FAULTLINE_SEED");
  bool seeded = seed_text != nullptr && *seed_text != '\0';
  std::optional<ShellState> state;
  if (seeded) state.emplace(OutputPath());
  auto next = [&] {
    return seeded ? internal::SeededDraw(internal::SeedFromText(seed_text), state->NextDrawIndex())
                  : internal::OsEntropy();
  };
  return n == 0 ? next() : internal::UniformBelow(n, next);  // as faultline::random_below
}

void AddFlags(CLI::App* sub, Args& a, bool location) {
  sub->add_option("-d,--detail", a.details, kDetailHelp)->allow_extra_args(false);
  if (!location) return;
  sub->add_option("--file", a.file, "the location's file (default: the calling script)");
  sub->add_option("--line", a.line, "the location's line, e.g. $LINENO");
  sub->add_option("--function", a.function, "the location's function");
}

CLI::App* AddAssertCommand(CLI::App& app, const AssertSpec& spec, Args& a) {
  CLI::App* sub = app.add_subcommand(spec.name, spec.help);
  switch (spec.operands) {
    case Operands::kCondition:
      sub->add_option("CONDITION", a.condition, "true or false")->required();
      break;
    case Operands::kNumbers:
      sub->add_option("LEFT", a.left, "a number")->required();
      sub->add_option("RIGHT", a.right, "a number")->required();
      break;
    case Operands::kNone:
    case Operands::kBools:
      break;
  }
  sub->add_option("MESSAGE", a.message, "the property's name")->required();
  if (spec.operands == Operands::kBools) {
    sub->add_option("BOOLS", a.rest, "NAME=true or NAME=false, one or more");
  } else {
    sub->add_option("DETAILS", a.rest, kDetailHelp);
  }
  AddFlags(sub, a, /*location=*/true);
  return sub;
}

constexpr const char* kFooter = R"(
Lines are appended to $ANTITHESIS_SDK_LOCAL_OUTPUT, else to $ANTITHESIS_OUTPUT_DIR/sdk.jsonl;
with neither set, assertions do nothing. An assertion never fails the script: it exits 0
whatever the condition, and 2 only for wrong arguments. Within one invocation (one output file)
each outcome of each assertion is written once, as a C++ process writes it once.

  faultline sdk always "$ok" "balance never negative" balance:="$balance" account=alice
  faultline sdk sometimes-greater-than "$rows" 0 "a scan returns rows" --line $LINENO
  faultline sdk setup-complete
  op=$(faultline sdk choice read write scan)
)";

}  // namespace

std::string ShellOutputPath(const char* local_output, const char* output_dir) {
  if (local_output != nullptr && *local_output != '\0') return local_output;
  if (output_dir != nullptr && *output_dir != '\0') return std::string(output_dir) + "/sdk.jsonl";
  return "";
}

std::string ShellStatePath(const std::string& output) { return output + ".faultline-state"; }

std::optional<bool> ParseCondition(std::string_view text) {
  if (text == "true") return true;
  if (text == "false") return false;
  return std::nullopt;
}

Status AddDetail(std::string_view arg, Details& details) {
  if (!arg.empty() && arg.front() == '{') {
    Json object = ParseJson(arg);
    if (!object.is_object())
      return Status::Error("'" + std::string(arg) + "' is not a JSON object");
    for (const auto& [key, value] : object.items()) {
      details.set(key, Value(internal::RawJsonTag{},
                             value.dump(-1, ' ', false, Json::error_handler_t::replace)));
    }
    return Status::Ok();
  }
  size_t eq = arg.find('=');
  if (eq == std::string_view::npos || eq == 0 || (eq == 1 && arg[0] == ':')) {
    return Status::Error("'" + std::string(arg) + "' is not KEY=TEXT, KEY:=JSON or a JSON object");
  }
  if (arg[eq - 1] == ':') {
    std::string_view key = arg.substr(0, eq - 1);
    Json value = ParseJson(arg.substr(eq + 1));
    if (value.is_discarded()) {
      return Status::Error("'" + std::string(arg) + "': the value of '" + std::string(key) +
                           "' is not JSON (KEY=TEXT takes any text)");
    }
    details.set(key, Value(internal::RawJsonTag{},
                           value.dump(-1, ' ', false, Json::error_handler_t::replace)));
    return Status::Ok();
  }
  details.set(arg.substr(0, eq), Value(arg.substr(eq + 1)));
  return Status::Ok();
}

std::string CallerScript() {
  auto text = ReadFile("/proc/" + std::to_string(::getppid()) + "/cmdline");
  if (!text || text->empty()) return "";
  std::vector<std::string> argv = Split(*text, '\0');
  if (!argv.empty() && argv.back().empty()) argv.pop_back();
  if (argv.empty()) return "";
  std::string program = argv[0].substr(argv[0].rfind('/') + 1);
  static const char* const kShells[] = {"sh", "bash", "dash", "zsh", "ksh", "mksh", "ash"};
  bool shell = false;
  for (const char* s : kShells) shell = shell || program == s;
  if (!shell) return argv[0];
  for (size_t i = 1; i < argv.size(); ++i) {
    const std::string& arg = argv[i];
    if (arg == "-c") return argv[0];  // a command string, not a script
    if (arg == "-o" || arg == "+o") {
      ++i;  // takes an option name
      continue;
    }
    if (arg == "--") return i + 1 < argv.size() ? argv[i + 1] : argv[0];
    if (arg.empty() || arg[0] == '-' || arg[0] == '+') continue;
    return arg;
  }
  return argv[0];
}

int RunShellSdk(int argc, char** argv) {
  CLI::App app(
      "Write SDK lines from shell scripts: assertions, setup complete, events, and draw "
      "seeded random numbers.",
      "faultline sdk");
  app.require_subcommand(1, 1);
  app.footer(kFooter);
  Args a;
  std::vector<std::pair<CLI::App*, const AssertSpec*>> asserts;
  for (const AssertSpec& spec : kAsserts)
    asserts.emplace_back(AddAssertCommand(app, spec, a), &spec);

  CLI::App* declare = app.add_subcommand(
      "declare", "register an assertion before it runs, so a must-hit one that never runs fails");
  declare->add_option("KIND", a.name, "always, sometimes, reachable, ...")->required();
  declare->add_option("MESSAGE", a.message, "the property's name")->required();
  AddFlags(declare, a, /*location=*/true);

  CLI::App* setup = app.add_subcommand("setup-complete", "declare that setup is complete");
  setup->add_option("DETAILS", a.rest, kDetailHelp);
  AddFlags(setup, a, /*location=*/false);

  CLI::App* event = app.add_subcommand("event", "send an event {NAME: details} to the timeline");
  event->add_option("NAME", a.name, "the event's name")->required();
  event->add_option("DETAILS", a.rest, kDetailHelp);
  AddFlags(event, a, /*location=*/false);

  CLI::App* random = app.add_subcommand(
      "random", "print a random number (from FAULTLINE_SEED's sequence when it is set)");
  random->add_option("--below", a.below, "print a number in [0, N) instead of a 64-bit one")
      ->check(CLI::PositiveNumber);

  CLI::App* choice = app.add_subcommand("choice", "print one of the OPTIONS, chosen at random");
  choice->add_option("OPTIONS", a.rest, "the options")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help
    // The error, then the usage of the subcommand it concerns (or of them all).
    std::vector<CLI::App*> used = app.get_subcommands();
    CLI::App* where = used.empty() ? &app : used.front();
    std::cerr << "faultline sdk" << (used.empty() ? "" : " " + where->get_name())
              << ": error: " << e.what() << "\n\n"
              << where->help();
    return kExitUsage;
  }

  CLI::App* used = app.get_subcommands().front();
  try {
    for (const auto& [sub, spec] : asserts) {
      if (sub == used) RunAssert(*spec, a);
    }
    if (used == declare) RunDeclare(a);
    if (used == setup) RunSetupComplete(a);
    if (used == event) RunEvent(a);
    if (used == random) std::printf("%llu\n", static_cast<unsigned long long>(Draw(a.below)));
    if (used == choice) std::printf("%s\n", a.rest[Draw(a.rest.size())].c_str());
  } catch (const UsageError& e) {
    std::cerr << "faultline sdk " << used->get_name() << ": error: " << e.message << "\n\n"
              << used->help();
    return kExitUsage;
  }
  return kExitOk;
}

}  // namespace faultline::sdk
