// ValidateSequence: `faultline validate`'s schedule instead of the composer's: every command of
// the template once, one at a time, in prefix order (first_, drivers, anytime_, eventually_,
// finally_), each bounded by the command timeout, with no faults. A command that fails, times out
// or cannot start is a problem to list, never fatal.
// Owned by the history; runs on the history's event-loop thread.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/history_layout.h"
#include "composer/composer.h"
#include "process/supervisor.h"
#include "timeline/timeline.h"

namespace faultline::run {

class ValidateSequence {
 public:
  ValidateSequence(const composer::Template& tmpl, uint64_t history_seed, Millis timeout,
                   composer::CommandLauncher& launcher, Clock& clock, Timeline& timeline,
                   const HistoryLayout& layout);

  // Runs the commands; `done` runs once, after the last one ended (or the sequence was
  // interrupted).
  void Start(std::function<void(composer::ComposerResult)> done);
  // Reports the end of the invocation the launcher started.
  void OnEnd(int64_t id, ExitStatus status);
  // Kills the running command and ends the sequence.
  void Interrupt();
  const std::vector<std::string>& problems() const { return problems_; }

 private:
  void Next();

  uint64_t history_seed_;
  Millis timeout_;
  composer::CommandLauncher& launcher_;
  Clock& clock_;
  Timeline& timeline_;
  const HistoryLayout& layout_;
  std::vector<const composer::Command*> order_;
  size_t next_ = 0;
  int64_t current_ = 0;
  Millis started_{0};
  bool timed_out_ = false;
  bool interrupted_ = false;
  Timer timer_;
  std::vector<std::string> problems_;
  std::function<void(composer::ComposerResult)> done_;
};

}  // namespace faultline::run
