#include "topology/ports.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <mutex>
#include <set>

#include "base/unique_fd.h"

namespace faultline {

Result<int> AllocatePort() {
  static std::mutex mu;
  static std::set<int> handed_out;
  for (int attempt = 0; attempt < 64; ++attempt) {
    UniqueFd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd) return Unexpected(Status::FromErrno("socket"));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      return Unexpected(Status::FromErrno("bind 127.0.0.1:0"));
    }
    socklen_t len = sizeof addr;
    if (getsockname(fd.get(), reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      return Unexpected(Status::FromErrno("getsockname"));
    }
    int port = ntohs(addr.sin_port);
    std::lock_guard lock(mu);
    if (handed_out.insert(port).second) return port;
  }
  return Unexpected("no free loopback port found in 64 attempts");
}

bool PortAccepts(int port) {
  UniqueFd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  // Loopback connects complete or are refused at once, so a blocking connect does not stall.
  return connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
}

}  // namespace faultline
