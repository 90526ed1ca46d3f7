// faultline/sdk.h: the faultline SDK for C++ workloads. Assertions (properties), lifecycle
// (setup complete), events and randomness, written as the JSON lines of the SDK protocol that
// faultline reads and that the official SDKs write in their local-output mode, so one workload
// reports the same properties under faultline and on the platform.
//
// One header, C++17 or later, GCC or Clang, no dependency but the C++ standard library and POSIX.
// It owns one process-wide writer (opened on first use, never closed) and one state byte per
// assertion call site. Every macro and function may be called from any thread, before main (from
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

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <iterator>
#include <mutex>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#if defined(__has_include)
#if __has_include(<version>)
#include <version>
#endif
#if __has_include(<sys/random.h>)
#include <sys/random.h>
#define FAULTLINE_INTERNAL_HAVE_GETRANDOM 1
#endif
#endif
#if defined(__cpp_lib_source_location)
#include <source_location>
#endif

#define FAULTLINE_SDK_VERSION "0.1.0"

namespace faultline {

class Details;
class Array;

namespace internal {

// ---- JSON text (internal) ------------------------------------------------------------------

// The length of the well-formed UTF-8 sequence at p[0..n), or 0 if there is none (RFC 3629: no
// overlong forms, no surrogates, nothing above U+10FFFF).
inline size_t Utf8SequenceLength(const unsigned char* p, size_t n) {
  auto cont = [&](size_t i, unsigned char lo = 0x80, unsigned char hi = 0xBF) {
    return i < n && p[i] >= lo && p[i] <= hi;
  };
  unsigned char c = p[0];
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c == 0xE0) return cont(1, 0xA0) && cont(2) ? 3 : 0;
  if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) return cont(1) && cont(2) ? 3 : 0;
  if (c == 0xED) return cont(1, 0x80, 0x9F) && cont(2) ? 3 : 0;
  if (c == 0xF0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (c >= 0xF1 && c <= 0xF3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (c == 0xF4) return cont(1, 0x80, 0x8F) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

// Appends `s` as a JSON string. Invalid UTF-8 becomes U+FFFD so that the line always parses.
inline void AppendJsonString(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  out.push_back('"');
  size_t i = 0;
  while (i < n) {
    size_t run = i;  // copy plain ASCII in one append
    while (run < n && p[run] >= 0x20 && p[run] < 0x80 && p[run] != '"' && p[run] != '\\') ++run;
    out.append(s.data() + i, run - i);
    i = run;
    if (i == n) break;
    unsigned char c = p[i];
    if (c < 0x80) {
      out.push_back('\\');
      switch (c) {
        case '"':
          out.push_back('"');
          break;
        case '\\':
          out.push_back('\\');
          break;
        case '\n':
          out.push_back('n');
          break;
        case '\r':
          out.push_back('r');
          break;
        case '\t':
          out.push_back('t');
          break;
        case '\b':
          out.push_back('b');
          break;
        case '\f':
          out.push_back('f');
          break;
        default:
          out.append("u00");
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 0xF]);
      }
      ++i;
      continue;
    }
    size_t len = Utf8SequenceLength(p + i, n - i);
    if (len == 0) {
      out.append("\\ufffd");
      ++i;
    } else {
      out.append(s.data() + i, len);
      i += len;
    }
  }
  out.push_back('"');
}

template <typename T>
inline void AppendInteger(std::string& out, T value) {
  char buf[24];
  auto result = std::to_chars(buf, buf + sizeof buf, value);
  out.append(buf, static_cast<size_t>(result.ptr - buf));
}

// Shortest text that reads back as the same double; null for NaN and infinities (not JSON).
inline void AppendDouble(std::string& out, double value) {
  if (!std::isfinite(value)) {
    out.append("null");
    return;
  }
  char buf[32];
#if defined(__cpp_lib_to_chars) && __cpp_lib_to_chars >= 201611L
  auto result = std::to_chars(buf, buf + sizeof buf, value);
  size_t len = static_cast<size_t>(result.ptr - buf);
#else
  int written = std::snprintf(buf, sizeof buf, "%.17g", value);
  size_t len = written > 0 ? static_cast<size_t>(written) : 0;
  for (size_t i = 0; i < len; ++i) {
    if (buf[i] == ',') buf[i] = '.';  // a locale with a decimal comma
  }
#endif
  out.append(buf, len);
}

// Types that a Value takes as a JSON number: arithmetic, but neither bool nor a character type.
template <typename T>
inline constexpr bool kIsNumber =
    std::is_arithmetic_v<T> && !std::is_same_v<T, bool> && !std::is_same_v<T, char> &&
    !std::is_same_v<T, wchar_t> && !std::is_same_v<T, char16_t> && !std::is_same_v<T, char32_t>;

struct RawJsonTag {};

}  // namespace internal

