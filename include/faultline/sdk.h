// faultline/sdk.h: the faultline SDK for C++ workloads. Assertions (properties), lifecycle
// (setup complete), events and randomness, written as the JSON lines of the SDK protocol that
// faultline reads and that the official SDKs write in their local-output mode, so one workload
// reports the same properties under faultline and on the platform.
//
// Header-only: this file and its machinery, faultline/sdk_internal.h (copy both to vendor it).
// C++17 or later, GCC or Clang, no dependency but the C++ standard library and POSIX. It owns one
// process-wide writer (opened on first use, never closed) and one state byte per assertion call
// site. Every macro and function may be called from any thread, before main (from
// static initializers) and after it.
//
// ---------------------------------------------------------------------------------------------
// Quick start
//
//   #include <faultline/sdk.h>
//
//   void Transfer(Account& from, Account& to, int64_t amount) {
//     ...
//     FAULTLINE_ALWAYS(from.balance >= 0, "balance never negative",
//                      {{"account", from.name}, {"balance", from.balance}});
//     FAULTLINE_SOMETIMES(amount == from.limit, "a transfer empties an account");
//     FAULTLINE_ALWAYS_LESS_THAN_OR_EQUAL_TO(amount, from.limit, "transfers respect the limit");
//   }
//
//   int main() {
//     ...connect, load the schema...
//     faultline::setup_complete({{"accounts", 100}});
//     uint64_t pick = faultline::random_below(100);  // replays under FAULTLINE_SEED
//   }
//
// ---------------------------------------------------------------------------------------------
// Where the lines go, and why the file is appended to
//
// When the environment variable ANTITHESIS_SDK_LOCAL_OUTPUT names a file, the first use of the SDK
// in the process opens it with O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC (mode 0644) and writes an
// `antithesis_sdk` line naming this SDK. Without the variable (or when the file cannot be opened,
// which is reported once on stderr) every macro and function is a cheap no-op.
//
// The official SDKs truncate the file when a process starts. This one appends, and never
// truncates, because faultline already gives every command invocation (and every service start)
// a fresh file of its own: truncating buys nothing there, and would erase the lines of the other
// processes of the same invocation, such as a shell script's `faultline sdk` calls or an earlier
// run of the same binary in that script. Every line is written with a single write(2) on an
// O_APPEND descriptor, under a process-wide mutex, so lines from many threads and processes never
// interleave. Run by hand twice on the same file, lines accumulate: delete the file in between.
//
// ---------------------------------------------------------------------------------------------
// The two forms of every assertion
//
// 1. Macros, FAULTLINE_ALWAYS(condition, "message", details...) and friends below. The message
//    must be a string literal. Every macro call site in the program is registered when the
//    program starts, before main: a `hit:false` line with its location, so a property whose code
//    never runs is still known, and a must-hit one (Always, Sometimes, Reachable) fails as "never
//    reached" instead of vanishing from the report. Each call site writes at most one passing
//    and one failing line per process; later evaluations cost one relaxed atomic load and a
//    branch. A call site is one spot in the source (one per instantiation in a template).
//
// 2. Functions, faultline::always(condition, message, details) and friends, for messages built at
//    run time and for code that must not register anything before main (faultline's own
//    binary). They are NOT registered before main: a must-hit property that only this form
//    reports is unknown until it first runs. They write at most one passing and one failing line
//    per (kind, message) per process; each call after that costs a mutex and a hash lookup.
//
// Verdicts, per the protocol (many invocations, histories and processes aggregate by message):
//
//   kind                    passes when                               registered as
//   Always                  reached at least once and never false      must_hit
//   AlwaysOrUnreachable     never false (never reached is fine)
//   Sometimes               true at least once                         must_hit
//   Reachable               reached at least once                      must_hit
//   Unreachable             never reached
//
// The eight numeric forms (ALWAYS_GREATER_THAN, SOMETIMES_LESS_THAN_OR_EQUAL_TO, ...) are Always
// or Sometimes lines whose details carry `left` and `right`; the two boolean forms (ALWAYS_SOME,
// SOMETIMES_ALL) are Always or Sometimes lines whose details carry each named boolean.
//
// The condition and the numbers are evaluated exactly once on every call. The details are
// evaluated only when a line is about to be written (like a logging macro's arguments): do not
// put side effects in them.
//
// ---------------------------------------------------------------------------------------------
// Details: key/value pairs of strings, numbers, booleans, null, arrays and nested objects
//
//   FAULTLINE_ALWAYS(ok, "reads see the last write",
//                    {{"key", key},                                  // std::string / const char*
//                     {"attempt", attempt},                          // any integer or floating
//                     {"cached", false},                             // bool
//                     {"replica", faultline::Details{{"id", 3}, {"lag_ms", 1.5}}},  // nested
//                     {"seen", faultline::Array{1, 2, 3}}});         // array
//
//   faultline::Details d;                 // or built step by step
//   d.set("rows", rows).set("table", name);
//   faultline::always(rows > 0, "the table is never empty", d);
//
// Strings are escaped and made valid UTF-8 (bytes that are not become U+FFFD); NaN and infinite
// numbers become null; a repeated key keeps its last value. Every line parses as JSON.
//
// ---------------------------------------------------------------------------------------------
// Randomness
//
// faultline::get_random() and the helpers built on it draw from FAULTLINE_SEED when it is set (a
// per-invocation seed faultline gives every command): the process draws the same sequence every
// time it runs with that seed, so a replayed history draws the same numbers. The n-th draw
// (from 0) is SplitMix64 at seed + (n + 1) * 0x9e3779b97f4a7c15, the same sequence `faultline sdk
// random` draws for shell scripts. A seed that is not a decimal number is hashed (FNV-1a 64).
// Threads share one sequence, so which thread gets which draw follows the scheduling. Without
// FAULTLINE_SEED each thread draws from a generator seeded by the operating system (getrandom).
// Randomness works whether or not ANTITHESIS_SDK_LOCAL_OUTPUT is set.
//
// ---------------------------------------------------------------------------------------------
// Compile-time switches (define before including the header, the same in every file)
//
//   FAULTLINE_SDK_DISABLED     macros evaluate their condition and nothing else, functions do
//                              nothing, no line is ever written; randomness still works.
//   FAULTLINE_SDK_SHORT_NAMES  also defines ALWAYS, ALWAYS_OR_UNREACHABLE, SOMETIMES, REACHABLE,
//                              UNREACHABLE, ALWAYS_GREATER_THAN, ..., ALWAYS_SOME, SOMETIMES_ALL
//                              and NAMED_LIST, spelled as the official C++ SDK spells them, so a
//                              workload written for it compiles against this header.
//
// Limits: no macro in a constexpr function (a call site holds a static variable); fork() in a
// multi-threaded program has the usual mutex caveats; the official SDKs' guidance lines (search
// hints for the platform) are not written.
#pragma once

