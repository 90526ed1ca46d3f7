#include "report/html_text.h"

#include <fmt/format.h>

#include "base/markup.h"

namespace faultline::report::html {

std::string Esc(std::string_view text) { return EscapeMarkup(text); }

std::string Href(std::string_view path) {
  std::string out;
  for (unsigned char c : path) {
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '/' || c == '.' || c == '_' || c == '~' || c == '-';
    out += plain ? std::string(1, static_cast<char>(c)) : fmt::format("%{:02X}", c);
  }
  return out;
}

std::string StripAnsi(std::string_view line) {
  std::string out;
  out.reserve(line.size());
  for (size_t i = 0; i < line.size(); ++i) {
    if (line[i] != '\033') {
      out += line[i];
      continue;
    }
    if (i + 1 < line.size() && line[i + 1] == '[') {  // CSI: parameters, then a final byte
      size_t j = i + 2;
      while (j < line.size() && !(line[j] >= 0x40 && line[j] <= 0x7E)) ++j;
      i = j;
    } else if (i + 1 < line.size() && line[i + 1] == ']') {  // OSC: up to BEL or ESC backslash
      size_t j = i + 2;
      while (j < line.size() && line[j] != '\007' &&
             !(line[j] == '\033' && j + 1 < line.size() && line[j + 1] == '\\')) {
        ++j;
      }
      i = j < line.size() && line[j] == '\033' ? j + 1 : j;
    } else {
      ++i;  // a two-byte escape
    }
  }
  return out;
}

std::string Seconds(int64_t us) {
  double s = static_cast<double>(us) / 1e6;
  if (s < 60) return fmt::format("{:.3f}s", s);
  int64_t minutes = static_cast<int64_t>(s / 60);
  return fmt::format("{}m {:04.1f}s", minutes, s - 60.0 * static_cast<double>(minutes));
}

std::string JsonText(const Json& value, size_t max) {
  std::string text = value.dump(-1, ' ', false, Json::error_handler_t::replace);
  if (text.size() > max) text = text.substr(0, max) + "...";
  return text;
}

}  // namespace faultline::report::html
