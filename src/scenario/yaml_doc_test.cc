// YamlDocument: positions, plain and quoted scalars, aliases shared rather than copied, syntax
// errors as data. The dev build's LeakSanitizer checks that every path frees libyaml's memory.
#include "scenario/yaml_doc.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace faultline::scenario {
namespace {

using ::testing::HasSubstr;

void ExpectPos(const YamlNode& n, int line, int column) {
  EXPECT_EQ(n.Pos().line, line);
  EXPECT_EQ(n.Pos().column, column);
}

TEST(YamlDocument, NodesHaveTheirKindTextAndPosition) {
  auto doc = YamlDocument::Parse(
      "name: x\n"
      "services:\n"
      "  db: {command: [run, \"{port}\"], port: auto}\n"
      "list:\n"
      "  - a\n"
      "  - 'b'\n");
  ASSERT_FALSE(doc.error()) << doc.error()->Message();
  YamlNode root = doc.root();
  ASSERT_TRUE(root.IsMap());
  EXPECT_EQ(root.size(), 3u);
  ExpectPos(root, 1, 1);
  ExpectPos(root.Find("name"), 1, 7);
  EXPECT_EQ(root.Find("name").Scalar(), "x");
  YamlNode db = root.Find("services").Find("db");
  ASSERT_TRUE(db.IsMap());
  ExpectPos(db, 3, 7);  // the '{'
  YamlNode command = db.Find("command");
  ASSERT_TRUE(command.IsSequence());
  ExpectPos(command, 3, 17);
  ASSERT_EQ(command.size(), 2u);
  EXPECT_EQ(command[1].Scalar(), "{port}");
  ExpectPos(command[1], 3, 23);  // the opening quote
  EXPECT_FALSE(command[2].IsDefined());
  YamlNode list = root.Find("list");
  ASSERT_TRUE(list.IsSequence());
  ExpectPos(list, 5, 3);  // the first '-'
  std::vector<std::string> items;
  for (YamlNode item : list.items()) items.emplace_back(item.Scalar());
  EXPECT_EQ(items, (std::vector<std::string>{"a", "b"}));
  std::vector<std::string> keys;
  for (const auto& [k, v] : root.entries()) {
    keys.emplace_back(k.Scalar());
    EXPECT_TRUE(v.IsDefined());
  }
  EXPECT_EQ(keys, (std::vector<std::string>{"name", "services", "list"}));
  // A missing node answers every question with nothing.
  YamlNode missing = root.Find("nope");
  EXPECT_FALSE(missing.IsDefined());
  EXPECT_FALSE(missing.IsScalar() || missing.IsMap() || missing.IsSequence() || missing.IsNull());
  EXPECT_EQ(missing.size(), 0u);
  EXPECT_EQ(missing.Pos().line, 0);
  EXPECT_FALSE(missing.Find("x").IsDefined());
  EXPECT_EQ(root.Find("name").size(), 0u);
}

TEST(YamlDocument, PositionsAreBytesOnNewlineSeparatedLines) {
  // libyaml counts characters: after "é" (two bytes) a byte column is one further.
  auto doc = YamlDocument::Parse("\xc3\xa9: x\nb: [\xe2\x82\xac, y]\n");
  ASSERT_FALSE(doc.error());
  YamlNode root = doc.root();
  ExpectPos(root.Find("\xc3\xa9"), 1, 5);
  ExpectPos(root.Find("b")[1], 2, 10);
  // CRLF is one line break; a lone CR breaks a line for YAML 1.1 but not for the positions, which
  // count '\n' (what diagnostics print a line by).
  auto crlf = YamlDocument::Parse("a: 1\r\nb: 2\r\n");
  ExpectPos(crlf.root().Find("b"), 2, 4);
  auto cr = YamlDocument::Parse("a: 1\rb: 2\r");
  ASSERT_FALSE(cr.error());
  EXPECT_EQ(cr.root().Find("b").Scalar(), "2");
  ExpectPos(cr.root().Find("b"), 1, 9);
  // An error's context comes before its problem: the cursor walks back to it.
  auto back = YamlDocument::Parse("\xc3\xa9: {command: [run\n");
  ASSERT_TRUE(back.error());
  EXPECT_EQ(back.error()->pos.line, 2);
  EXPECT_EQ(back.error()->context_pos.line, 1);
  EXPECT_EQ(back.error()->context_pos.column, 15);
}

TEST(YamlDocument, PlainQuotedTaggedAndNull) {
  auto doc = YamlDocument::Parse(
      "empty:\n"
      "tilde: ~\n"
      "word: null\n"
      "Cap: Null\n"
      "quoted: \"null\"\n"
      "single: ''\n"
      "tagged: !!str null\n"
      "anchored: &a\n"
      "text: hello\n"
      "block: |\n  hi\n");
  ASSERT_FALSE(doc.error()) << doc.error()->Message();
  YamlNode root = doc.root();
  for (const char* key : {"empty", "tilde", "word", "Cap", "anchored"}) {
    EXPECT_TRUE(root.Find(key).IsNull()) << key;
    EXPECT_TRUE(root.Find(key).IsScalar()) << key;
    EXPECT_TRUE(root.Find(key).IsPlain()) << key;
  }
  for (const char* key : {"quoted", "single", "tagged", "text", "block"}) {
    EXPECT_FALSE(root.Find(key).IsNull()) << key;
  }
  EXPECT_FALSE(root.Find("quoted").IsPlain());
  EXPECT_EQ(root.Find("quoted").Scalar(), "null");
  EXPECT_EQ(root.Find("single").Scalar(), "");
  EXPECT_TRUE(root.Find("tagged").IsTagged());
  EXPECT_TRUE(root.Find("tagged").IsPlain());
  EXPECT_TRUE(root.Find("text").IsPlain());
  EXPECT_FALSE(root.Find("block").IsPlain());
  EXPECT_EQ(root.Find("block").Scalar(), "hi\n");
  // An empty value is marked right after its ':'.
  ExpectPos(root.Find("empty"), 1, 7);
  // A null key is never found by name, not even as "".
  auto null_key = YamlDocument::Parse("~: 1\n\"\": 2\n");
  EXPECT_EQ(null_key.root().Find("").Scalar(), "2");
}

TEST(YamlDocument, DuplicateKeysAreKeptInOrder) {
  auto doc = YamlDocument::Parse("a: 1\nb: 2\na: 3\n");
  ASSERT_FALSE(doc.error());
  EXPECT_EQ(doc.root().size(), 3u);
  EXPECT_EQ(doc.root().Find("a").Scalar(), "1");  // the first
  std::string order;
  for (const auto& [k, v] : doc.root().entries())
    order += fmt::format("{}={} ", k.Scalar(), v.Scalar());
  EXPECT_EQ(order, "a=1 b=2 a=3 ");
}

TEST(YamlDocument, AnAliasIsItsAnchoredNodeShared) {
  auto doc = YamlDocument::Parse("base: &b {image: pg}\ncopy: *b\nagain: *b\n");
  ASSERT_FALSE(doc.error());
  YamlNode root = doc.root();
  EXPECT_TRUE(root.Find("copy").SameAs(root.Find("base")));
  EXPECT_TRUE(root.Find("again").SameAs(root.Find("base")));
  EXPECT_FALSE(root.Find("copy").SameAs(root));
  ExpectPos(root.Find("copy"), 1, 7);  // where the anchored node is written
  EXPECT_EQ(root.Find("copy").Find("image").Scalar(), "pg");
  // root, 3 keys, the mapping, its key and value: the aliases added nothing.
  EXPECT_EQ(doc.node_count(), 7u);
  // A later anchor of the same name is the one for the aliases after it.
  auto reused = YamlDocument::Parse("a: &x 1\nb: *x\nc: &x 2\nd: *x\n");
  EXPECT_EQ(reused.root().Find("b").Scalar(), "1");
  EXPECT_EQ(reused.root().Find("d").Scalar(), "2");
}

TEST(YamlDocument, AnAliasInsideItsAnchorIsACycle) {
  auto doc = YamlDocument::Parse("l: &l [*l, 1]\nm: &m {self: *m}\n");
  ASSERT_FALSE(doc.error());
  YamlNode l = doc.root().Find("l");
  EXPECT_TRUE(l[0].SameAs(l));
  EXPECT_TRUE(l[0][0][0].SameAs(l));
  YamlNode m = doc.root().Find("m");
  EXPECT_TRUE(m.Find("self").Find("self").SameAs(m));
}

// A billion laughs: 10^9 leaves if copied; shared, a few dozen nodes built at once.
TEST(YamlDocument, ABillionLaughsBuildsFewNodes) {
  std::string bomb = "l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
  for (int i = 1; i < 10; ++i) {
    bomb += fmt::format("l{}: &l{} [", i, i);
    for (int k = 0; k < 10; ++k) bomb += fmt::format("{}*l{}", k ? ", " : "", i - 1);
    bomb += "]\n";
  }
  auto start = std::chrono::steady_clock::now();
  auto doc = YamlDocument::Parse(bomb);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
  ASSERT_FALSE(doc.error()) << doc.error()->Message();
  EXPECT_LT(doc.node_count(), 50u);
  YamlNode top = doc.root().Find("l9");
  EXPECT_EQ(top[3][4][5][6][7][8][9][0][1][2].Scalar(), "lol");
  EXPECT_TRUE(top[0].SameAs(top[9]));
}

TEST(YamlDocument, SyntaxErrorsAreDataWithAPosition) {
  auto doc = YamlDocument::Parse("name: x\nservices:\n  db: {command: [run\n");
  ASSERT_TRUE(doc.error());
  EXPECT_FALSE(doc.root().IsDefined());
  const YamlSyntaxError& e = *doc.error();
  EXPECT_EQ(e.problem, "did not find expected ',' or ']'");
  EXPECT_EQ(e.pos.line, 4);
  EXPECT_EQ(e.pos.column, 1);
  EXPECT_EQ(e.context, "while parsing a flow sequence");
  EXPECT_EQ(e.context_pos.line, 3);
  EXPECT_EQ(e.context_pos.column, 17);
  EXPECT_EQ(e.Message(),
            "invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence that "
            "starts at 3:17)");

  auto alias = YamlDocument::Parse("a: 1\nb: *nowhere\n");
  ASSERT_TRUE(alias.error());
  EXPECT_EQ(alias.error()->Message(),
            "invalid YAML: the alias *nowhere names no anchor defined "
            "before it");
  EXPECT_EQ(alias.error()->pos.line, 2);
  EXPECT_EQ(alias.error()->pos.column, 4);

  // The reader's errors have a byte offset rather than a mark.
  auto control = YamlDocument::Parse("a: 1\nb: \xc3\xa9x\x7f\n");
  ASSERT_TRUE(control.error());
  EXPECT_THAT(control.error()->Message(), HasSubstr("control characters are not allowed (0x7f)"));
  EXPECT_EQ(control.error()->pos.line, 2);
  EXPECT_EQ(control.error()->pos.column, 7);
  auto utf8 = YamlDocument::Parse("a: \xff\n");
  ASSERT_TRUE(utf8.error());
  EXPECT_EQ(utf8.error()->pos.column, 4);

  for (const char* text :
       {",", "]", "}", ",,", "- ,", "[", "{a: 1", "a: \"open\n", "a: [x, , y]", "\t- a\n", ":"}) {
    EXPECT_TRUE(YamlDocument::Parse(text).error()) << text;
  }
}

TEST(YamlDocument, NestingIsBounded) {
  std::string deep(600, '[');
  auto doc = YamlDocument::Parse(deep);
  ASSERT_TRUE(doc.error());
  EXPECT_EQ(doc.error()->Message(), "invalid YAML: collections nest deeper than 500 levels");
  EXPECT_EQ(doc.error()->pos.column, 501);
  std::string ok = std::string(400, '[') + std::string(400, ']');
  EXPECT_FALSE(YamlDocument::Parse(ok).error());
  YamlParseOptions shallow;
  shallow.max_depth = 2;
  EXPECT_FALSE(YamlDocument::Parse("a: [1]\n", shallow).error());
  EXPECT_TRUE(YamlDocument::Parse("a: [[1]]\n", shallow).error());
}

TEST(YamlDocument, OneDocumentIsRead) {
  auto empty = YamlDocument::Parse("");
  EXPECT_FALSE(empty.error());
  EXPECT_FALSE(empty.root().IsDefined());
  auto comments = YamlDocument::Parse("# nothing\n\n");
  EXPECT_FALSE(comments.error());
  EXPECT_FALSE(comments.root().IsDefined());

  // The second document is not parsed, so its syntax is not checked.
  auto two = YamlDocument::Parse("a: 1\n---\nb: [\n");
  ASSERT_FALSE(two.error());
  EXPECT_EQ(two.root().size(), 1u);
  EXPECT_EQ(two.second_document().line, 2);
  EXPECT_EQ(two.second_document().column, 1);
  auto one = YamlDocument::Parse("---\na: 1\n...\n");
  ASSERT_FALSE(one.error());
  EXPECT_EQ(one.second_document().line, 0);
  EXPECT_EQ(one.root().Find("a").Scalar(), "1");
  // After "...", a document starts only with "---".
  auto bare = YamlDocument::Parse("a: 1\n...\nb: 2\n");
  ASSERT_TRUE(bare.error());
  EXPECT_EQ(bare.error()->problem, "did not find expected <document start>");
  EXPECT_EQ(bare.error()->pos.line, 3);
}

TEST(YamlDocument, AnInterruptStopsTheParse) {
  std::string big;
  for (int i = 0; i < 10000; ++i) big += fmt::format("k{}: [a, b]\n", i);
  int asked = 0;
  YamlParseOptions options;
  options.interrupted = [&] { return ++asked == 2; };
  auto doc = YamlDocument::Parse(big, options);
  EXPECT_TRUE(doc.interrupted());
  EXPECT_FALSE(doc.error());
  EXPECT_FALSE(doc.root().IsDefined());
  EXPECT_EQ(asked, 2);
  options.interrupted = [] { return false; };
  EXPECT_EQ(YamlDocument::Parse(big, options).root().size(), 10000u);
}

TEST(YamlDocument, NodesStayValidWhenTheDocumentMoves) {
  auto doc = YamlDocument::Parse("a: [x, y]\n");
  YamlNode a = doc.root().Find("a");
  YamlDocument moved = std::move(doc);
  EXPECT_EQ(a[1].Scalar(), "y");
  EXPECT_TRUE(moved.root().Find("a").SameAs(a));
}

}  // namespace
}  // namespace faultline::scenario
