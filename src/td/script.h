// The parsed form of a .td file: a closed set of commands (a std::variant of plain structs), each
// with the position of its first line, plus the file's source lines for diagnostics. The parser
// builds a Script; the runner only reads it. Plain values, any thread.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace faultline::td {

struct BuiltinSpec;  // builtins.h

struct Location {
  int line = 0;    // 1-based
  int column = 1;  // 1-based
};

using Row = std::vector<std::string>;  // rendered fields; SQL NULL is "<null>"

// `> SQL` followed by rows, a header and rows, a hash line, or nothing (zero rows).
struct ExpectedRows {
  std::optional<Row> header;  // column names when the block's second line is dashes
  std::vector<Row> rows;
};
struct ExpectedHash {
  size_t row_count = 0;
  std::string md5;  // lower-case hex
};
struct SqlQuery {
  Location at;
  std::string sql;
  std::variant<ExpectedRows, ExpectedHash> expected;
};

enum class ErrorMatch { kContains, kExact, kRegex, kTimeout };
// `! SQL` followed by the error it must fail with.
struct SqlFailure {
  Location at;
  std::string sql;
  ErrorMatch match = ErrorMatch::kContains;
  std::string text;  // empty for kTimeout
  Location text_at;  // where the error spec starts, for regex errors found at run time
  std::optional<std::string> detail;
  std::optional<std::string> hint;
};

// `? SQL` whose single text column, line by line, must equal the body verbatim.
struct SqlExplain {
  Location at;
  std::string sql;
  std::string expected;  // body lines joined with '\n', trailing blank lines removed
};

struct BuiltinArg {
  std::string key;
  std::string value;
  Location at;
};
// `$ name key=value ...` and its body lines.
struct Builtin {
  Location at;
  std::string name;  // as written (a family entry such as "kafka-" serves many names)
  const BuiltinSpec* spec = nullptr;
  std::vector<BuiltinArg> args;
  std::vector<std::string> body;
  // The value of `key`, or nullptr when absent.
  const std::string* Arg(const std::string& key) const {
    for (const auto& a : args) {
      if (a.key == key) return &a.value;
    }
    return nullptr;
  }
};

using Command = std::variant<SqlQuery, SqlFailure, SqlExplain, Builtin>;

inline const Location& LocationOf(const Command& c) {
  return std::visit([](const auto& x) -> const Location& { return x.at; }, c);
}

struct Script {
  std::string name;                // as given on the command line ("-" for standard input)
  std::vector<std::string> lines;  // source lines, for snippets
  std::vector<Command> commands;
};

}  // namespace faultline::td
