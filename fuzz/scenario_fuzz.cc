// Fuzz target: scenario.yaml text. Every input either loads or gives diagnostics; never a crash,
// an uncaught exception, or a diagnostic without a message.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "faults/config.h"
#include "scenario/scenario.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto r = faultline::scenario::ParseScenario(text, "scenario.yaml", "/fuzz");
  for (const auto& d : r.errors) {
    if (d.message.empty()) std::abort();
  }
  // The faults section is the fault catalog's: it reads the partial scenario too.
  for (const auto& d : faultline::faults::ParseFaults(r.partial).errors) {
    if (d.message.empty() || d.line <= 0) std::abort();
  }
  if (r.scenario) (void)r.scenario->StartOrder();
  (void)faultline::FormatDiagnostics(r.errors, r.source);
  return 0;
}
