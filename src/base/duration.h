// Durations as the scenario format writes them ("250ms", "2s", "1m30s", "1h") and ranges
// ("2s..10s") whose value is drawn from a history's seed. Pure functions, any thread.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "base/status.h"

namespace faultline {

using Millis = std::chrono::milliseconds;

struct DurationRange {
  Millis lo{0};
  Millis hi{0};
  bool fixed() const { return lo == hi; }
};

// Parses a duration: one or more <integer><unit> groups, unit in ms, s, m, h ("1m30s"); a bare
// "0" is zero. Returns an error that says what was expected.
Result<Millis> ParseDuration(std::string_view text);
// Parses "a..b" (a <= b) or a single duration (lo == hi).
Result<DurationRange> ParseDurationRange(std::string_view text);
// Formats as the parser reads it: "1m30s", "250ms", "0s".
std::string FormatDuration(Millis d);

}  // namespace faultline
