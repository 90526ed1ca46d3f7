#include "base/duration.h"

#include "base/strings.h"

namespace faultline {

Result<Millis> ParseDuration(std::string_view text) {
  std::string_view s = Trim(text);
  if (s == "0") return Millis(0);
  auto expected = [&] {
    return Unexpected(fmt::format(
        "'{}' is not a duration (expected digits with a unit: ms, s, m or h, as in 250ms, 2s, "
        "1m30s)",
        text));
  };
  if (s.empty()) return expected();
  int64_t total = 0;
  size_t i = 0;
  while (i < s.size()) {
    size_t digits_start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == digits_start) return expected();
    auto number = ParseInt(s.substr(digits_start, i - digits_start));
    size_t unit_start = i;
    while (i < s.size() && s[i] >= 'a' && s[i] <= 'z') ++i;
    std::string_view unit = s.substr(unit_start, i - unit_start);
    int64_t scale = 0;
    if (unit == "ms") {
      scale = 1;
    } else if (unit == "s") {
      scale = 1000;
    } else if (unit == "m") {
      scale = 60 * 1000;
    } else if (unit == "h") {
      scale = 3600 * 1000;
    } else {
      return expected();
    }
    if (!number) return expected();
    // Checked: "9999999999999h" or many groups must not wrap round.
    if (*number > kMaxDuration.count() / scale || total + *number * scale > kMaxDuration.count()) {
      return Unexpected(fmt::format("'{}' is longer than the longest duration faultline takes ({})",
                                    text, FormatDuration(kMaxDuration)));
    }
    total += *number * scale;
  }
  return Millis(total);
}

Result<DurationRange> ParseDurationRange(std::string_view text) {
  size_t dots = text.find("..");
  if (dots == std::string_view::npos) {
    auto d = ParseDuration(text);
    if (!d) return Unexpected(d.error());
    return DurationRange{*d, *d};
  }
  auto lo = ParseDuration(text.substr(0, dots));
  if (!lo) return Unexpected(lo.error());
  auto hi = ParseDuration(text.substr(dots + 2));
  if (!hi) return Unexpected(hi.error());
  if (*hi < *lo) {
    return Unexpected(fmt::format("range '{}' ends before it starts", text));
  }
  return DurationRange{*lo, *hi};
}

std::string FormatDuration(Millis d) {
  int64_t ms = d.count();
  if (ms == 0) return "0s";
  std::string out;
  if (ms < 0) {
    out = "-";
    ms = -ms;
  }
  if (ms % 1000 != 0 && ms < 60 * 1000) return out + fmt::format("{}ms", ms);
  int64_t h = ms / 3600000, m = ms / 60000 % 60, s = ms / 1000 % 60, rest = ms % 1000;
  if (h) out += fmt::format("{}h", h);
  if (m) out += fmt::format("{}m", m);
  if (s) out += fmt::format("{}s", s);
  if (rest) out += fmt::format("{}ms", rest);
  return out;
}

std::string FormatElapsed(Millis d) {
  int64_t ms = d.count();
  if (ms < 1000) return fmt::format("{}ms", ms);
  return fmt::format("{}.{}s", ms / 1000, ms % 1000 / 100);
}

}  // namespace faultline
