#include "checker.h"

#include <fmt/format.h>

#include <algorithm>

namespace pgworkload {
namespace {

bool IsIndeterminate(const Write& w) {
  return w.status == WriteStatus::kPending || w.status == WriteStatus::kIndeterminate;
}

// Whether the key's state is what write `w` leaves behind.
bool Matches(const Write& w, const KeyState& s) {
  if (w.op == Op::kDelete) return !s.value.has_value();
  return s.value == w.value && s.row_version == w.version;
}

struct KeyWrites {
  std::vector<const Write*> acknowledged;
  std::vector<const Write*> indeterminate;
};

// Checks one key; appends to the verdict.
void CheckKey(const std::string& key, const KeyWrites& kw, const KeyState& s,
              const PrimaryCheckOptions& options, PrimaryVerdict& v) {
  auto lose = [&](const Write& w, std::string why) { v.losses.push_back({w, s, std::move(why)}); };
  auto unexplained = [&](std::string why) {
    if (options.judge_unexplained) v.unexplained.push_back({key, s, std::move(why)});
  };
  // Acknowledged writes by version; of two with one version, the one acknowledged first was lost
  // (its version could only be given out again because the primary forgot it).
  std::map<int64_t, const Write*> by_version;
  for (const Write* w : kw.acknowledged) {
    auto [it, fresh] = by_version.emplace(w->version, w);
    if (fresh) continue;
    const Write* earlier = it->second->ended_ms <= w->ended_ms ? it->second : w;
    const Write* later = earlier == w ? it->second : w;
    lose(*earlier, fmt::format("its version {} was given again to the acknowledged write '{}': "
                               "the primary forgot it",
                               w->version, later->op == Op::kDelete ? "delete" : later->value));
    it->second = later;
  }
  if (s.value && s.row_version != s.counter) {
    unexplained(
        fmt::format("the row's version {} is not the key's counter {}", s.row_version, s.counter));
  }
  int64_t last = by_version.empty() ? 0 : by_version.rbegin()->first;
  if (last > 0) ++v.keys_with_acknowledged;
  if (s.counter < last) {
    for (auto it = by_version.upper_bound(s.counter); it != by_version.end(); ++it) {
      lose(*it->second, fmt::format("the key's counter on the primary is {}, below this "
                                    "acknowledged write's version",
                                    s.counter));
    }
    return;
  }
  if (s.counter == last) {
    if (last == 0) {
      if (s.value) unexplained("the key holds a row although no write may have reached it");
      return;
    }
    const Write& w = *by_version.rbegin()->second;
    if (!Matches(w, s)) {
      lose(w, fmt::format("it is the key's last acknowledged write, but the primary holds {}",
                          DescribeState(s)));
    }
    return;
  }
  // The counter moved past the last acknowledged write: an indeterminate write of that version
  // must have committed, and the row must be the one it left.
  for (const Write* w : kw.indeterminate) {
    if (w->version == s.counter && Matches(*w, s)) return;
  }
  unexplained(
      fmt::format("the primary holds {}, which no write the model may have applied "
                  "after the last acknowledged one (version {}) leaves",
                  DescribeState(s), last));
}

}  // namespace

std::string DescribeState(const KeyState& s) {
  if (!s.value) return fmt::format("no row (counter {})", s.counter);
  if (s.row_version == s.counter) return fmt::format("'{}' at version {}", *s.value, s.counter);
  return fmt::format("'{}' at version {} (counter {})", *s.value, s.row_version, s.counter);
}

PrimaryVerdict CheckPrimary(const std::vector<Write>& writes, const ServerState& primary,
                            PrimaryCheckOptions options) {
  std::map<std::string, KeyWrites> by_key;
  PrimaryVerdict v;
  for (const Write& w : writes) {
    if (w.status == WriteStatus::kOk) {
      by_key[w.key].acknowledged.push_back(&w);
      ++v.acknowledged;
    } else if (IsIndeterminate(w)) {
      by_key[w.key].indeterminate.push_back(&w);
      ++v.indeterminate;
    }
  }
  static const KeyWrites kNone;
  for (const auto& [key, state] : primary) {
    auto it = by_key.find(key);
    CheckKey(key, it == by_key.end() ? kNone : it->second, state, options, v);
    ++v.keys_checked;
  }
  for (const auto& [key, kw] : by_key) {
    if (primary.count(key) || kw.acknowledged.empty()) continue;
    // The model wrote a key the primary does not have at all (its counter row is gone).
    for (const Write* w : kw.acknowledged) v.losses.push_back({*w, {}, "the key is gone"});
  }
  return v;
}

std::vector<std::string> Differences(const ServerState& primary, const ServerState& other,
                                     const std::string& other_name) {
  std::vector<std::string> out;
  static const KeyState kMissing{-1, std::nullopt, 0};
  auto describe = [](const KeyState* s) {
    return s ? DescribeState(*s) : std::string("no counter row");
  };
  std::map<std::string, std::pair<const KeyState*, const KeyState*>> keys;
  for (const auto& [k, s] : primary) keys[k].first = &s;
  for (const auto& [k, s] : other) keys[k].second = &s;
  for (const auto& [k, pair] : keys) {
    if (pair.first && pair.second && *pair.first == *pair.second) continue;
    out.push_back(fmt::format("{}: primary {}, {} {}", k, describe(pair.first), other_name,
                              describe(pair.second)));
  }
  return out;
}

std::vector<ReadSession::Regression> ReadSession::Observe(const ServerState& read) {
  std::vector<Regression> out;
  ++reads_;
  for (const auto& [key, s] : read) {
    auto [it, fresh] = seen_.emplace(key, s.counter);
    if (fresh) continue;
    if (s.counter < it->second) {
      out.push_back({key, it->second, s.counter});
    } else if (s.counter > it->second) {
      ++advances_;
      it->second = s.counter;
    }
  }
  return out;
}

std::vector<std::string> TornRows(const ServerState& state) {
  std::vector<std::string> out;
  for (const auto& [key, s] : state) {
    if (s.value && s.row_version != s.counter) {
      out.push_back(fmt::format("{}: {}", key, DescribeState(s)));
    }
  }
  return out;
}

}  // namespace pgworkload
