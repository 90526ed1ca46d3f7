// The SDK lines `faultline td` writes under faults: reachable("...") assertions in the JSON-lines
// protocol of ../shared/spec/sdk-protocol.md, appended to $ANTITHESIS_SDK_LOCAL_OUTPUT when it is
// set (and nothing otherwise). Any thread; each call appends one whole line.
#pragma once

#include <string>

namespace faultline::td {

// Appends a passing Reachable assertion with `message` as its id; `details` is a JSON object.
void SdkReachable(const std::string& message, const std::string& file);

}  // namespace faultline::td
