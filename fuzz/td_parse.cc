// Fuzz target for the .td lexer and parser: any input must parse into commands or diagnostics,
// never crash, and every diagnostic must point inside the input (a line that exists, column >= 1).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "td/parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  faultline::td::ParseResult r = faultline::td::ParseScript("fuzz.td", text);
  for (const auto& e : r.errors) {
    if (e.at.line < 1 || static_cast<size_t>(e.at.line) > r.script.lines.size() + 1 ||
        e.at.column < 1 || e.message.empty()) {
      std::abort();
    }
  }
  (void)faultline::td::FormatErrors(r);
  return 0;
}
