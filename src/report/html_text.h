// Text for report.html: every piece of outside text (messages, details, log lines, command, file
// and service names) reaches the page through these functions, which escape it for HTML text and
// attribute values (always written in double quotes), so nothing a workload prints can add markup
// or run in the page. Pure functions; any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "timeline/event.h"

namespace faultline::report::html {

// Escapes `text` for HTML text or a double-quoted attribute: & < > " ' become entities, control
// characters visible escapes (\x1b), invalid UTF-8 \xNN. Newlines stay.
std::string Esc(std::string_view text);
// A relative path for an href: each byte outside [A-Za-z0-9/._~-] percent-encoded, so no scheme
// ("javascript:") and no markup can appear.
std::string Href(std::string_view path);
// Removes ANSI escape sequences (colors, cursor moves) from a log line before it is escaped.
std::string StripAnsi(std::string_view line);
// "2.500s", "1m 02.5s", for times in microseconds.
std::string Seconds(int64_t us);
// JSON for people: compact, at most `max` bytes.
std::string JsonText(const Json& value, size_t max = 2000);

}  // namespace faultline::report::html
