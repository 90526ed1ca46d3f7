// MD5 (RFC 1321, computed by OpenSSL), only for testdrive's "N values hashing to MD5" lines: a
// compatibility format, not a security boundary. Pure, any thread.
#pragma once

#include <string>
#include <string_view>

namespace faultline::td {

// The MD5 of `data` as 32 lower-case hex digits.
std::string Md5Hex(std::string_view data);

}  // namespace faultline::td
