#include "checker.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace pgworkload {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

Write Upsert(std::string key, std::string value, int64_t version, WriteStatus status,
             int64_t ended_ms = 0) {
  Write w;
  w.batch = "b-" + value;
  w.key = std::move(key);
  w.op = Op::kUpsert;
  w.value = std::move(value);
  w.version = version;
  w.status = status;
  w.ended_ms = ended_ms;
  return w;
}

Write Delete(std::string key, int64_t version, WriteStatus status) {
  Write w;
  w.batch = "b-delete";
  w.key = std::move(key);
  w.op = Op::kDelete;
  w.version = version;
  w.status = status;
  return w;
}

KeyState Row(int64_t counter, std::string value) { return {counter, value, counter}; }
KeyState NoRow(int64_t counter) { return {counter, std::nullopt, 0}; }

constexpr PrimaryCheckOptions kJudgeAll{.judge_unexplained = true};
constexpr PrimaryCheckOptions kLossesOnly{.judge_unexplained = false};

TEST(CheckPrimary, AnUntouchedKeyIsFine) {
  auto v = CheckPrimary({}, {{"k000", NoRow(0)}}, kJudgeAll);
  EXPECT_THAT(v.losses, IsEmpty());
  EXPECT_THAT(v.unexplained, IsEmpty());
  EXPECT_EQ(v.keys_checked, 1);
  EXPECT_EQ(v.keys_with_acknowledged, 0);
}

TEST(CheckPrimary, TheLastAcknowledgedValueSurvives) {
  std::vector<Write> writes = {Upsert("k001", "w1-1", 1, WriteStatus::kOk),
                               Upsert("k001", "w1-2", 2, WriteStatus::kOk)};
  auto v = CheckPrimary(writes, {{"k001", Row(2, "w1-2")}}, kJudgeAll);
  EXPECT_THAT(v.losses, IsEmpty());
  EXPECT_THAT(v.unexplained, IsEmpty());
  EXPECT_EQ(v.keys_with_acknowledged, 1);
  EXPECT_EQ(v.acknowledged, 2);
}

TEST(CheckPrimary, ACounterBelowTheLastAcknowledgedVersionIsALoss) {
  std::vector<Write> writes = {Upsert("k001", "w1-1", 1, WriteStatus::kOk),
                               Upsert("k001", "w1-2", 2, WriteStatus::kOk)};
  auto v = CheckPrimary(writes, {{"k001", Row(1, "w1-1")}}, kLossesOnly);
  ASSERT_THAT(v.losses, SizeIs(1));
  EXPECT_EQ(v.losses[0].write.value, "w1-2");
  EXPECT_EQ(v.losses[0].write.key, "k001");
  EXPECT_THAT(v.losses[0].why, HasSubstr("counter on the primary is 1"));
  EXPECT_EQ(v.losses[0].found, Row(1, "w1-1"));
}

TEST(CheckPrimary, AVersionGivenOutTwiceMeansTheFirstWriteWasForgotten) {
  // The primary lost w1-1 (acknowledged at version 1), then gave version 1 to w2-1.
  std::vector<Write> writes = {Upsert("k002", "w2-1", 1, WriteStatus::kOk, 200),
                               Upsert("k002", "w1-1", 1, WriteStatus::kOk, 100)};
  auto v = CheckPrimary(writes, {{"k002", Row(1, "w2-1")}}, kJudgeAll);
  ASSERT_THAT(v.losses, SizeIs(1));
  EXPECT_EQ(v.losses[0].write.value, "w1-1");
  EXPECT_THAT(v.losses[0].why, HasSubstr("given again"));
  EXPECT_THAT(v.unexplained, IsEmpty());
}

TEST(CheckPrimary, AnotherValueAtTheAcknowledgedVersionIsALoss) {
  std::vector<Write> writes = {Upsert("k003", "w1-7", 3, WriteStatus::kOk)};
  auto v = CheckPrimary(writes, {{"k003", Row(3, "w9-9")}}, kLossesOnly);
  ASSERT_THAT(v.losses, SizeIs(1));
  EXPECT_THAT(v.losses[0].why, HasSubstr("'w9-9' at version 3"));
}

TEST(CheckPrimary, AnAcknowledgedDeleteMustLeaveNoRow) {
  std::vector<Write> writes = {Upsert("k004", "w1-1", 1, WriteStatus::kOk),
                               Delete("k004", 2, WriteStatus::kOk)};
  EXPECT_THAT(CheckPrimary(writes, {{"k004", NoRow(2)}}, kJudgeAll).losses, IsEmpty());
  auto v = CheckPrimary(writes, {{"k004", KeyState{2, "w1-1", 2}}}, kJudgeAll);
  ASSERT_THAT(v.losses, SizeIs(1));
  EXPECT_EQ(v.losses[0].write.op, Op::kDelete);
}

