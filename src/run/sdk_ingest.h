// SdkIngest: follows a history's SDK output (each service start's file, each service's
// hand-written $ANTITHESIS_OUTPUT_DIR/sdk.jsonl, each invocation's files) and turns its lines into
// timeline events: assertions, user events, guidance. Setup-complete lines go to the caller (the
// setup gate). Growing files are read on a short timer and read whole once more when their
// writer has ended; what could not be read is recorded as sdk_skipped with its reason.
// Owned by the history; runs on the history's event-loop thread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/clock.h"
#include "sdk/file_reader.h"
#include "timeline/timeline.h"

namespace faultline::run {

class SdkIngest {
 public:
  // A setup-complete line from `source`, with the line's details.
  using SetupLine = std::function<void(const Json& source, const Json& details)>;
  using FileSet = uint64_t;

  SdkIngest(Clock& clock, Millis poll, Timeline& timeline, SetupLine on_setup);
  SdkIngest(const SdkIngest&) = delete;
  SdkIngest& operator=(const SdkIngest&) = delete;

  // Follows `paths`, written by `source` ({"service": name} or {"command": id, "id": n}), and
  // returns a handle for Finish. Files that do not exist yet are not an error.
  FileSet Follow(std::vector<std::string> paths, Json source);
  // Reads the files of `set` to their end (a last line without a newline included), records what
  // could not be read, and stops following them. A no-op for an unknown set.
  void Finish(FileSet set);
  // Reads what is new in every followed file now.
  void PollNow();
  // Finish() for every set, then stops the timer (the history's end).
  void FinishAll();

 private:
  struct Followed {
    Json source;
    std::vector<std::unique_ptr<sdk::SdkFileReader>> readers;
  };
  void Poll(Followed& f, bool final);
  void Ingest(const Json& source, sdk::SdkLine&& line);
  void Arm();

  Clock& clock_;
  Millis poll_;
  Timeline& timeline_;
  SetupLine on_setup_;
  std::map<FileSet, Followed> followed_;
  FileSet next_ = 1;
  Timer timer_;
  bool stopped_ = false;
};

}  // namespace faultline::run
