#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include "report/html_text.h"
#include "report/html_timeline.h"
#include "report/report_test_util.h"

namespace faultline::report {
namespace {

using ::testing::HasSubstr;
using testing::HistoryScript;
using ::testing::Not;

const std::string kScript = "<script>window.__pwned=1</script>";
const std::string kImg = "<img src=x onerror=\"window.__pwned=2\">";

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1)) ++n;
  return n;
}

std::string Sha256Base64(std::string_view text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(text.data(), text.size(), digest, &size, EVP_sha256(), nullptr);
  unsigned char b64[128];
  int n = EVP_EncodeBlock(b64, digest, static_cast<int>(size));
  return std::string(reinterpret_cast<char*>(b64), static_cast<size_t>(n));
}

TEST(HtmlText, EscapesMarkupControlsAndUrls) {
  EXPECT_EQ(html::Esc(kImg), "&lt;img src=x onerror=&quot;window.__pwned=2&quot;&gt;");
  EXPECT_EQ(html::Esc("a'b&\x1b[31m\n"), "a&#39;b&amp;\\x1b[31m\n");
  EXPECT_EQ(html::Esc("\xEF\xBF\xBE"), "\\ufffe");  // not a character: XML cannot hold it
  EXPECT_EQ(html::Esc("\xff"), "\\xff");
  EXPECT_EQ(html::Href("javascript:alert(1)"), "javascript%3Aalert%281%29");
  EXPECT_EQ(html::Href("h000-seed1/logs/kv.log"), "h000-seed1/logs/kv.log");
  EXPECT_EQ(html::StripAnsi("\x1b[1;31mERROR\x1b[0m done \x1b]0;title\x07!"), "ERROR done !");
  EXPECT_EQ(html::Seconds(2500000), "2.500s");
  EXPECT_EQ(html::Seconds(62500000), "1m 02.5s");
}

class HtmlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tmp_ = MakeTempDir("html-test").value();
    testing::WriteRunJson(testing::TestMeta(tmp_, 7, 2));
    for (int i = 0; i < 2; ++i) {
      HistoryScript h(i, 7 + static_cast<uint64_t>(i), "counter");
      // The failing history 0 has pause on, the passing history 1 kill.
      std::string kind = i == 0 ? "pause" : "kill";
      h.Service(1, "kv").Healthy(5, "kv").Setup(10).Swarm({"kill", "pause"}, {kind});
      h.FaultBegin(20, 1, kind, {"kv"}, {{"note", kImg}}).FaultHeal(60, 1, kind, {"kv"});
      h.Command(30, 120, 1, "parallel_driver_x.sh");
      h.Assert(40, 1, "parallel_driver_x.sh", "message " + kScript, i == 1, {{"value", kImg}});
      h.Assert(41, 1, "parallel_driver_x.sh", "fine", true);
      h.ServiceExit(150, "kv", true, "SIGTERM");
      h.End(160, 1);
      std::string dir = testing::WriteHistory(tmp_, h);
      (void)WriteFile(dir + "/logs/kv.log",
                      "=== faultline t=0.001s: start 1\nlog " + kScript + kImg + "\n");
    }
    auto r = Rebuild(tmp_, book_);
    ASSERT_TRUE(r.ok()) << r.error();
    page_ = HtmlReport(*r);
  }
  void TearDown() override { (void)RemoveTree(tmp_); }
  std::string tmp_;
  properties::PropertyBook book_;
  std::string page_;
};

TEST_F(HtmlTest, OutsideTextNeverBecomesMarkup) {
  EXPECT_EQ(Count(page_, "<script"), 1u);  // the page's own
  EXPECT_EQ(page_.find("<img"), std::string::npos);
  EXPECT_EQ(page_.find("window.__pwned=1</script>"), std::string::npos);
  // The payloads are there, as text: in the property, its details, the log, the timeline.
  EXPECT_NE(page_.find("message &lt;script&gt;window.__pwned=1&lt;/script&gt;"), std::string::npos)
      << "message &lt;script&gt;window.__pwned=1&lt;/script&gt;";
  EXPECT_GE(Count(page_, "&lt;img src=x onerror="), 4u);
  EXPECT_NE(page_.find("log &lt;script&gt;"), std::string::npos) << "log &lt;script&gt;";
}

