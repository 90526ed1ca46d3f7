// proxy_bench: measures the fault proxy against direct loopback and against socat, in one run:
// throughput of a bulk transfer with no fault, and the round-trip latency of 64-byte ping-pong.
// It starts `faultline proxy` (the real binary) and socat as child processes, a sink and an echo
// server on threads of its own, prints each figure beside its target, and stops every child.
// Every loop is bounded in count and in time. Usage:
//   proxy_bench --faultline build/release/bin/faultline [--bytes 1073741824] [--pings 20000]
#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "base/json.h"
#include "base/strings.h"
#include "base/unique_fd.h"

extern char** environ;

namespace {

using Clock = std::chrono::steady_clock;
using faultline::UniqueFd;

constexpr size_t kChunk = 1 << 20;
constexpr auto kTransferLimit = std::chrono::seconds(60);
constexpr auto kPingLimit = std::chrono::seconds(10);

sockaddr_in Loopback(uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

UniqueFd Listen(uint16_t* port) {
  UniqueFd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in a = Loopback(0);
  socklen_t len = sizeof a;
  if (bind(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(fd.get(), 64) != 0 ||
      getsockname(fd.get(), reinterpret_cast<sockaddr*>(&a), &len)) {
    std::perror("proxy_bench: listen");
    std::exit(3);
  }
  *port = ntohs(a.sin_port);
  return fd;
}

UniqueFd Connect(uint16_t port) {
  UniqueFd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in a = Loopback(port);
  if (connect(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return UniqueFd();
  int one = 1;
  setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  timeval tv{30, 0};
  setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  return fd;
}

// A server on its own thread: each connection is served on a thread by `serve` until it ends.
class Server {
 public:
  explicit Server(void (*serve)(int fd)) : listener_(Listen(&port_)) {
    thread_ = std::thread([this, serve] {
      while (!stop_) {
        int fd = accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) return;
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        workers_.emplace_back([fd, serve] {
          serve(fd);
          close(fd);
        });
      }
    });
  }
  ~Server() {
    stop_ = true;
    shutdown(listener_.get(), SHUT_RDWR);
    thread_.join();
    for (auto& w : workers_) w.join();
  }
  uint16_t port() const { return port_; }

 private:
  uint16_t port_ = 0;
  UniqueFd listener_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::vector<std::thread> workers_;
};

// Reads to EOF, then answers one byte, so that the sender's clock stops after the last byte.
void Sink(int fd) {
  std::vector<char> buf(kChunk);
  while (read(fd, buf.data(), buf.size()) > 0) {
  }
  (void)!write(fd, "k", 1);
}

void Echo(int fd) {
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) {
    if (send(fd, buf, static_cast<size_t>(n), MSG_NOSIGNAL) != n) return;
  }
}

// Bytes per second of sending `bytes` to `port` and hearing the sink's acknowledgement.
double Throughput(uint16_t port, size_t bytes) {
  UniqueFd fd = Connect(port);
  if (!fd) return 0;
  std::vector<char> buf(kChunk, 'x');
  auto start = Clock::now();
  size_t sent = 0;
  while (sent < bytes && Clock::now() - start < kTransferLimit) {
    ssize_t n = send(fd.get(), buf.data(), std::min(buf.size(), bytes - sent), MSG_NOSIGNAL);
    if (n <= 0) return 0;
    sent += static_cast<size_t>(n);
  }
  shutdown(fd.get(), SHUT_WR);
  char ack;
  if (read(fd.get(), &ack, 1) != 1) return 0;
  return static_cast<double>(sent) / std::chrono::duration<double>(Clock::now() - start).count();
}

struct Latency {
  double p50_us = 0, p99_us = 0;
  size_t count = 0;
};

Latency PingPong(uint16_t port, size_t pings) {
  UniqueFd fd = Connect(port);
  Latency out;
  if (!fd) return out;
  char msg[64] = {};
  std::vector<double> rtts;
  auto start = Clock::now();
  for (size_t i = 0; i < pings + 100 && Clock::now() - start < kPingLimit; ++i) {
    auto t = Clock::now();
    if (send(fd.get(), msg, sizeof msg, MSG_NOSIGNAL) != sizeof msg) return out;
    size_t got = 0;
    while (got < sizeof msg) {
      ssize_t n = read(fd.get(), msg + got, sizeof msg - got);
      if (n <= 0) return out;
      got += static_cast<size_t>(n);
    }
    // The first round trips warm caches and connection state; they are not counted.
    if (i >= 100)
      rtts.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t).count());
  }
  if (rtts.empty()) return out;
  std::sort(rtts.begin(), rtts.end());
  out.count = rtts.size();
  out.p50_us = rtts[rtts.size() / 2];
  out.p99_us = rtts[std::min(rtts.size() - 1, rtts.size() * 99 / 100)];
  return out;
}

// A child process that is stopped (SIGTERM, then reaped) when this goes away.
class Child {
 public:
  explicit Child(std::vector<std::string> args, int stdout_fd = -1) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    if (stdout_fd >= 0) posix_spawn_file_actions_adddup2(&actions, stdout_fd, 1);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (posix_spawnp(&pid_, argv[0], &actions, nullptr, argv.data(), environ) != 0) pid_ = 0;
    posix_spawn_file_actions_destroy(&actions);
  }
  ~Child() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
  }
  bool ok() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = 0;
};

