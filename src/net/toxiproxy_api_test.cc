// Tests of the toxiproxy HTTP API with real HTTP requests: every endpoint, bad input with its
// status and message, a session that drives the API exactly as toxiproxy's client libraries do
// (same paths, same JSON shapes, same expected status codes). `faultline proxy`, the command, is
// tested in proxy_command_test.cc.
#include "net/toxiproxy_api.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <cstdio>
#include <fstream>

#include "base/files.h"
#include "net/api_server.h"
#include "net/net_test_util.h"

namespace faultline::net {
namespace {

using nlohmann::json;
using testing::Connect;
using testing::MsSince;
using testing::ReadFor;
using testing::TestClock;
using testing::TestServer;
using testing::WriteAll;

class ProxyApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto proxy = FaultProxy::Start(ProxyOptions{1});
    ASSERT_TRUE(proxy.ok());
    proxy_ = std::move(*proxy);
    api_ = std::make_unique<ToxiproxyApi>(*proxy_);
    auto server = ApiServer::Start(*api_, "127.0.0.1", 0);
    ASSERT_TRUE(server.ok()) << server.error();
    server_ = std::move(*server);
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
  }

  // Sends a request; returns (status, parsed body or null).
  std::pair<int, json> Send(const std::string& method, const std::string& path,
                            const std::string& body = "") {
    httplib::Result r = method == "GET"      ? client_->Get(path)
                        : method == "DELETE" ? client_->Delete(path)
                        : method == "PATCH"  ? client_->Patch(path, body, "application/json")
                                             : client_->Post(path, body, "application/json");
    if (!r) return {-1, nullptr};
    json parsed = r->body.empty() ? json() : json::parse(r->body, nullptr, false);
    return {r->status, parsed};
  }

  json CreateProxy(const std::string& name) {
    json body = {{"name", name}, {"listen", "127.0.0.1:0"}, {"upstream", upstream_.address()}};
    auto [status, proxy] = Send("POST", "/proxies", body.dump());
    EXPECT_EQ(status, 201) << proxy.dump();
    return proxy;
  }

  static uint16_t PortOf(const json& proxy) {
    std::string listen = proxy["listen"];
    return static_cast<uint16_t>(std::stoi(listen.substr(listen.rfind(':') + 1)));
  }

  TestServer upstream_;
  std::unique_ptr<FaultProxy> proxy_;
  std::unique_ptr<ToxiproxyApi> api_;
  std::unique_ptr<ApiServer> server_;
  std::unique_ptr<httplib::Client> client_;
};

void ExpectError(const std::pair<int, json>& got, int status, std::string_view mentions) {
  EXPECT_EQ(got.first, status) << got.second.dump();
  ASSERT_TRUE(got.second.is_object()) << got.second.dump();
  EXPECT_EQ(got.second["status"], status);
  std::string message = got.second["error"];
  EXPECT_NE(message.find(mentions), std::string::npos) << message;
}

TEST_F(ProxyApiTest, ProxyLifecycle) {
  json created = CreateProxy("db");
  EXPECT_EQ(created["name"], "db");
  EXPECT_EQ(created["enabled"], true);
  EXPECT_EQ(created["upstream"], upstream_.address());
  EXPECT_EQ(created["toxics"], json::array());
  EXPECT_NE(PortOf(created), 0);
  auto [list_status, list] = Send("GET", "/proxies");
  EXPECT_EQ(list_status, 200);
  EXPECT_EQ(list["db"], created);
  auto [get_status, got] = Send("GET", "/proxies/db");
  EXPECT_EQ(get_status, 200);
  EXPECT_EQ(got, created);
  auto [off_status, off] = Send("POST", "/proxies/db", R"({"enabled": false})");
  EXPECT_EQ(off_status, 200);
  EXPECT_EQ(off["enabled"], false);
  EXPECT_FALSE(Connect(PortOf(created)).valid()) << "a disabled proxy refuses connections";
  auto [on_status, on] = Send("PATCH", "/proxies/db", R"({"enabled": true})");
  EXPECT_EQ(on_status, 200);
  EXPECT_TRUE(Connect(PortOf(created)).valid());
  EXPECT_EQ(Send("DELETE", "/proxies/db").first, 204);
  EXPECT_EQ(Send("GET", "/proxies/db").first, 404);
  auto [version_status, version] = Send("GET", "/version");
  EXPECT_EQ(version_status, 200);
  EXPECT_TRUE(version["version"].is_string());
}

