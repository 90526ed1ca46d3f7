// Json: nlohmann::json under faultline's name, and the one place its parser is compiled. Every
// file that calls Json::parse itself instantiates the whole parser for its input type (about
// 17 s of compile time per file in the sanitized build), so files parse through ParseJson.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

namespace faultline {

using Json = nlohmann::json;

// `text` as a JSON value; a value whose is_discarded() is true when `text` is not JSON.
Json ParseJson(std::string_view text);

}  // namespace faultline
