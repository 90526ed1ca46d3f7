#include "scenario/placeholders.h"

#include <fmt/format.h>

namespace faultline::scenario {
namespace {

using Kind = Placeholder::Kind;

// Parses the inside of one {...}.
bool ParseInner(std::string_view inner, Placeholder* p, std::string* error) {
  if (inner == "dir") {
    p->kind = Kind::kOwnDir;
    return true;
  }
  if (inner == "port") {
    p->kind = Kind::kOwnPort;
    return true;
  }
  size_t dot = inner.find('.');
  if (dot == std::string_view::npos || dot == 0) {
    *error = fmt::format(
        "unknown placeholder '{{{}}}' (expected {{dir}}, {{port}}, {{NAME.port}}, "
        "{{NAME.real_port}}, {{NAME.host}}, {{NAME.port@OTHER}}, {{history.dir}}, "
        "{{history.seed}} or {{scenario.dir}})",
        inner);
    return false;
  }
  std::string_view name = inner.substr(0, dot);
  std::string_view field = inner.substr(dot + 1);
  std::string_view dialer;
  if (size_t at = field.find('@'); at != std::string_view::npos) {
    dialer = field.substr(at + 1);
    field = field.substr(0, at);
    if (field != "port" || dialer.empty()) {
      *error = fmt::format("'{{{}}}': only {{NAME.port@OTHER}} takes an '@OTHER'", inner);
      return false;
    }
  }
  p->text = std::string(name);
  p->dialer = std::string(dialer);
  if (name == "history" && field == "dir") {
    p->kind = Kind::kHistoryDir;
  } else if (name == "history" && field == "seed") {
    p->kind = Kind::kHistorySeed;
  } else if (name == "scenario" && field == "dir") {
    p->kind = Kind::kScenarioDir;
  } else if (field == "port") {
    p->kind = Kind::kPort;
  } else if (field == "real_port") {
    p->kind = Kind::kRealPort;
  } else if (field == "host") {
    p->kind = Kind::kHost;
  } else if (field.starts_with("ports.") && field.size() > 6) {
    p->kind = Kind::kNamedPort;
    p->port = std::string(field.substr(6));
  } else if (field == "dir") {
    p->kind = Kind::kServiceDir;
  } else {
    *error = fmt::format(
        "unknown placeholder field '{}' in '{{{}}}' (expected port, real_port, host, dir or "
        "ports.NAME)",
        field, inner);
    return false;
  }
  return true;
}

}  // namespace

std::vector<Placeholder> ParsePlaceholders(std::string_view raw,
                                           std::vector<PlaceholderError>* errors) {
  std::vector<Placeholder> out;
  std::string literal;
  size_t literal_start = 0;
  auto flush = [&](size_t next_start) {
    if (!literal.empty())
      out.push_back(Placeholder{Kind::kLiteral, literal, "", literal_start, ""});
    literal.clear();
    literal_start = next_start;
  };
  for (size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if ((c == '{' || c == '}') && i + 1 < raw.size() && raw[i + 1] == c) {
      literal += c;
      ++i;
      continue;
    }
    if (c == '}') {
      errors->push_back({i, "unmatched '}' (write '}}' for a literal brace)"});
      continue;
    }
    if (c != '{') {
      literal += c;
      continue;
    }
    size_t close = raw.find('}', i + 1);
    if (close == std::string_view::npos) {
      errors->push_back(
          {i, "unterminated placeholder (expected '}'; write '{{' for a literal brace)"});
      return out;
    }
    flush(close + 1);
    Placeholder p;
    p.offset = i;
    std::string error;
    if (ParseInner(raw.substr(i + 1, close - i - 1), &p, &error)) {
      out.push_back(std::move(p));
    } else {
      errors->push_back({i, error});
    }
    i = close;
  }
  flush(raw.size());
  return out;
}

int Addresses::PortFor(const std::string& service, const std::string& dialer) const {
  if (auto it = link_ports.find({dialer, service}); it != link_ports.end()) return it->second;
  auto it = real_ports.find(service);
  return it == real_ports.end() ? 0 : it->second;
}

Result<std::string> ResolvePlaceholders(std::string_view raw, const std::string& viewpoint,
                                        const Addresses& a) {
  std::vector<PlaceholderError> errors;
  auto pieces = ParsePlaceholders(raw, &errors);
  if (!errors.empty()) return Unexpected(errors.front().message);
  std::string out;
  auto lookup = [](const auto& map, const std::string& key,
                   std::string_view what) -> Result<std::string> {
    auto it = map.find(key);
    if (it == map.end()) return Unexpected(fmt::format("no {} for '{}'", what, key));
    return fmt::format("{}", it->second);
  };
  for (const auto& p : pieces) {
    Result<std::string> piece = std::string();
    switch (p.kind) {
      case Kind::kLiteral:
        piece = p.text;
        break;
      case Kind::kOwnDir:
        piece = lookup(a.dirs, viewpoint, "folder");
        break;
      case Kind::kOwnPort:
        piece = lookup(a.real_ports, viewpoint, "port");
        break;
      case Kind::kPort: {
        int port = a.PortFor(p.text, p.dialer.empty() ? viewpoint : p.dialer);
        if (port == 0) return Unexpected(fmt::format("no port for '{}'", p.text));
        piece = fmt::format("{}", port);
        break;
      }
      case Kind::kRealPort:
        piece = lookup(a.real_ports, p.text, "port");
        break;
      case Kind::kHost: {
        auto it = a.hosts.find(p.text);
        piece = it == a.hosts.end() ? a.host : it->second;
        break;
      }
      case Kind::kNamedPort: {
        auto it = a.named_ports.find({p.text, p.port});
        if (it == a.named_ports.end()) {
          return Unexpected(fmt::format("no port '{}' for '{}'", p.port, p.text));
        }
        piece = fmt::format("{}", it->second);
        break;
      }
      case Kind::kServiceDir:
        piece = lookup(a.dirs, p.text, "folder");
        break;
      case Kind::kHistoryDir:
        piece = a.history_dir;
        break;
      case Kind::kHistorySeed:
        piece = fmt::format("{}", a.history_seed);
        break;
      case Kind::kScenarioDir:
        piece = a.scenario_dir;
        break;
    }
    if (!piece) return Unexpected(piece.error());
    out += *piece;
  }
  return out;
}

}  // namespace faultline::scenario
