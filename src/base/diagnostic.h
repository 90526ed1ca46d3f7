// Diagnostic: an error in a user's file, reported the way a compiler reports it:
//   scenario.yaml:14:7: error: unknown fault kind 'partitoin' (did you mean 'partition'?)
//       kinds: [partitoin]
//               ^
// Rooms that read user files collect every Diagnostic of a file before reporting, so a user
// fixes all of them in one round. Plain values; any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace faultline {

struct Diagnostic {
  std::string file;  // as the user should see it (relative when the user gave it so)
  int line = 0;      // 1-based; 0 when the error is about the file as a whole
  int column = 0;    // 1-based; 0 when unknown
  std::string message;
};

// "file:line:col: error: message", then the source line and a caret when `source` (the file's
// whole text) is given and the line exists.
std::string FormatDiagnostic(const Diagnostic& d, std::string_view source = {});
// The same, given the text of the error's line itself, printed after `indent` (with the caret
// line indented alike). An empty `line_text` prints the first line only.
std::string FormatDiagnosticLine(const Diagnostic& d, std::string_view line_text,
                                 std::string_view indent);
std::string FormatDiagnostics(const std::vector<Diagnostic>& ds, std::string_view source = {});

}  // namespace faultline
