#include "td/regex_util.h"

#include <cctype>

namespace faultline::td {
namespace {

// libstdc++ compiles and matches regexes recursively; deep nesting or a long pattern can
// overflow the stack, so such patterns are refused up front with a clear message.
constexpr size_t kMaxPatternLength = 2000;
constexpr int kMaxNesting = 32;

std::string WithoutVariables(std::string_view pattern) {
  std::string out;
  size_t i = 0;
  while (i < pattern.size()) {
    if (pattern.compare(i, 2, "${") == 0) {
      size_t end = pattern.find('}', i + 2);
      if (end != std::string_view::npos) {
        out += 'x';
        i = end + 1;
        continue;
      }
    }
    out += pattern[i++];
  }
  return out;
}

}  // namespace

std::optional<std::string> CheckRegex(std::string_view pattern, bool variables_allowed) {
  std::string p = variables_allowed ? WithoutVariables(pattern) : std::string(pattern);
  if (p.size() > kMaxPatternLength) return "pattern longer than 2000 characters";
  int depth = 0;
  for (size_t i = 0; i < p.size(); ++i) {
    if (p[i] == '\\') {
      ++i;
    } else if (p[i] == '(') {
      if (++depth > kMaxNesting) return "groups nested more than 32 deep";
    } else if (p[i] == ')') {
      --depth;
    } else if (p[i] == '{') {
      // libstdc++ multiplies repetition counts without an overflow check (found by fuzzing).
      size_t digits = 0;
      while (i + 1 < p.size() &&
             (std::isdigit(static_cast<unsigned char>(p[i + 1])) || p[i + 1] == ',')) {
        digits = p[++i] == ',' ? 0 : digits + 1;
        if (digits > 4) return "repetition count above 9999";
      }
    }
  }
  try {
    std::regex re(p, std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    return std::string(e.what());
  }
  return std::nullopt;
}

std::optional<std::regex> CompileRegex(const std::string& pattern) {
  if (CheckRegex(pattern, false)) return std::nullopt;
  try {
    return std::regex(pattern, std::regex::ECMAScript);
  } catch (const std::regex_error&) {
    return std::nullopt;
  }
}

std::string RegexEscape(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (std::string_view("\\^$.|?*+()[]{}/-").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

}  // namespace faultline::td