#define FAULTLINE_SDK_VERSION "0.1.0"

#include "sdk_internal.h"  // the machinery; not an API

namespace faultline {

// ---------------------------------------------------------------------------------------------
// Details

class Details;
class Array;

// Value: one JSON value of a details object. Converts implicitly from bool, every integer and
// floating type, char (a one-letter string), const char* (nullptr is null), std::string,
// std::string_view, nullptr, Details (a nested object) and Array. Holds its compact JSON text.
class Value {
 public:
  Value() : json_("null") {}
  Value(std::nullptr_t) : json_("null") {}  // NOLINT: implicit, by design of the builder
  template <typename T, std::enable_if_t<std::is_same_v<T, bool>, int> = 0>
  Value(T b) : json_(b ? "true" : "false") {}  // NOLINT
  template <typename T, std::enable_if_t<internal::kIsNumber<T>, int> = 0>
  Value(T number) {  // NOLINT
    if constexpr (std::is_floating_point_v<T>) {
      internal::AppendDouble(json_, static_cast<double>(number));
    } else if constexpr (std::is_signed_v<T>) {
      internal::AppendInteger(json_, static_cast<long long>(number));
    } else {
      internal::AppendInteger(json_, static_cast<unsigned long long>(number));
    }
  }
  Value(char c) { internal::AppendJsonString(json_, std::string_view(&c, 1)); }  // NOLINT
  Value(const char* s) {                                                         // NOLINT
    if (s == nullptr) {
      json_ = "null";
    } else {
      internal::AppendJsonString(json_, s);
    }
  }
  Value(std::string_view s) { internal::AppendJsonString(json_, s); }  // NOLINT
  Value(const std::string& s) : Value(std::string_view(s)) {}          // NOLINT
  Value(const Details& object);                                        // NOLINT
  Value(const Array& array);                                           // NOLINT
  // Takes `json` as it is: it must be one compact, valid JSON value (for tools such as
  // `faultline sdk` that have already parsed and re-serialized it).
  Value(internal::RawJsonTag, std::string json) : json_(std::move(json)) {}

