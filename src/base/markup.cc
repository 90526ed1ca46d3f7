#include "base/markup.h"

#include "base/terminal.h"

namespace faultline {

std::string EscapeMarkup(std::string_view text, Newlines newlines) {
  std::string safe = ForTerminal(text, /*keep_newlines=*/true);
  std::string out;
  out.reserve(safe.size() + safe.size() / 8);
  for (size_t i = 0; i < safe.size(); ++i) {
    char c = safe[i];
    if (c == '\xEF' && i + 2 < safe.size() && safe[i + 1] == '\xBF' &&
        (safe[i + 2] == '\xBE' || safe[i + 2] == '\xBF')) {
      out += "\\ufffe";
      i += 2;
      continue;
    }
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      case '\n':
        out += newlines == Newlines::kAsEntity ? "&#10;" : "\n";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace faultline
