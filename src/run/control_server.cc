#include "run/control_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/fatal.h"
#include "base/files.h"
#include "base/strings.h"
#include "net/socket.h"

namespace faultline::run {
namespace {

constexpr size_t kMaxLine = 4096;

}  // namespace

ControlServer::ControlServer(EventLoop& loop, QuietHandler handler)
    : loop_(loop), handler_(std::move(handler)) {}

ControlServer::~ControlServer() {
  *alive_ = false;
  for (auto& [fd, c] : connections_) loop_.Unwatch(fd);
  if (listener_) loop_.Unwatch(listener_.get());
}

Status ControlServer::Listen() {
  auto listener = net::ListenTcp(net::LoopbackAddress(0));
  if (!listener) return Status::Error(listener.error()).Context("control socket");
  listener_ = std::move(*listener);
  auto bound = net::LocalAddress(listener_.get());
  if (!bound) return bound.status().Context("control socket");
  port_ = ntohs(bound->sin_port);
  return loop_.Watch(listener_.get(), EPOLLIN, [this](uint32_t) { Accept(); });
}

Status ControlServer::ListenIn(int netns, const std::string& address) {
  auto addr = net::ResolveAddress(address + ":0");
  if (!addr) return addr.status().Context("control socket");
  // A socket belongs to the namespace of the thread that makes it: make it in the hub's.
  static int own = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  if (own < 0 || setns(netns, CLONE_NEWNET) != 0) {
    return Status::FromErrno("setns (the hub)").Context("control socket");
  }
  auto listener = net::ListenTcp(*addr);
  if (setns(own, CLONE_NEWNET) != 0) Fatal("setns back to faultline's network namespace");
  if (!listener) return Status::Error(listener.error()).Context("control socket");
  listener_ = std::move(*listener);
  auto bound = net::LocalAddress(listener_.get());
  if (!bound) return bound.status().Context("control socket");
  port_ = ntohs(bound->sin_port);
  address_ = address;
  return loop_.Watch(listener_.get(), EPOLLIN, [this](uint32_t) { Accept(); });
}

Status ControlServer::WriteStopFaultsScript(const std::string& path) const {
  std::string script = fmt::format(R"(#!/bin/bash
# ANTITHESIS_STOP_FAULTS for one faultline history: stops fault injection, heals everything and
# keeps faults off for the given number of seconds. Returns once the system is whole.
if [ $# -ne 1 ] || ! [[ "$1" =~ ^[0-9]+(\.[0-9]+)?$ ]]; then
  echo "usage: $0 SECONDS" >&2
  exit 2
fi
exec 3<>/dev/tcp/{}/{} || exit 3
printf 'stop-faults %s %s\n' "$1" "${{FAULTLINE_SOURCE:-pid $$}}" >&3
read -r reply <&3
[ "$reply" = ok ] || {{ echo "faultline: $reply" >&2; exit 1; }}
)",
                                   address_, port_);
  FL_RETURN_IF_ERROR(WriteFile(path, script, 0755));
  return Status::Ok();
}

void ControlServer::Accept() {
  while (true) {
    int fd = accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) return;
    connections_[fd].fd.Reset(fd);
    Status s = loop_.Watch(fd, EPOLLIN, [this, fd](uint32_t) { OnReadable(fd); });
    if (!s.ok()) connections_.erase(fd);
  }
}

void ControlServer::OnReadable(int fd) {
  auto it = connections_.find(fd);
  if (it == connections_.end()) return;
  char buf[512];
  ssize_t n = read(fd, buf, sizeof buf);
  if (n <= 0) {
    Close(fd);
    return;
  }
  it->second.input.append(buf, static_cast<size_t>(n));
  size_t nl = it->second.input.find('\n');
  if (nl == std::string::npos) {
    if (it->second.input.size() > kMaxLine) Close(fd);
    return;
  }
  std::string line = it->second.input.substr(0, nl);
  loop_.Unwatch(fd);  // one request per connection
  Handle(fd, line);
}

void ControlServer::Handle(int fd, const std::string& line) {
  auto reply = [this, fd, alive = alive_](const std::string& text) {
    if (!*alive) return;
    if (connections_.count(fd)) (void)!write(fd, text.data(), text.size());
    Close(fd);
  };
  auto parts = Split(line, ' ');
  double seconds = -1;
  if (parts.size() >= 2) {
    if (auto parsed = ParseDouble(parts[1])) seconds = *parsed;
  }
  if (parts.empty() || parts[0] != "stop-faults" || seconds < 0 || seconds > 86400) {
    reply("error expected 'stop-faults SECONDS'\n");
    return;
  }
  size_t from_at = line.find(' ', line.find(' ') + 1);
  std::string from = from_at == std::string::npos ? "unknown" : line.substr(from_at + 1);
  handler_(Millis(static_cast<int64_t>(seconds * 1000)), from, [reply] { reply("ok\n"); });
}

void ControlServer::Close(int fd) {
  loop_.Unwatch(fd);
  connections_.erase(fd);
}

}  // namespace faultline::run
