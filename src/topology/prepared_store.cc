#include "topology/prepared_store.h"

#include <dirent.h>
#include <openssl/evp.h>
#include <sys/stat.h>

#include <algorithm>

#include "base/files.h"
#include "base/strings.h"
#include "topology/topology.h"

namespace faultline {
namespace {

constexpr size_t kLogTailLines = 20;

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(data.data(), data.size(), digest, &size, EVP_sha256(), nullptr);
  std::string hex;
  for (unsigned int i = 0; i < size; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

// The file or folder's content, as one digest (a folder: its sorted names and their digests).
std::string DigestOfPath(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return "missing";
  if (!S_ISDIR(st.st_mode)) return Sha256Hex(ReadFile(path).value_or("unreadable"));
  std::vector<std::string> names;
  if (DIR* d = opendir(path.c_str())) {
    while (dirent* e = readdir(d)) {
      std::string n = e->d_name;
      if (n != "." && n != "..") names.push_back(n);
    }
    closedir(d);
  }
  std::sort(names.begin(), names.end());
  std::string listing;
  for (const auto& n : names) listing += n + " " + DigestOfPath(path + "/" + n) + "\n";
  return Sha256Hex(listing);
}

// Where `program` is found: itself when it holds a slash, else the first match along `path`.
std::string Lookup(const std::string& program, const std::string& path) {
  if (program.find('/') != std::string::npos) return program;
  for (const auto& dir : Split(path, ':')) {
    std::string candidate = (dir.empty() ? "." : dir) + "/" + program;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return program;
}

std::string Replace(std::string text, std::string_view from, std::string_view to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

// One argv as a key line, with the files it names from the scenario folder, and its program.
void AddArgv(std::string& out, std::string_view what, const scenario::Argv& argv,
             const std::string& scenario_dir, const std::string& path) {
  std::vector<std::string> words;
  std::vector<std::string> files;
  for (const auto& t : argv) {
    // Only {scenario.dir} is the same in every history; the other placeholders stay as written.
    std::string word = Replace(t.raw, "{scenario.dir}", scenario_dir);
    if (t.raw.find("{scenario.dir}") != std::string::npos) files.push_back(word);
    words.push_back(std::move(word));
  }
  out += fmt::format("{} {}\n", what, ShellJoin(words));
  if (!words.empty()) {
    std::string exe = Lookup(words[0], path);
    struct stat st {};
    if (stat(exe.c_str(), &st) == 0) {
      out += fmt::format("  program {} size {} mtime {}.{:09}\n", exe, st.st_size,
                         st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
    } else {
      out += fmt::format("  program {} (not found)\n", exe);
    }
  }
  for (const auto& f : files) out += fmt::format("  file {} {}\n", f, DigestOfPath(f));
}

std::string PathOf(const std::vector<std::string>& env) {
  for (const auto& e : env) {
    if (e.starts_with("PATH=")) return e.substr(5);
  }
  return "/usr/local/bin:/usr/bin:/bin";
}

}  // namespace

std::string PreparedKeyInputs(const scenario::Scenario& scenario, const std::string& path) {
  std::string out;
  for (const scenario::Service* s : scenario.StartOrder()) {
    if (!s->reusable_prepared) continue;
    out += fmt::format("service {} user '{}' stop_signal {}\n", s->name, s->user, s->stop_signal);
    for (const auto& [k, v] : s->env) out += fmt::format("  env {}={}\n", k, v.raw);
    for (const auto& argv : s->prepare) AddArgv(out, "prepare", argv, scenario.dir, path);
    AddArgv(out, "command", s->command, scenario.dir, path);
  }
  return out;
}

bool PreparedStore::Wanted(const scenario::Scenario& scenario) {
  return std::any_of(scenario.services.begin(), scenario.services.end(),
                     [](const scenario::Service& s) { return s.reusable_prepared; });
}

PreparedStore::PreparedStore(const scenario::Scenario& scenario, std::string root,
                             std::vector<std::string> base_env, EventLoop& loop,
                             Supervisor& supervisor)
    : scenario_(scenario),
      root_(std::move(root)),
      base_env_(std::move(base_env)),
      loop_(loop),
      supervisor_(supervisor) {
  key_inputs_ = PreparedKeyInputs(scenario_, PathOf(base_env_));
  key_ = Sha256Hex(key_inputs_);
}

PreparedStore::~PreparedStore() {
  *alive_ = false;
  builder_.reset();  // kills what still runs
  (void)RemoveTree(root_);
}

void PreparedStore::Acquire(Ready ready) {
  if (result_) {
    if (*result_) {
      ready(&**result_);
    } else {
      ready(Unexpected(result_->error()));
    }
    return;
  }
  waiting_.push_back(std::move(ready));
  if (!builder_) Build();
}

void PreparedStore::Build() {
  started_ = loop_.Now();
  std::string dir = root_ + "/" + key_.substr(0, 16);
  Status made = MakeDirs(dir);
  if (made.ok()) {
    chmod(root_.c_str(), 0755);
    chmod(dir.c_str(), 0755);
    made = WriteFile(dir + "/key.txt", key_ + "\n" + key_inputs_);
  }
  if (made.ok()) made = timeline_.Open(dir + "/timeline.jsonl");
  if (!made.ok()) {
    Finish(Unexpected(made.Context("preparing the reusable folders").message()));
    return;
  }
  timeline_.Start(loop_.Now());
  TopologyOptions options;
  options.layout = HistoryLayout{dir};
  options.base_env = base_env_;
  for (const auto& s : scenario_.services) {
    if (s.reusable_prepared) options.only.insert(s.name);
  }
  builder_ = std::make_unique<Topology>(scenario_, options, loop_, supervisor_, timeline_);
  Status prepared = builder_->Prepare();
  if (!prepared.ok()) {
    Finish(Unexpected(prepared.Context("preparing the reusable folders").message()));
    return;
  }
  builder_->Start([this, alive = alive_](Status s) {
    if (*alive) OnBuilt(std::move(s));
  });
}

void PreparedStore::OnBuilt(Status status) {
  std::optional<std::string> failure;
  if (!status.ok()) {
    std::string message = "preparing the reusable folders (once per run): " + status.message();
    // The logs of the services the error names (a timeout names them with their logs already).
    bool has_logs = message.find("last lines of") != std::string::npos;
    for (const auto& s : scenario_.services) {
      bool named = status.message().find("'" + s.name + "'") != std::string::npos;
      if (!s.reusable_prepared || has_logs || !named) continue;
      std::string tail = builder_->LogTail(s.name, kLogTailLines);
      if (tail.empty()) continue;
      message += fmt::format("\n  last lines of {}:\n", builder_->LogPath(s.name));
      for (const auto& line : Split(tail, '\n')) {
        if (!line.empty()) message += "    | " + line + "\n";
      }
    }
    failure = message;
  }
  // Clean stops: a folder copied from a cleanly stopped server needs no crash recovery.
  stopping_ = true;
  builder_->Teardown([this, alive = alive_, failure] {
    if (!*alive) return;
    if (failure) {
      Finish(Unexpected(*failure));
      return;
    }
    Snapshot snapshot;
    snapshot.key = key_;
    for (const auto& [name, dir] : builder_->addresses().dirs) {
      if (scenario_.FindService(name)->reusable_prepared) snapshot.dirs[name] = dir;
    }
    snapshot.took = std::chrono::duration_cast<Millis>(loop_.Now() - started_);
    Finish(std::move(snapshot));
  });
}

void PreparedStore::Finish(Result<Snapshot> result) {
  timeline_.Flush();
  result_ = std::move(result);
  // The builder is still on the stack of its own callback: free it on the next round.
  if (builder_) {
    std::shared_ptr<Topology> done = std::move(builder_);
    loop_.After(Millis(0), [done] {});
  }
  auto waiting = std::move(waiting_);
  waiting_.clear();
  for (auto& ready : waiting) {
    if (*result_) {
      ready(&**result_);
    } else {
      ready(Unexpected(result_->error()));
    }
  }
}

void PreparedStore::Shutdown() {
  if (result_ || !builder_ || stopping_) return;
  stopping_ = true;
  builder_->Teardown([this, alive = alive_] {
    if (*alive && !result_) Finish(Unexpected(std::string("interrupted while preparing")));
  });
}

}  // namespace faultline
