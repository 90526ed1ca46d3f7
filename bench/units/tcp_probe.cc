// tcp_probe: the two measurements bench/units.sh makes between two network namespaces.
//   tcp_probe serve PORT           answers connections: 'e' echoes 64-byte messages, 's' sinks
//                                  a stream and answers its byte count
//   tcp_probe rtt HOST PORT N      N round trips of 64 bytes; prints "rtt_p50_us X"
//   tcp_probe stream HOST PORT MB  sends MB MiB; prints "mib_per_s X"
// Bounded: N and MB are capped, every socket has a 10 s timeout.
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

namespace {

constexpr size_t kMessage = 64;

void SetTimeouts(int fd) {
  timeval tv{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

bool ReadAll(int fd, char* buf, size_t n) {
  while (n > 0) {
    ssize_t got = read(fd, buf, n);
    if (got <= 0) return false;
    buf += got;
    n -= static_cast<size_t>(got);
  }
  return true;
}

bool WriteAll(int fd, const char* buf, size_t n) {
  while (n > 0) {
    ssize_t put = write(fd, buf, n);
    if (put <= 0) return false;
    buf += put;
    n -= static_cast<size_t>(put);
  }
  return true;
}

void Serve(int fd) {
  SetTimeouts(fd);
  char mode = 0;
  if (!ReadAll(fd, &mode, 1)) return (void)close(fd);
  if (mode == 'e') {
    char buf[kMessage];
    while (ReadAll(fd, buf, sizeof buf) && WriteAll(fd, buf, sizeof buf)) {
    }
  } else if (mode == 's') {
    std::vector<char> buf(1 << 16);
    uint64_t total = 0;
    ssize_t got;
    while ((got = read(fd, buf.data(), buf.size())) > 0) total += static_cast<uint64_t>(got);
    WriteAll(fd, reinterpret_cast<const char*>(&total), sizeof total);
  }
  close(fd);
}

int Listen(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(fd, 64) != 0) {
    std::perror("tcp_probe: listen");
    std::exit(1);
  }
  return fd;
}

int Dial(const char* host, const char* port) {
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (getaddrinfo(host, port, &hints, &res) != 0 || !res) {
    std::fprintf(stderr, "tcp_probe: cannot resolve %s\n", host);
    std::exit(1);
  }
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  SetTimeouts(fd);
  if (connect(fd, res->ai_addr, res->ai_addrlen) != 0) {
    std::perror("tcp_probe: connect");
    std::exit(1);
  }
  freeaddrinfo(res);
  return fd;
}

using Clock = std::chrono::steady_clock;

int Rtt(int fd, long n) {
  char buf[kMessage] = {'x'};
  if (!WriteAll(fd, "e", 1)) return 1;
  std::vector<double> us;
  for (long i = 0; i < n; ++i) {
    auto t0 = Clock::now();
    if (!WriteAll(fd, buf, sizeof buf) || !ReadAll(fd, buf, sizeof buf)) return 1;
    us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
  }
  std::nth_element(us.begin(), us.begin() + static_cast<long>(us.size() / 2), us.end());
  std::printf("rtt_p50_us %.1f\n", us[us.size() / 2]);
  return 0;
}

int Stream(int fd, long mib) {
  std::vector<char> buf(1 << 20, 'x');
  auto t0 = Clock::now();
  if (!WriteAll(fd, "s", 1)) return 1;
  for (long i = 0; i < mib; ++i) {
    if (!WriteAll(fd, buf.data(), buf.size())) return 1;
  }
  shutdown(fd, SHUT_WR);
  uint64_t total = 0;
  if (!ReadAll(fd, reinterpret_cast<char*>(&total), sizeof total)) return 1;
  double s = std::chrono::duration<double>(Clock::now() - t0).count();
  if (total != static_cast<uint64_t>(mib) << 20) {
    std::fprintf(stderr, "tcp_probe: the server got %llu bytes\n",
                 static_cast<unsigned long long>(total));
    return 1;
  }
  std::printf("mib_per_s %.1f\n", static_cast<double>(mib) / s);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::strcmp(argv[1], "serve") == 0) {
    int l = Listen(std::atoi(argv[2]));
    while (true) {
      int c = accept(l, nullptr, nullptr);
      if (c >= 0) std::thread(Serve, c).detach();
    }
  }
  if (argc == 5 && std::strcmp(argv[1], "rtt") == 0) {
    return Rtt(Dial(argv[2], argv[3]), std::clamp(std::atol(argv[4]), 1L, 1000000L));
  }
  if (argc == 5 && std::strcmp(argv[1], "stream") == 0) {
    return Stream(Dial(argv[2], argv[3]), std::clamp(std::atol(argv[4]), 1L, 4096L));
  }
  std::fprintf(stderr, "usage: tcp_probe serve PORT | rtt HOST PORT N | stream HOST PORT MIB\n");
  return 2;
}
