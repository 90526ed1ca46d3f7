#include "run/setup_gate.h"

namespace faultline::run {

SetupGate::SetupGate(const scenario::Scenario& scenario, Clock& clock, Timeline& timeline,
                     Unhealthy unhealthy, std::function<void(Outcome)> done)
    : scenario_(scenario),
      clock_(clock),
      timeline_(timeline),
      unhealthy_(std::move(unhealthy)),
      done_(std::move(done)) {}

void SetupGate::ServicesUp(const Status& status) {
  if (state_ != State::kWaitingForServices) return;
  if (!status.ok()) {
    Fail(status.message());
    return;
  }
  if (scenario_.setup_complete == scenario::SetupMode::kHealthy) {
    Complete("healthy", Json::object(), nullptr);
    return;
  }
  state_ = State::kWaitingForLine;
  if (early_line_) {
    auto [source, details] = std::move(*early_line_);
    early_line_.reset();
    Complete("sdk", source, details);
    return;
  }
  // The time the services took to come up counts against the setup timeout.
  Millis left = std::max(Millis(0), scenario_.setup_timeout - clock_.Now());
  timeout_ = clock_.After(left, [this] {
    timeout_ = Timer();
    Fail(fmt::format("no process wrote setup complete (an antithesis_setup line) within {}",
                     FormatDuration(scenario_.setup_timeout)));
  });
}

void SetupGate::SetupLine(const Json& source, const Json& details) {
  bool sdk_mode = scenario_.setup_complete == scenario::SetupMode::kSdk;
  if (sdk_mode && state_ == State::kWaitingForLine) {
    Complete("sdk", source, details);
    return;
  }
  if (sdk_mode && state_ == State::kWaitingForServices && !early_line_) {
    early_line_.emplace(source, details);  // counts once every service is healthy
    return;
  }
  Json fields = {{"message", sdk_mode ? "a later setup-complete line was ignored"
                                      : "setup-complete line ignored (the scenario uses "
                                        "setup_complete: healthy)"}};
  for (auto it = source.begin(); it != source.end(); ++it) fields[it.key()] = it.value();
  timeline_.Record(EventType::kWarning, std::move(fields));
}

void SetupGate::Cancel() {
  if (state_ == State::kWaitingForServices || state_ == State::kWaitingForLine) {
    state_ = State::kCancelled;
  }
  timeout_.Cancel();
}

void SetupGate::Complete(const std::string& via, const Json& source, const Json& details) {
  state_ = State::kComplete;
  timeout_.Cancel();
  Json fields = {{"via", via}, {"details", details}};
  for (auto it = source.begin(); it != source.end(); ++it) fields[it.key()] = it.value();
  timeline_.Record(EventType::kSetupComplete, std::move(fields));
  done_(Outcome{true, ""});
}

void SetupGate::Fail(std::string message) {
  state_ = State::kFailed;
  timeout_.Cancel();
  timeline_.Record(EventType::kSetupFailed, {{"reason", message}, {"unhealthy", unhealthy_()}});
  done_(Outcome{false, std::move(message)});
}

}  // namespace faultline::run
