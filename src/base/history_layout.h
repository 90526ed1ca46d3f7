// HistoryLayout: where everything of one history lives inside its folder, in one value, so that
// the history, its services, its commands, its faults and the reports that read it back agree.
// A plain value; any thread.
//
//   <root>/timeline.jsonl            every event of the history
//   <root>/scenario.resolved.json    the scenario with this history's ports, folders and env
//   <root>/logs/<service>.log        a service's output (and .health.log for its health checks)
//   <root>/commands/NNNNNN-<name>/   one invocation: stdout, stderr, sdk.jsonl, output/
//   <root>/services/<service>/       {dir}: the service's own folder, owned by its user
//   <root>/units/                    isolated mode: hosts file, hub rules, unit holders' logs
//   <root>/services/.faultline/      faultline's files that services must reach: SDK files,
//                                    ANTITHESIS_OUTPUT_DIR folders, stop-faults, fault controls
#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace faultline {

struct HistoryLayout {
  std::string root;

  std::string Timeline() const { return root + "/timeline.jsonl"; }
  std::string ResolvedScenario() const { return root + "/scenario.resolved.json"; }
  std::string Logs() const { return root + "/logs"; }
  std::string ServiceLog(std::string_view service) const {
    return fmt::format("{}/{}.log", Logs(), service);
  }
  std::string HealthLog(std::string_view service) const {
    return fmt::format("{}/{}.health.log", Logs(), service);
  }
  std::string Commands() const { return root + "/commands"; }
  // An invocation's folder: its number, then the command's file name.
  std::string Invocation(int64_t id, std::string_view command) const {
    return fmt::format("{}/{:06}-{}", Commands(), id, command);
  }
  std::string Services() const { return root + "/services"; }
  std::string ServiceDir(std::string_view service) const {
    return fmt::format("{}/{}", Services(), service);
  }
  std::string Private() const { return Services() + "/.faultline"; }
  // A service's ANTITHESIS_OUTPUT_DIR; hand-written SDK lines go to its sdk.jsonl.
  std::string ServiceOutput(std::string_view service) const {
    return fmt::format("{}/{}.output", Private(), service);
  }
  // The SDK file of a service's n-th start (1-based).
  std::string ServiceSdkFile(std::string_view service, int start) const {
    return fmt::format("{}/{}-{}.sdk.jsonl", Private(), service, start);
  }
  std::string StopFaults() const { return Private() + "/stop-faults"; }
  // Isolated mode: the units' hosts file, the hub's rules and interface plan, holder logs.
  std::string Units() const { return root + "/units"; }
  // Control files of faults that act from inside a service (libfaketime, the disk preload).
  std::string FaultControls() const { return Private() + "/faults"; }
};

}  // namespace faultline
