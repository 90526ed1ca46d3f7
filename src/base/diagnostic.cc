#include "base/diagnostic.h"

#include <fmt/format.h>

#include <algorithm>

#include "base/terminal.h"

namespace faultline {
namespace {

std::string_view LineOf(std::string_view source, int line) {
  size_t start = 0;
  for (int i = 1; i < line; ++i) {
    size_t nl = source.find('\n', start);
    if (nl == std::string_view::npos) return {};
    start = nl + 1;
  }
  if (start >= source.size()) return {};
  size_t end = source.find('\n', start);
  return source.substr(start, end == std::string_view::npos ? end : end - start);
}

}  // namespace

// File names, messages and source lines come from outside: each is printed with its control
// characters escaped (ForTerminal), so a scenario file cannot clear the screen or set the title.
std::string FormatDiagnosticLine(const Diagnostic& d, std::string_view line_text,
                                 std::string_view indent) {
  std::string out = ForTerminal(d.file);
  if (d.line > 0) out += fmt::format(":{}", d.line);
  if (d.line > 0 && d.column > 0) out += fmt::format(":{}", d.column);
  out += fmt::format(": error: {}\n", ForTerminal(d.message, /*keep_newlines=*/true));
  if (line_text.empty()) return out;
  out += fmt::format("{}{}\n", indent, ForTerminal(line_text));
  if (d.column > 0) {
    // The caret goes under the escaped text: pad by what the columns before it print as.
    size_t before = std::min<size_t>(static_cast<size_t>(d.column - 1), line_text.size());
    std::string shown = ForTerminal(line_text.substr(0, before));
    std::string pad;
    // Keep tabs so the caret lines up under tab-indented text.
    for (char c : shown) pad += c == '\t' ? '\t' : ' ';
    out += fmt::format("{}{}^\n", indent, pad);
  }
  return out;
}

std::string FormatDiagnostic(const Diagnostic& d, std::string_view source) {
  std::string_view text = d.line > 0 && !source.empty() ? LineOf(source, d.line) : "";
  return FormatDiagnosticLine(d, text, "    ");
}

std::string FormatDiagnostics(const std::vector<Diagnostic>& ds, std::string_view source) {
  std::string out;
  for (const auto& d : ds) out += FormatDiagnostic(d, source);
  return out;
}

}  // namespace faultline
