#include "topology/ports.h"

#include <gtest/gtest.h>

#include <set>

#include "net/socket.h"

namespace faultline {
namespace {

// Auto ports stay out of the kernel's ephemeral range, so that no outgoing connection can take a
// port while its service is down; each is free when handed out and never handed out twice.
TEST(AutoPorts, ComeFromBelowTheEphemeralRangeFreeAndDistinct) {
  PortRange range = AutoPortRange();
  ASSERT_GE(range.begin, 1024);
  ASSERT_GT(range.end - range.begin, 1000) << "this machine's ephemeral range starts too low";
  std::set<int> seen;
  for (int i = 0; i < 200; ++i) {
    auto port = AllocatePort();
    ASSERT_TRUE(port.ok()) << port.error();
    EXPECT_GE(*port, range.begin);
    EXPECT_LT(*port, range.end);
    EXPECT_TRUE(seen.insert(*port).second) << "port " << *port << " handed out twice";
    EXPECT_TRUE(net::ListenTcp(net::LoopbackAddress(static_cast<uint16_t>(*port))).ok())
        << "port " << *port << " is not free";
  }
}

// A port that is taken is not handed out.
TEST(AutoPorts, SkipAPortThatIsTaken) {
  PortRange range = AutoPortRange();
  std::vector<UniqueFd> held;
  std::set<int> taken;
  // Half of the range's first 100 ports held by this test.
  for (int p = range.begin; p < range.begin + 200 && p < range.end; p += 2) {
    auto l = net::ListenTcp(net::LoopbackAddress(static_cast<uint16_t>(p)));
    if (l.ok()) {
      taken.insert(p);
      held.push_back(std::move(*l));
    }
  }
  for (int i = 0; i < 300; ++i) {
    auto port = AllocatePort();
    ASSERT_TRUE(port.ok());
    EXPECT_FALSE(taken.count(*port)) << "port " << *port << " is taken";
  }
}

}  // namespace
}  // namespace faultline
