#include "topology/ports.h"

#include <sys/socket.h>

#include <mutex>
#include <set>

#include "net/socket.h"

namespace faultline {

Result<int> AllocatePort() {
  static std::mutex mu;
  static std::set<int> handed_out;
  for (int attempt = 0; attempt < 64; ++attempt) {
    auto listener = net::ListenTcp(net::LoopbackAddress(0));
    if (!listener) return Unexpected(listener.error());
    auto bound = net::LocalAddress(listener->get());
    if (!bound) return Unexpected(bound.error());
    int port = ntohs(bound->sin_port);
    std::lock_guard lock(mu);
    if (handed_out.insert(port).second) return port;
  }
  return Unexpected("no free loopback port found in 64 attempts");
}

bool PortAccepts(int port) {
  UniqueFd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) return false;
  sockaddr_in addr = net::LoopbackAddress(static_cast<uint16_t>(port));
  // Loopback connects complete or are refused at once, so a blocking connect does not stall.
  return connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
}

}  // namespace faultline
