#include "base/diagnostic.h"

#include <fmt/format.h>

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

std::string FormatDiagnosticLine(const Diagnostic& d, std::string_view line_text,
                                 std::string_view indent) {
  std::string out = d.file;
  if (d.line > 0) out += fmt::format(":{}", d.line);
  if (d.line > 0 && d.column > 0) out += fmt::format(":{}", d.column);
  out += fmt::format(": error: {}\n", d.message);
  if (line_text.empty()) return out;
  out += fmt::format("{}{}\n", indent, line_text);
  if (d.column > 0) {
    std::string pad;
    // Keep tabs so the caret lines up under tab-indented text.
    for (int i = 0; i < d.column - 1 && i < static_cast<int>(line_text.size()); ++i) {
      pad += line_text[static_cast<size_t>(i)] == '\t' ? '\t' : ' ';
    }
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
