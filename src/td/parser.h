// The .td parser: turns a whole file into a Script of commands before anything runs, and
// reports every error of the file (not just the first) as Diagnostics at file:line:col. It
// validates builtin names and keys against the builtin table, error specs, regexes, hash lines,
// headers and skip-if/skip-end pairing. Pure, any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "td/diagnostic.h"
#include "td/script.h"

namespace faultline::td {

struct ParseResult {
  Script script;                   // complete only when errors is empty
  std::vector<Diagnostic> errors;  // in source order
};

// Parses `text` read from `name`.
ParseResult ParseScript(std::string name, std::string_view text);

// Every error of `result` formatted with its source line and caret, one after another.
std::string FormatErrors(const ParseResult& result);

}  // namespace faultline::td
