#include "base/status.h"

#include <cstring>

namespace faultline {

Status Status::FromErrno(std::string_view what, int errnum) {
  return Status(fmt::format("{}: {}", what, std::strerror(errnum)));
}

const std::string& Status::message() const {
  static const std::string kEmpty;
  return message_ ? *message_ : kEmpty;
}

Status Status::Context(std::string_view context) const {
  if (ok()) return *this;
  return Status(fmt::format("{}: {}", context, *message_));
}

}  // namespace faultline
