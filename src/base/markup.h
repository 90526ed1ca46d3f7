// Outside text made safe for HTML and XML 1.0 (report.html, junit.xml, faultline td's JUnit
// report): one escaper for all, so a fix to one is a fix to the others. Pure; any thread.
#pragma once

#include <string>
#include <string_view>

namespace faultline {

enum class Newlines {
  kKeep,      // text and HTML attributes
  kAsEntity,  // XML attribute values, which would read a raw newline back as a space
};

// Escapes `text` for markup text or a double-quoted attribute value: & < > " ' become entities,
// control characters visible escapes (\x1b), invalid UTF-8 \xNN, and the non-characters U+FFFE
// and U+FFFF (which XML cannot hold, even escaped) \ufffe.
std::string EscapeMarkup(std::string_view text, Newlines newlines = Newlines::kKeep);

}  // namespace faultline
