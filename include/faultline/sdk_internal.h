// faultline/sdk_internal.h: the machinery behind faultline/sdk.h (JSON text, the protocol's lines,
// the process-wide writer, call-site state, comparisons, the seeded sequence and the macros'
// insides). Not an API: include <faultline/sdk.h>; everything here may change in any release.
// `faultline sdk` builds its lines with these same functions, so shell scripts and C++ workloads
// write the same shapes. Same threading as the SDK: any thread, before and after main.
#pragma once

#ifndef FAULTLINE_SDK_VERSION
#error "include <faultline/sdk.h>, not faultline/sdk_internal.h"
#endif

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

namespace faultline::internal {

// ---- JSON text ------------------------------------------------------------------------------

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

// FNV-1a 64 of `text`, continuing from `hash`.
inline uint64_t Fnv1a64(std::string_view text, uint64_t hash = 0xcbf29ce484222325ULL) {
  for (char c : text) hash = (hash ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
  return hash;
}

// ---- Protocol lines ---------------------------------------------------------------------------

// The five kinds of the protocol's verdict table. The numeric and boolean forms are kAlways or
// kSometimes with operands in their details, as the official SDKs write them.
enum class Kind : uint8_t { kAlways, kAlwaysOrUnreachable, kSometimes, kReachable, kUnreachable };

// The protocol's assert_type: always, sometimes or reachability (must_hit tells the two apart).
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

// The protocol's display_type, the name a report shows.
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

// Whether a property of this kind fails when it is never reached.
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

// {"antithesis_assert":{...}}: `hit` false is a catalog registration. `details_json` is an object's
// compact JSON text, or nullptr for null.
inline std::string AssertLine(const SiteInfo& site, bool hit, bool condition,
                              const std::string* details_json) {
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
  line.append(details_json == nullptr ? std::string_view("null") : *details_json);
  line.append("}}");
  return line;
}

// {"antithesis_setup":{"status":"complete","details":...}}; nullptr details are written as null.
inline std::string SetupCompleteLine(const std::string* details_json) {
  std::string line = R"({"antithesis_setup":{"status":"complete","details":)";
  line.append(details_json == nullptr ? std::string_view("null") : *details_json);
  line.append("}}");
  return line;
}

// {"<name>":{...details}}: a user event.
inline std::string EventLine(std::string_view name, const std::string& details_json) {
  std::string line = "{";
  AppendJsonString(line, name);
  line.push_back(':');
  line.append(details_json);
  line.push_back('}');
  return line;
}

// The top-level keys the protocol reserves; an event must not be named after one.
inline bool IsReservedKey(std::string_view name) {
  return name == "antithesis_sdk" || name == "antithesis_assert" || name == "antithesis_guidance" ||
         name == "antithesis_setup";
}

// {"antithesis_sdk":{...}}: the first line a process writes, naming this SDK and the compiler.
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

// Writes all of `data` to `fd`, resuming after a signal or a short write. False on an error.
inline bool WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// Output: the one file this process writes, opened on first use from ANTITHESIS_SDK_LOCAL_OUTPUT.
// Leaked on purpose, so that assertions in static destructors still find it. O_APPEND with one
// write(2) per line makes each line land whole even with other processes on the same file (Linux
// serializes writes to a regular file); the mutex keeps this process's threads, and the rest of
// a short write, in order. Opening with O_CLOEXEC keeps the descriptor from children: they open
// the file themselves from the same variable.
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
    WriteAll(fd_, line);  // a full disk loses lines, never the workload
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

// Whether lines are being written: never in a FAULTLINE_SDK_DISABLED build, else when the output
// file is open.
inline bool OutputEnabled() {
#if defined(FAULTLINE_SDK_DISABLED)
  return false;
#else
  return Output::Get().enabled();
#endif
}

// ---- Call sites of the macros -----------------------------------------------------------------

// Site: one macro call site. Constant-initialized, so it works before any constructor has run.
// Its state byte records what has been written; once both outcomes have been written, or as
// soon as the output turns out to be off, NeedsLine is false for good and evaluations stop at
// one relaxed load.
//
// Relaxed is enough: the byte only ever gains bits, and the thread whose fetch_or sets a bit is
// the one that writes that line, so a stale read costs at most a trip to the slow path, where
// fetch_or decides. A site used before its registration ran (from another file's static
// initializer) finds the byte 0, takes the slow path, and registers itself there.
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
    if (state_.fetch_or(kRegistered) & kRegistered) return;  // one registration per process
    Output& output = Output::Get();
    if (!output.enabled()) {
      state_.fetch_or(kPassWritten | kFailWritten);
      return;
    }
    output.Write(AssertLine(info_, /*hit=*/false, /*condition=*/false, nullptr));
  }

