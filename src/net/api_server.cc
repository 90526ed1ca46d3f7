#include "net/api_server.h"

#include <httplib.h>

#include <chrono>

namespace faultline::net {

Result<std::unique_ptr<ApiServer>> ApiServer::Start(ToxiproxyApi& api, const std::string& host,
                                                    int port) {
  std::unique_ptr<ApiServer> out(new ApiServer());
  out->server_ = std::make_unique<httplib::Server>();
  httplib::Server& server = *out->server_;
  // Two workers are plenty for a control API and keep the thread count small on 2 cores.
  server.new_task_queue = [] { return new httplib::ThreadPool(2); };
  server.set_keep_alive_timeout(1);  // so that stop() does not wait long on idle clients
  auto respond = [&api](const httplib::Request& req, std::string_view body,
                        httplib::Response& res) {
    if (req.get_header_value("User-Agent").rfind("Mozilla/", 0) == 0) {
      res.status = 403;
      res.set_content(R"({"error":"browsers may not use the proxy API","status":403})",
                      "application/json");
      return;
    }
    ApiResponse r = api.Handle(req.method, req.path, body);
    res.status = r.status;
    if (!r.body.empty()) res.set_content(r.body, "application/json");
  };
  // Bodies are read by hand: httplib answers 400 to a POST without Content-Length, which some
  // toxiproxy clients send for POST /reset; such a request has an empty body.
  auto with_body = [respond](const httplib::Request& req, httplib::Response& res,
                             const httplib::ContentReader& reader) {
    std::string body;
    if (req.has_header("Content-Length") || req.has_header("Transfer-Encoding")) {
      reader([&body](const char* data, size_t len) {
        body.append(data, len);
        return true;
      });
    }
    respond(req, body, res);
  };
  auto without_body = [respond](const httplib::Request& req, httplib::Response& res) {
    respond(req, req.body, res);
  };
  server.Get(".*", without_body);
  server.Post(".*", with_body);
  server.Patch(".*", with_body);
  server.Put(".*", with_body);
  server.Delete(".*", with_body);
  int bound =
      port == 0 ? server.bind_to_any_port(host) : (server.bind_to_port(host, port) ? port : -1);
  if (bound < 0) {
    return Unexpected(fmt::format("cannot listen on {}:{} for the proxy API", host, port));
  }
  out->port_ = bound;
  out->thread_ = std::thread([&server] { server.listen_after_bind(); });
  return out;
}

ApiServer::~ApiServer() {
  // httplib's stop() does nothing until the listen loop has started, and this httplib has no
  // wait_until_ready(), so wait (briefly, bounded) for the loop before stopping it.
  for (int i = 0; i < 2000 && server_ && !server_->is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace faultline::net
