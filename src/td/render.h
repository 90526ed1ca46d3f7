// Value rendering: turns PostgreSQL's text output of one value into the text testdrive would
// show for it (booleans true/false, floats inf/-inf/NaN without exponents, timestamptz in UTC
// with " UTC", compact jsonb, bytea with ASCII escapes, "char" as its number). Types testdrive
// does not decode keep PostgreSQL's text. Pure functions, any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace faultline::td {

// Type OIDs that rendering distinguishes (pg_type.oid, stable across PostgreSQL versions).
namespace oid {
constexpr uint32_t kBool = 16, kBytea = 17, kChar = 18, kInt8 = 20, kInt2 = 21, kInt4 = 23,
                   kText = 25, kOid = 26, kJson = 114, kFloat4 = 700, kFloat8 = 701, kBpchar = 1042,
                   kVarchar = 1043, kDate = 1082, kTime = 1083, kTimestamp = 1114,
                   kTimestamptz = 1184, kInterval = 1186, kNumeric = 1700, kUuid = 2950,
                   kJsonb = 3802;
}  // namespace oid

// Renders `text` (PostgreSQL's text output for a value of type `type_oid`).
std::string RenderValue(uint32_t type_oid, std::string_view text);

// The individual renderings, exposed for tests.
std::string RenderFloat(std::string_view text, bool single_precision);
std::string RenderTimestamp(std::string_view text, bool with_zone);
std::string RenderTime(std::string_view text);
std::string RenderJson(std::string_view text);
std::string RenderBytea(std::string_view text);

}  // namespace faultline::td
