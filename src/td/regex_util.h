// Regular expressions in .td files (`regex:` error specs, `$ set-regex`): ECMAScript syntax via
// std::regex, with guards that keep a hostile pattern from exhausting the stack, and the escaping
// that makes a substituted variable match literally. Pure functions, any thread.
#pragma once

#include <optional>
#include <regex>
#include <string>
#include <string_view>

namespace faultline::td {

// Why `pattern` is not a usable regex, or nullopt when it is. With `variables_allowed`, each
// ${name} is checked as if it were a literal word.
std::optional<std::string> CheckRegex(std::string_view pattern, bool variables_allowed);

// Compiles a pattern that CheckRegex accepted; nullopt (never an exception) otherwise.
std::optional<std::regex> CompileRegex(const std::string& pattern);

// `text` with every regex metacharacter escaped, so that it matches itself.
std::string RegexEscape(std::string_view text);

}  // namespace faultline::td
