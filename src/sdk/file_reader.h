// SdkFileReader: follows one SDK output file while its writer runs. Each Poll() reads what was
// appended since the last one, parses complete lines and hands them to a sink; a partial last line
// waits for its newline (or for Poll(final=true) once the writer has exited). A file that shrank
// was truncated by a restarting writer, and one replaced by a new file is reopened: reading starts
// over from its beginning. Lines that cannot be used are counted per reason and skipped, never
// fatal and never silent: SkippedFields() describes them for the timeline. Reading is streaming
// (64 KiB at a time, at most one line held), so a file of any size is read whole; a cap, when one
// is set, counts the bytes past it as skipped.
// One reader per file; not thread-safe; the history's event-loop thread polls it.
#pragma once

#include <sys/types.h>

#include <array>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <string_view>

#include "base/unique_fd.h"
#include "sdk/protocol.h"

namespace faultline::sdk {

struct ReaderStats {
  uint64_t lines = 0;        // lines parsed as protocol
  uint64_t garbage = 0;      // lines dropped, whatever the reason
  uint64_t truncations = 0;  // times the file shrank or was replaced
  uint64_t bytes_read = 0;
  uint64_t bytes_skipped = 0;  // beyond the size cap
  std::string first_garbage;   // why the first dropped line was rejected, with its line number
  std::array<uint64_t, kDropReasonCount> dropped{};  // lines per DropReason

  // Whether anything was lost: a dropped line or bytes past the cap.
  bool lost() const { return garbage > 0 || bytes_skipped > 0; }
  // {"invalid UTF-8": 2, "NaN or Infinity": 1, ...}: the reasons with a count, for the timeline.
  Json DroppedJson() const;
};

// The fields of an sdk_skipped event for what `stats` lost in `file`: file, lines, reason (the
// first one), reasons (count per reason) and bytes_skipped when the cap was reached.
Json SkippedFields(const std::string& file, const ReaderStats& stats);

class SdkFileReader {
 public:
  using Sink = std::function<void(SdkLine&&)>;
  // No cap by default: reading streams, so the whole file is read whatever its size.
  static constexpr uint64_t kDefaultMaxBytes = std::numeric_limits<uint64_t>::max();
  static constexpr size_t kMaxLineBytes = 4u << 20;

  explicit SdkFileReader(std::string path, uint64_t max_bytes = kDefaultMaxBytes);

  // Reads and parses what is new. A missing file is not an error (the writer may not have
  // created it yet). With `final`, a trailing line without a newline is parsed as well.
  void Poll(bool final, const Sink& sink);

  const std::string& path() const { return path_; }
  const ReaderStats& stats() const { return stats_; }

 private:
  bool Reopen();
  void TakeLine(std::string_view line, const Sink& sink);
  void Drop(DropReason reason, std::string_view why);

  std::string path_;
  uint64_t max_bytes_;
  UniqueFd fd_;
  ino_t inode_ = 0;
  uint64_t offset_ = 0;       // bytes of the current file consumed into partial_ or lines
  uint64_t line_number_ = 0;  // of the current file, for garbage messages
  std::string partial_;       // bytes after the last newline
  bool discarding_ = false;   // inside an over-long line: drop bytes up to its newline
  ReaderStats stats_;
};

}  // namespace faultline::sdk
