// ControlServer: how commands and services reach their history while it runs. It listens on a
// loopback TCP port; ANTITHESIS_STOP_FAULTS is a small bash script that connects there (bash's
// /dev/tcp, so it needs no faultline binary and works for any user) and sends
//   stop-faults <seconds> <who>\n
// The server answers "ok\n" once faults are stopped and healed, or "error <why>\n".
// Owned by the history; runs on the history's event-loop thread.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "base/duration.h"
#include "base/status.h"
#include "base/unique_fd.h"
#include "process/event_loop.h"

namespace faultline::run {

class ControlServer {
 public:
  // Handles one quiet request; calls `reply` once faults are stopped and healed.
  using QuietHandler =
      std::function<void(Millis duration, const std::string& from, std::function<void()> reply)>;

  ControlServer(EventLoop& loop, QuietHandler handler);
  ~ControlServer();
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  // Listens on 127.0.0.1 on a free port.
  Status Listen();
  // Isolated mode: listens on `address` (a hub address every unit routes to) in the network
  // namespace `netns`, so that ANTITHESIS_STOP_FAULTS works from inside any unit.
  Status ListenIn(int netns, const std::string& address);
  int port() const { return port_; }
  // Writes the ANTITHESIS_STOP_FAULTS executable that talks to this server.
  Status WriteStopFaultsScript(const std::string& path) const;

 private:
  struct Connection {
    UniqueFd fd;
    std::string input;
  };
  void Accept();
  void OnReadable(int fd);
  void Handle(int fd, const std::string& line);
  void Close(int fd);

  EventLoop& loop_;
  QuietHandler handler_;
  UniqueFd listener_;
  int port_ = 0;
  std::string address_ = "127.0.0.1";
  std::map<int, Connection> connections_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace faultline::run
