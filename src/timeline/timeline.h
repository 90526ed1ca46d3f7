// Timeline: the ordered record of one history. Record() stamps an event with the time since the
// history began, appends it to timeline.jsonl and hands it to every listener (the property book,
// the terminal progress), so nothing needs to keep the whole history in memory. Each event is one
// write(2) of one whole line on an O_APPEND descriptor: when Record returns the line is in the
// kernel, so a SIGKILL of faultline loses no recorded event and never leaves half a line.
// Owned by the history; called from the thread that runs the history's event loop.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "base/status.h"
#include "base/unique_fd.h"
#include "timeline/event.h"

namespace faultline {

class Timeline {
 public:
  using Listener = std::function<void(const Event&)>;
  using Clock = std::chrono::steady_clock;

  Timeline() = default;
  ~Timeline() = default;
  Timeline(const Timeline&) = delete;
  Timeline& operator=(const Timeline&) = delete;

  // Opens (truncates) the file; without Open the timeline only feeds its listeners.
  Status Open(const std::string& path);
  void AddListener(Listener listener) { listeners_.push_back(std::move(listener)); }
  // Time zero of the history.
  void Start(Clock::time_point zero) { zero_ = zero; }

  // Records an event stamped now; returns it as recorded.
  const Event& Record(EventType type, Json fields = Json::object());
  // Records an SDK assertion from `source` (its source fields), stamped now.
  const Event& RecordAssertion(Json source, sdk::Assertion assertion);
  // Records an event with an explicit timestamp (used when replaying a timeline from disk); the
  // fields as a line holds them (Event::Of).
  void RecordAt(int64_t t_us, EventType type, Json fields);
  void RecordAt(Event e);
  int64_t NowMicros() const;
  // Nothing is buffered (every Record writes its line); kept so callers may mark the end.
  void Flush() {}
  // Events whose line could not be written (disk full, I/O error); they still reached listeners.
  size_t write_failures() const { return write_failures_; }
  size_t count() const { return count_; }

 private:
  void Emit();

  UniqueFd fd_;
  size_t write_failures_ = 0;
  Clock::time_point zero_ = Clock::now();
  std::vector<Listener> listeners_;
  Event last_;
  size_t count_ = 0;
};

// Reads a timeline.jsonl written by Timeline one event at a time, a block of the file at a time:
// memory stays at one block and the longest line, however long the history. Lines that do not
// parse are skipped and counted.
class TimelineStream {
 public:
  static Result<TimelineStream> Open(const std::string& path);
  // Assert events then keep only the payload the filter asks for (Event::FromJsonLine).
  void SetAssertPayloadFilter(AssertPayloadFilter filter) { filter_ = std::move(filter); }
  // The next event that parses into `e`; false at the end of the file or at a read error.
  bool Next(Event& e);
  size_t skipped_lines() const { return skipped_lines_; }
  // Empty unless a read failed (the events before it were delivered).
  const std::string& error() const { return error_; }

 private:
  explicit TimelineStream(std::string path, UniqueFd fd)
      : path_(std::move(path)), fd_(std::move(fd)) {}
  // The next whole line (the last may lack its newline); false at the end.
  bool NextLine(std::string_view& line);

  std::string path_;
  UniqueFd fd_;
  std::string buf_;
  size_t pos_ = 0;  // where the next line starts in buf_
  bool eof_ = false;
  size_t skipped_lines_ = 0;
  std::string error_;
  AssertPayloadFilter filter_;
};

// A whole timeline in memory (tests, and small files); a report streams (TimelineStream).
struct TimelineFile {
  std::vector<Event> events;
  size_t skipped_lines = 0;
};
Result<TimelineFile> ReadTimeline(const std::string& path);

}  // namespace faultline