TEST_F(ProxyApiTest, ToxicLifecycleAppliesFaults) {
  json proxy = CreateProxy("db");
  auto [status, toxic] =
      Send("POST", "/proxies/db/toxics", R"({"type": "latency", "attributes": {"latency": 1000}})");
  EXPECT_EQ(status, 200) << toxic.dump();
  EXPECT_EQ(toxic, (json{{"name", "latency_downstream"},
                         {"type", "latency"},
                         {"stream", "downstream"},
                         {"toxicity", 1.0},
                         {"attributes", {{"latency", 1000}, {"jitter", 0}}}}));
  UniqueFd client = Connect(PortOf(proxy));
  UniqueFd server = upstream_.Accept();
  auto t = TestClock::now();
  ASSERT_TRUE(WriteAll(server.get(), "slow"));
  EXPECT_EQ(ReadFor(client.get(), 4, 5000).data, "slow");
  EXPECT_GE(MsSince(t), 990);
  auto [list_status, list] = Send("GET", "/proxies/db/toxics");
  EXPECT_EQ(list_status, 200);
  EXPECT_EQ(list, json::array({toxic}));
  auto [upd_status, updated] = Send("POST", "/proxies/db/toxics/latency_downstream",
                                    R"({"attributes": {"latency": 0}, "toxicity": 0.5})");
  EXPECT_EQ(upd_status, 200) << updated.dump();
  EXPECT_EQ(updated["attributes"]["latency"], 0);
  EXPECT_EQ(updated["toxicity"], 0.5);
  EXPECT_EQ(Send("GET", "/proxies/db/toxics/latency_downstream").second, updated);
  EXPECT_EQ(Send("DELETE", "/proxies/db/toxics/latency_downstream").first, 204);
  EXPECT_EQ(Send("GET", "/proxies/db/toxics").second, json::array());
  t = TestClock::now();
  ASSERT_TRUE(WriteAll(server.get(), "fast"));
  EXPECT_EQ(ReadFor(client.get(), 4, 5000).data, "fast");
  EXPECT_LT(MsSince(t), 500) << "the open connection survives and runs at full speed";
}

TEST_F(ProxyApiTest, BadInputIsNamed) {
  CreateProxy("db");
  ExpectError(Send("POST", "/proxies/db/toxics", R"({"type": "latncy"})"), 400,
              "invalid toxic type: 'latncy' (did you mean 'latency'?)");
  ExpectError(Send("POST", "/proxies/db/toxics", R"({"type": "latency", "attributes": {}})"), 400,
              "missing required attribute 'latency'");
  ExpectError(Send("POST", "/proxies/db/toxics", R"({"attributes": {"latency": 1}})"), 400,
              "missing required field: type");
  ExpectError(Send("POST", "/proxies/db/toxics",
                   R"({"type": "latency", "stream": "sideways", "attributes": {"latency": 1}})"),
              400, "stream was invalid");
  ExpectError(Send("POST", "/proxies/db/toxics",
                   R"({"type": "latency", "toxicity": 2, "attributes": {"latency": 1}})"),
              400, "toxicity");
  ExpectError(Send("POST", "/proxies/db/toxics", "{not json"), 400, "not valid JSON");
  ASSERT_EQ(Send("POST", "/proxies/db/toxics",
                 R"({"name": "t", "type": "timeout", "attributes": {"timeout": 0}})")
                .first,
            200);
  ExpectError(Send("POST", "/proxies/db/toxics",
                   R"({"name": "t", "type": "timeout", "attributes": {"timeout": 0}})"),
              409, "toxic already exists: 't'");
  ExpectError(Send("POST", "/proxies/nope/toxics", R"({"type": "latency"})"), 404,
              "proxy not found: 'nope'");
  ExpectError(Send("GET", "/proxies/db/toxics/nope"), 404, "toxic not found: 'nope'");
  ExpectError(Send("DELETE", "/proxies/nope"), 404, "proxy not found");
  ExpectError(Send("POST", "/proxies", R"({"name": "db", "upstream": "127.0.0.1:1"})"), 409,
              "proxy already exists: 'db'");
  ExpectError(Send("POST", "/proxies", R"({"upstream": "127.0.0.1:1"})"), 400,
              "missing required field: name");
  ExpectError(Send("POST", "/proxies", R"({"name": "x"})"), 400,
              "missing required field: upstream");
  ExpectError(Send("POST", "/proxies", R"({"name": "x", "upstream": "nowhere"})"), 400, "upstream");
  ExpectError(Send("POST", "/proxies", R"({"name": 5, "upstream": "127.0.0.1:1"})"), 400,
              "field 'name' must be a string");
  ExpectError(Send("GET", "/nothing"), 404, "no such endpoint");
  ExpectError(Send("DELETE", "/version"), 405, "not allowed");
}