  // The value's compact JSON text.
  const std::string& json() const { return json_; }

 private:
  std::string json_;
};

// Details: a JSON object of key/value pairs, in insertion order, built from a braced list
// ({{"key", value}, ...}) or step by step with set(). Setting a key again replaces its value.
class Details {
 public:
  Details() = default;
  Details(std::initializer_list<std::pair<std::string_view, Value>> fields) {  // NOLINT
    fields_.reserve(fields.size());
    for (const auto& field : fields) set(field.first, field.second);
  }

  // Sets `key` to `value`, replacing an earlier value of the same key. Returns *this.
  Details& set(std::string_view key, const Value& value) {
    for (auto& field : fields_) {
      if (field.first == key) {
        field.second = value.json();
        return *this;
      }
    }
    fields_.emplace_back(std::string(key), value.json());
    return *this;
  }

  bool empty() const { return fields_.empty(); }
  size_t size() const { return fields_.size(); }

  // Appends the object's compact JSON text to `out`.
  void append_json(std::string& out) const {
    out.push_back('{');
    bool first = true;
    for (const auto& field : fields_) {
      if (!first) out.push_back(',');
      first = false;
      internal::AppendJsonString(out, field.first);
      out.push_back(':');
      out.append(field.second);
    }
    out.push_back('}');
  }
  // The object's compact JSON text, e.g. {"balance":17,"account":"alice"}.
  std::string to_json() const {
    std::string out;
    append_json(out);
    return out;
  }

 private:
  std::vector<std::pair<std::string, std::string>> fields_;  // key, the value's JSON
};

// Array: a JSON array of Values, from a braced list (faultline::Array{1, "two", 3.0}), from any
// range of values convertible to Value (faultline::Array(my_vector)), or step by step with add().
class Array {
 public:
  Array() = default;
  Array(std::initializer_list<Value> items) {
    for (const Value& item : items) add(item);
  }
  template <typename Range, typename = std::enable_if_t<std::is_convertible_v<
                                decltype(*std::begin(std::declval<const Range&>())), Value>>>
  explicit Array(const Range& range) {
    for (const auto& item : range) add(Value(item));
  }

  // Appends `item`. Returns *this.
  Array& add(const Value& item) {
    if (!items_.empty()) items_.push_back(',');
    items_.append(item.json());
    return *this;
  }
  // The array's compact JSON text, e.g. [1,"two",3].
  std::string to_json() const { return "[" + items_ + "]"; }

 private:
  std::string items_;  // comma-separated JSON values
};

inline Value::Value(const Details& object) : json_(object.to_json()) {}
inline Value::Value(const Array& array) : json_(array.to_json()) {}

// NamedBool, Bools: the named booleans of ALWAYS_SOME and SOMETIMES_ALL. Build them with
// FAULTLINE_NAMED_BOOLS(a, b, c) (each named after its expression), a braced list of
// {"name", bool} pairs, or any range of pairs whose .first is a string and .second a bool
// (std::vector<std::pair<std::string, bool>>, std::map<std::string, bool>). A Bools copies the
// booleans but only refers to the names: keep the names alive while it is in use.
struct NamedBool {
  std::string_view name;
  bool value;
};

class Bools {
 public:
  Bools(std::initializer_list<NamedBool> list) {  // NOLINT: implicit, by design
    for (const NamedBool& b : list) Add(b);
  }
  template <typename Range,
            typename = std::enable_if_t<
                std::is_convertible_v<decltype(std::begin(std::declval<const Range&>())->first),
                                      std::string_view> &&
                std::is_convertible_v<decltype(std::begin(std::declval<const Range&>())->second),
                                      bool>>>
  Bools(const Range& range) {  // NOLINT
    for (const auto& pair : range) {
      Add(NamedBool{std::string_view(pair.first), static_cast<bool>(pair.second)});
    }
  }

