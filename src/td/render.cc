#include "td/render.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <cstdint>

#include "base/strings.h"

namespace faultline::td {
namespace {

// Days since 1970-01-01 of a proleptic Gregorian date, and back (H. Hinnant's algorithms).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  auto yoe = static_cast<unsigned>(y - era * 400);
  unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  auto doe = static_cast<unsigned>(z - era * 146097);
  unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int64_t>(yoe) + era * 400 + (*m <= 2);
}

// Fractional seconds as chrono prints them: nothing, or 3, 6 or 9 digits.
std::string Fraction(std::string_view digits) {
  std::string f(digits);
  while (!f.empty() && f.back() == '0') f.pop_back();
  if (f.empty()) return "";
  size_t width = f.size() <= 3 ? 3 : f.size() <= 6 ? 6 : 9;
  f.resize(width, '0');
  return "." + f;
}

struct Clock {
  int64_t seconds = 0;   // of the day
  std::string fraction;  // digits after the point
};

// Parses "HH:MM:SS[.ffffff]".
std::optional<Clock> ParseClock(std::string_view t) {
  if (t.size() < 8 || t[2] != ':' || t[5] != ':') return std::nullopt;
  auto h = ParseInt(t.substr(0, 2)), m = ParseInt(t.substr(3, 2)), s = ParseInt(t.substr(6, 2));
  if (!h || !m || !s) return std::nullopt;
  Clock c{*h * 3600 + *m * 60 + *s, ""};
  if (t.size() > 8) {
    if (t[8] != '.') return std::nullopt;
    c.fraction = std::string(t.substr(9));
  }
  return c;
}

// Parses an offset "+HH", "-HH:MM" or "+HH:MM:SS" into seconds east of UTC.
std::optional<int64_t> ParseOffset(std::string_view o) {
  if (o.empty() || (o[0] != '+' && o[0] != '-')) return std::nullopt;
  int sign = o[0] == '-' ? -1 : 1;
  auto parts = Split(o.substr(1), ':');
  int64_t total = 0, scale = 3600;
  for (const auto& p : parts) {
    auto v = ParseInt(p);
    if (!v || scale == 0) return std::nullopt;
    total += *v * scale;
    scale /= 60;
  }
  return sign * total;
}

template <typename T>
std::string FloatFixed(T value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value < 0 ? "-inf" : "inf";
  // Shortest representation that reads back to the same value, never in exponent form: what
  // Rust's Display prints for f32/f64.
  char buf[512];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::fixed);
  if (ec != std::errc()) return fmt::format("{}", value);
  return std::string(buf, end);
}

}  // namespace

std::string RenderFloat(std::string_view text, bool single_precision) {
  if (text == "Infinity") return "inf";
  if (text == "-Infinity") return "-inf";
  if (text == "NaN") return "NaN";
  std::string s(text);
  if (single_precision) {
    float f = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), f);
    if (ec != std::errc() || p != s.data() + s.size()) return s;
    return FloatFixed(f);
  }
  auto d = ParseDouble(s);
  return d ? FloatFixed(*d) : s;
}

std::string RenderTime(std::string_view text) {
  auto c = ParseClock(text);
  if (!c) return std::string(text);
  return std::string(text.substr(0, 8)) + Fraction(c->fraction);
}

std::string RenderTimestamp(std::string_view text, bool with_zone) {
  // "YYYY-MM-DD HH:MM:SS[.ffffff][+HH[:MM[:SS]]]"; anything else (infinity, BC) stays as is.
  size_t space = text.find(' ');
  if (space == std::string_view::npos || text.ends_with(" BC")) return std::string(text);
  std::string_view date = text.substr(0, space), rest = text.substr(space + 1);
  auto ymd = Split(date, '-');
  if (ymd.size() != 3) return std::string(text);
  auto y = ParseInt(ymd[0]), mo = ParseInt(ymd[1]), d = ParseInt(ymd[2]);
  size_t zone = with_zone ? rest.find_first_of("+-") : std::string_view::npos;
  auto clock = ParseClock(rest.substr(0, zone));
  std::optional<int64_t> offset = 0;
  if (zone != std::string_view::npos) offset = ParseOffset(rest.substr(zone));
  if (!y || !mo || !d || !clock || !offset) return std::string(text);
  int64_t seconds =
      DaysFromCivil(*y, static_cast<unsigned>(*mo), static_cast<unsigned>(*d)) * 86400 +
      clock->seconds - *offset;
  int64_t days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400;
  int64_t of_day = seconds - days * 86400;
  int64_t year;
  unsigned month, day;
  CivilFromDays(days, &year, &month, &day);
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}{}{}", year, month, day, of_day / 3600,
                     of_day / 60 % 60, of_day % 60, Fraction(clock->fraction),
                     with_zone ? " UTC" : "");
}

std::string RenderJson(std::string_view text) {
  // Whitespace outside strings is insignificant; dropping it gives the compact form while
  // keeping the server's key order and number spelling exactly.
  std::string out;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      out += c;
      if (c == '\\' && i + 1 < text.size()) {
        out += text[++i];
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') in_string = true;
    if (c != ' ' && c != '\n' && c != '\t' && c != '\r') out += c;
  }
  return out;
}

std::string RenderBytea(std::string_view text) {
  if (!text.starts_with("\\x")) return std::string(text);  // bytea_output=escape: keep it
  std::string out;
  for (size_t i = 2; i + 1 < text.size(); i += 2) {
    unsigned byte = 0;
    auto [p, ec] = std::from_chars(text.data() + i, text.data() + i + 2, byte, 16);
    if (ec != std::errc() || p != text.data() + i + 2) return std::string(text);
    // As Rust's ascii::escape_default: \t \r \n \' \" \\ escaped, printable ASCII as is, the rest
    // as \xNN.
    switch (byte) {
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\'':
        out += "\\'";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      default:
        if (byte >= 0x20 && byte < 0x7f) {
          out += static_cast<char>(byte);
        } else {
          out += fmt::format("\\x{:02x}", byte);
        }
    }
  }
  return out;
}

std::string RenderValue(uint32_t type_oid, std::string_view text) {
  switch (type_oid) {
    case oid::kBool:
      return text == "t" ? "true" : text == "f" ? "false" : std::string(text);
    case oid::kFloat4:
      return RenderFloat(text, true);
    case oid::kFloat8:
      return RenderFloat(text, false);
    case oid::kTimestamp:
      return RenderTimestamp(text, false);
    case oid::kTimestamptz:
      return RenderTimestamp(text, true);
    case oid::kTime:
      return RenderTime(text);
    case oid::kJson:
    case oid::kJsonb:
      return RenderJson(text);
    case oid::kBytea:
      return RenderBytea(text);
    case oid::kChar:
      // testdrive decodes "char" as an i8 and prints the number.
      return text.empty() ? "0" : std::to_string(static_cast<int>(static_cast<int8_t>(text[0])));
    default:
      return std::string(text);
  }
}

}  // namespace faultline::td
