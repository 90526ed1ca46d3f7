#include "topology/ports.h"

#include <sys/socket.h>

#include <algorithm>
#include <cstdio>
#include <mutex>
#include <random>
#include <set>

#include "base/files.h"
#include "net/socket.h"

namespace faultline {
namespace {

constexpr int kAutoPorts = 12000;  // how many ports below the ephemeral range auto ports use

}  // namespace

PortRange AutoPortRange() {
  int low = 32768, high = 60999;
  if (auto text = ReadFile("/proc/sys/net/ipv4/ip_local_port_range")) {
    if (std::sscanf(text->c_str(), "%d %d", &low, &high) != 2) low = 32768;
  }
  // Below the range, and above the well-known ports; none when the range starts too low.
  return {std::max(1024, low - kAutoPorts), std::max(1024, low)};
}

Result<int> AllocatePort() {
  static std::mutex mu;
  static std::set<int> handed_out;
  static std::mt19937 draw{std::random_device{}()};
  const PortRange range = AutoPortRange();
  std::lock_guard lock(mu);
  for (int attempt = 0; attempt < 256 && range.end - range.begin >= 64; ++attempt) {
    // Drawn at random, so that faultline processes running side by side rarely try the same
    // port at the same moment.
    int port =
        range.begin + static_cast<int>(draw() % static_cast<unsigned>(range.end - range.begin));
    if (handed_out.count(port)) continue;
    if (!net::ListenTcp(net::LoopbackAddress(static_cast<uint16_t>(port)))) continue;
    handed_out.insert(port);
    return port;
  }
  // No room below the ephemeral range: let the kernel choose.
  for (int attempt = 0; attempt < 64; ++attempt) {
    auto listener = net::ListenTcp(net::LoopbackAddress(0));
    if (!listener) return Unexpected(listener.error());
    auto bound = net::LocalAddress(listener->get());
    if (!bound) return Unexpected(bound.error());
    int port = ntohs(bound->sin_port);
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
