// SdkFileReader: follows one SDK output file while its writer runs. Each Poll() reads what was
// appended since the last one, parses complete lines and hands them to a sink; a partial last line
// waits for its newline (or for Poll(final=true) once the writer has exited). A file that shrank
// was truncated by a restarting writer, and one replaced by a new file is reopened: reading starts
// over from its beginning. Garbage lines are counted and skipped, never fatal. A file over the
// size cap is read up to the cap and the rest counted as skipped.
// One reader per file; not thread-safe; the history's event-loop thread polls it.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "base/unique_fd.h"
#include "sdk/protocol.h"

namespace faultline::sdk {

struct ReaderStats {
  uint64_t lines = 0;        // lines parsed as protocol
  uint64_t garbage = 0;      // lines that were not protocol (or too long)
  uint64_t truncations = 0;  // times the file shrank or was replaced
  uint64_t bytes_read = 0;
  uint64_t bytes_skipped = 0;  // beyond the size cap
  std::string first_garbage;   // why the first garbage line was rejected, with its line number
};

class SdkFileReader {
 public:
  using Sink = std::function<void(SdkLine&&)>;
  static constexpr uint64_t kDefaultMaxBytes = 256ull << 20;
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