  const NamedBool* begin() const { return overflow_.empty() ? inline_ : overflow_.data(); }
  const NamedBool* end() const { return begin() + size_; }
  // Whether at least one is true (false when there are none).
  bool any() const {
    for (const NamedBool& b : *this) {
      if (b.value) return true;
    }
    return false;
  }
  // Whether every one is true (true when there are none).
  bool all() const {
    for (const NamedBool& b : *this) {
      if (!b.value) return false;
    }
    return true;
  }
  // Sets each name to its boolean in `details`.
  void add_to(Details& details) const {
    for (const NamedBool& b : *this) details.set(b.name, b.value);
  }

 private:
  static constexpr size_t kInline = 10;  // FAULTLINE_NAMED_BOOLS takes up to 10: no allocation

  void Add(NamedBool b) {
    if (overflow_.empty() && size_ < kInline) {
      inline_[size_++] = b;
      return;
    }
    if (overflow_.empty()) overflow_.assign(inline_, inline_ + size_);
    overflow_.push_back(b);
    ++size_;
  }

  NamedBool inline_[kInline] = {};
  std::vector<NamedBool> overflow_;
  size_t size_ = 0;
};

// Location: where a function-form assertion was called, filled in by default arguments at the
// call site. The column is 0 where the compiler cannot tell it.
struct Location {
  const char* file = "";
  const char* function = "";
  int line = 0;
  int column = 0;