// ---- Details ------------------------------------------------------------------------------

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

#if defined(__has_builtin)
#if __has_builtin(__builtin_COLUMN)
#define FAULTLINE_INTERNAL_BUILTIN_COLUMN __builtin_COLUMN()
#endif
#endif
#ifndef FAULTLINE_INTERNAL_BUILTIN_COLUMN
#define FAULTLINE_INTERNAL_BUILTIN_COLUMN 0
#endif

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

// ---- Protocol lines (internal; `faultline sdk` builds its lines with these too) -------------

enum class Kind : uint8_t { kAlways, kAlwaysOrUnreachable, kSometimes, kReachable, kUnreachable };

constexpr std::string_view AssertTypeOf(Kind kind) {
  switch (kind) {
    case Kind::kAlways:
    case Kind::kAlwaysOrUnreachable:
      return "always";
    case Kind::kSometimes:
      return "sometimes";
    case Kind::kReachable:
    case Kind::kUnreachable:
      break;
  }
  return "reachability";
}

constexpr std::string_view DisplayTypeOf(Kind kind) {
  switch (kind) {
    case Kind::kAlways:
      return "Always";
    case Kind::kAlwaysOrUnreachable:
      return "AlwaysOrUnreachable";
    case Kind::kSometimes:
      return "Sometimes";
    case Kind::kReachable:
      return "Reachable";
    case Kind::kUnreachable:
      break;
  }
  return "Unreachable";
}

constexpr bool MustHit(Kind kind) {
  return kind == Kind::kAlways || kind == Kind::kSometimes || kind == Kind::kReachable;
}

// What identifies an assertion: its kind, message and location. file and function are
// NUL-terminated and outlive the site (string literals for the macros).
struct SiteInfo {
  Kind kind;
  std::string_view message;
  const char* file;
  const char* function;
  int line;
  int column;
};

// {"antithesis_assert":{...}}: `hit` false is a catalog registration; `details` null or an object.
inline std::string AssertLine(const SiteInfo& site, bool hit, bool condition,
                              const Details* details) {
  std::string line;
  line.reserve(224 + 2 * site.message.size());
  line.append(R"({"antithesis_assert":{"assert_type":")");
  line.append(AssertTypeOf(site.kind));
  line.append(R"(","display_type":")");
  line.append(DisplayTypeOf(site.kind));
  line.append(R"(","condition":)");
  line.append(condition ? "true" : "false");
  line.append(R"(,"hit":)");
  line.append(hit ? "true" : "false");
  line.append(R"(,"must_hit":)");
  line.append(MustHit(site.kind) ? "true" : "false");
  line.append(R"(,"id":)");
  AppendJsonString(line, site.message);
  line.append(R"(,"message":)");
  AppendJsonString(line, site.message);
  line.append(R"(,"location":{"file":)");
  AppendJsonString(line, site.file);
  line.append(R"(,"function":)");
  AppendJsonString(line, site.function);
  line.append(R"(,"class":"","begin_line":)");
  AppendInteger(line, site.line);
  line.append(R"(,"begin_column":)");
  AppendInteger(line, site.column);
  line.append(R"(},"details":)");
  if (details == nullptr) {
    line.append("null");
  } else {
    details->append_json(line);
  }
  line.append("}}");
  return line;
}

// {"antithesis_setup":{"status":"complete","details":...}}; empty details are written as null.
inline std::string SetupCompleteLine(const Details& details) {
  std::string line = R"({"antithesis_setup":{"status":"complete","details":)";
  if (details.empty()) {
    line.append("null");
  } else {
    details.append_json(line);
  }
  line.append("}}");
  return line;
}

