#include "run/validate_sequence.h"

namespace faultline::run {

using composer::Prefix;

ValidateSequence::ValidateSequence(const composer::Template& tmpl, uint64_t history_seed,
                                   Millis timeout, composer::CommandLauncher& launcher,
                                   Clock& clock, Timeline& timeline, const HistoryLayout& layout)
    : history_seed_(history_seed),
      timeout_(timeout),
      launcher_(launcher),
      clock_(clock),
      timeline_(timeline),
      layout_(layout) {
  for (Prefix p :
       {Prefix::kFirst, Prefix::kParallelDriver, Prefix::kSerialDriver, Prefix::kSingletonDriver,
        Prefix::kAnytime, Prefix::kEventually, Prefix::kFinally}) {
    for (const auto* c : tmpl.With(p)) order_.push_back(c);
  }
}

void ValidateSequence::Start(std::function<void(composer::ComposerResult)> done) {
  done_ = std::move(done);
  Next();
}

void ValidateSequence::OnEnd(int64_t id, ExitStatus status) {
  if (id != current_) return;
  timer_.Cancel();
  const composer::Command* c = order_[next_ - 1];
  timeline_.Record(
      EventType::kCommandEnd,
      composer::CommandEndFields(id, *c, {status.code, status.signal}, timed_out_ ? "timeout" : "",
                                 clock_.Now() - started_));
  if (timed_out_) {
    problems_.push_back(fmt::format("{} did not finish within {} and was killed", c->Id(),
                                    FormatDuration(timeout_)));
  } else if (!status.success()) {
    problems_.push_back(fmt::format("{} failed ({}); its output: {}", c->Id(), status.Describe(),
                                    layout_.Invocation(id, c->name)));
  }
  Next();
}

void ValidateSequence::Interrupt() {
  interrupted_ = true;
  if (current_) launcher_.Kill(current_);
}

void ValidateSequence::Next() {
  current_ = 0;
  timed_out_ = false;
  if (interrupted_ || next_ >= order_.size()) {
    composer::ComposerResult r;
    r.reason = interrupted_ ? composer::EndReason::kInterrupted : composer::EndReason::kFinished;
    r.invocations = static_cast<int64_t>(next_);
    if (auto done = std::move(done_)) {
      done_ = nullptr;
      done(r);
    }
    return;
  }
  const composer::Command* c = order_[next_++];
  int64_t id = static_cast<int64_t>(next_);
  composer::Invocation inv{id, c, composer::InvocationSeed(history_seed_, *c, 1)};
  auto pid = launcher_.Launch(inv);
  if (!pid) {
    problems_.push_back(fmt::format("{} could not start: {}", c->Id(), pid.error()));
    Next();
    return;
  }
  current_ = id;
  started_ = clock_.Now();
  timeline_.Record(EventType::kCommandStart, composer::CommandStartFields(inv, *pid, 1));
  timer_ = clock_.After(timeout_, [this, id] {
    timer_ = Timer();
    timed_out_ = true;
    launcher_.Kill(id);
  });
}

}  // namespace faultline::run
