// Reusable prepared folders with real processes: prepared once for many histories, copied into
// each, a dependent preparation that finds its dependency running, failures that name the log,
// and a key that follows what the preparation depends on but not per-history values.
#include "topology/prepared_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "base/files.h"
#include "base/strings.h"
#include "topology/topology.h"

namespace faultline {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// `a` counts its preparations in a file outside every folder and leaves data that `b`'s
// preparation reads through a's running process (a file a writes only once started); `c`
// prepares per history.
constexpr const char* kScenario = R"(name: reuse
services:
  a:
    prepare: [sh, -c, "echo prepared >> {scenario.dir}/a-prepares && mkdir -p {dir}/data && chmod 700 {dir}/data && echo state > {dir}/data/state"]
    prepared: reusable
    command: [sh, -c, "echo {port} > {dir}/running && exec sleep 60"]
    port: auto
    healthcheck: {command: [test, -e, "{dir}/running"], interval: 20ms}
    stop_grace: 2s
  b:
    depends_on: [a]
    prepare: [sh, -c, "echo prepared >> {scenario.dir}/b-prepares && cp {a.dir}/running {dir}/backup-of-a"]
    prepared: reusable
    command: [sleep, "60"]
    stop_grace: 2s
  c:
    prepare: [sh, -c, "echo prepared >> {scenario.dir}/c-prepares"]
    command: [sleep, "60"]
    stop_grace: 2s
)";

class PreparedStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir("prepared-store-test").value();
    chmod(dir_.c_str(), 0755);
  }
  void TearDown() override {
    topologies_.clear();
    store_.reset();
    ASSERT_TRUE(RemoveTree(dir_).ok());
  }

  void Load(const std::string& yaml) {
    auto r = scenario::ParseScenario(yaml, "scenario.yaml", dir_);
    ASSERT_TRUE(r.scenario) << FormatDiagnostics(r.errors, r.source);
    scenario_ = std::move(*r.scenario);
    store_ = std::make_unique<PreparedStore>(scenario_, dir_ + "/prepared", base_env_, loop_,
                                             supervisor_);
  }
  // A history's topology over the store; started, it reports its start-up in `results_`.
  Topology& AddHistory() {
    int n = static_cast<int>(topologies_.size());
    TopologyOptions options;
    options.layout = HistoryLayout{fmt::format("{}/h{}", dir_, n)};
    options.seed = static_cast<uint64_t>(n);
    options.base_env = base_env_;
    options.prepared = store_.get();
    EXPECT_TRUE(MakeDirs(options.layout.root).ok());
    topologies_.push_back(
        std::make_unique<Topology>(scenario_, options, loop_, supervisor_, timeline_));
    EXPECT_TRUE(topologies_.back()->Prepare().ok());
    results_.emplace_back();
    topologies_.back()->Start([this, n](Status s) { results_[n] = s; });
    return *topologies_.back();
  }
  bool WaitAll() {
    return loop_.RunUntil(
        [&] {
          return std::all_of(results_.begin(), results_.end(),
                             [](const auto& r) { return r.has_value(); });
        },
        Millis(30000));
  }
  void TeardownAll() {
    int left = static_cast<int>(topologies_.size());
    for (auto& t : topologies_) t->Teardown([&] { --left; });
    EXPECT_TRUE(loop_.RunUntil([&] { return left == 0; }, Millis(15000)));
  }
  int Lines(const std::string& name) {
    return static_cast<int>(Split(ReadFile(dir_ + "/" + name).value_or(""), '\n').size()) - 1;
  }

  std::string dir_;
  std::vector<std::string> base_env_ = {"PATH=/usr/bin:/bin"};
  EventLoop loop_;
  Supervisor supervisor_{loop_};
  Timeline timeline_;
  scenario::Scenario scenario_;
  std::unique_ptr<PreparedStore> store_;
  std::vector<std::unique_ptr<Topology>> topologies_;
  std::vector<std::optional<Status>> results_;
};

