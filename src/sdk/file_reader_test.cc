#include "sdk/file_reader.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "base/files.h"
#include "base/temp_dir.h"

namespace faultline::sdk {
namespace {

constexpr const char* kReachLine =
    R"({"antithesis_assert":{"assert_type":"reachability","display_type":"Reachable","condition":true,"hit":true,"must_hit":true,"id":"r","message":"r","location":{},"details":null}})";

class SdkFileReaderTest : public ::testing::Test {
 protected:
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
  TempDir tmp_{"sdk-reader-test"};
  const std::string dir_ = tmp_.path();
  const std::string path_ = dir_ + "/sdk.jsonl";
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

// Every line that cannot be used is counted under its reason; a failing assertion among them must
// not vanish without a word.
TEST_F(SdkFileReaderTest, DroppedLinesAreCountedPerReason) {
  SdkFileReader r(path_);
  std::string bad_utf8 =
      std::string(
          R"({"antithesis_assert":{"assert_type":"always","hit":true,"condition":false,"id":"bad )") +
      "\xff" + R"("}})";
  std::string nan =
      R"({"antithesis_assert":{"assert_type":"always","hit":true,"condition":false,"id":"n","details":{"v":NaN}}})";
  std::string inf = R"({"antithesis_sdk":{"v":-Infinity}})";
  std::string unknown =
      R"({"antithesis_assert":{"assert_type":"often","hit":true,"condition":false,"must_hit":true,"id":"u"}})";
  std::string deep = std::string(200000, '[') + std::string(200000, ']');
  Append(bad_utf8 + "\n" + nan + "\n" + inf + "\n" + unknown + "\n" + deep + "\nnot json\n[1]\n" +
         kReachLine + "\n");
  EXPECT_EQ(Poll(r, true).size(), 1u);
  const ReaderStats& st = r.stats();
  EXPECT_EQ(st.garbage, 7u);
  EXPECT_TRUE(st.lost());
  EXPECT_EQ(st.first_garbage, "line 1: invalid UTF-8 (byte 0xff at column 85)");
  EXPECT_EQ(st.DroppedJson(), Json({{"invalid UTF-8", 1},
                                    {"NaN or Infinity", 2},
                                    {"unknown assert_type", 1},
                                    {"nested too deeply", 1},
                                    {"not JSON", 1},
                                    {"not a protocol line", 1}}));
  Json fields = SkippedFields(path_, st);
  EXPECT_EQ(fields["file"], path_);
  EXPECT_EQ(fields["lines"], 7);
  EXPECT_EQ(fields["reasons"]["NaN or Infinity"], 2);
  EXPECT_FALSE(fields.contains("bytes_skipped"));
}

// Reading streams: a file far past 256 MiB is read to its end (here a sparse 300 MiB line of
// zero bytes, dropped as too long, then a good line).
TEST_F(SdkFileReaderTest, FilesOfAnySizeAreReadWhole) {
  Append("");
  ASSERT_EQ(::truncate(path_.c_str(), 300ll << 20), 0);
  Append(std::string("\n") + kReachLine + "\n");
  SdkFileReader r(path_);
  EXPECT_EQ(Poll(r, true).size(), 1u);
  EXPECT_EQ(r.stats().bytes_skipped, 0u);
  EXPECT_EQ(r.stats().dropped[static_cast<size_t>(DropReason::kTooLong)], 1u);
}

TEST_F(SdkFileReaderTest, OverlongLineEndingInALaterChunkIsDropped) {
  SdkFileReader r(path_);
  Append(std::string(SdkFileReader::kMaxLineBytes - 10, ' '));
  Poll(r);
  Append(std::string(100, ' ') + "\n" + kReachLine + "\n");
  EXPECT_EQ(Poll(r).size(), 1u);
  EXPECT_EQ(r.stats().dropped[static_cast<size_t>(DropReason::kTooLong)], 1u);
}

TEST_F(SdkFileReaderTest, SizeCapIsReportedAsLost) {
  std::string line = std::string(kReachLine) + "\n";
  SdkFileReader r(path_, line.size());
  Append(line + line);
  EXPECT_EQ(Poll(r, true).size(), 1u);
  EXPECT_TRUE(r.stats().lost());
  EXPECT_EQ(SkippedFields(path_, r.stats())["bytes_skipped"], line.size());
}

}  // namespace
}  // namespace faultline::sdk
