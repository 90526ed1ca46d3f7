// faultline-pg-workload: the upsert workload of scenarios/postgres, one binary with one mode per
// kind of test command. Reads its configuration from the environment (see workload.h).
#include <cstdio>
#include <cstring>

#include "workload.h"

namespace {

struct Mode {
  const char* name;
  const char* help;
  int (*run)(const pgworkload::Config&);
};

constexpr Mode kModes[] = {
    {"setup", "first_: schema, publication, subscription, model", pgworkload::RunSetup},
    {"write", "parallel_driver_: batches of upserts and deletes on the primary",
     pgworkload::RunWriter},
    {"read", "parallel_driver_: monotonic reads on the replica and the subscriber",
     pgworkload::RunReader},
    {"anytime", "anytime_: replication connected, reads work, acknowledged writes survive",
     pgworkload::RunAnytime},
    {"eventually", "eventually_: quiet period, sentinel, full comparison",
     pgworkload::RunEventually},
    {"finally", "finally_: full comparison", pgworkload::RunFinally},
};

int Usage(const char* problem) {
  if (problem) std::fprintf(stderr, "faultline-pg-workload: %s\n", problem);
  std::fprintf(stderr, "usage: faultline-pg-workload MODE\n\nmodes:\n");
  for (const Mode& m : kModes) std::fprintf(stderr, "  %-11s %s\n", m.name, m.help);
  std::fprintf(
      stderr,
      "\nenvironment: PRIMARY_PORT, REPLICA_PORT, SUBSCRIBER_PORT, MODEL (required); "
      "PRIMARY_PORT_FOR_SUBSCRIBER (setup); PGHOST, PRIMARY_HOST, REPLICA_HOST, SUBSCRIBER_HOST, "
      "PRIMARY_HOST_FOR_SUBSCRIBER (each defaults to PGHOST), PGUSER, PGDATABASE; "
      "WORKLOAD_DRIVER_SECONDS, WORKLOAD_REACH_SECONDS, WORKLOAD_CHECK_SECONDS\n");
  return pgworkload::kExitUsage;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) return Usage(argc < 2 ? "which mode?" : "one mode, no other arguments");
  for (const Mode& m : kModes) {
    if (std::strcmp(argv[1], m.name) != 0) continue;
    pgworkload::Config config;
    std::string error;
    if (!pgworkload::LoadConfig(&config, m.run == pgworkload::RunSetup, &error)) {
      std::fprintf(stderr, "faultline-pg-workload %s: %s\n", m.name, error.c_str());
      return pgworkload::kExitUsage;
    }
    return m.run(config);
  }
  return Usage((std::string("unknown mode '") + argv[1] + "'").c_str());
}
