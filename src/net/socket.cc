#include "net/socket.h"

#include <arpa/inet.h>
#include <linux/netfilter_ipv4.h>
#include <netdb.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "base/strings.h"

namespace faultline::net {

Result<std::pair<std::string, uint16_t>> SplitHostPort(std::string_view text) {
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) {
    return Unexpected(fmt::format("address '{}' is not host:port", text));
  }
  auto port = ParseUint(text.substr(colon + 1));
  if (!port || *port > 65535) {
    return Unexpected(fmt::format("address '{}' has no port in 0..65535", text));
  }
  std::string host(text.substr(0, colon));
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    return Unexpected(fmt::format("address '{}': only IPv4 is supported", text));
  }
  if (host.empty()) host = "127.0.0.1";
  return std::pair<std::string, uint16_t>(host, static_cast<uint16_t>(*port));
}

Result<sockaddr_in> ResolveAddress(std::string_view text) {
  auto hp = SplitHostPort(text);
  if (!hp) return Unexpected(hp.error());
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(hp->second);
  if (inet_pton(AF_INET, hp->first.c_str(), &addr.sin_addr) == 1) return addr;
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  int rc = getaddrinfo(hp->first.c_str(), nullptr, &hints, &found);
  if (rc != 0 || found == nullptr) {
    return Unexpected(fmt::format("address '{}' does not resolve: {}", text, gai_strerror(rc)));
  }
  addr.sin_addr = reinterpret_cast<sockaddr_in*>(found->ai_addr)->sin_addr;
  freeaddrinfo(found);
  return addr;
}

std::string FormatAddress(const sockaddr_in& addr) {
  char ip[INET_ADDRSTRLEN] = {};
  inet_ntop(AF_INET, &addr.sin_addr, ip, sizeof ip);
  return fmt::format("{}:{}", ip, ntohs(addr.sin_port));
}

sockaddr_in LoopbackAddress(uint16_t port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  return addr;
}

Result<UniqueFd> ListenTcp(const sockaddr_in& addr) {
  UniqueFd fd(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd) return Unexpected(Status::FromErrno("socket"));
  int one = 1;
  setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    return Unexpected(Status::FromErrno("bind " + FormatAddress(addr)));
  }
  if (listen(fd.get(), SOMAXCONN) != 0) {
    return Unexpected(Status::FromErrno("listen " + FormatAddress(addr)));
  }
  return fd;
}

Result<sockaddr_in> LocalAddress(int fd) {
  sockaddr_in addr{};
  socklen_t len = sizeof addr;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    return Unexpected(Status::FromErrno("getsockname"));
  }
  return addr;
}

Result<UniqueFd> DialTcp(const sockaddr_in& addr, uint32_t mark) {
  UniqueFd fd(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd) return Unexpected(Status::FromErrno("socket"));
  SetNoDelay(fd.get());
  if (mark != 0 && setsockopt(fd.get(), SOL_SOCKET, SO_MARK, &mark, sizeof mark) != 0) {
    return Unexpected(Status::FromErrno("SO_MARK"));
  }
  if (connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0 &&
      errno != EINPROGRESS) {
    return Unexpected(Status::FromErrno("connect " + FormatAddress(addr)));
  }
  return fd;
}

Result<sockaddr_in> OriginalDestination(int fd) {
  sockaddr_in addr{};
  socklen_t len = sizeof addr;
  if (getsockopt(fd, SOL_IP, SO_ORIGINAL_DST, &addr, &len) != 0) {
    return Unexpected(Status::FromErrno("SO_ORIGINAL_DST"));
  }
  return addr;
}

Result<sockaddr_in> PeerAddress(int fd) {
  sockaddr_in addr{};
  socklen_t len = sizeof addr;
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    return Unexpected(Status::FromErrno("getpeername"));
  }
  return addr;
}

void SetNoDelay(int fd) {
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

void SetResetOnClose(int fd) {
  linger l{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
}

}  // namespace faultline::net
