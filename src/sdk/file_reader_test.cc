#include "sdk/file_reader.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "base/files.h"

namespace faultline::sdk {
namespace {

constexpr const char* kReachLine =
    R"({"antithesis_assert":{"assert_type":"reachability","display_type":"Reachable","condition":true,"hit":true,"must_hit":true,"id":"r","message":"r","location":{},"details":null}})";

class SdkFileReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = MakeTempDir("sdk-reader-test");
    ASSERT_TRUE(dir.ok());
    dir_ = *dir;
    path_ = dir_ + "/sdk.jsonl";
  }
  void TearDown() override { ASSERT_TRUE(RemoveTree(dir_).ok()); }
  void Append(std::string_view text) {
    int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
    ::close(fd);
  }
  std::vector<SdkLine> Poll(SdkFileReader& r, bool final = false) {
    std::vector<SdkLine> out;
    r.Poll(final, [&](SdkLine&& l) { out.push_back(std::move(l)); });
    return out;
  }
  std::string dir_, path_;
};

TEST_F(SdkFileReaderTest, MissingFileIsNotAnError) {
  SdkFileReader r(path_);
  EXPECT_TRUE(Poll(r, true).empty());
  EXPECT_EQ(r.stats().garbage, 0u);
}

TEST_F(SdkFileReaderTest, ReadsAGrowingFileAndWaitsForPartialLines) {
  SdkFileReader r(path_);
  std::string line = kReachLine;
  Append(line + "\n" + line.substr(0, 40));
  EXPECT_EQ(Poll(r).size(), 1u);
  EXPECT_EQ(Poll(r).size(), 0u);  // the partial line waits for the rest
  Append(line.substr(40) + "\n");
  EXPECT_EQ(Poll(r).size(), 1u);
  EXPECT_EQ(r.stats().lines, 2u);
  EXPECT_EQ(r.stats().garbage, 0u);
}

TEST_F(SdkFileReaderTest, FinalPollTakesAnUnterminatedLastLine) {
  SdkFileReader r(path_);
  Append(kReachLine);
  EXPECT_EQ(Poll(r).size(), 0u);
  EXPECT_EQ(Poll(r, true).size(), 1u);
}

TEST_F(SdkFileReaderTest, GarbageIsCountedAndSkipped) {
  SdkFileReader r(path_);
  Append(std::string("hello world\n") + kReachLine + "\n{\"a\":1,\"b\":2}\n\x01\x02\xff\n\n" +
         kReachLine + "\n");
  EXPECT_EQ(Poll(r).size(), 2u);
  EXPECT_EQ(r.stats().garbage, 3u);
  EXPECT_EQ(r.stats().first_garbage, "line 1: not JSON");
}

TEST_F(SdkFileReaderTest, TruncationStartsOverFromTheBeginning) {
  SdkFileReader r(path_);
  Append(std::string(kReachLine) + "\n" + kReachLine + "\n");
  EXPECT_EQ(Poll(r).size(), 2u);
  // A restarted process truncates its file and writes again.
  ASSERT_EQ(::truncate(path_.c_str(), 0), 0);
  Append(std::string(kReachLine) + "\n");
  EXPECT_EQ(Poll(r).size(), 1u);
  EXPECT_EQ(r.stats().truncations, 1u);
}

TEST_F(SdkFileReaderTest, ReplacedFileIsReopened) {
  SdkFileReader r(path_);
  Append(std::string(kReachLine) + "\n");
  EXPECT_EQ(Poll(r).size(), 1u);
  ASSERT_EQ(::unlink(path_.c_str()), 0);
  Append(std::string(kReachLine) + "\n" + kReachLine + "\n" + kReachLine + "\n");
  EXPECT_EQ(Poll(r).size(), 3u);
  EXPECT_EQ(r.stats().truncations, 1u);
}

TEST_F(SdkFileReaderTest, SizeCapSkipsTheRest) {
  std::string line = std::string(kReachLine) + "\n";
  SdkFileReader r(path_, line.size() * 2 + 10);
  for (int i = 0; i < 5; ++i) Append(line);
  EXPECT_EQ(Poll(r).size(), 2u);
  EXPECT_EQ(r.stats().bytes_skipped, line.size() * 3 - 10);
}

TEST_F(SdkFileReaderTest, OverlongLineIsGarbageAndReadingGoesOn) {
  SdkFileReader r(path_);
  Append(std::string(SdkFileReader::kMaxLineBytes + 100, 'x'));
  Poll(r);
  Append(std::string("\n") + kReachLine + "\n");
  EXPECT_EQ(Poll(r).size(), 1u);
  EXPECT_EQ(r.stats().garbage, 1u);
}

}  // namespace
}  // namespace faultline::sdk
