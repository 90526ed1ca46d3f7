// Fuzz target: SDK output lines as any process of a scenario may write them. Every input must
// parse or be rejected with a reason, never crash or throw.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "properties/property_book.h"
#include "sdk/protocol.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  faultline::properties::PropertyBook book;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    faultline::sdk::DropReason reason = faultline::sdk::DropReason::kBeyondSizeCap;
    auto line = faultline::sdk::ParseSdkLine(text.substr(start, end - start), &reason);
    // Every rejected line is counted under a reason of its own; the size cap is the reader's.
    if (!line.ok() && reason == faultline::sdk::DropReason::kBeyondSizeCap) std::abort();
    if (line.ok()) {
      if (auto* a = std::get_if<faultline::sdk::Assertion>(&*line)) {
        // What the history records (a timeline line) must print and read back.
        // What the history records (a timeline line) must print and read back, the same.
        auto recorded = faultline::Event::Assert(0, {{"command", "t/c"}, {"id", 1}}, *a);
        auto back = faultline::Event::FromJsonLine(recorded.ToJsonLine());
        if (!back || !back->assertion || *back->assertion != *a) std::abort();
        book.Add({0, 1}, recorded);
      }
    }
    // Timeline lines are outside input too (faultline report reads them). The fast parser and
    // the reference must agree on every one.
    std::string_view raw = text.substr(start, end - start);
    auto e = faultline::Event::FromJsonLine(raw);
    auto reference = faultline::Event::FromJsonLineReference(raw);
    if (e.has_value() != reference.has_value()) std::abort();
    if (e) {
      if (e->t_us != reference->t_us || e->type != reference->type ||
          e->fields.dump() != reference->fields.dump() ||
          e->assertion.has_value() != reference->assertion.has_value() ||
          (e->assertion &&
           e->assertion->ToJson().dump() != reference->assertion->ToJson().dump())) {
        std::abort();
      }
      book.Add({0, 1}, *e);
    }
    start = end + 1;
  }
  for (const auto* p : book.Sorted()) (void)faultline::properties::Evaluate(*p);
  return 0;
}