TEST(CheckPrimary, IndeterminateWritesAfterTheLastAcknowledgedOneMayOrMayNotHaveHappened) {
  std::vector<Write> writes = {Upsert("k005", "w1-1", 1, WriteStatus::kOk),
                               Upsert("k005", "w1-2", 2, WriteStatus::kIndeterminate),
                               Delete("k005", 3, WriteStatus::kPending)};
  for (const KeyState& s : {Row(1, "w1-1"), Row(2, "w1-2"), NoRow(3)}) {
    auto v = CheckPrimary(writes, {{"k005", s}}, kJudgeAll);
    EXPECT_THAT(v.losses, IsEmpty()) << DescribeState(s);
    EXPECT_THAT(v.unexplained, IsEmpty()) << DescribeState(s);
  }
  EXPECT_EQ(CheckPrimary(writes, {{"k005", NoRow(3)}}, kJudgeAll).indeterminate, 2);
}

TEST(CheckPrimary, AnIndeterminateValueAtTheWrongVersionIsUnexplained) {
  std::vector<Write> writes = {Upsert("k006", "w1-1", 1, WriteStatus::kOk),
                               Upsert("k006", "w1-2", 2, WriteStatus::kIndeterminate)};
  KeyState s{3, "w1-2", 3};
  auto judged = CheckPrimary(writes, {{"k006", s}}, kJudgeAll);
  EXPECT_THAT(judged.losses, IsEmpty());
  ASSERT_THAT(judged.unexplained, SizeIs(1));
  EXPECT_EQ(judged.unexplained[0].key, "k006");
  // While drivers still write, a newer write may be missing from the model read before.
  EXPECT_THAT(CheckPrimary(writes, {{"k006", s}}, kLossesOnly).unexplained, IsEmpty());
}

TEST(CheckPrimary, FailedWritesAreNotAllowedValues) {
  std::vector<Write> writes = {Upsert("k007", "w1-1", 1, WriteStatus::kFailed)};
  auto v = CheckPrimary(writes, {{"k007", Row(1, "w1-1")}}, kJudgeAll);
  EXPECT_THAT(v.unexplained, SizeIs(1));
}

TEST(CheckPrimary, ARowWhoseVersionIsNotItsCounterIsUnexplained) {
  std::vector<Write> writes = {Upsert("k008", "w1-1", 1, WriteStatus::kOk)};
  auto v = CheckPrimary(writes, {{"k008", KeyState{1, "w1-1", 0}}}, kJudgeAll);
  EXPECT_THAT(v.unexplained, SizeIs(1));
  EXPECT_THAT(v.losses, SizeIs(1));  // the row is not what the acknowledged write left either
}

TEST(CheckPrimary, AKeyThatVanishedLosesItsAcknowledgedWrites) {
  std::vector<Write> writes = {Upsert("k009", "w1-1", 1, WriteStatus::kOk)};
  auto v = CheckPrimary(writes, {{"k000", NoRow(0)}}, kJudgeAll);
  ASSERT_THAT(v.losses, SizeIs(1));
  EXPECT_EQ(v.losses[0].why, "the key is gone");
}

TEST(Differences, EqualStatesHaveNone) {
  ServerState a = {{"k000", Row(1, "x")}, {"k001", NoRow(2)}};
  EXPECT_THAT(Differences(a, a, "replica"), IsEmpty());
}

TEST(Differences, EveryDifferingKeyIsOneLine) {
  ServerState primary = {{"k000", Row(2, "new")}, {"k001", NoRow(2)}, {"k002", Row(1, "x")}};
  ServerState replica = {{"k000", Row(1, "old")}, {"k001", NoRow(2)}};
  auto d = Differences(primary, replica, "replica");
  ASSERT_THAT(d, SizeIs(2));
  EXPECT_EQ(d[0], "k000: primary 'new' at version 2, replica 'old' at version 1");
  EXPECT_EQ(d[1], "k002: primary 'x' at version 1, replica no counter row");
}

TEST(ReadSession, CountersThatGoBackAreRegressions) {
  ReadSession s;
  EXPECT_THAT(s.Observe({{"k000", NoRow(3)}, {"k001", NoRow(1)}}), IsEmpty());
  EXPECT_THAT(s.Observe({{"k000", NoRow(4)}, {"k001", NoRow(1)}}), IsEmpty());
  EXPECT_EQ(s.advances(), 1);
  auto back = s.Observe({{"k000", NoRow(2)}});
  ASSERT_THAT(back, SizeIs(1));
  EXPECT_EQ(back[0].key, "k000");
  EXPECT_EQ(back[0].seen, 4);
  EXPECT_EQ(back[0].now, 2);
  // A new incarnation of the server starts a new session.
  s.Reset();
  EXPECT_THAT(s.Observe({{"k000", NoRow(1)}}), IsEmpty());
  EXPECT_EQ(s.reads(), 4);
}

TEST(TornRows, ARowMustCarryItsCountersVersion) {
  EXPECT_THAT(TornRows({{"k000", Row(3, "x")}, {"k001", NoRow(5)}}), IsEmpty());
  auto torn = TornRows({{"k002", KeyState{4, "x", 3}}});
  ASSERT_THAT(torn, SizeIs(1));
  EXPECT_EQ(torn[0], "k002: 'x' at version 3 (counter 4)");
}

}  // namespace
}  // namespace pgworkload
