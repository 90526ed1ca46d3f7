// Harness for end-to-end tests: runs the real faultline binary (in its own process group, with a
// fresh --out folder per test), reads what it wrote, and looks for processes it left behind.
#pragma once

#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "base/duration.h"
#include "base/files.h"
#include "base/json.h"
#include "base/strings.h"
#include "timeline/timeline.h"

namespace faultline::e2e {

struct Outcome {
  int code = -1;
  std::string out;
  std::string err;
};

class Harness {
 public:
  Harness() {
    auto dir = MakeTempDir("faultline-e2e");
    out_dir_ = dir.value();
  }
  ~Harness() { (void)RemoveTree(out_dir_); }

  static std::string Fixture(const std::string& name) {
    return std::string(FAULTLINE_SOURCE_DIR) + "/tests/fixtures/" + name;
  }

  struct Background {
    pid_t pid = -1;
  };

  // Starts faultline with `args` and --out <the test's folder>.
  Background StartBackground(std::vector<std::string> args) {
    args.insert(args.begin(), std::string(FAULTLINE_BIN_DIR) + "/faultline");
    bool has_out = std::find(args.begin(), args.end(), "--out") != args.end();
    if (args.size() > 2 && !has_out && (args[1] == "run" || args[1] == "validate")) {
      args.insert(args.end(), {"--out", out_dir_});
    }
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    std::string out = out_dir_ + "/.stdout", err = out_dir_ + "/.stderr";
    posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK);
    Background b;
    EXPECT_EQ(posix_spawn(&b.pid, argv[0], &actions, &attr, argv.data(), environ), 0);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    return b;
  }

  // Sends `signal` (0: none) and waits for the end (at most 60 s).
  Outcome StopBackground(Background b, int signal) {
    if (signal) kill(b.pid, signal);
    Outcome o;
    int status = 0;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (waitpid(b.pid, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) {
        kill(b.pid, SIGKILL);
        waitpid(b.pid, &status, 0);
        ADD_FAILURE() << "faultline did not end in time";
        break;
      }
      usleep(10000);
    }
    o.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    o.out = ReadFile(out_dir_ + "/.stdout").value_or("");
    o.err = ReadFile(out_dir_ + "/.stderr").value_or("");
    size_t arrow = o.out.find(" -> ");
    if (arrow != std::string::npos) {
      last_run_dir_ = o.out.substr(arrow + 4, o.out.find('\n', arrow) - arrow - 4);
    }
    return o;
  }

  Outcome Faultline(std::vector<std::string> args) {
    return StopBackground(StartBackground(args), 0);
  }

  // The report.json a summary names ("report: PATH"), parsed; a test failure and null when it
  // names none or the file it names was not written.
  static Json ReportNamedIn(const std::string& summary) {
    size_t at = summary.find("report: ");
    if (at == std::string::npos) {
      ADD_FAILURE() << "the summary names no report:\n" << summary;
      return Json();
    }
    std::string path = summary.substr(at + 8, summary.find('\n', at) - at - 8);
    auto text = ReadFile(path);
    if (!text) {
      ADD_FAILURE() << "the summary names " << path << ", which was not written";
      return Json();
    }
    return ParseJson(*text);
  }

  // The report.json of the last run.
  Json Report() const {
    auto text = ReadFile(last_run_dir_ + "/report.json");
    EXPECT_TRUE(text.ok()) << last_run_dir_;
    return text ? ParseJson(*text) : Json();
  }
  static const Json* Property(const Json& report, const std::string& id) {
    for (const auto& p : report["properties"]) {
      if (p["id"] == id) return &p;
    }
    return nullptr;
  }
  static std::vector<Event> Timeline(const std::string& history_dir) {
    auto t = ReadTimeline(history_dir + "/timeline.jsonl");
    EXPECT_TRUE(t.ok());
    return t ? t->events : std::vector<Event>{};
  }
  // The history's decisions and the commands it started, in order.
  static std::vector<std::string> Decisions(const std::string& history_dir) {
    std::vector<std::string> out;
    for (const auto& e : Timeline(history_dir)) {
      if (e.type == EventType::kDecision) out.push_back(e.fields.dump());
    }
    return out;
  }
  static std::vector<std::string> Starts(const std::string& history_dir) {
    std::vector<std::string> out;
    for (const auto& e : Timeline(history_dir)) {
      if (e.type == EventType::kCommandStart) out.push_back(JsonString(e.fields, "command"));
    }
    return out;
  }

  // Waits until a file named `name` appears anywhere under the test's folder.
  bool WaitForFile(const std::string& name, Millis limit) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      std::error_code ec;
      for (auto it = std::filesystem::recursive_directory_iterator(out_dir_, ec);
           !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
        if (it->path().filename() == name) return true;
      }
      usleep(20000);
    }
    return false;
  }

  // Processes whose environment mentions this test's folder: everything a run started carries it
  // (ANTITHESIS_OUTPUT_DIR, FAULTLINE_HISTORY_DIR), children of children included.
  std::vector<std::string> Survivors() const {
    std::vector<std::string> found;
    DIR* proc = opendir("/proc");
    if (!proc) return found;
    while (dirent* e = readdir(proc)) {
      auto pid = ParseInt(e->d_name);
      if (!pid || *pid == getpid()) continue;
      auto env = ReadFile(fmt::format("/proc/{}/environ", *pid));
      if (!env || env->find(out_dir_) == std::string::npos) continue;
      auto stat = ReadFile(fmt::format("/proc/{}/stat", *pid));
      // A zombie has already ended; only its parent's bookkeeping remains.
      if (stat && stat->find(") Z ") != std::string::npos) continue;
      auto cmd = ReadFile(fmt::format("/proc/{}/cmdline", *pid)).value_or("");
      std::replace(cmd.begin(), cmd.end(), '\0', ' ');
      found.push_back(fmt::format("{}: {}", *pid, cmd));
    }
    closedir(proc);
    return found;
  }
  // Shared memory that the daemons fixture's script makes (tests/fixtures/daemons) and that the
  // host sees: every process tree faultline starts has System V IPC and a /dev/shm of its own, so
  // this stays empty while the run goes on and after it, however it ended.
  static std::vector<std::string> SharedMemoryOnHost() {
    std::vector<std::string> found;
    if (DIR* shm = opendir("/dev/shm")) {
      while (dirent* e = readdir(shm)) {
        if (std::string_view(e->d_name).starts_with("faultline-leak-probe-")) {
          found.push_back(fmt::format("/dev/shm/{}", e->d_name));
        }
      }
      closedir(shm);
    }
    // key shmid perms size cpid ...: a segment of the script's size, 1234567 bytes.
    for (const auto& line : Split(ReadFile("/proc/sysvipc/shm").value_or(""), '\n')) {
      std::istringstream fields(line);
      std::string key, id, perms, size, creator;
      if (fields >> key >> id >> perms >> size >> creator && size == "1234567") {
        found.push_back(
            fmt::format("System V segment {} of 1234567 bytes, made by {}", id, creator));
      }
    }
    return found;
  }
  bool NothingLeft() const { return Survivors().empty() && SharedMemoryOnHost().empty(); }
  std::string LeftOver() const {
    auto all = Survivors();
    for (auto& s : SharedMemoryOnHost()) all.push_back(std::move(s));
    return Join(all, "\n");
  }

 protected:
  std::string out_dir_;
  std::string last_run_dir_;
};

}  // namespace faultline::e2e
