#include "faults/fault_schedule.h"

#include <gtest/gtest.h>

namespace faultline::faults {
namespace {

class FaultScheduleTest : public ::testing::Test {
 protected:
  FaultScheduleTest() {
    timeline_.AddListener([this](const Event& e) {
      if (e.type == EventType::kFaults) states_.push_back(JsonString(e.fields, "state"));
      if (e.type == EventType::kQuietRequest) ++quiet_requests_;
    });
  }
  scenario::Faults spec_;
  EventLoop loop_;
  Timeline timeline_;
  std::vector<std::string> states_;
  int quiet_requests_ = 0;
};

TEST_F(FaultScheduleTest, OnlyAfterEnableAndNeverAfterStop) {
  FaultSchedule f(spec_, loop_, timeline_);
  EXPECT_FALSE(f.injecting());
  f.Enable();
  EXPECT_TRUE(f.injecting());
  bool healed = false;
  f.StopAndHeal([&] { healed = true; });
  EXPECT_TRUE(healed);
  EXPECT_FALSE(f.injecting());
  f.Enable();  // the terminal phase is final
  EXPECT_FALSE(f.injecting());
  EXPECT_EQ(states_, (std::vector<std::string>{"on", "off"}));
}

TEST_F(FaultScheduleTest, QuietPeriodsMergeToTheLongestAndResumeByThemselves) {
  FaultSchedule f(spec_, loop_, timeline_);
  f.Enable();
  int healed = 0;
  f.Quiet(Millis(150), "t/anytime_a #3", [&] { ++healed; });
  f.Quiet(Millis(50), "t/anytime_a #4", [&] { ++healed; });  // shorter: merged into the first
  EXPECT_EQ(healed, 2);
  EXPECT_FALSE(f.injecting());
  auto start = loop_.Now();
  loop_.RunUntil([&] { return f.injecting(); }, Millis(2000));
  EXPECT_TRUE(f.injecting());
  EXPECT_GE(loop_.Now() - start, Millis(140));
  EXPECT_EQ(quiet_requests_, 2);
  EXPECT_EQ(states_, (std::vector<std::string>{"on", "quiet", "on"}));
}

TEST_F(FaultScheduleTest, QuietBeforeEnableStillHealsAndDelaysNothingAfterStop) {
  FaultSchedule f(spec_, loop_, timeline_);
  bool healed = false;
  f.Quiet(Millis(10), "service db", [&] { healed = true; });
  EXPECT_TRUE(healed);
  f.StopAndHeal([] {});
  f.Quiet(Millis(10), "service db", [] {});
  loop_.RunOnce(Millis(30));
  EXPECT_FALSE(f.injecting());
}

}  // namespace
}  // namespace faultline::faults
