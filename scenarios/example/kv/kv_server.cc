// faultline-kv: the tiny key-value server of the example scenario. It needs nothing but the C++
// standard library and Linux, so `faultline run scenarios/example` works on any machine.
//
//   faultline-kv --port PORT --data DIR [--no-fsync]
//
// Line protocol over TCP on 127.0.0.1 (one request per line, one reply per line):
//   PING            -> PONG
//   SET key value   -> OK
//   GET key         -> VALUE value | NOTFOUND
//   INCR key        -> VALUE n
//   KEYS            -> KEYS k1 k2 ...
// Every write is appended to DIR/kv.log and, unless --no-fsync, flushed to disk before the reply,
// so an acknowledged write survives a SIGKILL. The log is replayed at start.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace {

struct Server {
  std::map<std::string, std::string> data;
  int log_fd = -1;
  bool fsync_writes = true;

  void Apply(const std::string& key, const std::string& value) { data[key] = value; }

  bool Persist(const std::string& line) {
    std::string record = line + "\n";
    if (write(log_fd, record.data(), record.size()) != static_cast<ssize_t>(record.size())) {
      return false;
    }
    return !fsync_writes || fdatasync(log_fd) == 0;
  }

  std::string Handle(const std::string& line) {
    std::istringstream in(line);
    std::string op, key, value;
    in >> op >> key;
    std::getline(in, value);
    if (!value.empty() && value[0] == ' ') value.erase(0, 1);
    if (op == "PING") return "PONG";
    if (op == "GET") {
      auto it = data.find(key);
      return it == data.end() ? "NOTFOUND" : "VALUE " + it->second;
    }
    if (op == "KEYS") {
      std::string out = "KEYS";
      for (const auto& [k, v] : data) out += " " + k;
      return out;
    }
    if (key.empty()) return "ERROR missing key";
    if (op == "SET") {
      if (!Persist("SET " + key + " " + value)) return "ERROR write failed";
      Apply(key, value);
      return "OK";
    }
    if (op == "INCR") {
      long long n = 0;
      auto it = data.find(key);
      if (it != data.end())
        std::from_chars(it->second.data(), it->second.data() + it->second.size(), n);
      std::string next = std::to_string(n + 1);
      if (!Persist("SET " + key + " " + next)) return "ERROR write failed";
      Apply(key, next);
      return "VALUE " + next;
    }
    return "ERROR unknown command '" + op + "'";
  }
};

int Listen(const std::string& host, int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) {
    std::fprintf(stderr, "faultline-kv: --listen wants an IPv4 address, not '%s'\n", host.c_str());
    return -1;
  }
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(fd, 128) != 0) {
    std::fprintf(stderr, "faultline-kv: cannot listen on %s:%d: %s\n", host.c_str(), port,
                 std::strerror(errno));
    return -1;
  }
  return fd;
}

}  // namespace

int main(int argc, char** argv) {
  int port = 0;
  std::string dir;
  std::string host = "127.0.0.1";
  Server server;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--port" && i + 1 < argc) {
      port = std::atoi(argv[++i]);
    } else if (a == "--data" && i + 1 < argc) {
      dir = argv[++i];
    } else if (a == "--listen" && i + 1 < argc) {
      host = argv[++i];
    } else if (a == "--no-fsync") {
      server.fsync_writes = false;
    } else {
      std::fprintf(stderr,
                   "usage: faultline-kv --port PORT --data DIR [--listen IPV4] [--no-fsync]\n");
      return 2;
    }
  }
  if (port <= 0 || dir.empty()) {
    std::fprintf(stderr,
                 "usage: faultline-kv --port PORT --data DIR [--listen IPV4] [--no-fsync]\n");
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  std::string log_path = dir + "/kv.log";
  {
    std::ifstream log(log_path);
    std::string line;
    size_t replayed = 0;
    while (std::getline(log, line)) {
      std::istringstream in(line);
      std::string op, key, value;
      in >> op >> key;
      std::getline(in, value);
      if (!value.empty() && value[0] == ' ') value.erase(0, 1);
      if (op == "SET") server.Apply(key, value), ++replayed;
    }
    std::fprintf(stderr, "faultline-kv: replayed %zu writes from %s\n", replayed, log_path.c_str());
  }
  server.log_fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  int listener = Listen(host, port);
  if (server.log_fd < 0 || listener < 0) return 1;
  std::fprintf(stderr, "faultline-kv: listening on %s:%d\n", host.c_str(), port);
  std::vector<pollfd> fds = {{listener, POLLIN, 0}};
  std::map<int, std::string> buffers;
  while (true) {
    if (poll(fds.data(), fds.size(), -1) < 0 && errno != EINTR) return 1;
    for (size_t i = 0; i < fds.size(); ++i) {
      if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      if (fds[i].fd == listener) {
        int c = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
        if (c >= 0) fds.push_back({c, POLLIN, 0});
        continue;
      }
      char buf[4096];
      ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n <= 0) {
        close(fds[i].fd);
        buffers.erase(fds[i].fd);
        fds.erase(fds.begin() + static_cast<long>(i--));
        continue;
      }
      std::string& b = buffers[fds[i].fd];
      b.append(buf, static_cast<size_t>(n));
      size_t nl;
      while ((nl = b.find('\n')) != std::string::npos) {
        std::string reply = server.Handle(b.substr(0, nl)) + "\n";
        b.erase(0, nl + 1);
        (void)!write(fds[i].fd, reply.data(), reply.size());
      }
    }
  }
}
