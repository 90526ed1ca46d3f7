#include "td/render.h"

#include <gtest/gtest.h>

#include "td/compare.h"
#include "td/md5.h"

namespace faultline::td {
namespace {

TEST(TdRender, BooleansAndChar) {
  EXPECT_EQ(RenderValue(oid::kBool, "t"), "true");
  EXPECT_EQ(RenderValue(oid::kBool, "f"), "false");
  EXPECT_EQ(RenderValue(oid::kChar, "a"), "97");
}

TEST(TdRender, FloatsAsRustPrintsThem) {
  EXPECT_EQ(RenderFloat("Infinity", false), "inf");
  EXPECT_EQ(RenderFloat("-Infinity", true), "-inf");
  EXPECT_EQ(RenderFloat("NaN", false), "NaN");
  EXPECT_EQ(RenderFloat("1e+20", false), "100000000000000000000");
  EXPECT_EQ(RenderFloat("1e-07", false), "0.0000001");
  EXPECT_EQ(RenderFloat("1.5", true), "1.5");
  EXPECT_EQ(RenderFloat("0.1", true), "0.1");
  EXPECT_EQ(RenderFloat("-0", false), "-0");
}

TEST(TdRender, TimestampsInUtcWithChronoFractions) {
  EXPECT_EQ(RenderTimestamp("2020-01-01 12:00:00+02", true), "2020-01-01 10:00:00 UTC");
  EXPECT_EQ(RenderTimestamp("2020-01-01 00:30:00.5+05:30", true), "2019-12-31 19:00:00.500 UTC");
  EXPECT_EQ(RenderTimestamp("2020-03-01 23:00:00-02", true), "2020-03-02 01:00:00 UTC");
  EXPECT_EQ(RenderTimestamp("2020-01-01 12:00:00.123456", false), "2020-01-01 12:00:00.123456");
  EXPECT_EQ(RenderTimestamp("2020-01-01 12:00:00.1234", false), "2020-01-01 12:00:00.123400");
  EXPECT_EQ(RenderTimestamp("infinity", true), "infinity");
  EXPECT_EQ(RenderTime("12:00:00.25"), "12:00:00.250");
}

TEST(TdRender, JsonCompactKeepsOrderAndStrings) {
  EXPECT_EQ(RenderJson(R"({"b": [1, 2], "a": {"c": "x y"}})"), R"({"b":[1,2],"a":{"c":"x y"}})");
  EXPECT_EQ(RenderJson(R"(["a \" b"])"), R"(["a \" b"])");
}

TEST(TdRender, ByteaWithAsciiEscapes) {
  EXPECT_EQ(RenderBytea("\\x616263"), "abc");
  EXPECT_EQ(RenderBytea("\\x00ff0a5c"), "\\x00\\xff\\n\\\\");
}

TEST(TdCompare, Md5KnownValues) {
  EXPECT_EQ(Md5Hex(""), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(Md5Hex("abc"), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(Md5Hex(std::string(1000, 'a')), "cabe45dcc9ae5b66ba86600cca6b8ba8");
}

TEST(TdCompare, HashOfSortedRowsAndDiff) {
  std::vector<Row> rows = {{"3"}, {"1"}, {"2"}};
  SortRows(rows);
  EXPECT_EQ(HashRows(rows), Md5Hex("123"));
  std::vector<Row> expected = {{"1", "a"}, {"2", "b b"}};
  std::vector<Row> actual = {{"1", "a"}, {"3", ""}};
  auto diff = DiffRows(expected, actual);
  EXPECT_EQ(diff, (std::vector<std::string>{"  1 a", "- 2 \"b b\"", "+ 3 \"\""}));
}

}  // namespace
}  // namespace faultline::td
