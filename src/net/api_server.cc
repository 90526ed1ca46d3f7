#include "net/api_server.h"

#include <microhttpd.h>

#include <string_view>

#include "net/socket.h"

namespace faultline::net {
namespace {

// One request being received: its body so far.
struct Pending {
  std::string body;
  bool too_large = false;
};

MHD_Result Send(MHD_Connection* connection, int status, std::string_view body) {
  MHD_Response* response = MHD_create_response_from_buffer(
      body.size(), const_cast<char*>(body.data()), MHD_RESPMEM_MUST_COPY);
  if (!response) return MHD_NO;
  if (!body.empty()) MHD_add_response_header(response, "Content-Type", "application/json");
  MHD_Result queued = MHD_queue_response(connection, static_cast<unsigned>(status), response);
  MHD_destroy_response(response);
  return queued;
}

// libmicrohttpd calls this once when the headers are in (*state is null), then once per piece of
// body, then once with no data: that is when the request is answered.
MHD_Result OnRequest(void* cls, MHD_Connection* connection, const char* url, const char* method,
                     const char* /*version*/, const char* upload_data, size_t* upload_data_size,
                     void** state) {
  auto& api = *static_cast<ToxiproxyApi*>(cls);
  if (*state == nullptr) {
    *state = new Pending();
    return MHD_YES;
  }
  auto& pending = *static_cast<Pending*>(*state);
  if (*upload_data_size > 0) {
    if (pending.body.size() + *upload_data_size > ApiServer::kMaxBodyBytes) {
      pending.too_large = true;
    } else {
      pending.body.append(upload_data, *upload_data_size);
    }
    *upload_data_size = 0;
    return MHD_YES;
  }
  if (pending.too_large) {
    return Send(connection, 413,
                fmt::format(R"({{"error":"request body over {} bytes","status":413}})",
                            ApiServer::kMaxBodyBytes));
  }
  const char* agent = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "User-Agent");
  if (agent && std::string_view(agent).starts_with("Mozilla/")) {
    return Send(connection, 403, R"({"error":"browsers may not use the proxy API","status":403})");
  }
  ApiResponse r = api.Handle(method, url, pending.body);
  return Send(connection, r.status, r.body);
}

void OnCompleted(void* /*cls*/, MHD_Connection* /*connection*/, void** state,
                 MHD_RequestTerminationCode /*why*/) {
  delete static_cast<Pending*>(*state);
  *state = nullptr;
}

}  // namespace

Result<std::unique_ptr<ApiServer>> ApiServer::Start(ToxiproxyApi& api, const std::string& host,
                                                    int port) {
  auto fail = [&](const std::string& why) {
    return Unexpected(fmt::format("cannot listen on {}:{} for the proxy API: {}", host, port, why));
  };
  auto addr = ResolveAddress(fmt::format("{}:{}", host, port));
  if (!addr) return fail(addr.error());
  // Our own listener: SO_REUSEADDR only, so a port another proxy holds is "in use".
  auto listener = ListenTcp(*addr);
  if (!listener) return fail(listener.error());
  auto local = LocalAddress(listener->get());
  if (!local) return fail(local.error());
  std::unique_ptr<ApiServer> out(new ApiServer());
  out->port_ = ntohs(local->sin_port);
  int fd = listener->Release();  // the daemon owns and closes it from here on
  out->daemon_ = MHD_start_daemon(
      MHD_USE_EPOLL_INTERNAL_THREAD, 0, nullptr, nullptr, &OnRequest, &api,
      MHD_OPTION_LISTEN_SOCKET, static_cast<MHD_socket>(fd), MHD_OPTION_CONNECTION_LIMIT,
      kMaxConnections, MHD_OPTION_CONNECTION_TIMEOUT, kIdleSeconds, MHD_OPTION_NOTIFY_COMPLETED,
      &OnCompleted, nullptr, MHD_OPTION_END);
  if (!out->daemon_) {
    ::close(fd);
    return fail("libmicrohttpd could not start");
  }
  return out;
}

ApiServer::~ApiServer() {
  if (daemon_) MHD_stop_daemon(daemon_);
}

}  // namespace faultline::net
