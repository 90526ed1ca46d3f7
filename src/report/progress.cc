#include "report/progress.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>

#include "base/terminal.h"

namespace faultline::report {
namespace {

constexpr Millis kPlainEvery{30000};

// "0:41", "12:03", "1:02:03".
std::string Clock(Millis t) {
  int64_t s = std::max<int64_t>(0, t.count() / 1000);
  if (s >= 3600) return fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
  return fmt::format("{}:{:02}", s / 60, s % 60);
}

std::string Short(Millis t) {
  int64_t s = t.count() / 1000;
  return s < 60 ? fmt::format("{}s", s) : Clock(t);
}

// The first `width` columns of `text` (one column per UTF-8 code point).
std::string Cut(const std::string& text, size_t width) {
  size_t columns = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;
    if (columns == width) return text.substr(0, i);
    ++columns;
  }
  return text;
}

std::string Plural(int64_t n, const char* one, const char* many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

}  // namespace

Progress::Progress(FILE* out, ProgressStyle style, ProgressPlan plan, Now now, Failing failing)
    : out_(out), style_(style), plan_(plan), now_(std::move(now)), failing_(std::move(failing)) {}

size_t Progress::Width() const {
  winsize ws{};
  if (ioctl(fileno(out_), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20) return ws.ws_col - 1;
  return 119;
}

void Progress::Permanent(const std::string& text) {
  if (drawn_) std::fputs("\r\033[K", out_);
  std::fprintf(out_, "%s\n", text.c_str());
  drawn_ = false;
  if (style_ == ProgressStyle::kLine) Draw();
  std::fflush(out_);
}

void Progress::HistoryStarted(int index, uint64_t seed, const std::string& template_name) {
  Millis now = now_();
  running_[index] = {.seed = seed,
                     .template_name = ForTerminal(template_name),
                     .phase_since = now,
                     .started = now};
  if (style_ == ProgressStyle::kPlain) {
    Permanent(fmt::format("history {} (seed {}, template {}): started", index, seed,
                          running_[index].template_name));
  }
}

void Progress::SetPhase(int index, Running& h, std::string phase) {
  if (h.phase == phase) return;
  h.phase = std::move(phase);
  h.phase_since = now_();
  if (style_ == ProgressStyle::kPlain && (h.phase == "drivers" || h.phase == "eventually" ||
                                          h.phase == "finally" || h.phase == "no terminal")) {
    Permanent(
        fmt::format("history {}: {} at {}", index, h.phase, Clock(h.phase_since - h.started)));
  }
}

void Progress::HistoryEvent(int index, const Event& e) {
  auto it = running_.find(index);
  if (it == running_.end()) return;
  Running& h = it->second;
  const Json& f = e.fields;
  switch (e.type) {
    case EventType::kHistoryStart:
      SetPhase(index, h, JsonBool(f, "validate", false) ? "validate" : "setup");
      break;
    case EventType::kSetupComplete:
      SetPhase(index, h, h.phase == "validate" ? "validate" : "first");
      break;
    case EventType::kSetupFailed:
      SetPhase(index, h, "setup failed");
      break;
    case EventType::kDecision: {
      std::string what = JsonString(f, "what");
      if (what == "budget" && h.phase != "validate") SetPhase(index, h, "drivers");
      if (what == "terminal") {
        std::string value = JsonString(f, "value");
        SetPhase(index, h, value == "none" || value.empty() ? "no terminal" : value);
      }
      break;
    }
    case EventType::kCommandEnd:
      ++commands_;
      break;
    case EventType::kFault: {
      std::pair<int, int64_t> key{index, JsonInt(f, "id", -1)};
      if (JsonString(f, "action") == "begin") {
        faults_in_force_.insert(key);
      } else {
        faults_in_force_.erase(key);
      }
      break;
    }
    default:
      break;
  }
}

void Progress::HistoryEnded(const HistoryRow& row) {
  auto it = running_.find(row.index);
  if (it != running_.end()) {
    done_time_ += now_() - it->second.started;
    running_.erase(it);
  }
  for (auto f = faults_in_force_.begin(); f != faults_in_force_.end();) {
    f = f->first == row.index ? faults_in_force_.erase(f) : std::next(f);
  }
  ++done_;
  Permanent(fmt::format("history {} (seed {}, template {}): {}, {} invocations, terminal {}",
                        row.index, row.seed, ForTerminal(row.template_name), row.outcome,
                        row.invocations, row.terminal));
}

void Progress::Line(const std::string& text) { Permanent(text); }

std::string Progress::StatusLine(size_t width) const {
  Millis now = now_();
  std::string line = fmt::format("faultline {}/{} done", done_, plan_.histories);
  if (!running_.empty()) {
    std::string list;
    int shown = 0;
    for (const auto& [index, h] : running_) {
      if (shown++ == 3) {
        list += fmt::format(", +{}", running_.size() - 3);
        break;
      }
      list += fmt::format("{}h{} {} {}", list.empty() ? "" : ", ", index, h.phase,
                          Short(now - h.phase_since));
    }
    line += " · " + list;
  }
  // Remaining: the average history so far (or the plan's estimate), over the jobs.
  Millis average = done_ > 0 ? done_time_ / done_ : plan_.history_estimate;
  int waiting = std::max(0, plan_.histories - done_ - static_cast<int>(running_.size()));
  Millis left = average * waiting;
  for (const auto& [index, h] : running_) left += std::max(Millis(0), average - (now - h.started));
  left /= std::max(1, plan_.jobs);
  line += fmt::format(" · {} elapsed, ~{} left", Clock(now), Clock(left));
  line += " · " + Plural(commands_, "command", "commands");
  line += " · " + Plural(static_cast<int64_t>(faults_in_force_.size()), "fault", "faults") +
          " in force";
  int failing = failing_ ? failing_() : 0;
  line += " · " + Plural(failing, "property", "properties") + " failing";
  return Cut(line, width);
}

void Progress::Draw() {
  std::fprintf(out_, "\r%s\033[K", StatusLine(Width()).c_str());
  drawn_ = true;
}

void Progress::Tick() {
  if (style_ == ProgressStyle::kLine) {
    Draw();
    std::fflush(out_);
    return;
  }
  Millis now = now_();
  if (now - last_plain_ >= kPlainEvery) {
    last_plain_ = now;
    Permanent("progress: " + StatusLine(400));
  }
}

void Progress::Finish() {
  if (drawn_) std::fputs("\r\033[K", out_);
  drawn_ = false;
  std::fflush(out_);
}

}  // namespace faultline::report