  static constexpr Location current(const char* file = __builtin_FILE(),
                                    const char* function = __builtin_FUNCTION(),
                                    int line = __builtin_LINE(),
                                    int column = FAULTLINE_INTERNAL_BUILTIN_COLUMN) {
    return Location{file, function, line, column};
  }
};

namespace internal {

// The named booleans of a macro call as Bools, whatever range they came as.
inline const Bools& AsBools(const Bools& bools) { return bools; }

// The details of a macro call: its arguments after the message, if any.
inline Details DetailsOf(std::string_view /*message*/) { return Details(); }
inline Details DetailsOf(std::string_view /*message*/, const Details& details) { return details; }

}  // namespace internal

// ---------------------------------------------------------------------------------------------
// Functions. All may be called from any thread; none throws except on allocation failure.

// Whether lines are being written (ANTITHESIS_SDK_LOCAL_OUTPUT is set and its file is open).
// Use it to skip building costly details for the function forms.
inline bool enabled() { return internal::OutputEnabled(); }

// Function forms of the assertions: `message` may be built at run time. Not registered before
// main (see the top of this file); at most one passing and one failing line per (kind, message)
// per process. `details` is built by the caller on every call: guard costly ones with enabled().
inline void always(bool condition, std::string_view message, const Details& details = {},
                   const Location& location = Location::current()) {
  internal::EvaluateRuntime(internal::Kind::kAlways, message, condition, details, location);
}
inline void always_or_unreachable(bool condition, std::string_view message,
                                  const Details& details = {},
                                  const Location& location = Location::current()) {
  internal::EvaluateRuntime(internal::Kind::kAlwaysOrUnreachable, message, condition, details,
                            location);
}
inline void sometimes(bool condition, std::string_view message, const Details& details = {},
                      const Location& location = Location::current()) {
  internal::EvaluateRuntime(internal::Kind::kSometimes, message, condition, details, location);
}
inline void reachable(std::string_view message, const Details& details = {},
                      const Location& location = Location::current()) {
  internal::EvaluateRuntime(internal::Kind::kReachable, message, true, details, location);
}
inline void unreachable(std::string_view message, const Details& details = {},
                        const Location& location = Location::current()) {
  internal::EvaluateRuntime(internal::Kind::kUnreachable, message, false, details, location);
}

// Numeric function forms: Always/Sometimes of `left <op> right`, with left and right added to
// the details. Any two arithmetic types; signed and unsigned integers compare by value.
#define FAULTLINE_INTERNAL_NUMERIC_FUNCTION(name, kind, op)                                       \
  template <typename L, typename R>                                                               \
  inline void name(const L& left, const R& right, std::string_view message,                       \
                   const Details& details = {}, const Location& location = Location::current()) { \
    internal::EvaluateRuntimeNumeric(internal::Kind::kind, internal::Compare::op, left, right,    \
                                     message, details, location);                                 \
  }
FAULTLINE_INTERNAL_NUMERIC_FUNCTION(always_greater_than, kAlways, kGreater)
FAULTLINE_INTERNAL_NUMERIC_FUNCTION(always_greater_than_or_equal_to, kAlways, kGreaterOrEqual)
FAULTLINE_INTERNAL_NUMERIC_FUNCTION(always_less_than, kAlways, kLess)
FAULTLINE_INTERNAL_NUMERIC_FUNCTION(always_less_than_or_equal_to, kAlways, kLessOrEqual)
FAULTLINE_INTERNAL_NUMERIC_FUNCTION(sometimes_greater_than, kSometimes, kGreater)
FAULTLINE_INTERNAL_NUMERIC_FUNCTION(sometimes_greater_than_or_equal_to, kSometimes, kGreaterOrEqual)
FAULTLINE_INTERNAL_NUMERIC_FUNCTION(sometimes_less_than, kSometimes, kLess)
FAULTLINE_INTERNAL_NUMERIC_FUNCTION(sometimes_less_than_or_equal_to, kSometimes, kLessOrEqual)
#undef FAULTLINE_INTERNAL_NUMERIC_FUNCTION

// Boolean function forms: always_some passes when at least one named boolean is true on every
// call; sometimes_all when all of them are true on some call. The booleans join the details.
inline void always_some(const Bools& bools, std::string_view message, const Details& details = {},
                        const Location& location = Location::current()) {
  if (!enabled()) return;
  Details with_bools = details;
  bools.add_to(with_bools);
  internal::EvaluateRuntime(internal::Kind::kAlways, message, bools.any(), with_bools, location);
}
inline void sometimes_all(const Bools& bools, std::string_view message, const Details& details = {},
                          const Location& location = Location::current()) {
  if (!enabled()) return;
  Details with_bools = details;
  bools.add_to(with_bools);
  internal::EvaluateRuntime(internal::Kind::kSometimes, message, bools.all(), with_bools, location);
}

// Declares that setup is complete: faultline starts a template's commands (and faults) only
// after the first such line of any process of the scenario. Later calls are ignored by faultline.
inline void setup_complete(const Details& details = {}) {
  if (!internal::OutputEnabled()) return;
  std::string json = details.to_json();
  internal::Output::Get().Write(internal::SetupCompleteLine(details.empty() ? nullptr : &json));
}

// Sends an event {"<name>": details} to the history's timeline. Every call writes a line. A name
// the protocol reserves (antithesis_assert, antithesis_setup, antithesis_guidance,
// antithesis_sdk) is refused with a message on stderr, since it would be read as that line.
inline void send_event(std::string_view name, const Details& details = {}) {
  if (!internal::OutputEnabled()) return;
  if (internal::IsReservedKey(name)) {
    std::fprintf(stderr, "faultline sdk: send_event: '%.*s' is a reserved name; event dropped\n",
                 static_cast<int>(name.size()), name.data());
    return;
  }
  internal::Output::Get().Write(internal::EventLine(name, details.to_json()));
}

// A random 64-bit number: the next draw of FAULTLINE_SEED's sequence when it is set, from the
// operating system otherwise (see "Randomness" at the top of this file).
inline uint64_t get_random() { return internal::Random::Get().Next(); }

// A uniform random number in [0, n), without modulo bias; 0 when n is 0.
inline uint64_t random_below(uint64_t n) {
  return n == 0 ? 0 : internal::UniformBelow(n, get_random);
}

// A uniformly chosen element of [begin, end); `end` when the range is empty. Draws once.
template <typename Iter>
Iter random_choice(Iter begin, Iter end) {
  auto count = std::distance(begin, end);
  if (count <= 0) return end;
  std::advance(begin, static_cast<decltype(count)>(random_below(static_cast<uint64_t>(count))));
  return begin;
}
// A uniformly chosen element of a container: an iterator to it, or end() when it is empty.
template <typename Range>
auto random_choice(Range& range) -> decltype(std::begin(range)) {
  return random_choice(std::begin(range), std::end(range));
}
// One of the given options, by value: faultline::random_choice({"read", "write", "scan"}).
template <typename T>
T random_choice(std::initializer_list<T> options) {
  auto it = random_choice(options.begin(), options.end());
  return it == options.end() ? T() : *it;
}

}  // namespace faultline

