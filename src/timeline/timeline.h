// Timeline: the ordered record of one history. Record() stamps an event with the time since the
// history began, appends it to timeline.jsonl and hands it to every listener (the property book,
// the terminal progress), so nothing needs to keep the whole history in memory.
// Owned by the history; called from the thread that runs the history's event loop.
#pragma once

#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "base/status.h"
#include "timeline/event.h"

namespace faultline {

class Timeline {
 public:
  using Listener = std::function<void(const Event&)>;
  using Clock = std::chrono::steady_clock;

  Timeline() = default;
  ~Timeline();
  Timeline(const Timeline&) = delete;
  Timeline& operator=(const Timeline&) = delete;

  // Opens (truncates) the file; without Open the timeline only feeds its listeners.
  Status Open(const std::string& path);
  void AddListener(Listener listener) { listeners_.push_back(std::move(listener)); }
  // Time zero of the history.
  void Start(Clock::time_point zero) { zero_ = zero; }

  // Records an event stamped now; returns it as recorded.
  const Event& Record(EventType type, Json fields = Json::object());
  // Records an event with an explicit timestamp (used when replaying a timeline from disk).
  void RecordAt(int64_t t_us, EventType type, Json fields);
  int64_t NowMicros() const;
  // Writes buffered lines to the file.
  void Flush();
  size_t count() const { return count_; }

 private:
  void Emit();

  FILE* file_ = nullptr;
  Clock::time_point zero_ = Clock::now();
  std::vector<Listener> listeners_;
  Event last_;
  size_t count_ = 0;
};

// Reads a timeline.jsonl written by Timeline; lines that do not parse are skipped and counted.
struct TimelineFile {
  std::vector<Event> events;
  size_t skipped_lines = 0;
};
Result<TimelineFile> ReadTimeline(const std::string& path);

}  // namespace faultline
