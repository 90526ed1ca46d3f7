// Free loopback ports for services and proxy listeners. A port is found by binding 127.0.0.1:0
// and is remembered for the life of the process, so that two histories of one run never get the
// same port even before either binds it. Thread-safe.
#pragma once

#include "base/status.h"

namespace faultline {

// A loopback TCP port that nothing listens on now and that this process has not handed out.
Result<int> AllocatePort();
// True when something accepts TCP connections on 127.0.0.1:port (connects and closes at once).
bool PortAccepts(int port);

}  // namespace faultline