uint16_t FreePort() {
  uint16_t port = 0;
  Listen(&port);  // closed at once; the port stays free for the child to take
  return port;
}

bool WaitConnectable(uint16_t port) {
  for (int i = 0; i < 500; ++i) {
    if (Connect(port)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

// CPU seconds used so far by a process (user + system), from /proc.
double CpuSeconds(pid_t pid) {
  std::string path = pid == 0 ? "/proc/self/stat" : "/proc/" + std::to_string(pid) + "/stat";
  FILE* f = std::fopen(path.c_str(), "r");
  if (!f) return 0;
  char buf[1024] = {};
  size_t n = std::fread(buf, 1, sizeof buf - 1, f);
  std::fclose(f);
  std::string text(buf, n);
  auto fields = faultline::Split(text.substr(text.rfind(')') + 2), ' ');
  if (fields.size() < 13) return 0;
  // Fields 14 and 15 of stat (utime, stime) are 11 and 12 after the command name.
  double ticks = static_cast<double>(faultline::ParseUint(fields[11]).value_or(0) +
                                     faultline::ParseUint(fields[12]).value_or(0));
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

struct Ports {
  uint16_t sink = 0, echo = 0;
};

// Starts `faultline proxy` with one proxy in front of each server; reads their ports back
// through the toxiproxy API, as any client would.
Ports StartFaultline(const std::string& bin, const Ports& servers, bool splice,
                     std::unique_ptr<Child>* child) {
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) return {};
  std::vector<std::string> args = {bin, "proxy", "--port", "0", "--seed", "1"};
  if (!splice) args.push_back("--no-splice");
  *child = std::make_unique<Child>(args, out[1]);
  close(out[1]);
  std::string line;
  char c;
  while (line.size() < 512 && read(out[0], &c, 1) == 1 && c != '\n') line += c;
  close(out[0]);
  size_t at = line.find("127.0.0.1:");
  if (at == std::string::npos) return {};
  auto api_port = faultline::ParseInt(line.substr(at + 10, line.find(' ', at) - at - 10));
  if (!api_port) return {};
  httplib::Client api("127.0.0.1", static_cast<int>(*api_port));
  Ports ports;
  for (auto [name, upstream, port] : {std::tuple{"sink", servers.sink, &ports.sink},
                                      std::tuple{"echo", servers.echo, &ports.echo}}) {
    nlohmann::json body = {{"name", name},
                           {"listen", "127.0.0.1:0"},
                           {"upstream", "127.0.0.1:" + std::to_string(upstream)}};
    auto r = api.Post("/proxies", body.dump(), "application/json");
    if (!r || r->status != 201) return {};
    std::string listen = faultline::ParseJson(r->body)["listen"];
    *port = static_cast<uint16_t>(*faultline::ParseInt(listen.substr(listen.rfind(':') + 1)));
  }
  return ports;
}

// Three rounds, interleaved, so that a noisy neighbour hurts every path alike; medians count.
void ReportThroughput(const Ports& direct, const Ports& proxied, const Ports& copied,
                      const Ports& socat, size_t bytes, pid_t proxy_pid) {
  std::vector<double> t_direct, t_proxy, t_copy, t_socat;
  double cpu_driver_direct = 0, cpu_driver_proxy = 0, cpu_proxy = 0, wall_direct = 0,
         wall_proxy = 0;
  for (int round = 0; round < 3; ++round) {
    double c0 = CpuSeconds(0);
    auto w0 = Clock::now();
    t_direct.push_back(Throughput(direct.sink, bytes));
    double c1 = CpuSeconds(0), p1 = CpuSeconds(proxy_pid);
    auto w1 = Clock::now();
    t_proxy.push_back(Throughput(proxied.sink, bytes));
    cpu_driver_direct += c1 - c0;
    cpu_driver_proxy += CpuSeconds(0) - c1;
    cpu_proxy += CpuSeconds(proxy_pid) - p1;
    wall_direct += std::chrono::duration<double>(w1 - w0).count();
    wall_proxy += std::chrono::duration<double>(Clock::now() - w1).count();
    t_copy.push_back(Throughput(copied.sink, bytes));
    t_socat.push_back(Throughput(socat.sink, bytes));
  }
  double d = Median(t_direct), p = Median(t_proxy), c = Median(t_copy), s = Median(t_socat);
  auto gbs = [](double v) { return v / 1e9; };
  std::printf("throughput, %.2f GiB per transfer, median of 3 (GB/s)\n",
              static_cast<double>(bytes) / (1 << 30));
  std::printf("  direct loopback   %6.2f\n", gbs(d));
  std::printf(
      "  faultline proxy   %6.2f   %.2fx direct (target >= 0.80x: %s)   %.2fx socat "
      "(target >= 1.50x: %s)\n",
      gbs(p), p / d, p / d >= 0.8 ? "met" : "MISSED", p / s, p / s >= 1.5 ? "met" : "MISSED");
  std::printf(
      "  faultline copying %6.2f   %.2fx direct (--no-splice: read/write through user space)\n",
      gbs(c), c / d);
  std::printf("  socat             %6.2f   %.2fx direct\n", gbs(s), s / d);
  std::printf(
      "  cores busy: direct %.2f (sender+sink); through the proxy %.2f (sender+sink) + "
      "%.2f (proxy)\n",
      cpu_driver_direct / wall_direct, cpu_driver_proxy / wall_proxy, cpu_proxy / wall_proxy);
}

}  // namespace

int main(int argc, char** argv) {
  std::string faultline_bin = std::string(FAULTLINE_BIN_DIR) + "/faultline";
  size_t bytes = size_t{1} << 30;
  size_t pings = 20000;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--faultline") faultline_bin = argv[i + 1];
    if (flag == "--bytes") bytes = faultline::ParseUint(argv[i + 1]).value_or(bytes);
    if (flag == "--pings") pings = faultline::ParseUint(argv[i + 1]).value_or(pings);
  }
  signal(SIGPIPE, SIG_IGN);
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // figures interleave rightly with children's stderr
  Server sink(Sink), echo(Echo);
  Ports direct{sink.port(), echo.port()};
  std::unique_ptr<Child> faultline, faultline_copy;
  Ports proxied = StartFaultline(faultline_bin, direct, true, &faultline);
  Ports copied = StartFaultline(faultline_bin, direct, false, &faultline_copy);
  if (proxied.sink == 0 || copied.sink == 0) {
    std::fprintf(stderr, "proxy_bench: could not start %s proxy\n", faultline_bin.c_str());
    return 3;
  }
  Ports socat{FreePort(), FreePort()};
  auto socat_args = [](uint16_t listen, uint16_t to) {
    return std::vector<std::string>{
        "socat", "TCP-LISTEN:" + std::to_string(listen) + ",bind=127.0.0.1,reuseaddr,fork",
        "TCP:127.0.0.1:" + std::to_string(to)};
  };
  Child socat_sink(socat_args(socat.sink, direct.sink)),
      socat_echo(socat_args(socat.echo, direct.echo));
  if (!socat_sink.ok() || !WaitConnectable(socat.sink) || !WaitConnectable(socat.echo)) {
    std::fprintf(stderr, "proxy_bench: socat did not start\n");
    return 3;
  }

  ReportThroughput(direct, proxied, copied, socat, bytes, faultline->pid());

  Latency ld = PingPong(direct.echo, pings), lp = PingPong(proxied.echo, pings),
          ls = PingPong(socat.echo, pings);
  std::printf("ping-pong, 64 B round trips (µs), %zu each\n", ld.count);
  std::printf("  direct loopback   p50 %7.1f   p99 %7.1f\n", ld.p50_us, ld.p99_us);
  std::printf(
      "  faultline proxy   p50 %7.1f   p99 %7.1f   added p50 %.1f (target <= 30: %s)   "
      "added p99 %.1f\n",
      lp.p50_us, lp.p99_us, lp.p50_us - ld.p50_us, lp.p50_us - ld.p50_us <= 30 ? "met" : "MISSED",
      lp.p99_us - ld.p99_us);
  std::printf("  socat             p50 %7.1f   p99 %7.1f   added p50 %.1f\n", ls.p50_us, ls.p99_us,
              ls.p50_us - ld.p50_us);
  return 0;
}
