// ApiServer: serves a ToxiproxyApi over HTTP on a port, with GNU libmicrohttpd's epoll loop on a
// thread of its own. One thread serves every connection, so idle or slow clients (a pool of
// keep-alive connections, a client that connects and says nothing) cost a descriptor each and
// never hold up the others; past kMaxConnections new ones are refused, and a connection idle for
// kIdleSeconds is closed. The port is bound without SO_REUSEPORT, so a second proxy on the same
// port fails to start instead of sharing its requests. Requests from browsers (a User-Agent
// starting "Mozilla/") are refused with 403, as toxiproxy does, so that a web page cannot
// reconfigure the proxy. Bodies past kMaxBodyBytes get 413.
// Start and the destructor may be called from any one thread; the server calls the API from its
// own thread.
#pragma once

#include <memory>
#include <string>

#include "base/status.h"
#include "net/toxiproxy_api.h"

struct MHD_Daemon;

namespace faultline::net {

class ApiServer {
 public:
  static constexpr unsigned kMaxConnections = 512;
  static constexpr unsigned kIdleSeconds = 30;
  static constexpr size_t kMaxBodyBytes = 1u << 20;

  // Binds host:port (port 0: any free port) and starts serving `api`, which must outlive the
  // server. Returns an error naming the address when it cannot be bound (in use included).
  static Result<std::unique_ptr<ApiServer>> Start(ToxiproxyApi& api, const std::string& host,
                                                  int port);
  // Stops serving and joins the server's thread.
  ~ApiServer();
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  int port() const { return port_; }

 private:
  ApiServer() = default;
  MHD_Daemon* daemon_ = nullptr;
  int port_ = 0;
};

}  // namespace faultline::net