TEST_F(HtmlTest, OnlyThePagesOwnStyleAndScriptMayRun) {
  auto hash_after = [&](const std::string& key) {
    size_t at = page_.find(key + " 'sha256-");
    EXPECT_NE(at, std::string::npos) << key;
    size_t begin = at + key.size() + 9;
    return page_.substr(begin, page_.find('\'', begin) - begin);
  };
  std::string style_hash = hash_after("style-src"), script_hash = hash_after("script-src");
  size_t s0 = page_.find("<style>") + 7, s1 = page_.find("</style>");
  size_t j0 = page_.find("<script>") + 8, j1 = page_.find("</script>");
  EXPECT_EQ(Sha256Base64(page_.substr(s0, s1 - s0)), style_hash);
  EXPECT_EQ(Sha256Base64(page_.substr(j0, j1 - j0)), script_hash);
  EXPECT_NE(page_.find("default-src 'none'"), std::string::npos) << "default-src 'none'";
  // A hash-only style-src refuses style attributes; nothing comes from the network.
  EXPECT_EQ(page_.find(" style=\""), std::string::npos);
  EXPECT_EQ(page_.find("http://"), std::string::npos);
  EXPECT_EQ(page_.find("https://"), std::string::npos);
}

TEST_F(HtmlTest, FailingPropertyFirstWithReplayAttributionAndTimelines) {
  size_t failing = page_.find("<article class=\"prop fail\"");
  ASSERT_NE(failing, std::string::npos);
  EXPECT_LT(failing, page_.find("id=\"passing\""));
  EXPECT_NE(page_.find("<code>faultline run scenarios/kv --seed 7 --duration 10s</code>"),
            std::string::npos)
      << "<code>faultline run scenarios/kv --seed 7 --duration 10s</code>";
  EXPECT_NE(page_.find("Faults: fails only when pause is on"), std::string::npos)
      << "Faults: fails only when pause is on";
  EXPECT_EQ(Count(page_, "<svg class=\"tl\""), 2u);
  EXPECT_EQ(Count(page_, "class=\"m mk-fail\""), 1u);
  EXPECT_EQ(Count(page_, "class=\"m fb f-pause\""), 1u);
  EXPECT_EQ(Count(page_, "class=\"m fb f-kill\""), 1u);
  EXPECT_EQ(Count(page_, "class=\"fo f-pause\""), 1u);  // shaded on the kv lane
  EXPECT_NE(page_.find("<title>faultline: kv failed (1 of "), std::string::npos)
      << "<title>faultline: kv failed (1 of ";
  EXPECT_NE(page_.find("setup complete"), std::string::npos) << "setup complete";
}

TEST(HtmlTimeline, ManyShortInvocationsBecomeClusters) {
  HistoryScript h(0, 1);
  h.Setup(1);
  for (int i = 0; i < 5000; ++i) h.Command(10 + i * 10.0, 18 + i * 10.0, i + 1, "anytime_x.sh");
  h.Command(20, 30000, 9999, "parallel_driver_long.sh");
  h.End(60000, 5001);
  properties::PropertyBook book;
  TraceBuilder b({0, 1}, book);
  for (const auto& e : h.events()) b.Add(e);
  HistoryTrace t = b.Finish();
  std::string svg = html::TimelineSvg(t, "x");
  // 5000 invocations of 8 ms on a 60 s axis are far below a unit each: a handful of clusters.
  EXPECT_LT(Count(svg, "<rect class=\"m "), 20u);
  EXPECT_THAT(svg, HasSubstr("invocations, 0.010s"));
  EXPECT_THAT(svg, HasSubstr("parallel_driver_long.sh"));
  EXPECT_LT(svg.size(), 20000u);
}

}  // namespace
}  // namespace faultline::report
