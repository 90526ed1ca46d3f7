// Diagnostic: one error in a .td file at file:line:col, printed as a compiler prints it (the
// message, the source line, a caret under the column). The lexer, the parser and the runner all
// report through it so every error has the same shape. Plain values, any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "td/script.h"

namespace faultline::td {

struct Diagnostic {
  Location at;
  std::string message;
};

// "FILE:LINE:COL: error: MESSAGE\n" followed by the source line and a caret line when
// `source_line` is not empty.
std::string FormatDiagnostic(std::string_view file, const Diagnostic& d,
                             std::string_view source_line);
// The line `line` (1-based) of `lines`, or "" when out of range.
std::string_view SourceLine(const std::vector<std::string>& lines, int line);

}  // namespace faultline::td
