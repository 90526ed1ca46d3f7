// The remote platform's rules for a docker-compose.yaml, checked on any compose file (rendered or
// written by hand): what the platform would reject or run differently than the user expects.
// Findings are warnings with the file, line and column, the service and the key. Pure function
// over text; any thread.
#pragma once

#include <string>
#include <vector>

#include "base/diagnostic.h"

namespace faultline::compose {

// Every finding in `text` (named `file`); empty when the file follows every rule.
std::vector<Diagnostic> CheckPlatformRules(const std::string& text, const std::string& file);

// "file:line:col: warning: message", escaped for a terminal.
std::string FormatWarning(const Diagnostic& d);

}  // namespace faultline::compose
