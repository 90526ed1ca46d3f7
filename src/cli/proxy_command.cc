// `faultline proxy`: flags and wiring; the work lives in src/net/. Runs the fault proxy alone,
// serving toxiproxy's HTTP API, until SIGINT or SIGTERM.
#include <pthread.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <string>

#include "base/exit_codes.h"
#include "base/files.h"
#include "base/rng.h"
#include "cli/commands.h"
#include "net/api_server.h"
#include "net/fault_proxy.h"
#include "net/toxiproxy_api.h"

namespace faultline::cli {

int ProxyMain(int argc, char** argv) {
  CLI::App app{"Run the fault proxy alone, controlled through toxiproxy's HTTP API.",
               "faultline proxy"};
  std::string host = "127.0.0.1";
  int port = 8474;
  std::string config;
  uint64_t seed = 0;
  bool seed_given = false;
  bool no_splice = false;
  app.add_option("--host", host, "address the HTTP API listens on")->capture_default_str();
  app.add_option("--port", port, "port of the HTTP API (0: any free port)")
      ->capture_default_str()
      ->check(CLI::Range(0, 65535));
  app.add_option("--config", config, "JSON file of proxies to create at start (toxiproxy format)")
      ->check(CLI::ExistingFile);
  app.add_option("--seed", seed, "seed of toxicity, jitter and slicing draws (default: random)")
      ->each([&](const std::string&) { seed_given = true; });
  app.add_flag("--no-splice", no_splice,
               "copy unfaulted bytes through user space instead of splice() (for benchmarks)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kExitOk : kExitUsage;
  }
  if (!seed_given) seed = OsSeed();

  // Signals are handled by sigwait below; block them before any thread starts so that every
  // thread inherits the mask (signal state is process-wide).
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  auto proxy = net::FaultProxy::Start(net::ProxyOptions{seed, !no_splice});
  if (!proxy) {
    std::fprintf(stderr, "faultline proxy: %s\n", proxy.error().c_str());
    return kExitInfrastructure;
  }
  net::ToxiproxyApi api(**proxy);
  if (!config.empty()) {
    auto text = ReadFile(config);
    if (!text) {
      std::fprintf(stderr, "faultline proxy: %s\n", text.error().c_str());
      return kExitUsage;
    }
    if (Status s = api.PopulateFromConfig(*text); !s.ok()) {
      std::fprintf(stderr, "faultline proxy: %s: %s\n", config.c_str(), s.message().c_str());
      return kExitUsage;
    }
  }
  auto server = net::ApiServer::Start(api, host, port);
  if (!server) {
    std::fprintf(stderr, "faultline proxy: %s\n", server.error().c_str());
    return kExitInfrastructure;
  }
  // The first line of stdout says where the API is, so that scripts can start it with --port 0.
  std::printf("faultline proxy: API listening on %s:%d (seed %llu)\n", host.c_str(),
              (*server)->port(), static_cast<unsigned long long>(seed));
  std::fflush(stdout);
  int signal = 0;
  sigwait(&stop_signals, &signal);
  std::fprintf(stderr, "faultline proxy: stopping on signal %d\n", signal);
  return kExitOk;
}

}  // namespace faultline::cli
