// The .td lexer: splits a file into lines and lines into blocks (a command line, its
// continuation lines, its body lines), and splits row lines into fields and builtin lines into
// arguments. It knows the shape of the language, not what any command means (that is the
// parser's job). Errors are Diagnostics; every error of a file is collected. Pure, any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "td/diagnostic.h"
#include "td/script.h"

namespace faultline::td {

struct BodyLine {
  int line = 0;      // 1-based
  std::string text;  // after escape removal ('\' at column 1 dropped)
};

struct Block {
  char sigil = 0;  // '>', '!', '?' or '$'
  Location at;     // the command line
  // Text after the sigil, then each continuation line whole (its two spaces included), joined
  // with '\n'; LocationAt maps an offset in it back to the source.
  std::string head;
  std::vector<BodyLine> body;
  // The source position of byte `offset` of `head`.
  Location LocationAt(size_t offset) const;
};

struct LexedFile {
  std::vector<std::string> lines;
  std::vector<Block> blocks;
  std::vector<Diagnostic> errors;
};

// Splits `text` into lines ("\r\n" and "\n") and groups them into blocks.
LexedFile LexFile(std::string_view text);

struct Token {
  std::string text;
  size_t offset = 0;  // byte offset in the split text of the token's first character
};

struct LexError {
  size_t offset = 0;
  std::string message;
};

// Splits an expected-row line into fields: whitespace separates; double quotes hold spaces and
// take the escapes \n \t \r \0 and \c (c itself). On a bad line, returns nullopt and sets
// *error.
std::optional<std::vector<Token>> SplitFields(std::string_view text, LexError* error);

// Splits builtin arguments: whitespace separates, except inside balanced {...} and [...] (kept
// verbatim) and inside double quotes (removed, no escapes). Returns nullopt and sets *error on an
// unbalanced bracket or quote.
std::optional<std::vector<Token>> SplitArguments(std::string_view text, LexError* error);

}  // namespace faultline::td