// {"<name>":{...details}}: a user event.
inline std::string EventLine(std::string_view name, const Details& details) {
  std::string line = "{";
  AppendJsonString(line, name);
  line.push_back(':');
  details.append_json(line);
  line.push_back('}');
  return line;
}

// The top-level keys the protocol reserves; an event must not be named after one.
inline bool IsReservedKey(std::string_view name) {
  return name == "antithesis_sdk" || name == "antithesis_assert" || name == "antithesis_guidance" ||
         name == "antithesis_setup";
}

inline std::string SdkInfoLine() {
  std::string line = R"({"antithesis_sdk":{"language":{"name":"C++","version":)";
#if defined(__VERSION__)
  AppendJsonString(line, __VERSION__);
#else
  line.append("\"\"");
#endif
  line.append(R"(},"sdk_version":")" FAULTLINE_SDK_VERSION R"(","protocol_version":"1.1.0"}})");
  return line;
}

// ---- The process-wide writer ----------------------------------------------------------------

// Output: the one file this process writes, opened on first use from ANTITHESIS_SDK_LOCAL_OUTPUT.
// Leaked on purpose, so that assertions in static destructors still find it.
class Output {
 public:
  static Output& Get() {
    static Output* output = new Output();
    return *output;
  }

  bool enabled() const { return fd_ >= 0; }

  // Appends `line` and a newline with one write(2), so lines never interleave.
  void Write(std::string line) {
    if (fd_ < 0) return;
    line.push_back('\n');
    std::lock_guard<std::mutex> lock(mu_);
    const char* p = line.data();
    size_t left = line.size();
    while (left > 0) {
      ssize_t n = ::write(fd_, p, left);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return;  // a full disk loses lines, never the workload
      p += n;
      left -= static_cast<size_t>(n);
    }
  }

 private:
  Output() {
    const char* path = std::getenv("ANTITHESIS_SDK_LOCAL_OUTPUT");
    if (path == nullptr || *path == '\0') return;
    fd_ = ::open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) {
      int err = errno;
      std::fprintf(stderr, "faultline sdk: cannot open %s (%s): assertions are off\n", path,
                   std::strerror(err));
      return;
    }
    Write(SdkInfoLine());
  }

  int fd_ = -1;
  std::mutex mu_;
};

// ---- Call sites of the macros -----------------------------------------------------------------

// Site: one macro call site. Constant-initialized, so it works before any constructor has run.
// Its state byte records what has been written; once both outcomes have been written, or as
// soon as the output turns out to be off, NeedsLine is false for good and evaluations stop at
// one relaxed load.
class Site {
 public:
  static constexpr uint8_t kPassWritten = 1;
  static constexpr uint8_t kFailWritten = 2;
  static constexpr uint8_t kRegistered = 4;

  constexpr explicit Site(const SiteInfo& info) : info_(info) {}

  bool NeedsLine(bool condition) const {
    return (state_.load(std::memory_order_relaxed) & Bit(condition)) == 0;
  }

  // Writes the catalog registration (hit:false) once; with the output off, marks both outcomes
  // as written so that evaluations cost nothing.
  void Register() {
    if (state_.fetch_or(kRegistered) & kRegistered) return;
    Output& output = Output::Get();
    if (!output.enabled()) {
      state_.fetch_or(kPassWritten | kFailWritten);
      return;
    }
    output.Write(AssertLine(info_, /*hit=*/false, /*condition=*/false, nullptr));
  }

  // Writes the line of one evaluation unless another thread already wrote this outcome.
  void Evaluated(bool condition, const Details& details) {
    Register();
    uint8_t bit = Bit(condition);
    if (state_.fetch_or(bit) & bit) return;
    Output::Get().Write(AssertLine(info_, /*hit=*/true, condition, &details));
  }

 private:
  static constexpr uint8_t Bit(bool condition) { return condition ? kPassWritten : kFailWritten; }

  SiteInfo info_;
  std::atomic<uint8_t> state_{0};
};