// ---------------------------------------------------------------------------------------------
// Macros: the registered form. Each takes the message as a string literal, then optionally the
// details as a braced list ({{"key", value}, ...}) or a faultline::Details expression.
//
//   FAULTLINE_ALWAYS(condition, message[, details])
//   FAULTLINE_ALWAYS_OR_UNREACHABLE(condition, message[, details])
//   FAULTLINE_SOMETIMES(condition, message[, details])
//   FAULTLINE_REACHABLE(message[, details])
//   FAULTLINE_UNREACHABLE(message[, details])
//
//   FAULTLINE_ALWAYS_GREATER_THAN(left, right, message[, details])      Always of left > right
//   FAULTLINE_ALWAYS_GREATER_THAN_OR_EQUAL_TO(left, right, ...)          Always of left >= right
//   FAULTLINE_ALWAYS_LESS_THAN(left, right, ...)                         Always of left < right
//   FAULTLINE_ALWAYS_LESS_THAN_OR_EQUAL_TO(left, right, ...)             Always of left <= right
//   FAULTLINE_SOMETIMES_GREATER_THAN(left, right, ...)   and the three other Sometimes forms
//
//   FAULTLINE_ALWAYS_SOME(bools, message[, details])    Always: at least one boolean is true
//   FAULTLINE_SOMETIMES_ALL(bools, message[, details])  Sometimes: all of them are true
//   FAULTLINE_NAMED_BOOLS(a, b, ...)                    up to 10 booleans, each named after its
//                                                       expression: {{"a", a}, {"b", b}, ...}
//
// `bools` is FAULTLINE_NAMED_BOOLS(...), a faultline::Bools or a range variable, or a braced
// list in parentheses: ((faultline::Bools{{"leader", a}, {"follower", b}})). Each macro is one
// statement (do { ... } while (0)) and takes a semicolon.

#define FAULTLINE_ALWAYS(condition, ...) FAULTLINE_INTERNAL_ASSERT(kAlways, condition, __VA_ARGS__)
#define FAULTLINE_ALWAYS_OR_UNREACHABLE(condition, ...) \
  FAULTLINE_INTERNAL_ASSERT(kAlwaysOrUnreachable, condition, __VA_ARGS__)
#define FAULTLINE_SOMETIMES(condition, ...) \
  FAULTLINE_INTERNAL_ASSERT(kSometimes, condition, __VA_ARGS__)
#define FAULTLINE_REACHABLE(...) FAULTLINE_INTERNAL_ASSERT(kReachable, true, __VA_ARGS__)
#define FAULTLINE_UNREACHABLE(...) FAULTLINE_INTERNAL_ASSERT(kUnreachable, false, __VA_ARGS__)

#define FAULTLINE_ALWAYS_GREATER_THAN(left, right, ...)                                      \
  FAULTLINE_INTERNAL_NUMERIC(kAlways, ::faultline::internal::Compare::kGreater, left, right, \
                             __VA_ARGS__)
#define FAULTLINE_ALWAYS_GREATER_THAN_OR_EQUAL_TO(left, right, ...)                          \
  FAULTLINE_INTERNAL_NUMERIC(kAlways, ::faultline::internal::Compare::kGreaterOrEqual, left, \
                             right, __VA_ARGS__)
#define FAULTLINE_ALWAYS_LESS_THAN(left, right, ...)                                      \
  FAULTLINE_INTERNAL_NUMERIC(kAlways, ::faultline::internal::Compare::kLess, left, right, \
                             __VA_ARGS__)
#define FAULTLINE_ALWAYS_LESS_THAN_OR_EQUAL_TO(left, right, ...)                                 \
  FAULTLINE_INTERNAL_NUMERIC(kAlways, ::faultline::internal::Compare::kLessOrEqual, left, right, \
                             __VA_ARGS__)
