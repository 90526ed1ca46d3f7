#include "faults/parse.h"

#include <algorithm>
#include <set>

#include "base/strings.h"

namespace faultline::faults {

void ParseContext::Error(scenario::SourcePos pos, std::string message) {
  errors_.push_back(Diagnostic{scenario_.file, pos.line, pos.column, std::move(message)});
}

std::string ParseContext::DidYouMean(std::string_view word, std::span<const std::string> names) {
  if (auto s = Suggest(word, names)) return fmt::format(" (did you mean '{}'?)", *s);
  return fmt::format(" (expected one of: {})", Join(names, ", "));
}

bool ParseContext::ForEach(const Node& node, std::string_view where,
                           std::span<const std::string> known,
                           const std::function<void(const std::string&, const Node&)>& each) {
  if (!node.IsMap()) {
    Error(node.pos, fmt::format("{} must be a mapping of keys to values", where));
    return false;
  }
  std::set<std::string> seen;
  for (const auto& [key, value] : node.entries) {
    if (!seen.insert(key).second) {
      Error(value.key_pos, fmt::format("duplicate key '{}' in {}", key, where));
      continue;
    }
    if (!known.empty() && std::find(known.begin(), known.end(), key) == known.end()) {
      Error(value.key_pos,
            fmt::format("unknown key '{}' in {}{}", key, where, DidYouMean(key, known)));
      continue;
    }
    each(key, value);
  }
  return true;
}

std::optional<std::string> ParseContext::Scalar(const Node& n, std::string_view what) {
  if (!n.IsScalar()) {
    Error(n.pos, fmt::format("{} must be a single value", what));
    return std::nullopt;
  }
  return n.scalar;
}

std::optional<Millis> ParseContext::Duration(const Node& n, std::string_view what) {
  auto s = Scalar(n, what);
  if (!s) return std::nullopt;
  auto d = ParseDuration(*s);
  if (!d) {
    Error(n.pos, fmt::format("{}: {}", what, d.error()));
    return std::nullopt;
  }
  return *d;
}

std::optional<DurationRange> ParseContext::Range(const Node& n, std::string_view what, Millis min) {
  auto s = Scalar(n, what);
  if (!s) return std::nullopt;
  auto r = ParseDurationRange(*s);
  if (!r) {
    Error(n.pos, fmt::format("{}: {} (a range is written 2s..10s)", what, r.error()));
    return std::nullopt;
  }
  if (r->lo < min) {
    Error(n.pos, fmt::format("{} must be at least {}, not '{}'", what, FormatDuration(min), *s));
    return std::nullopt;
  }
  return *r;
}

std::optional<OffsetRange> ParseContext::Offset(const Node& n, std::string_view what) {
  auto s = Scalar(n, what);
  if (!s) return std::nullopt;
  std::string error;
  auto signed_duration = [&](std::string_view part) -> std::optional<Millis> {
    bool negative = !part.empty() && part.front() == '-';
    auto d = ParseDuration(negative ? part.substr(1) : part);
    if (!d) {
      error = d.error();
      return std::nullopt;
    }
    return negative ? -*d : *d;
  };
  std::string_view text = *s;
  size_t dots = text.find("..");
  auto lo = signed_duration(dots == std::string_view::npos ? text : text.substr(0, dots));
  auto hi = !lo || dots == std::string_view::npos ? lo : signed_duration(text.substr(dots + 2));
  if (lo && hi && *hi < *lo) error = fmt::format("range '{}' ends before it starts", text);
  if (!lo || !hi || *hi < *lo) {
    Error(n.pos, fmt::format("{}: {} (a range is written -120s..120s)", what, error));
    return std::nullopt;
  }
  return OffsetRange{*lo, *hi};
}

std::optional<DoubleRange> ParseContext::Numbers(const Node& n, std::string_view what, double lo,
                                                 double hi, bool lo_inclusive) {
  auto s = Scalar(n, what);
  if (!s) return std::nullopt;
  std::string_view text = *s;
  size_t dots = text.find("..");
  auto a = ParseDouble(dots == std::string_view::npos ? text : text.substr(0, dots));
  auto b = dots == std::string_view::npos ? a : ParseDouble(text.substr(dots + 2));
  auto in = [&](std::optional<double> v) {
    return v && *v <= hi && (lo_inclusive ? *v >= lo : *v > lo);
  };
  if (!in(a) || !in(b) || *b < *a) {
    Error(n.pos, fmt::format("{} must be a number or a range a..b, each in {}{}, {}], not '{}'",
                             what, lo_inclusive ? "[" : "(", lo, hi, text));
    return std::nullopt;
  }
  return DoubleRange{*a, *b};
}

std::optional<IntRange> ParseContext::Integers(const Node& n, std::string_view what, int64_t lo,
                                               int64_t hi) {
  auto s = Scalar(n, what);
  if (!s) return std::nullopt;
  std::string_view text = *s;
  size_t dots = text.find("..");
  auto a = ParseInt(dots == std::string_view::npos ? text : text.substr(0, dots));
  auto b = dots == std::string_view::npos ? a : ParseInt(text.substr(dots + 2));
  auto in = [&](std::optional<int64_t> v) { return v && *v >= lo && *v <= hi; };
  if (!in(a) || !in(b) || *b < *a) {
    Error(n.pos, fmt::format("{} must be a whole number or a range a..b, each from {} to {}, "
                             "not '{}'",
                             what, lo, hi, text));
    return std::nullopt;
  }
  return IntRange{*a, *b};
}

std::vector<std::string> ParseContext::NameList(const Node& n, std::string_view what) {
  std::vector<std::string> out;
  if (n.IsScalar()) {
    out.push_back(n.scalar);
    return out;
  }
  if (!n.IsSequence()) {
    Error(n.pos, fmt::format("{} must be a list of names", what));
    return out;
  }
  for (const auto& item : n.items) {
    if (auto s = Scalar(item, fmt::format("each entry of {}", what))) out.push_back(*s);
  }
  return out;
}

std::vector<std::string> ParseContext::Targets(const Node& n, std::string_view kind) {
  std::vector<std::string> names;
  for (const auto& s : scenario_.services) names.push_back(s.name);
  std::vector<std::string> out;
  std::vector<const Node*> items;
  if (n.IsSequence()) {
    for (const auto& item : n.items) items.push_back(&item);
  } else {
    items.push_back(&n);
  }
  for (const Node* item : items) {
    auto name = Scalar(*item, fmt::format("each target of the {} fault", kind));
    if (!name) continue;
    if (!scenario_.FindService(*name)) {
      std::string message =
          fmt::format("the {} fault targets '{}', which is not a service", kind, *name);
      if (auto s = Suggest(*name, names)) message += fmt::format(" (did you mean '{}'?)", *s);
      Error(item->pos, message);
      continue;
    }
    if (std::find(out.begin(), out.end(), *name) == out.end()) out.push_back(*name);
  }
  if (out.empty() && n.IsSequence() && n.items.empty()) {
    Error(n.pos, fmt::format("the {} fault needs at least one target", kind));
  }
  return out;
}

std::optional<std::string> ParseContext::Choice(const Node& item, std::string_view what,
                                                const std::vector<std::string>& names) {
  auto s = Scalar(item, what);
  if (!s) return std::nullopt;
  if (std::find(names.begin(), names.end(), *s) == names.end()) {
    Error(item.pos, fmt::format("unknown {} '{}'{}", what, *s, DidYouMean(*s, names)));
    return std::nullopt;
  }
  return s;
}

std::optional<scenario::Argv> ParseContext::Argv(const Node& n, std::string_view what) {
  if (!n.IsSequence() || n.items.empty()) {
    Error(n.pos, fmt::format("{} must be a non-empty list of arguments, like [program, arg] "
                             "(commands never pass through a shell; write [sh, -c, \"...\"])",
                             what));
    return std::nullopt;
  }
  scenario::Argv argv;
  for (const auto& item : n.items) {
    auto s = Scalar(item, fmt::format("each argument of {}", what));
    if (!s) return std::nullopt;
    argv.push_back(scenario::Text{*s, item.pos});
  }
  return argv;
}

}  // namespace faultline::faults