TEST_F(PreparedStoreTest, PreparesOnceAndCopiesIntoEveryHistory) {
  Load(kScenario);
  // Two histories start at once: the second waits for the preparation the first began.
  AddHistory();
  AddHistory();
  ASSERT_TRUE(WaitAll());
  for (const auto& r : results_) ASSERT_TRUE(r->ok()) << r->message();
  AddHistory();  // a later history: the snapshot is there already
  ASSERT_TRUE(WaitAll());
  ASSERT_TRUE(results_[2]->ok()) << results_[2]->message();
  EXPECT_EQ(Lines("a-prepares"), 1);
  EXPECT_EQ(Lines("b-prepares"), 1);
  EXPECT_EQ(Lines("c-prepares"), 3);  // not reusable: once per history
  for (int h = 0; h < 3; ++h) {
    std::string a = fmt::format("{}/h{}/services/a", dir_, h);
    EXPECT_EQ(ReadFile(a + "/data/state").value_or(""), "state\n");
    struct stat st {};
    ASSERT_EQ(stat((a + "/data").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0700u);
    // b's preparation ran while a was up (in the preparation, on its own port).
    std::string backup =
        ReadFile(fmt::format("{}/h{}/services/b/backup-of-a", dir_, h)).value_or("");
    EXPECT_FALSE(backup.empty());
    EXPECT_THAT(topologies_[h]->LogTail("a", 20), HasSubstr("prepared folder copied from"));
  }
  TeardownAll();
}

TEST_F(PreparedStoreTest, AFailedPreparationFailsEveryHistoryWithTheLog) {
  Load(R"(name: broken
services:
  a:
    prepare: [sh, -c, "echo 'initdb: could not create directory' >&2; exit 1"]
    prepared: reusable
    command: [sleep, "60"]
)");
  AddHistory();
  AddHistory();
  ASSERT_TRUE(WaitAll());
  for (const auto& r : results_) {
    ASSERT_FALSE(r->ok());
    EXPECT_THAT(r->message(), HasSubstr("preparing the reusable folders (once per run)"));
    EXPECT_THAT(r->message(), HasSubstr("prepare step 'sh -c"));
    EXPECT_THAT(r->message(), HasSubstr("| initdb: could not create directory"));
  }
  TeardownAll();
}

TEST_F(PreparedStoreTest, TheKeyFollowsThePreparationNotTheHistory) {
  Load(kScenario);
  std::string inputs = store_->key_inputs();
  EXPECT_THAT(inputs, HasSubstr("service a"));
  EXPECT_THAT(inputs, HasSubstr("service b"));
  EXPECT_THAT(inputs, Not(HasSubstr("service c")));
  // Ports and folders stay placeholders; the executable is identified on disk.
  EXPECT_THAT(inputs, HasSubstr("echo {port} > {dir}/running"));
  EXPECT_THAT(inputs, HasSubstr("program /usr/bin/sleep size"));
  std::string key = store_->key();
  EXPECT_EQ(key.size(), 64u);

  std::string changed = kScenario;
  changed.replace(changed.find("sleep 60\"]"), 8, "sleep 61");
  Load(changed);
  EXPECT_NE(store_->key(), key);
  // A scenario file a preparation names is part of the key by its content.
  std::string with_file = R"(name: f
services:
  a:
    prepare: [sh, "{scenario.dir}/prepare.sh"]
    prepared: reusable
    command: [sleep, "60"]
)";
  ASSERT_TRUE(WriteFile(dir_ + "/prepare.sh", "true\n").ok());
  Load(with_file);
  std::string before = store_->key();
  Load(with_file);
  EXPECT_EQ(store_->key(), before);
  ASSERT_TRUE(WriteFile(dir_ + "/prepare.sh", "false\n").ok());
  Load(with_file);
  EXPECT_NE(store_->key(), before);
}

}  // namespace
}  // namespace faultline
