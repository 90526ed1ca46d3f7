// SetupGate: decides when a history's setup is complete (../shared/spec/test-composer.md): once
// every service is healthy (`setup_complete: healthy`), or at the first antithesis_setup line
// once they are (`setup_complete: sdk`; a line that arrives before counts when they become
// healthy), within the scenario's setup timeout counted from the history's start. It records
// setup_complete or setup_failed on the timeline and reports the outcome once; later setup lines
// are recorded as warnings.
// Owned by the history; runs on the history's event-loop thread.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "base/status.h"
#include "scenario/scenario.h"
#include "timeline/timeline.h"

namespace faultline::run {

class SetupGate {
 public:
  struct Outcome {
    bool complete = false;
    std::string message;  // why setup failed
  };
  // The services that are not healthy now (for the failure's message and event).
  using Unhealthy = std::function<std::vector<std::string>()>;

  SetupGate(const scenario::Scenario& scenario, Clock& clock, Timeline& timeline,
            Unhealthy unhealthy, std::function<void(Outcome)> done);

  // Every service came up (OK), or bringing them up failed (the error says why).
  void ServicesUp(const Status& status);
  // A setup-complete line written by `source`.
  void SetupLine(const Json& source, const Json& details);
  // Gives up without an outcome (the history is being torn down).
  void Cancel();
  bool complete() const { return state_ == State::kComplete; }

 private:
  enum class State { kWaitingForServices, kWaitingForLine, kComplete, kFailed, kCancelled };
  void Complete(const std::string& via, const Json& source, const Json& details);
  void Fail(std::string message);

  const scenario::Scenario& scenario_;
  Clock& clock_;
  Timeline& timeline_;
  Unhealthy unhealthy_;
  std::function<void(Outcome)> done_;
  State state_ = State::kWaitingForServices;
  std::optional<std::pair<Json, Json>> early_line_;  // source, details
  Timer timeout_;
};

}  // namespace faultline::run