// One Site per call site: Tag is a local struct that the macro declares at the call site, so
// every call site instantiates its own SiteHolder. The `registered` member's initializer runs
// when the program starts, before main; the site itself needs no initializer to run.
template <typename Tag>
struct SiteHolder {
  static inline Site site{Tag::Info()};
  static inline const bool registered = (site.Register(), true);
};

template <typename MakeDetails>
[[gnu::noinline, gnu::cold]] void EvaluateSlow(Site& site, bool condition,
                                               MakeDetails& make_details) {
  site.Evaluated(condition, make_details());
}

template <typename Tag, typename MakeDetails>
inline void Evaluate(bool condition, MakeDetails&& make_details) {
  static_cast<void>(&SiteHolder<Tag>::registered);  // odr-use: registers the site before main
  Site& site = SiteHolder<Tag>::site;
  if (__builtin_expect(site.NeedsLine(condition), 0)) EvaluateSlow(site, condition, make_details);
}

enum class Compare : uint8_t { kGreater, kGreaterOrEqual, kLess, kLessOrEqual };

// left <op> right, right for every mix of signed and unsigned integers; with a floating operand
// both sides are compared as double.
template <typename L, typename R>
constexpr bool Compares(Compare op, const L& left, const R& right) {
  static_assert(std::is_arithmetic_v<L> && std::is_arithmetic_v<R> && !std::is_same_v<L, bool> &&
                    !std::is_same_v<R, bool>,
                "faultline: numeric assertions compare numbers");
  if constexpr (std::is_integral_v<L> && std::is_integral_v<R>) {
    auto less = [](const L& a, const R& b) {
      if constexpr (std::is_signed_v<L> == std::is_signed_v<R>) {
        return a < b;
      } else if constexpr (std::is_signed_v<L>) {
        return a < 0 || static_cast<std::make_unsigned_t<L>>(a) < b;
      } else {
        return b >= 0 && a < static_cast<std::make_unsigned_t<R>>(b);
      }
    };
    auto equal = [](const L& a, const R& b) {
      if constexpr (std::is_signed_v<L> == std::is_signed_v<R>) {
        return a == b;
      } else if constexpr (std::is_signed_v<L>) {
        return a >= 0 && static_cast<std::make_unsigned_t<L>>(a) == b;
      } else {
        return b >= 0 && a == static_cast<std::make_unsigned_t<R>>(b);
      }
    };
    switch (op) {
      case Compare::kGreater:
        return !less(left, right) && !equal(left, right);
      case Compare::kGreaterOrEqual:
        return !less(left, right);
      case Compare::kLess:
        return less(left, right);
      case Compare::kLessOrEqual:
        return less(left, right) || equal(left, right);
    }
    return false;
  } else {
    double a = static_cast<double>(left);
    double b = static_cast<double>(right);
    switch (op) {
      case Compare::kGreater:
        return a > b;
      case Compare::kGreaterOrEqual:
        return a >= b;
      case Compare::kLess:
        return a < b;
      case Compare::kLessOrEqual:
        return a <= b;
    }
    return false;
  }
}

template <typename Tag, typename L, typename R, typename MakeDetails>
inline void EvaluateNumeric(Compare op, const L& left, const R& right, MakeDetails&& make_details) {
  Evaluate<Tag>(Compares(op, left, right), [&] {
    Details details = make_details();
    details.set("left", left).set("right", right);
    return details;
  });
}

template <typename Tag, typename MakeDetails>
inline void EvaluateBools(bool want_all, const Bools& bools, MakeDetails&& make_details) {
  Evaluate<Tag>(want_all ? bools.all() : bools.any(), [&] {
    Details details = make_details();
    bools.add_to(details);
    return details;
  });
}

// Whether any named boolean is true; what the disabled macros evaluate.
inline bool AnyOf(const Bools& bools) { return bools.any(); }

// The details of a macro call: its arguments after the message, if any.
inline Details DetailsOf(std::string_view /*message*/) { return Details(); }
inline Details DetailsOf(std::string_view /*message*/, const Details& details) { return details; }

