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

// The longest duration faultline takes: about 11 years. Every duration becomes a deadline in
// nanoseconds of the steady clock, which overflows int64 past about 2.5 million hours; past this
// bound a parser says so instead of wrapping round to a short or negative time.
inline constexpr Millis kMaxDuration = std::chrono::hours(100000);

// Parses a duration: one or more <integer><unit> groups, unit in ms, s, m, h ("1m30s"); a bare
// "0" is zero. Returns an error that says what was expected, or that it is above kMaxDuration.
Result<Millis> ParseDuration(std::string_view text);
// Parses "a..b" (a <= b) or a single duration (lo == hi).
Result<DurationRange> ParseDurationRange(std::string_view text);
// Formats as the parser reads it: "1m30s", "250ms", "0s".
std::string FormatDuration(Millis d);
// Formats a measured time in one shape whatever its size: "850ms" below a second, else seconds
// with one decimal ("30.0s", "95.3s"), so messages never mix "30001ms" and "30s".
std::string FormatElapsed(Millis d);

}  // namespace faultline
