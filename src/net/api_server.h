// ApiServer: serves a ToxiproxyApi over HTTP on a port, with cpp-httplib, on threads of its own.
// Requests from browsers (a User-Agent starting "Mozilla/") are refused with 403, as toxiproxy
// does, so that a web page cannot reconfigure the proxy. The destructor stops and joins.
// Start and the destructor may be called from any one thread; the server calls the API from its
// own worker threads.
#pragma once

#include <memory>
#include <string>
#include <thread>

#include "base/status.h"
#include "net/toxiproxy_api.h"

namespace httplib {
class Server;
}

namespace faultline::net {

class ApiServer {
 public:
  // Binds host:port (port 0: any free port) and starts serving `api`, which must outlive the
  // server. Returns an error naming the address when it cannot be bound.
  static Result<std::unique_ptr<ApiServer>> Start(ToxiproxyApi& api, const std::string& host,
                                                  int port);
  ~ApiServer();
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  int port() const { return port_; }

 private:
  ApiServer() = default;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace faultline::net
