#include "td/parser.h"

#include <fmt/format.h>

#include <regex>
#include <set>

#include "base/strings.h"
#include "td/builtins.h"
#include "td/lexer.h"
#include "td/regex_util.h"

namespace faultline::td {
namespace {

// What a block parser needs: the block and a place to put errors.
struct BlockContext {
  const Block& block;
  std::vector<Diagnostic>& errors;
  void Error(Location at, std::string message) const {
    errors.push_back(Diagnostic{at, std::move(message)});
  }
};

Location BodyLocation(const BodyLine& line, size_t offset = 0) {
  return Location{line.line, static_cast<int>(offset) + 1};
}

// The head of a SQL block, without surrounding whitespace; an error when there is no SQL.
std::optional<std::string> SqlOf(const BlockContext& ctx) {
  std::string sql(Trim(ctx.block.head));
  if (sql.empty()) {
    ctx.Error(ctx.block.at, fmt::format("expected SQL after '{}'", ctx.block.sigil));
    return std::nullopt;
  }
  return sql;
}

std::optional<Row> ParseRow(const BlockContext& ctx, const BodyLine& line) {
  LexError error;
  auto fields = SplitFields(line.text, &error);
  if (!fields) {
    ctx.Error(BodyLocation(line, error.offset), error.message);
    return std::nullopt;
  }
  Row row;
  for (auto& f : *fields) row.push_back(std::move(f.text));
  return row;
}

bool IsDashes(std::string_view s) {
  s = Trim(s);
  return s.size() >= 3 && s.find_first_not_of('-') == std::string_view::npos;
}

// "N values hashing to MD5", with N the row count and MD5 32 lower-case hex digits.
std::optional<ExpectedHash> ParseHashLine(std::string_view text) {
  auto words = Split(Trim(text), ' ');
  if (words.size() != 5 || words[1] != "values" || words[2] != "hashing" || words[3] != "to") {
    return std::nullopt;
  }
  auto n = ParseUint(words[0]);
  if (!n) return std::nullopt;
  return ExpectedHash{*n, words[4]};
}

std::optional<Command> ParseQuery(const BlockContext& ctx) {
  auto sql = SqlOf(ctx);
  const auto& body = ctx.block.body;
  if (body.size() == 1 && Trim(body[0].text).find(" values hashing to ") != std::string::npos) {
    auto hash = ParseHashLine(body[0].text);
    bool hex = hash && hash->md5.size() == 32 &&
               hash->md5.find_first_not_of("0123456789abcdef") == std::string::npos;
    if (!hex) {
      ctx.Error(BodyLocation(body[0]),
                "malformed hash line (expected 'N values hashing to <32 lower-case hex digits>')");
      return std::nullopt;
    }
    if (!sql) return std::nullopt;
    return SqlQuery{ctx.block.at, *sql, *hash};
  }
  ExpectedRows expected;
  size_t first_row = 0;
  bool ok = sql.has_value();
  if (body.size() >= 2 && IsDashes(body[1].text)) {
    expected.header = ParseRow(ctx, body[0]);
    ok &= expected.header.has_value();
    first_row = 2;
  }
  for (size_t i = first_row; i < body.size(); ++i) {
    auto row = ParseRow(ctx, body[i]);
    if (row) expected.rows.push_back(std::move(*row));
    ok &= row.has_value();
  }
  if (!ok) return std::nullopt;
  return SqlQuery{ctx.block.at, *sql, std::move(expected)};
}

struct MatchPrefix {
  std::string_view prefix;
  ErrorMatch match;
};
constexpr MatchPrefix kMatchPrefixes[] = {
    {"contains:", ErrorMatch::kContains},
    {"exact:", ErrorMatch::kExact},
    {"regex:", ErrorMatch::kRegex},
    {"timeout", ErrorMatch::kTimeout},
};

// The error spec on the first body line of a '!' block.
bool ParseErrorSpec(const BlockContext& ctx, const BodyLine& line, SqlFailure* out) {
  for (const auto& p : kMatchPrefixes) {
    if (!line.text.starts_with(p.prefix)) continue;
    out->match = p.match;
    out->text = std::string(Trim(std::string_view(line.text).substr(p.prefix.size())));
    out->text_at = BodyLocation(line, p.prefix.size());
    if (p.match == ErrorMatch::kTimeout && !out->text.empty()) {
      ctx.Error(BodyLocation(line, p.prefix.size()), "unexpected text after 'timeout'");
      return false;
    }
    if (p.match == ErrorMatch::kRegex) {
      if (auto problem = CheckRegex(out->text, /*variables_allowed=*/true)) {
        ctx.Error(out->text_at, "invalid regex: " + *problem);
        return false;
      }
    }
    return true;
  }
  // Older testdrive files gave the bare error message; it became 'contains:'.
  ctx.Error(BodyLocation(line),
            fmt::format("expected 'contains:', 'exact:', 'regex:' or 'timeout' after a '!' line "
                        "(a bare message is the older form: write 'contains:{}')",
                        Trim(line.text)));
  return false;
}

std::optional<Command> ParseFailure(const BlockContext& ctx) {
  auto sql = SqlOf(ctx);
  const auto& body = ctx.block.body;
  if (body.empty()) {
    ctx.Error(ctx.block.at,
              "expected 'contains:', 'exact:', 'regex:' or 'timeout' on the line after '!'");
    return std::nullopt;
  }
  SqlFailure failure;
  failure.at = ctx.block.at;
  bool ok = ParseErrorSpec(ctx, body[0], &failure) && sql.has_value();
  size_t i = 1;
  auto field = [&](std::string_view prefix, std::optional<std::string>* into) {
    if (i < body.size() && body[i].text.starts_with(prefix)) {
      *into = std::string(Trim(std::string_view(body[i].text).substr(prefix.size())));
      ++i;
    }
  };
  field("detail:", &failure.detail);
  field("hint:", &failure.hint);
  if (i < body.size()) {
    ctx.Error(BodyLocation(body[i]),
              "unexpected line after the expected error (only 'detail:' then 'hint:' may follow)");
    ok = false;
  }
  if (!ok) return std::nullopt;
  failure.sql = *sql;
  return failure;
}

std::optional<Command> ParseExplain(const BlockContext& ctx) {
  auto sql = SqlOf(ctx);
  if (!sql) return std::nullopt;
  std::vector<std::string> lines;
  for (const auto& b : ctx.block.body) lines.push_back(b.text);
  while (!lines.empty() && Trim(lines.back()).empty()) lines.pop_back();
  return SqlExplain{ctx.block.at, *sql, Join(lines, "\n")};
}

bool IsKey(std::string_view key) {
  return key.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") == std::string_view::npos;
}

bool ListHas(std::string_view list, std::string_view word) {
  for (const auto& w : Split(list, ' ')) {
    if (w == word) return true;
  }
  return false;
}

// Checks each argument against the builtin's entry; returns false after reporting.
bool CheckArguments(const BlockContext& ctx, const Builtin& b, std::string_view name) {
  bool ok = true;
  std::set<std::string> seen;
  bool any = b.spec->keys == "*" || !b.spec->service.empty();
  for (const auto& a : b.args) {
    if (!IsKey(a.key)) {
      ctx.Error(a.at, fmt::format("invalid argument name '{}' (expected [a-z0-9-]*)", a.key));
      ok = false;
    } else if (!seen.insert(a.key).second) {
      ctx.Error(a.at, fmt::format("argument '{}' given twice", a.key));
      ok = false;
    } else if (!any && !ListHas(b.spec->keys, a.key)) {
      auto accepted = Split(b.spec->keys, ' ');
      auto guess = Suggest(a.key, accepted);
      ctx.Error(a.at, fmt::format("unknown argument '{}' for '{}'{}", a.key, name,
                                  guess ? fmt::format(" (did you mean '{}'?)", *guess)
                                        : fmt::format(" (it takes: {})", b.spec->keys)));
      ok = false;
    }
  }
  // A misspelt key also leaves its required key missing; the misspelling is the error to show.
  for (const auto& r : Split(b.spec->required, ' ')) {
    if (ok && !r.empty() && !seen.contains(r)) {
      ctx.Error(ctx.block.at, fmt::format("'{}' needs the argument '{}='", name, r));
      ok = false;
    }
  }
  return ok;
}

bool CheckBody(const BlockContext& ctx, const Builtin& b, std::string_view name) {
  if (b.spec->body == BodyRule::kNone && !b.body.empty() && b.spec->service.empty()) {
    ctx.Error(Location{ctx.block.body[0].line, 1}, fmt::format("'{}' takes no body", name));
    return false;
  }
  if (b.spec->body == BodyRule::kRequired && b.body.empty()) {
    ctx.Error(ctx.block.at, fmt::format("'{}' needs a body on the lines that follow", name));
    return false;
  }
  return true;
}

std::optional<Command> ParseBuiltin(const BlockContext& ctx) {
  LexError error;
  auto tokens = SplitArguments(ctx.block.head, &error);
  if (!tokens) {
    ctx.Error(ctx.block.LocationAt(error.offset), error.message);
    return std::nullopt;
  }
  if (tokens->empty()) {
    ctx.Error(ctx.block.at, "expected a builtin name after '$'");
    return std::nullopt;
  }
  const Token& name = (*tokens)[0];
  Builtin b;
  b.at = ctx.block.at;
  b.name = name.text;
  b.spec = FindBuiltin(name.text);
  if (!b.spec) {
    auto guess = Suggest(name.text, BuiltinNames());
    ctx.Error(ctx.block.LocationAt(name.offset),
              fmt::format("unknown builtin '{}'{}", name.text,
                          guess ? fmt::format(" (did you mean '{}'?)", *guess) : ""));
    return std::nullopt;
  }
  for (size_t i = 1; i < tokens->size(); ++i) {
    const Token& t = (*tokens)[i];
    size_t eq = t.text.find('=');
    Location at = ctx.block.LocationAt(t.offset);
    if (eq == std::string::npos) {
      ctx.Error(at, fmt::format("expected key=value, found '{}'", t.text));
      return std::nullopt;
    }
    b.args.push_back(BuiltinArg{t.text.substr(0, eq), t.text.substr(eq + 1), at});
  }
  for (const auto& line : ctx.block.body) b.body.push_back(line.text);
  bool ok = CheckArguments(ctx, b, name.text);
  ok = CheckBody(ctx, b, name.text) && ok;
  if (ok && b.spec->check) {
    if (auto problem = b.spec->check(b)) {
      ctx.Error(problem->at, problem->message);
      ok = false;
    }
  }
  if (!ok) return std::nullopt;
  return b;
}

struct SigilParser {
  char sigil;
  std::optional<Command> (*parse)(const BlockContext&);
};
constexpr SigilParser kSigilParsers[] = {
    {'>', ParseQuery}, {'!', ParseFailure}, {'?', ParseExplain}, {'$', ParseBuiltin}};

}  // namespace

ParseResult ParseScript(std::string name, std::string_view text) {
  ParseResult result;
  LexedFile lexed = LexFile(text);
  result.errors = std::move(lexed.errors);
  result.script.name = std::move(name);
  for (const Block& block : lexed.blocks) {
    BlockContext ctx{block, result.errors};
    for (const auto& p : kSigilParsers) {
      if (p.sigil != block.sigil) continue;
      if (auto command = p.parse(ctx)) result.script.commands.push_back(std::move(*command));
    }
  }
  std::stable_sort(result.errors.begin(), result.errors.end(),
                   [](const Diagnostic& a, const Diagnostic& b) {
                     return std::pair(a.at.line, a.at.column) < std::pair(b.at.line, b.at.column);
                   });
  result.script.lines = std::move(lexed.lines);
  return result;
}

std::string FormatErrors(const ParseResult& result) {
  std::string out;
  for (const auto& e : result.errors) {
    out += FormatDiagnostic(result.script.name, e, SourceLine(result.script.lines, e.at.line));
  }
  return out;
}

}  // namespace faultline::td