#define FAULTLINE_SOMETIMES_GREATER_THAN(left, right, ...)                                      \
  FAULTLINE_INTERNAL_NUMERIC(kSometimes, ::faultline::internal::Compare::kGreater, left, right, \
                             __VA_ARGS__)
#define FAULTLINE_SOMETIMES_GREATER_THAN_OR_EQUAL_TO(left, right, ...)                          \
  FAULTLINE_INTERNAL_NUMERIC(kSometimes, ::faultline::internal::Compare::kGreaterOrEqual, left, \
                             right, __VA_ARGS__)
#define FAULTLINE_SOMETIMES_LESS_THAN(left, right, ...)                                      \
  FAULTLINE_INTERNAL_NUMERIC(kSometimes, ::faultline::internal::Compare::kLess, left, right, \
                             __VA_ARGS__)
#define FAULTLINE_SOMETIMES_LESS_THAN_OR_EQUAL_TO(left, right, ...)                          \
  FAULTLINE_INTERNAL_NUMERIC(kSometimes, ::faultline::internal::Compare::kLessOrEqual, left, \
                             right, __VA_ARGS__)

#define FAULTLINE_ALWAYS_SOME(bools, ...) \
  FAULTLINE_INTERNAL_BOOLS(kAlways, false, (bools), __VA_ARGS__)
#define FAULTLINE_SOMETIMES_ALL(bools, ...) \
  FAULTLINE_INTERNAL_BOOLS(kSometimes, true, (bools), __VA_ARGS__)

#define FAULTLINE_NAMED_BOOLS(...)                                                           \
  ::faultline::Bools {                                                                       \
    FAULTLINE_INTERNAL_NB_PICK(__VA_ARGS__, FAULTLINE_INTERNAL_NB10, FAULTLINE_INTERNAL_NB9, \
                               FAULTLINE_INTERNAL_NB8, FAULTLINE_INTERNAL_NB7,               \
                               FAULTLINE_INTERNAL_NB6, FAULTLINE_INTERNAL_NB5,               \
                               FAULTLINE_INTERNAL_NB4, FAULTLINE_INTERNAL_NB3,               \
                               FAULTLINE_INTERNAL_NB2, FAULTLINE_INTERNAL_NB1, unused)       \
    (__VA_ARGS__)                                                                            \
  }

#if defined(FAULTLINE_SDK_SHORT_NAMES)
#define ALWAYS FAULTLINE_ALWAYS
#define ALWAYS_OR_UNREACHABLE FAULTLINE_ALWAYS_OR_UNREACHABLE
#define SOMETIMES FAULTLINE_SOMETIMES
#define REACHABLE FAULTLINE_REACHABLE
#define UNREACHABLE FAULTLINE_UNREACHABLE
#define ALWAYS_GREATER_THAN FAULTLINE_ALWAYS_GREATER_THAN
#define ALWAYS_GREATER_THAN_OR_EQUAL_TO FAULTLINE_ALWAYS_GREATER_THAN_OR_EQUAL_TO
#define ALWAYS_LESS_THAN FAULTLINE_ALWAYS_LESS_THAN
#define ALWAYS_LESS_THAN_OR_EQUAL_TO FAULTLINE_ALWAYS_LESS_THAN_OR_EQUAL_TO
#define SOMETIMES_GREATER_THAN FAULTLINE_SOMETIMES_GREATER_THAN
#define SOMETIMES_GREATER_THAN_OR_EQUAL_TO FAULTLINE_SOMETIMES_GREATER_THAN_OR_EQUAL_TO
#define SOMETIMES_LESS_THAN FAULTLINE_SOMETIMES_LESS_THAN
#define SOMETIMES_LESS_THAN_OR_EQUAL_TO FAULTLINE_SOMETIMES_LESS_THAN_OR_EQUAL_TO
#define ALWAYS_SOME FAULTLINE_ALWAYS_SOME
#define SOMETIMES_ALL FAULTLINE_SOMETIMES_ALL
#define NAMED_LIST FAULTLINE_NAMED_BOOLS
#endif