TEST_F(ProxyApiTest, PopulateAndReset) {
  json body =
      json::array({{{"name", "a"}, {"listen", "127.0.0.1:0"}, {"upstream", upstream_.address()}},
                   {{"name", "b"}, {"upstream", upstream_.address()}, {"enabled", false}}});
  auto [status, out] = Send("POST", "/populate", body.dump());
  EXPECT_EQ(status, 201) << out.dump();
  ASSERT_EQ(out["proxies"].size(), 2u);
  EXPECT_EQ(out["proxies"][1]["enabled"], false);
  // Populating again with the same addresses keeps the proxies (and their ports).
  auto [again_status, again] = Send("POST", "/populate", body.dump());
  EXPECT_EQ(again_status, 201);
  EXPECT_EQ(again["proxies"][0]["listen"], out["proxies"][0]["listen"]);
  ExpectError(Send("POST", "/populate", R"([{"name": "c"}])"), 400, "upstream");
  EXPECT_EQ(Send("GET", "/proxies/c").first, 404) << "a bad populate changes nothing";
  ASSERT_EQ(Send("POST", "/proxies/a/toxics", R"({"type": "bandwidth", "attributes": {"rate": 1}})")
                .first,
            200);
  // POST /reset with no body at all, as some clients send it.
  httplib::Request req;
  req.method = "POST";
  req.path = "/reset";
  auto reset = client_->send(req);
  ASSERT_TRUE(reset);
  EXPECT_EQ(reset->status, 204);
  auto [a_status, a] = Send("GET", "/proxies/a");
  EXPECT_EQ(a["toxics"], json::array());
  EXPECT_EQ(Send("GET", "/proxies/b").second["enabled"], true) << "reset enables every proxy";
}