  // Writes the line of one evaluation unless another thread already wrote this outcome.
  void Evaluated(bool condition, const std::string& details_json) {
    Register();
    uint8_t bit = Bit(condition);
    if (state_.fetch_or(bit) & bit) return;
    Output::Get().Write(AssertLine(info_, /*hit=*/true, condition, &details_json));
  }

 private:
  static constexpr uint8_t Bit(bool condition) { return condition ? kPassWritten : kFailWritten; }

  SiteInfo info_;
  std::atomic<uint8_t> state_{0};
};

// One Site per call site: Tag is a local struct that the macro declares at the call site, so
// every call site instantiates its own SiteHolder. The `registered` member's initializer runs
// when the program starts, before main; the site itself needs no initializer to run.
//
// Why this registers sites that never run: Evaluate<Tag> odr-uses `registered`, which
// instantiates it while the enclosing function is compiled, whether or not anything calls that
// function; an instantiated static data member with a dynamic initializer is initialized at
// start-up (GCC and Clang do so before main, in the file's initialization function), and its
// side effect keeps it from being discarded with the unused function's code. An inline function
// used in several files has one local struct, hence one site, across them.
template <typename Tag>
struct SiteHolder {
  static inline Site site{Tag::Info()};
  static inline const bool registered = (site.Register(), true);
};

// Out of line and cold, so that the inlined part of every call site is a load, a test and a
// branch; the details are built here, only when a line may be written.
template <typename MakeDetails>
[[gnu::noinline, gnu::cold]] void EvaluateSlow(Site& site, bool condition,
                                               MakeDetails& make_details) {
  site.Evaluated(condition, make_details().to_json());
}

template <typename Tag, typename MakeDetails>
inline void Evaluate(bool condition, MakeDetails&& make_details) {
  static_cast<void>(&SiteHolder<Tag>::registered);  // odr-use: registers the site before main
  Site& site = SiteHolder<Tag>::site;
  if (__builtin_expect(site.NeedsLine(condition), 0)) EvaluateSlow(site, condition, make_details);
}

// The comparison of a numeric form (left <op> right).
enum class Compare : uint8_t { kGreater, kGreaterOrEqual, kLess, kLessOrEqual };

// left <op> right, right for every mix of signed and unsigned integers; with a floating operand
// both sides are compared as double.
template <typename L, typename R>
constexpr bool Compares(Compare op, const L& left, const R& right) {
  static_assert(std::is_arithmetic_v<L> && std::is_arithmetic_v<R> && !std::is_same_v<L, bool> &&
                    !std::is_same_v<R, bool>,
                "faultline: numeric assertions compare numbers");
  if constexpr (std::is_integral_v<L> && std::is_integral_v<R>) {
    // The built-in operators would turn -1 into a huge unsigned number; compare values instead
    // (what C++20's std::cmp_less does), a negative signed side first.
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
    auto details = make_details();
    details.set("left", left).set("right", right);
    return details;
  });
}

template <typename Tag, typename BoolsT, typename MakeDetails>
inline void EvaluateBools(bool want_all, const BoolsT& bools, MakeDetails&& make_details) {
  Evaluate<Tag>(want_all ? bools.all() : bools.any(), [&] {
    auto details = make_details();
    bools.add_to(details);
    return details;
  });
}

// ---- The function forms' state ------------------------------------------------------------------

// Which outcomes of which (kind, message) this process has written, for the function forms. Keyed
// by a 64-bit hash rather than the text, so a call after the first allocates nothing; a
// collision would only drop a line.
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

// One evaluation of a function-form assertion: writes its line unless this (kind, message,
// outcome) was written already. DetailsT is Details, LocationT is Location.
template <typename DetailsT, typename LocationT>
inline void EvaluateRuntime(Kind kind, std::string_view message, bool condition,
                            const DetailsT& details, const LocationT& location) {
  if (!OutputEnabled() || !RuntimeSites::Get().Claim(kind, message, condition)) return;
  SiteInfo site{kind, message, location.file, location.function, location.line, location.column};
  std::string details_json = details.to_json();
  Output::Get().Write(AssertLine(site, /*hit=*/true, condition, &details_json));
}