// FNV-1a 64 of `text`, continuing from `hash`.
inline uint64_t Fnv1a64(std::string_view text, uint64_t hash = 0xcbf29ce484222325ULL) {
  for (char c : text) hash = (hash ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
  return hash;
}

// ---- The function forms' state ------------------------------------------------------------------

// Which outcomes of which (kind, message) this process has written, for the function forms.
class RuntimeSites {
 public:
  static RuntimeSites& Get() {
    static RuntimeSites* sites = new RuntimeSites();
    return *sites;
  }

  // True exactly once per (kind, message, condition): the caller writes that line.
  bool Claim(Kind kind, std::string_view message, bool condition) {
    char kind_byte = static_cast<char>(kind);
    uint64_t key = Fnv1a64(message, Fnv1a64(std::string_view(&kind_byte, 1)));
    uint8_t bit = condition ? 1 : 2;
    std::lock_guard<std::mutex> lock(mu_);
    uint8_t& state = written_[key];
    if (state & bit) return false;
    state = static_cast<uint8_t>(state | bit);
    return true;
  }

 private:
  std::mutex mu_;
  std::unordered_map<uint64_t, uint8_t> written_;
};

inline void EvaluateRuntime(Kind kind, std::string_view message, bool condition,
                            const Details& details, const Location& location) {
#if defined(FAULTLINE_SDK_DISABLED)
  static_cast<void>(kind), static_cast<void>(message), static_cast<void>(condition);
  static_cast<void>(details), static_cast<void>(location);
#else
  Output& output = Output::Get();
  if (!output.enabled() || !RuntimeSites::Get().Claim(kind, message, condition)) return;
  SiteInfo site{kind, message, location.file, location.function, location.line, location.column};
  output.Write(AssertLine(site, /*hit=*/true, condition, &details));
#endif
}

// ---- Randomness ---------------------------------------------------------------------------------

inline constexpr uint64_t kGoldenGamma = 0x9e3779b97f4a7c15ULL;

// The SplitMix64 output function.
constexpr uint64_t SplitMix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// The index-th draw (from 0) of the sequence of `seed`.
constexpr uint64_t SeededDraw(uint64_t seed, uint64_t index) {
  return SplitMix64(seed + (index + 1) * kGoldenGamma);
}

// FAULTLINE_SEED's number: a decimal uint64, or else the FNV-1a 64 hash of the text.
inline uint64_t SeedFromText(std::string_view text) {
  uint64_t seed = 0;
  auto result = std::from_chars(text.data(), text.data() + text.size(), seed);
  if (!text.empty() && result.ec == std::errc() && result.ptr == text.data() + text.size()) {
    return seed;
  }
  return Fnv1a64(text);
}

inline uint64_t OsEntropy() {
  uint64_t value = 0;
#if defined(FAULTLINE_INTERNAL_HAVE_GETRANDOM)
  if (::getrandom(&value, sizeof value, 0) == static_cast<ssize_t>(sizeof value)) return value;
#endif
  int fd = ::open("/dev/urandom", O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    ssize_t n = ::read(fd, &value, sizeof value);
    ::close(fd);
    if (n == static_cast<ssize_t>(sizeof value)) return value;
  }
  return (static_cast<uint64_t>(::getpid()) * kGoldenGamma) ^ reinterpret_cast<uintptr_t>(&value);
}

class Random {
 public:
  static Random& Get() {
    static Random* random = new Random();
    return *random;
  }

  uint64_t Next() {
    if (seeded_) return SeededDraw(seed_, next_index_.fetch_add(1, std::memory_order_relaxed));
    thread_local uint64_t state = OsEntropy();
    state += kGoldenGamma;
    return SplitMix64(state);
  }

 private:
  Random() {
    const char* text = std::getenv("FAULTLINE_SEED");
    if (text == nullptr || *text == '\0') return;
    seeded_ = true;
    seed_ = SeedFromText(text);
  }

  bool seeded_ = false;
  uint64_t seed_ = 0;
  std::atomic<uint64_t> next_index_{0};
};

}  // namespace internal

// ---------------------------------------------------------------------------------------------
// Functions. All may be called from any thread; none throws except on allocation failure.

