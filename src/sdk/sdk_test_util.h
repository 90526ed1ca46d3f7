// Test helpers of the SDK room: run a program with a changed environment and capture its output;
// read an SDK file into a property book the way faultline does. Test code only; main thread.
#pragma once

#include <spawn.h>
#include <sys/wait.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/files.h"
#include "properties/property_book.h"
#include "sdk/file_reader.h"

extern char** environ;

namespace faultline::sdk::test_util {

struct ProgramResult {
  int exit_code = -1;  // -1 when the program did not exit normally
  std::string out;
  std::string err;
};

// Environment changes: a value sets the variable, nullopt removes it.
using EnvChanges = std::map<std::string, std::optional<std::string>>;

// A program started by StartProgram; FinishProgram waits for it.
struct RunningProgram {
  pid_t pid = -1;
  std::string out_path;
  std::string err_path;
};

// Starts argv[0] (a path) with the parent's environment changed by `env`, stdin from /dev/null,
// stdout and stderr going to files in `scratch` named after `tag`.
inline RunningProgram StartProgram(const std::vector<std::string>& argv, const EnvChanges& env,
                                   const std::string& scratch, const std::string& tag = "run") {
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string entry = *e;
    if (!env.count(entry.substr(0, entry.find('=')))) env_strings.push_back(entry);
  }
  for (const auto& [key, value] : env) {
    if (value) env_strings.push_back(key + "=" + *value);
  }
  std::vector<char*> envp, args;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_copy = argv;
  for (auto& s : argv_copy) args.push_back(s.data());
  args.push_back(nullptr);

  RunningProgram program;
  program.out_path = scratch + "/" + tag + ".stdout";
  program.err_path = scratch + "/" + tag + ".stderr";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, program.out_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, program.err_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (posix_spawn(&program.pid, args[0], &actions, nullptr, args.data(), envp.data()) != 0) {
    program.pid = -1;
  }
  posix_spawn_file_actions_destroy(&actions);
  return program;
}

inline ProgramResult FinishProgram(const RunningProgram& program) {
  ProgramResult result;
  if (program.pid < 0) {
    result.err = "posix_spawn failed";
    return result;
  }
  int status = 0;
  while (waitpid(program.pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  auto out = ReadFile(program.out_path);
  auto err = ReadFile(program.err_path);
  result.out = out ? *out : "";
  result.err = err ? *err : "";
  return result;
}

inline ProgramResult RunProgram(const std::vector<std::string>& argv, const EnvChanges& env,
                                const std::string& scratch) {
  return FinishProgram(StartProgram(argv, env, scratch));
}

// A fresh temporary folder, removed with everything in it when the object dies.
class TempDir {
 public:
  TempDir() : path_(MakeTempDir("faultline-sdk-test").value()) {}
  ~TempDir() { static_cast<void>(RemoveTree(path_)); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Everything read from one SDK file.
struct SdkFile {
  std::vector<SdkLine> lines;
  ReaderStats stats;
};

inline SdkFile ReadSdkFile(const std::string& path) {
  SdkFile file;
  SdkFileReader reader(path);
  reader.Poll(/*final=*/true, [&](SdkLine&& line) { file.lines.push_back(std::move(line)); });
  file.stats = reader.stats();
  return file;
}

// The timeline event of one SDK line from `source`, as a history records it (without the
// history's handling of setup complete); nullopt for the informational antithesis_sdk line.
inline std::optional<Event> ToTimelineEvent(const SdkLine& line, const Json& source) {
  Event e;
  e.fields = source;
  if (auto* a = std::get_if<Assertion>(&line)) {
    e.type = EventType::kAssert;
    e.assertion = *a;
  } else if (auto* s = std::get_if<SetupComplete>(&line)) {
    e.type = EventType::kSetupComplete;
    e.fields["via"] = "sdk";
    e.fields["details"] = s->details;
  } else if (auto* g = std::get_if<Guidance>(&line)) {
    e.type = EventType::kGuidance;
    e.fields["guidance"] = g->body;
  } else if (auto* u = std::get_if<UserEvent>(&line)) {
    e.type = EventType::kSdkEvent;
    e.fields["name"] = u->name;
    e.fields["details"] = u->details;
  } else {
    return std::nullopt;
  }
  return e;
}

// Feeds every line of `file` to `book` as events of one command invocation of history `h`, the
// way the composer records them.
inline void FeedBook(const SdkFile& file, properties::PropertyBook& book,
                     properties::HistoryRef h = {0, 1}) {
  Json source = {{"command", "bank/parallel_driver_bank"}, {"id", 1}};
  for (const SdkLine& line : file.lines) {
    if (auto event = ToTimelineEvent(line, source)) book.Add(h, *event);
  }
}

}  // namespace faultline::sdk::test_util
