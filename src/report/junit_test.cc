// junit.xml parsed back with libxml2: the document is well-formed XML whatever the properties
// say, and it carries one test case per property with the failing example and replay command.
#include <gtest/gtest.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "report/report_test_util.h"

namespace faultline::report {
namespace {

using testing::HistoryScript;

std::string Attr(xmlNode* n, const char* name) {
  xmlChar* v = xmlGetProp(n, reinterpret_cast<const xmlChar*>(name));
  std::string out = v ? reinterpret_cast<char*>(v) : "";
  xmlFree(v);
  return out;
}

std::string Text(xmlNode* n) {
  xmlChar* v = xmlNodeGetContent(n);
  std::string out = v ? reinterpret_cast<char*>(v) : "";
  xmlFree(v);
  return out;
}

std::vector<xmlNode*> Children(xmlNode* n, const char* name) {
  std::vector<xmlNode*> out;
  for (xmlNode* c = n->children; c; c = c->next) {
    if (c->type == XML_ELEMENT_NODE && xmlStrcmp(c->name, BAD_CAST name) == 0) out.push_back(c);
  }
  return out;
}

TEST(Junit, ParsesBackWithOneTestCasePerProperty) {
  const std::string nasty = "balance <script>alert(1)</script> & \"q\" \x1b[2J\x01 ok";
  HistoryScript h(0, 42);
  h.Setup(1).Command(10, 100, 1, "parallel_driver_x.sh");
  h.Assert(20, 1, "parallel_driver_x.sh", nasty, false, {{"why", "]]> <b>bold</b>"}});
  h.Assert(21, 1, "parallel_driver_x.sh", "fine", true);
  h.Add(22, EventType::kAssert,
        {{"command", "t/parallel_driver_x.sh"},
         {"id", 1},
         {"assert",
          {{"id", "maybe"},
           {"hit", false},
           {"condition", false},
           {"must_hit", false},
           {"assert_type", "always"},
           {"display_type", "AlwaysOrUnreachable"}}}});
  h.End(200, 1);
  properties::PropertyBook book;
  Report r;
  r.meta = testing::TestMeta("/runs/x", 42, 1);
  r.book = &book;
  TraceBuilder t({0, 42}, book);
  for (const auto& e : h.events()) t.Add(e);
  r.traces.push_back(t.Finish());
  r.histories.push_back({.index = 0, .seed = 42, .outcome = "completed", .seconds = 0.2});
  r.histories.push_back({.index = 1,
                         .seed = 43,
                         .outcome = "setup_failed",
                         .message = "kv never became healthy\n| kv: <oops>"});
  std::string xml = JunitXml(r);

  xmlDoc* doc = xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "junit.xml", "UTF-8",
                              XML_PARSE_NONET);
  ASSERT_NE(doc, nullptr) << xml;
  xmlNode* suites = xmlDocGetRootElement(doc);
  EXPECT_STREQ(reinterpret_cast<const char*>(suites->name), "testsuites");
  auto suite = Children(suites, "testsuite");
  ASSERT_EQ(suite.size(), 1u);
  EXPECT_EQ(Attr(suite[0], "name"), "kv");
  auto cases = Children(suite[0], "testcase");
  // The properties of the book, plus one error case for the history that could not run.
  size_t properties = book.Sorted().size();
  ASSERT_EQ(cases.size(), properties + 1);
  EXPECT_EQ(Attr(suite[0], "tests"), std::to_string(properties + 1));
  EXPECT_EQ(Attr(suite[0], "errors"), "1");
  EXPECT_EQ(Attr(suite[0], "skipped"), "1");  // "maybe": registered, never reached
  EXPECT_EQ(Attr(suite[0], "failures"), "1");
  // The history error comes first, then the failing properties.
  EXPECT_EQ(Attr(cases[0], "name"), "history 1 (seed 43) runs");
  auto error = Children(cases[0], "error");
  ASSERT_EQ(error.size(), 1u);
  EXPECT_NE(Text(error[0]).find("| kv: <oops>"), std::string::npos);
  EXPECT_NE(Text(error[0]).find("replay: faultline run scenarios/kv --seed 43 --duration 10s"),
            std::string::npos);
  xmlNode* bad = cases[1];
  EXPECT_EQ(Attr(bad, "name"), "balance <script>alert(1)</script> & \"q\" \\x1b[2J\\x01 ok");
  EXPECT_EQ(Attr(bad, "classname"), "faultline.kv");
  EXPECT_EQ(Attr(bad, "file"), "test/v1/t/parallel_driver_x.sh");
  auto failure = Children(bad, "failure");
  ASSERT_EQ(failure.size(), 1u);
  EXPECT_EQ(Attr(failure[0], "message"), "false in 1 invocation(s)");
  EXPECT_EQ(Attr(failure[0], "type"), "Always");
  std::string body = Text(failure[0]);
  EXPECT_NE(body.find("first failure: history 0 (seed 42), t/parallel_driver_x.sh #1 at 0.020s"),
            std::string::npos)
      << body;
  EXPECT_NE(body.find("details: {\"why\":\"]]> <b>bold</b>\"}"), std::string::npos) << body;
  EXPECT_NE(body.find("replay: faultline run scenarios/kv --seed 42 --duration 10s"),
            std::string::npos);
  int skipped = 0, passed = 0;
  for (xmlNode* c : cases) {
    skipped += !Children(c, "skipped").empty();
    passed += Children(c, "failure").empty() && Children(c, "error").empty() &&
              Children(c, "skipped").empty();
    if (Attr(c, "name") == "fine") {
      EXPECT_EQ(Text(Children(c, "system-out")[0]), "1 passed, 0 failed");
    }
  }
  EXPECT_EQ(skipped, 1);
  EXPECT_EQ(passed, static_cast<int>(properties) - 2);
  xmlFreeDoc(doc);
}

}  // namespace
}  // namespace faultline::report
