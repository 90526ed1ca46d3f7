#include "td/lexer.h"

#include <fmt/format.h>

#include "base/strings.h"

namespace faultline::td {
namespace {

bool IsSigil(char c) { return c == '>' || c == '!' || c == '?' || c == '$'; }

bool IsBlank(std::string_view line) { return Trim(line).empty(); }

std::vector<std::string> SplitSourceLines(std::string_view text) {
  std::vector<std::string> lines = Split(text, '\n');
  // A final newline ends the last line rather than starting an empty one.
  if (!lines.empty() && lines.back().empty()) lines.pop_back();
  for (auto& l : lines) {
    if (!l.empty() && l.back() == '\r') l.pop_back();
  }
  return lines;
}

}  // namespace

Location Block::LocationAt(size_t offset) const {
  int line = at.line;
  size_t line_start = 0;
  for (size_t i = 0; i < offset && i < head.size(); ++i) {
    if (head[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  // The first line of head starts after the sigil (column 2); continuation lines are kept whole.
  int base = line == at.line ? 2 : 1;
  return Location{line, base + static_cast<int>(offset - line_start)};
}

LexedFile LexFile(std::string_view text) {
  LexedFile out;
  out.lines = SplitSourceLines(text);
  Block* open = nullptr;
  bool in_head = false;  // still right after the command line: two spaces continue it
  for (size_t i = 0; i < out.lines.size(); ++i) {
    const std::string& line = out.lines[i];
    int number = static_cast<int>(i) + 1;
    if (!line.empty() && IsSigil(line[0])) {
      out.blocks.push_back(Block{line[0], Location{number, 1}, line.substr(1), {}});
      open = &out.blocks.back();
      in_head = true;
      continue;
    }
    if (open && in_head && line.size() >= 2 && line[0] == ' ' && line[1] == ' ' && !IsBlank(line)) {
      open->head += '\n';
      open->head += line;
      continue;
    }
    in_head = false;
    if (!line.empty() && line[0] == '#') continue;
    bool verbatim = open && open->sigil == '?';
    if (IsBlank(line) && !verbatim) continue;
    if (!open) {
      out.errors.push_back(Diagnostic{
          Location{number, 1},
          fmt::format("expected a command ('>', '!', '?' or '$') or a comment ('#'), found '{}'",
                      line.substr(0, 1))});
      continue;
    }
    std::string body = line;
    if (!body.empty() && body[0] == '\\') body.erase(0, 1);
    open->body.push_back(BodyLine{number, std::move(body)});
  }
  return out;
}

std::optional<std::vector<Token>> SplitFields(std::string_view text, LexError* error) {
  std::vector<Token> fields;
  size_t i = 0;
  auto is_space = [](char c) { return c == ' ' || c == '\t'; };
  while (i < text.size()) {
    if (is_space(text[i])) {
      ++i;
      continue;
    }
    Token t{"", i};
    if (text[i] != '"') {
      while (i < text.size() && !is_space(text[i])) t.text += text[i++];
      fields.push_back(std::move(t));
      continue;
    }
    size_t open_quote = i++;
    bool closed = false;
    while (i < text.size()) {
      char c = text[i++];
      if (c == '"') {
        closed = true;
        break;
      }
      if (c != '\\') {
        t.text += c;
        continue;
      }
      if (i >= text.size()) break;
      char e = text[i++];
      switch (e) {
        case 'n':
          t.text += '\n';
          break;
        case 't':
          t.text += '\t';
          break;
        case 'r':
          t.text += '\r';
          break;
        case '0':
          t.text += '\0';
          break;
        default:
          t.text += e;
          break;
      }
    }
    if (!closed) {
      *error = LexError{open_quote, "unterminated quoted field"};
      return std::nullopt;
    }
    if (i < text.size() && !is_space(text[i])) {
      *error = LexError{i, "expected whitespace after a quoted field"};
      return std::nullopt;
    }
    fields.push_back(std::move(t));
  }
  return fields;
}

std::optional<std::vector<Token>> SplitArguments(std::string_view text, LexError* error) {
  std::vector<Token> args;
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n'; };
  size_t i = 0;
  while (i < text.size()) {
    if (is_space(text[i])) {
      ++i;
      continue;
    }
    Token t{"", i};
    std::vector<std::pair<char, size_t>> nesting;  // open brackets and where they opened
    while (i < text.size() && (!nesting.empty() || !is_space(text[i]))) {
      char c = text[i];
      if (nesting.empty() && c == '"') {
        size_t end = text.find('"', i + 1);
        if (end == std::string_view::npos) {
          *error = LexError{i, "unterminated double quote"};
          return std::nullopt;
        }
        t.text.append(text.substr(i + 1, end - i - 1));
        i = end + 1;
        continue;
      }
      if (c == '{' || c == '[') nesting.emplace_back(c == '{' ? '}' : ']', i);
      if (c == '}' || c == ']') {
        if (nesting.empty() || nesting.back().first != c) {
          *error = LexError{i, fmt::format("unbalanced '{}'", c)};
          return std::nullopt;
        }
        nesting.pop_back();
      }
      t.text += c;
      ++i;
    }
    if (!nesting.empty()) {
      *error =
          LexError{nesting.back().second,
                   fmt::format("'{}' is never closed", nesting.back().first == '}' ? '{' : '[')};
      return std::nullopt;
    }
    args.push_back(std::move(t));
  }
  return args;
}

}  // namespace faultline::td