// A numeric function form: the comparison is evaluated on every call, the details only when a
// line may be written.
template <typename L, typename R, typename DetailsT, typename LocationT>
inline void EvaluateRuntimeNumeric(Kind kind, Compare op, const L& left, const R& right,
                                   std::string_view message, const DetailsT& details,
                                   const LocationT& location) {
  bool condition = Compares(op, left, right);
  if (!OutputEnabled()) return;
  DetailsT with_operands = details;
  with_operands.set("left", left).set("right", right);
  EvaluateRuntime(kind, message, condition, with_operands, location);
}

// ---- Randomness ---------------------------------------------------------------------------------
//
// The seeded sequence is SplitMix64 indexed by draw number: a counter is all the state, so draws
// are lock-free across threads, and `faultline sdk random` continues it across processes by
// keeping the counter in a file. Without a seed, a generator per thread seeded by the OS.

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

// A uniform number in [0, n) from `next()`, a source of uniform 64-bit numbers, without modulo
// bias: the low draws that would favour small remainders are drawn again. n must not be 0.
template <typename Next>
uint64_t UniformBelow(uint64_t n, Next&& next) {
  uint64_t threshold = (0 - n) % n;
  uint64_t draw = next();
  while (draw < threshold) draw = next();
  return draw % n;
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

// 64 bits from the operating system: getrandom, else /dev/urandom, else the pid and an address
// (a sandbox without either still gets different numbers per process).
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

// Random: the process's source for get_random(), reading FAULTLINE_SEED on first use. Leaked
// like Output, for draws from static destructors.
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

}  // namespace faultline::internal

// The column of a function-form call (default arguments) and of a macro call site, where the
// compiler can tell it; 0 elsewhere.
#if defined(__has_builtin)
#if __has_builtin(__builtin_COLUMN)
#define FAULTLINE_INTERNAL_BUILTIN_COLUMN __builtin_COLUMN()
#endif
#endif
#ifndef FAULTLINE_INTERNAL_BUILTIN_COLUMN
#define FAULTLINE_INTERNAL_BUILTIN_COLUMN 0
#endif
#if defined(__cpp_lib_source_location)
#define FAULTLINE_INTERNAL_MACRO_COLUMN static_cast<int>(std::source_location::current().column())
#else
#define FAULTLINE_INTERNAL_MACRO_COLUMN 0
#endif

// ---- The macros' insides ------------------------------------------------------------------------
//
// The details are a lambda, [&] { return DetailsOf(message, details...); }, so that a braced list
// with commas passes through the macro as `...` and is built only when a line may be written.

#define FAULTLINE_INTERNAL_FIRST(...) FAULTLINE_INTERNAL_FIRST_(__VA_ARGS__, unused)
#define FAULTLINE_INTERNAL_FIRST_(first, ...) first

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
    static_cast<void>(::faultline::internal::AsBools bools.any());               \
    if (false) static_cast<void>(::faultline::internal::DetailsOf(__VA_ARGS__)); \
  } while (0)

#else

// Declares the call site: a local struct whose Info() names it, given to SiteHolder as a type.
// - `"" FIRST(...)` pastes the message after an empty literal: it compiles only for a string
//   literal, which a constexpr Info() (hence a constant-initialized Site) needs.
// - The enclosing function's name is taken outside the struct (inside, __func__ would be
//   "Info"); a local class may read the enclosing function's static variables.
// - The message is the first of the variadic arguments, so that a call without details leaves
//   no empty `...` (which C++17 -Wpedantic rejects); DetailsOf takes them all and ignores it.
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

#define FAULTLINE_INTERNAL_BOOLS(kind, want_all, bools, ...)              \
  do {                                                                    \
    FAULTLINE_INTERNAL_SITE(kind, __VA_ARGS__);                           \
    ::faultline::internal::EvaluateBools<FaultlineSite_>(                 \
        want_all, ::faultline::internal::AsBools bools,                   \
        [&]() { return ::faultline::internal::DetailsOf(__VA_ARGS__); }); \
  } while (0)

#endif  // FAULTLINE_SDK_DISABLED

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
