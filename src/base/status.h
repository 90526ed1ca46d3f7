// Status and Result<T>: how faultline returns operational errors (a file that cannot be read, a
// process that cannot start, a port that cannot be bound). Verdicts are never Statuses: a failed
// property is data. Result<T> is shaped like std::expected so that a later switch is a rename.
// Both are plain values; any thread may use them.
#pragma once

#include <fmt/format.h>

#include <cerrno>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace faultline {

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  static Status Ok() { return Status(); }
  static Status Error(std::string message) { return Status(std::move(message)); }
  // An error from a failed system call: "<what>: <strerror(errnum)>". The one place where errno
  // becomes text.
  static Status FromErrno(std::string_view what, int errnum = errno);

  bool ok() const { return !message_.has_value(); }
  explicit operator bool() const { return ok(); }
  // The error message; empty when ok().
  const std::string& message() const;
  // Returns a copy whose message is "<context>: <message>"; OK stays OK.
  Status Context(std::string_view context) const;

 private:
  explicit Status(std::string message) : message_(std::move(message)) {}
  std::optional<std::string> message_;
};

// The error side of a Result, so that `return Unexpected("...")` reads well.
struct Unexpected {
  explicit Unexpected(std::string m) : message(std::move(m)) {}
  explicit Unexpected(const Status& s) : message(s.message()) {}
  std::string message;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}           // NOLINT: implicit, as std::expected
  Result(Unexpected error) : v_(std::move(error)) {}  // NOLINT

  bool ok() const { return std::holds_alternative<T>(v_); }
  bool has_value() const { return ok(); }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  // The value, or `fallback` on error.
  T value_or(T fallback) const& { return ok() ? std::get<T>(v_) : std::move(fallback); }
  // The error message; only valid when !ok().
  const std::string& error() const { return std::get<Unexpected>(v_).message; }
  Status status() const { return ok() ? Status::Ok() : Status::Error(error()); }

 private:
  std::variant<T, Unexpected> v_;
};

}  // namespace faultline

// Returns early from the enclosing function with the error of a failed Status-returning call.
#define FL_RETURN_IF_ERROR(expr)             \
  do {                                       \
    ::faultline::Status fl_status_ = (expr); \
    if (!fl_status_.ok()) return fl_status_; \
  } while (0)