TEST_F(ProxyApiTest, BrowsersAreRefused) {
  auto r = client_->Get("/proxies", httplib::Headers{{"User-Agent", "Mozilla/5.0"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
}

// The calls toxiproxy's Go client makes (client.go, proxy.go), in its order, with its bodies and
// the status codes it checks: CreateProxy 201, Proxies 200, AddToxic 200, UpdateToxic 200,
// Toxics 200, RemoveToxic 204, Save (disable) 200, Populate 201, ResetState 204, Delete 204.
// Idle clients (a keep-alive pool, a client that connects and says nothing, one that stops
// half-way through its headers) must not keep others from being answered.
TEST_F(ProxyApiTest, IdleConnectionsDoNotStopTheApi) {
  std::vector<UniqueFd> idle;
  for (int i = 0; i < 64; ++i) {
    idle.push_back(Connect(server_->port()));
    ASSERT_TRUE(idle.back().valid()) << i;
  }
  for (int i = 0; i < 8; ++i) {
    UniqueFd half = Connect(server_->port());
    ASSERT_TRUE(WriteAll(half.get(), "GET /version HTTP/1.1\r\nHost: x\r\n"));
    idle.push_back(std::move(half));
  }
  httplib::Client client("127.0.0.1", server_->port());
  client.set_connection_timeout(10);
  client.set_read_timeout(10);
  for (int i = 0; i < 20; ++i) {
    auto r = client.Get("/version");
    ASSERT_TRUE(r) << "request " << i << " got no answer with 72 idle connections open";
    EXPECT_EQ(r->status, 200);
  }
}

// Two proxies on one API port would split the requests between them: the second must fail.
TEST_F(ProxyApiTest, ASecondServerOnTheSamePortFailsToStart) {
  auto second = ApiServer::Start(*api_, "127.0.0.1", server_->port());
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.error().find("in use"), std::string::npos) << second.error();
  EXPECT_EQ(Send("GET", "/version").first, 200);
}

TEST_F(ProxyApiTest, OversizedBodiesAreRefused) {
  auto r = client_->Post("/proxies", std::string(ApiServer::kMaxBodyBytes + 10, ' '),
                         "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(Send("GET", "/version").first, 200);
}

TEST_F(ProxyApiTest, DrivenLikeAToxiproxyClientLibrary) {
  json create = {{"name", "redis"},
                 {"listen", "localhost:0"},
                 {"upstream", "localhost:" + std::to_string(upstream_.port())},
                 {"enabled", true}};
  auto [c_status, proxy] = Send("POST", "/proxies", create.dump());
  ASSERT_EQ(c_status, 201) << proxy.dump();
  for (const char* key : {"name", "listen", "upstream", "enabled", "toxics"}) {
    EXPECT_TRUE(proxy.contains(key)) << key;
  }
  EXPECT_EQ(Send("GET", "/proxies").first, 200);
  json toxic = {{"name", "latency_down"},
                {"type", "latency"},
                {"stream", "downstream"},
                {"toxicity", 1.0},
                {"attributes", {{"latency", 200}, {"jitter", 0}}}};
  auto [t_status, added] = Send("POST", "/proxies/redis/toxics", toxic.dump());
  ASSERT_EQ(t_status, 200) << added.dump();
  EXPECT_EQ(added, toxic) << "the toxic comes back as it was sent";
  UniqueFd client = Connect(PortOf(proxy));
  UniqueFd server = upstream_.Accept();
  auto t = TestClock::now();
  ASSERT_TRUE(WriteAll(server.get(), "+PONG\r\n"));
  EXPECT_EQ(ReadFor(client.get(), 7, 5000).data, "+PONG\r\n");
  EXPECT_GE(MsSince(t), 150);
  toxic["attributes"]["latency"] = 1000;
  auto [u_status, updated] = Send("POST", "/proxies/redis/toxics/latency_down",
                                  json{{"attributes", toxic["attributes"]}}.dump());
  EXPECT_EQ(u_status, 200);
  EXPECT_EQ(updated, toxic);
  EXPECT_EQ(Send("GET", "/proxies/redis/toxics").second, json::array({toxic}));
  EXPECT_EQ(Send("DELETE", "/proxies/redis/toxics/latency_down").first, 204);
  json save = proxy;
  save["enabled"] = false;
  save.erase("toxics");
  auto [s_status, saved] = Send("POST", "/proxies/redis", save.dump());
  EXPECT_EQ(s_status, 200) << saved.dump();
  EXPECT_EQ(saved["enabled"], false);
  json populate = json::array({{{"name", "redis"},
                                {"listen", proxy["listen"]},
                                {"upstream", proxy["upstream"]},
                                {"enabled", true}}});
  auto [p_status, populated] = Send("POST", "/populate", populate.dump());
  EXPECT_EQ(p_status, 201) << populated.dump();
  EXPECT_EQ(populated["proxies"][0]["listen"], proxy["listen"]);
  EXPECT_EQ(populated["proxies"][0]["enabled"], true);
  EXPECT_EQ(Send("POST", "/reset", "").first, 204);
  EXPECT_EQ(Send("DELETE", "/proxies/redis").first, 204);
}

}  // namespace
}  // namespace faultline::net
