#include "base/terminal.h"

#include <gtest/gtest.h>

#include "base/diagnostic.h"

namespace faultline {
namespace {

TEST(ForTerminal, PrintableTextAndUtf8AreUnchanged) {
  EXPECT_EQ(ForTerminal("plain text\twith tab"), "plain text\twith tab");
  EXPECT_EQ(ForTerminal("r\xc3\xa9plique \xe2\x9c\x93 \xf0\x9f\x90\x98"),
            "r\xc3\xa9plique \xe2\x9c\x93 \xf0\x9f\x90\x98");
}

TEST(ForTerminal, ControlCharactersBecomeVisibleEscapes) {
  EXPECT_EQ(ForTerminal("a\x1b[2Jb"), "a\\x1b[2Jb");
  EXPECT_EQ(ForTerminal("line\r\nnext"), "line\\r\\nnext");
  EXPECT_EQ(ForTerminal(std::string_view("nul\0here", 8)), "nul\\x00here");
  EXPECT_EQ(ForTerminal("\x1b]0;title\x07"), "\\x1b]0;title\\x07");
  EXPECT_EQ(ForTerminal("del\x7f"), "del\\x7f");
  EXPECT_EQ(ForTerminal("keep\nlines", true), "keep\nlines");
}

TEST(ForTerminal, InvalidUtf8AndC1ControlsAreEscapedBytewise) {
  EXPECT_EQ(ForTerminal("bad \xff end"), "bad \\xff end");
  EXPECT_EQ(ForTerminal("cut \xe2\x9c"), "cut \\xe2\\x9c");
  EXPECT_EQ(ForTerminal("csi \xc2\x9b"), "csi \\xc2\\x9b");  // U+009B, the 8-bit CSI
  EXPECT_EQ(ForTerminal("overlong \xc0\xaf"), "overlong \\xc0\\xaf");
  EXPECT_EQ(ForTerminal("surrogate \xed\xa0\x80"), "surrogate \\xed\\xa0\\x80");
}

// A scenario line holding ESC sequences prints escaped, with the caret under the right column.
TEST(FormatDiagnostic, OutsideTextIsEscapedAndTheCaretFollowsIt) {
  Diagnostic d{"scen\x1b]0;t\x07.yaml", 1, 8, "bad value '\x1b[2J'"};
  std::string out = FormatDiagnostic(d, "name: \x1b[2Jx\n");
  EXPECT_EQ(out.find('\x1b'), std::string::npos) << out;
  EXPECT_EQ(out,
            "scen\\x1b]0;t\\x07.yaml:1:8: error: bad value '\\x1b[2J'\n"
            "    name: \\x1b[2Jx\n"
            "              ^\n");
}

TEST(InvalidUtf8At, FindsTheFirstBadByte) {
  EXPECT_EQ(InvalidUtf8At("plain"), std::string_view::npos);
  EXPECT_EQ(InvalidUtf8At("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"), std::string_view::npos);
  EXPECT_EQ(InvalidUtf8At("ab\xff"), 2u);
  EXPECT_EQ(InvalidUtf8At("\xc0\xaf"), 0u);       // overlong '/'
  EXPECT_EQ(InvalidUtf8At("x\xed\xa0\x80"), 1u);  // a surrogate
  EXPECT_EQ(InvalidUtf8At("xy\xe2\x82"), 2u);     // cut short
}

}  // namespace
}  // namespace faultline
