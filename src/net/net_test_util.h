// Test helpers for the fault proxy's tests: blocking loopback sockets with timeouts, a listener to
// play the upstream server, reads that report EOF, reset and timeouts distinctly, and a descriptor
// count. Test code only; each helper is used from the test's own thread.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>

#include "base/unique_fd.h"

namespace faultline::net::testing {

using TestClock = std::chrono::steady_clock;

inline double MsSince(TestClock::time_point start) {
  return std::chrono::duration<double, std::milli>(TestClock::now() - start).count();
}

inline sockaddr_in Loopback(uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

// Connects to 127.0.0.1:port; invalid on failure (errno says why).
inline UniqueFd Connect(uint16_t port) {
  UniqueFd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in a = Loopback(port);
  if (connect(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return UniqueFd();
  int one = 1;
  setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

inline bool WaitReadable(int fd, int timeout_ms) {
  pollfd p{fd, POLLIN, 0};
  return poll(&p, 1, timeout_ms) > 0;
}

// A listening socket on 127.0.0.1:0 that plays the upstream server.
class TestServer {
 public:
  TestServer() : fd_(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    sockaddr_in a = Loopback(0);
    bind(fd_.get(), reinterpret_cast<sockaddr*>(&a), sizeof a);
    listen(fd_.get(), 4096);
    socklen_t len = sizeof a;
    getsockname(fd_.get(), reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
  }
  uint16_t port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  // The next connection the proxy made, or invalid after `timeout_ms`.
  UniqueFd Accept(int timeout_ms = 5000) {
    if (!WaitReadable(fd_.get(), timeout_ms)) return UniqueFd();
    UniqueFd fd(accept4(fd_.get(), nullptr, nullptr, SOCK_CLOEXEC));
    int one = 1;
    setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
  }
  void Close() { fd_.Reset(); }

 private:
  UniqueFd fd_;
  uint16_t port_ = 0;
};

inline bool WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

struct ReadResult {
  std::string data;
  bool eof = false;
  bool reset = false;
  bool timed_out = false;
  int reads = 0;  // recv calls that returned bytes
};

// Reads until `want` bytes arrived, EOF, an error or `timeout_ms` passed (want 0: until EOF).
inline ReadResult ReadFor(int fd, size_t want, int timeout_ms) {
  ReadResult r;
  auto deadline = TestClock::now() + std::chrono::milliseconds(timeout_ms);
  char buf[65536];
  while (want == 0 || r.data.size() < want) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - TestClock::now());
    if (left.count() <= 0 || !WaitReadable(fd, static_cast<int>(left.count()))) {
      r.timed_out = true;
      break;
    }
    size_t cap = want == 0 ? sizeof buf : std::min(sizeof buf, want - r.data.size());
    ssize_t n = read(fd, buf, cap);  // read, not recv: pipes too
    if (n > 0) {
      r.data.append(buf, static_cast<size_t>(n));
      ++r.reads;
    } else if (n == 0) {
      r.eof = true;
      break;
    } else if (errno != EINTR) {
      r.reset = errno == ECONNRESET;
      break;
    }
  }
  return r;
}

// Sets SO_LINGER 0, so that closing sends RST.
inline void CloseWithReset(UniqueFd& fd) {
  linger l{1, 0};
  setsockopt(fd.get(), SOL_SOCKET, SO_LINGER, &l, sizeof l);
  fd.Reset();
}

inline size_t CountOpenFds() {
  size_t n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) ++n;
  return n;
}

}  // namespace faultline::net::testing
