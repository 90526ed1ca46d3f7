#include "process/event_loop.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <memory>
#include <vector>

namespace faultline {
namespace {

TEST(EventLoop, TimersFireInOrderAndCancelWorks) {
  EventLoop loop;
  std::vector<int> fired;
  loop.After(Millis(30), [&] { fired.push_back(3); });
  loop.After(Millis(10), [&] { fired.push_back(1); });
  auto cancelled = loop.After(Millis(20), [&] { fired.push_back(2); });
  loop.Cancel(cancelled);
  loop.After(Millis(40), [&] { loop.Stop(); });
  loop.Run();
  EXPECT_EQ(fired, (std::vector<int>{1, 3}));
}

// An object whose destructor cancels its timer, owned by a callback that never ran: destroying
// the loop destroys the callback, and the cancel must not touch the table being destroyed.
TEST(EventLoop, DestroyingPendingCallbacksThatCancelTimersIsSafe) {
  struct CancelsOnDestruction {
    EventLoop* loop;
    EventLoop::TimerId id;
    ~CancelsOnDestruction() { loop->Cancel(id); }
  };
  auto loop = std::make_unique<EventLoop>();
  int fired = 0;
  for (int i = 0; i < 8; ++i) {
    auto owner = std::make_shared<CancelsOnDestruction>(
        CancelsOnDestruction{loop.get(), loop->After(Millis(60000), [&] { ++fired; })});
    loop->After(Millis(60000), [owner] {});
  }
  loop.reset();  // ASan reports a use after free here when the cancel reaches the dying table
  EXPECT_EQ(fired, 0);
}

TEST(EventLoop, WatchesDescriptorsAndUnwatchInsideTheCallback) {
  EventLoop loop;
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  int reads = 0;
  ASSERT_TRUE(loop.Watch(fds[0], EPOLLIN,
                         [&](uint32_t) {
                           char c;
                           ASSERT_EQ(read(fds[0], &c, 1), 1);
                           ++reads;
                           loop.Unwatch(fds[0]);
                         })
                  .ok());
  ASSERT_EQ(write(fds[1], "ab", 2), 2);
  EXPECT_TRUE(loop.RunUntil([&] { return reads > 0; }, Millis(2000)));
  loop.RunOnce(Millis(20));  // the second byte is not delivered: unwatched
  EXPECT_EQ(reads, 1);
  close(fds[0]);
  close(fds[1]);
}

TEST(EventLoop, InterruptBeatsPendingIoAndTimers) {
  EventLoop loop;
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  ASSERT_EQ(write(fds[1], "x", 1), 1);
  std::vector<std::string> order;
  ASSERT_TRUE(loop.Watch(fds[0], EPOLLIN,
                         [&](uint32_t) {
                           order.push_back("io");
                           loop.Unwatch(fds[0]);
                         })
                  .ok());
  loop.OnInterrupt([&](int sig) { order.push_back(sig == SIGINT ? "SIGINT" : "other"); });
  ASSERT_EQ(kill(getpid(), SIGINT), 0);  // blocked: pending until the signalfd reads it
  loop.RunOnce(Millis(100));
  ASSERT_GE(order.size(), 2u);
  EXPECT_EQ(order[0], "SIGINT");
  EXPECT_EQ(loop.interrupted(), SIGINT);
  close(fds[0]);
  close(fds[1]);
}

TEST(EventLoop, InterruptWithoutHandlerStopsTheLoop) {
  EventLoop loop;
  loop.After(Millis(5), [&] { kill(getpid(), SIGTERM); });
  loop.After(Millis(5000), [] { FAIL() << "the interrupt did not stop the loop"; });
  loop.Run();
  EXPECT_EQ(loop.interrupted(), SIGTERM);
}

}  // namespace
}  // namespace faultline
