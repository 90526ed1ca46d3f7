#include "td/diagnostic.h"

#include <fmt/format.h>

namespace faultline::td {

std::string FormatDiagnostic(std::string_view file, const Diagnostic& d,
                             std::string_view source_line) {
  std::string out = fmt::format("{}:{}:{}: error: {}\n", file, d.at.line, d.at.column, d.message);
  if (source_line.empty()) return out;
  out += fmt::format("{}\n", source_line);
  // Tabs stay tabs in the caret line so the caret lines up in a terminal.
  std::string pad;
  for (int i = 1; i < d.at.column && static_cast<size_t>(i - 1) < source_line.size(); ++i) {
    pad += source_line[static_cast<size_t>(i - 1)] == '\t' ? '\t' : ' ';
  }
  out += pad + "^\n";
  return out;
}

std::string_view SourceLine(const std::vector<std::string>& lines, int line) {
  if (line < 1 || static_cast<size_t>(line) > lines.size()) return {};
  return lines[static_cast<size_t>(line - 1)];
}

}  // namespace faultline::td
