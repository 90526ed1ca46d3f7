#include "td/diagnostic.h"

#include "base/diagnostic.h"

namespace faultline::td {

std::string FormatDiagnostic(std::string_view file, const Diagnostic& d,
                             std::string_view source_line) {
  // testdrive prints the source line and the caret without indentation.
  return FormatDiagnosticLine({std::string(file), d.at.line, d.at.column, d.message}, source_line,
                              "");
}

std::string_view SourceLine(const std::vector<std::string>& lines, int line) {
  if (line < 1 || static_cast<size_t>(line) > lines.size()) return {};
  return lines[static_cast<size_t>(line - 1)];
}

}  // namespace faultline::td
