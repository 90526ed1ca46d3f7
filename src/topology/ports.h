// Free loopback ports for services. A service's port is free whenever the service is down (a
// kill, a restart): a port of the kernel's ephemeral range could then become the local port of
// any outgoing connection on the machine, and the service could not bind it again. So auto
// ports are drawn from just below that range (ip_local_port_range), found free by binding them,
// and remembered for the life of the process, so that two histories of one run never get the
// same port even before either binds it. Thread-safe.
#pragma once

#include "base/status.h"

namespace faultline {

struct PortRange {
  int begin = 0;  // first port
  int end = 0;    // one past the last
};
// Where auto ports come from: the 12,000 ports below the ephemeral range, above 1023.
PortRange AutoPortRange();
// A loopback TCP port that nothing is bound to now, that this process has not handed out, and
// that is outside the ephemeral range when there is room below it.
Result<int> AllocatePort();
// True when something accepts TCP connections on 127.0.0.1:port (connects and closes at once).
bool PortAccepts(int port);

}  // namespace faultline
