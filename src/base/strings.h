// Small string helpers used across rooms: splitting, trimming, number parsing with from_chars,
// "did you mean" suggestions and shell quoting for replay commands. Pure functions, any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace faultline {

std::vector<std::string> Split(std::string_view s, char sep);
std::string_view Trim(std::string_view s);
std::string Join(std::span<const std::string> parts, std::string_view sep);

// Parses the whole of `s` as a base-10 integer; nullopt on any other character or overflow.
std::optional<int64_t> ParseInt(std::string_view s);
std::optional<uint64_t> ParseUint(std::string_view s);
// Parses the whole of `s` as a finite or infinite double; nullopt otherwise.
std::optional<double> ParseDouble(std::string_view s);

// Levenshtein distance between a and b.
size_t EditDistance(std::string_view a, std::string_view b);
// The candidate closest to `word` if it is close enough to be a likely typo, else nullopt.
std::optional<std::string> Suggest(std::string_view word, std::span<const std::string> candidates);

// Quotes `arg` for a POSIX shell when it needs it; "abc" stays abc, "a b" becomes 'a b'.
std::string ShellQuote(std::string_view arg);
std::string ShellJoin(std::span<const std::string> argv);

// Whether the JSON text `text` opens more than `max_depth` arrays/objects inside each other
// (brackets inside strings do not count). One pass, no allocation: for bounding a JSON line's
// depth before a parser or printer that recurses per level sees it.
bool JsonNestsDeeperThan(std::string_view text, int max_depth);

// The last `max_lines` lines of `text` (all of it if shorter).
std::string TailLines(std::string_view text, size_t max_lines);

}  // namespace faultline
