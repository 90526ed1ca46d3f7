// The workload's verdicts, as pure functions over plain values: the model's writes and what a
// server holds in, what went wrong out. No I/O, so every rule is a unit test (checker_test.cc).
//
// What a server holds, per key: its counter (key_versions.version, bumped by every write of the
// key in the write's own transaction, never reset) and its row (kv: the value and the version that
// wrote it; absent after a delete). Versions are given out by the primary in commit order, so:
//   - an acknowledged write's version is never given to another committed write, and the
//     counter never drops below it;
//   - when the counter equals the highest acknowledged version, the row is that write's;
//   - when the counter is higher, the row is one of the indeterminate writes of that version.
// A key's allowed values are therefore its last acknowledged value plus the values of the
// indeterminate writes after it (in version order).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "model.h"

namespace pgworkload {

struct KeyState {
  int64_t counter = 0;               // key_versions.version
  std::optional<std::string> value;  // kv.v; nullopt when the key has no row
  int64_t row_version = 0;           // kv.version (0 without a row)
  bool operator==(const KeyState&) const = default;
};
using ServerState = std::map<std::string, KeyState>;  // key -> state

// "'w3-17' at version 17", "no row (counter 17)".
std::string DescribeState(const KeyState& s);

// An acknowledged write that the primary no longer reflects.
struct Loss {
  Write write;
  KeyState found;
  std::string why;
};

// A key whose state no write of the model explains.
struct Unexplained {
  std::string key;
  KeyState found;
  std::string why;
};

struct PrimaryVerdict {
  std::vector<Loss> losses;
  std::vector<Unexplained> unexplained;
  int64_t keys_checked = 0;
  int64_t keys_with_acknowledged = 0;  // keys whose state the check actually constrained
  int64_t acknowledged = 0;            // acknowledged writes considered
  int64_t indeterminate = 0;           // pending or indeterminate writes considered
};

struct PrimaryCheckOptions {
  // Judge states that no recorded write explains. Only sound when no driver can record a write
  // between the model's read and the primary's (eventually_, finally_): otherwise a write that
  // committed after the model was read looks unexplained.
  bool judge_unexplained = false;
};

// Checks `primary` (every key of the workload) against the model's applicable writes (every
// write but the failed ones, read from the model before the primary was read).
PrimaryVerdict CheckPrimary(const std::vector<Write>& writes, const ServerState& primary,
                            PrimaryCheckOptions options);

// How a replica's state differs from the primary's: one line per key ("k007: primary 'w3-5' at
// version 9, replica no row (counter 8)"); empty when they are equal.
std::vector<std::string> Differences(const ServerState& primary, const ServerState& other,
                                     const std::string& other_name);

// Reads of one server incarnation: the counters it has shown must never go back.
class ReadSession {
 public:
  struct Regression {
    std::string key;
    int64_t seen = 0;  // the highest counter shown before
    int64_t now = 0;
  };
  // Takes the next read (any subset of the keys); returns the keys that went back in time.
  std::vector<Regression> Observe(const ServerState& read);
  // Whether some key was seen to move forward: the check ran with data in it.
  int64_t advances() const { return advances_; }
  int64_t reads() const { return reads_; }
  void Reset() { seen_.clear(); }

 private:
  std::map<std::string, int64_t> seen_;
  int64_t advances_ = 0;
  int64_t reads_ = 0;
};

// Whether a server's state holds rows whose version disagrees with their key's counter (each
// write sets both in one transaction, so a snapshot that splits them saw half a transaction).
std::vector<std::string> TornRows(const ServerState& state);

}  // namespace pgworkload
