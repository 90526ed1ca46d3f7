// `faultline proxy`, the command: the real binary serves the proxies of its config file over the
// toxiproxy API, stops on SIGTERM, and refuses a bad config as a usage error.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/files.h"
#include "base/unique_fd.h"
#include "net/net_test_util.h"

extern char** environ;

namespace faultline::net {
namespace {

using nlohmann::json;
using testing::ReadFor;
using testing::TestServer;

// `faultline proxy --config FILE --port 0`: proxies from the file exist at start; SIGTERM stops it.
TEST(ProxyCommandTest, ServesConfigFileProxies) {
  TestServer upstream;
  auto dir = MakeTempDir("faultline-proxy-test");
  ASSERT_TRUE(dir.ok());
  std::string config = *dir + "/toxiproxy.json";
  json proxies =
      json::array({{{"name", "pg"}, {"listen", "127.0.0.1:0"}, {"upstream", upstream.address()}}});
  ASSERT_TRUE(WriteFile(config, proxies.dump()).ok());
  int out[2];
  ASSERT_EQ(pipe2(out, O_CLOEXEC), 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  std::string bin = std::string(FAULTLINE_BIN_DIR) + "/faultline";
  std::vector<std::string> args = {bin, "proxy", "--port", "0", "--config", config, "--seed", "3"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  ASSERT_EQ(posix_spawn(&pid, bin.c_str(), &actions, nullptr, argv.data(), environ), 0);
  // Whatever assertion fails below, the child is stopped and reaped.
  struct Reaper {
    pid_t pid;
    int status = -1;
    int Stop() {
      if (pid > 0) {
        kill(pid, SIGTERM);
        waitpid(pid, &status, 0);
        pid = 0;
      }
      return status;
    }
    ~Reaper() { Stop(); }
  } reaper{pid};
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);
  UniqueFd read_end(out[0]);
  std::string text;  // the first line says where the API listens
  while (text.find('\n') == std::string::npos) {
    auto r = ReadFor(read_end.get(), 1, 20000);
    if (r.data.empty()) break;
    text += r.data;
  }
  size_t colon = text.find("127.0.0.1:");
  ASSERT_NE(colon, std::string::npos) << text;
  int port = std::stoi(text.substr(colon + 10));
  httplib::Client client("127.0.0.1", port);
  auto r = client.Get("/proxies/pg");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(json::parse(r->body)["upstream"], upstream.address());
  int status = reaper.Stop();
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_TRUE(RemoveTree(*dir).ok());
}

TEST(ProxyCommandTest, BadConfigIsAUsageError) {
  auto dir = MakeTempDir("faultline-proxy-test");
  ASSERT_TRUE(dir.ok());
  std::string config = *dir + "/bad.json";
  ASSERT_TRUE(WriteFile(config, R"([{"name": "x"}])").ok());
  std::string cmd =
      std::string(FAULTLINE_BIN_DIR) + "/faultline proxy --port 0 --config " + config + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  char buf[512] = {};
  size_t n = fread(buf, 1, sizeof buf - 1, p);
  int status = pclose(p);
  EXPECT_EQ(WEXITSTATUS(status), 2);
  EXPECT_NE(std::string(buf, n).find("missing required field: upstream"), std::string::npos)
      << std::string(buf, n);
  EXPECT_TRUE(RemoveTree(*dir).ok());
}

}  // namespace
}  // namespace faultline::net
