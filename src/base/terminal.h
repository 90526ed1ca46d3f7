// Text that came from outside (scenario files, SDK messages, command and file names, log lines)
// made safe to print on a terminal: control characters (ESC, CR, NUL, BEL, ...) and invalid UTF-8
// cannot move the cursor, clear the screen or set the title. Pure functions; any thread.
#pragma once

#include <string>
#include <string_view>

namespace faultline {

// Returns `text` with every C0/C1 control character except tab written as a visible escape
// ("\x1b", "\r", "\n" unless `keep_newlines`), and every byte that is not part of valid UTF-8 as
// "\xNN". Printable text, UTF-8 included, is unchanged.
std::string ForTerminal(std::string_view text, bool keep_newlines = false);

// The offset of the first byte of `text` that is not part of valid UTF-8 (overlong forms,
// surrogates and code points above U+10FFFF included), or std::string_view::npos if it is valid.
size_t InvalidUtf8At(std::string_view text);

}  // namespace faultline
