#include "run/control_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

namespace faultline::run {
namespace {

// Sends one line from another thread (as a command would) and returns the reply.
std::string Ask(int port, const std::string& line) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return "connect failed";
  (void)!write(fd, line.data(), line.size());
  shutdown(fd, SHUT_WR);
  std::string reply;
  char buf[256];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) reply.append(buf, static_cast<size_t>(n));
  close(fd);
  return reply;
}

TEST(ControlServer, AnswersQuietRequestsOnceHealedAndRejectsTheRest) {
  EventLoop loop;
  std::vector<std::pair<Millis, std::string>> requests;
  ControlServer server(loop, [&](Millis d, const std::string& from, std::function<void()> reply) {
    requests.emplace_back(d, from);
    loop.After(Millis(20), std::move(reply));  // healing takes a moment
  });
  ASSERT_TRUE(server.Listen().ok());
  std::vector<std::string> replies(4);
  std::atomic<bool> done{false};
  std::thread client([&] {
    replies[0] = Ask(server.port(), "stop-faults 2.5 t/anytime_x #3\n");
    replies[1] = Ask(server.port(), "stop-faults soon\n");
    replies[2] = Ask(server.port(), "make-coffee 1\n");
    replies[3] = Ask(server.port(), "stop-faults 1");  // no newline: the client gave up
    done = true;
  });
  auto deadline = std::chrono::steady_clock::now() + Millis(5000);
  while (!done && std::chrono::steady_clock::now() < deadline) loop.RunOnce(Millis(10));
  client.join();
  EXPECT_EQ(replies[3], "") << "a request without its newline is dropped, not acted on";
  EXPECT_EQ(replies[0], "ok\n");
  EXPECT_EQ(replies[1], "error expected 'stop-faults SECONDS'\n");
  EXPECT_EQ(replies[2], "error expected 'stop-faults SECONDS'\n");
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].first, Millis(2500));
  EXPECT_EQ(requests[0].second, "t/anytime_x #3");
}

}  // namespace
}  // namespace faultline::run