// Whether lines are being written (ANTITHESIS_SDK_LOCAL_OUTPUT is set and its file is open).
// Use it to skip building costly details for the function forms.
inline bool enabled() {
#if defined(FAULTLINE_SDK_DISABLED)
  return false;
#else
  return internal::Output::Get().enabled();
#endif
}

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

namespace internal {
template <typename L, typename R>
inline void EvaluateRuntimeNumeric(Kind kind, Compare op, const L& left, const R& right,
                                   std::string_view message, const Details& details,
                                   const Location& location) {
  bool condition = Compares(op, left, right);
  if (!faultline::enabled()) return;
  Details with_operands = details;
  with_operands.set("left", left).set("right", right);
  EvaluateRuntime(kind, message, condition, with_operands, location);
}
}  // namespace internal

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
#if defined(FAULTLINE_SDK_DISABLED)
  static_cast<void>(details);
#else
  internal::Output& output = internal::Output::Get();
  if (output.enabled()) output.Write(internal::SetupCompleteLine(details));
#endif
}

// Sends an event {"<name>": details} to the history's timeline. Every call writes a line. A name
// the protocol reserves (antithesis_assert, antithesis_setup, antithesis_guidance,
// antithesis_sdk) is refused with a message on stderr, since it would be read as that line.
inline void send_event(std::string_view name, const Details& details = {}) {
#if defined(FAULTLINE_SDK_DISABLED)
  static_cast<void>(name), static_cast<void>(details);
#else
  internal::Output& output = internal::Output::Get();
  if (!output.enabled()) return;
  if (internal::IsReservedKey(name)) {
    std::fprintf(stderr, "faultline sdk: send_event: '%.*s' is a reserved name; event dropped\n",
                 static_cast<int>(name.size()), name.data());
    return;
  }
  output.Write(internal::EventLine(name, details));
#endif
}

// A random 64-bit number: the next draw of FAULTLINE_SEED's sequence when it is set, from the
// operating system otherwise (see "Randomness" at the top of this file).
inline uint64_t get_random() { return internal::Random::Get().Next(); }

// A uniform random number in [0, n), without modulo bias; 0 when n is 0.
inline uint64_t random_below(uint64_t n) {
  if (n == 0) return 0;
  uint64_t threshold = (0 - n) % n;  // reject the low values that would bias the remainder
  uint64_t draw = get_random();
  while (draw < threshold) draw = get_random();
  return draw % n;
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

#define FAULTLINE_INTERNAL_FIRST(...) FAULTLINE_INTERNAL_FIRST_(__VA_ARGS__, unused)
#define FAULTLINE_INTERNAL_FIRST_(first, ...) first

#if defined(__cpp_lib_source_location)
#define FAULTLINE_INTERNAL_MACRO_COLUMN static_cast<int>(std::source_location::current().column())
#else
#define FAULTLINE_INTERNAL_MACRO_COLUMN 0
#endif

#if defined(FAULTLINE_SDK_DISABLED)

// The condition is evaluated; the details compile (so variables used only there stay "used")
// but never run.
#define FAULTLINE_INTERNAL_ASSERT(kind, condition, ...)                          \
  do {                                                                           \
    static_cast<void>(condition);                                                \
    if (false) static_cast<void>(::faultline::internal::DetailsOf(__VA_ARGS__)); \
  } while (0)
#define FAULTLINE_INTERNAL_NUMERIC(kind, op, left, right, ...)                   \
  do {                                                                           \
    static_cast<void>(::faultline::internal::Compares(op, (left), (right)));     \
    if (false) static_cast<void>(::faultline::internal::DetailsOf(__VA_ARGS__)); \
  } while (0)
#define FAULTLINE_INTERNAL_BOOLS(kind, want_all, bools, ...)                     \
  do {                                                                           \
    static_cast<void>(::faultline::internal::AnyOf bools);                       \
    if (false) static_cast<void>(::faultline::internal::DetailsOf(__VA_ARGS__)); \
  } while (0)

#else

// Declares the call site: a local struct whose Info() names it, given to SiteHolder as a type.
#define FAULTLINE_INTERNAL_SITE(kind, ...)                                             \
  static_assert(sizeof("" FAULTLINE_INTERNAL_FIRST(__VA_ARGS__)) > 1,                  \
                "faultline: an assertion's message is a non-empty string literal");    \
  static constexpr const char* faultline_function_ = __func__;                         \
  struct FaultlineSite_ {                                                              \
    static constexpr ::faultline::internal::SiteInfo Info() {                          \
      return ::faultline::internal::SiteInfo{::faultline::internal::Kind::kind,        \
                                             "" FAULTLINE_INTERNAL_FIRST(__VA_ARGS__), \
                                             __FILE__,                                 \
                                             faultline_function_,                      \
                                             __LINE__,                                 \
                                             FAULTLINE_INTERNAL_MACRO_COLUMN};         \
    }                                                                                  \
  }

#define FAULTLINE_INTERNAL_ASSERT(kind, condition, ...)                                   \
  do {                                                                                    \
    FAULTLINE_INTERNAL_SITE(kind, __VA_ARGS__);                                           \
    ::faultline::internal::Evaluate<FaultlineSite_>(static_cast<bool>(condition), [&]() { \
      return ::faultline::internal::DetailsOf(__VA_ARGS__);                               \
    });                                                                                   \
  } while (0)

#define FAULTLINE_INTERNAL_NUMERIC(kind, op, left, right, ...)                                 \
  do {                                                                                         \
    FAULTLINE_INTERNAL_SITE(kind, __VA_ARGS__);                                                \
    ::faultline::internal::EvaluateNumeric<FaultlineSite_>(                                    \
        op, (left), (right), [&]() { return ::faultline::internal::DetailsOf(__VA_ARGS__); }); \
  } while (0)

#define FAULTLINE_INTERNAL_BOOLS(kind, want_all, bools, ...)                               \
  do {                                                                                     \
    FAULTLINE_INTERNAL_SITE(kind, __VA_ARGS__);                                            \
    ::faultline::internal::EvaluateBools<FaultlineSite_>(                                  \
        want_all, bools, [&]() { return ::faultline::internal::DetailsOf(__VA_ARGS__); }); \
  } while (0)

#endif  // FAULTLINE_SDK_DISABLED

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

#define FAULTLINE_INTERNAL_NB1(a) \
  { #a, static_cast < bool>(a) }
#define FAULTLINE_INTERNAL_NB2(a, ...) \
  FAULTLINE_INTERNAL_NB1(a), FAULTLINE_INTERNAL_NB1(__VA_ARGS__)
#define FAULTLINE_INTERNAL_NB3(a, ...) \
  FAULTLINE_INTERNAL_NB1(a), FAULTLINE_INTERNAL_NB2(__VA_ARGS__)
#define FAULTLINE_INTERNAL_NB4(a, ...) \
  FAULTLINE_INTERNAL_NB1(a), FAULTLINE_INTERNAL_NB3(__VA_ARGS__)
#define FAULTLINE_INTERNAL_NB5(a, ...) \
  FAULTLINE_INTERNAL_NB1(a), FAULTLINE_INTERNAL_NB4(__VA_ARGS__)
#define FAULTLINE_INTERNAL_NB6(a, ...) \
  FAULTLINE_INTERNAL_NB1(a), FAULTLINE_INTERNAL_NB5(__VA_ARGS__)
#define FAULTLINE_INTERNAL_NB7(a, ...) \
  FAULTLINE_INTERNAL_NB1(a), FAULTLINE_INTERNAL_NB6(__VA_ARGS__)
#define FAULTLINE_INTERNAL_NB8(a, ...) \
  FAULTLINE_INTERNAL_NB1(a), FAULTLINE_INTERNAL_NB7(__VA_ARGS__)
#define FAULTLINE_INTERNAL_NB9(a, ...) \
  FAULTLINE_INTERNAL_NB1(a), FAULTLINE_INTERNAL_NB8(__VA_ARGS__)
#define FAULTLINE_INTERNAL_NB10(a, ...) \
  FAULTLINE_INTERNAL_NB1(a), FAULTLINE_INTERNAL_NB9(__VA_ARGS__)
#define FAULTLINE_INTERNAL_NB_PICK(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, name, ...) name
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
