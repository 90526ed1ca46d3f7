#include "sdk/file_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "base/strings.h"

namespace faultline::sdk {

Json ReaderStats::DroppedJson() const {
  Json out = Json::object();
  for (int i = 0; i < kDropReasonCount; ++i) {
    if (dropped[i] > 0) out[std::string(DropReasonName(static_cast<DropReason>(i)))] = dropped[i];
  }
  return out;
}

Json SkippedFields(const std::string& file, const ReaderStats& stats) {
  Json fields = {{"file", file},
                 {"lines", stats.garbage},
                 {"reason", stats.first_garbage},
                 {"reasons", stats.DroppedJson()}};
  if (stats.bytes_skipped > 0) fields["bytes_skipped"] = stats.bytes_skipped;
  return fields;
}

SdkFileReader::SdkFileReader(std::string path, uint64_t max_bytes)
    : path_(std::move(path)), max_bytes_(max_bytes) {}

bool SdkFileReader::Reopen() {
  fd_.Reset(::open(path_.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd_) return false;
  struct stat st {};
  if (fstat(fd_.get(), &st) != 0) return false;
  inode_ = st.st_ino;
  offset_ = 0;
  line_number_ = 0;
  partial_.clear();
  discarding_ = false;
  return true;
}

void SdkFileReader::Poll(bool final, const Sink& sink) {
  struct stat path_st {};
  if (::stat(path_.c_str(), &path_st) != 0) return;  // not created yet, or removed
  if (!fd_ || path_st.st_ino != inode_) {
    bool had_file = fd_.valid();
    if (!Reopen()) return;
    if (had_file) ++stats_.truncations;
  } else if (static_cast<uint64_t>(path_st.st_size) < offset_) {
    // The writer truncated the file (an SDK starting again in a restarted process).
    ++stats_.truncations;
    offset_ = 0;
    line_number_ = 0;
    partial_.clear();
    discarding_ = false;
  }
  char buf[65536];
  while (stats_.bytes_read < max_bytes_) {
    size_t want =
        static_cast<size_t>(std::min<uint64_t>(sizeof buf, max_bytes_ - stats_.bytes_read));
    ssize_t n = ::pread(fd_.get(), buf, want, static_cast<off_t>(offset_));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    offset_ += static_cast<uint64_t>(n);
    stats_.bytes_read += static_cast<uint64_t>(n);
    std::string_view chunk(buf, static_cast<size_t>(n));
    while (!chunk.empty()) {
      size_t nl = chunk.find('\n');
      if (nl == std::string_view::npos) {
        if (!discarding_) partial_.append(chunk);
        if (partial_.size() > kMaxLineBytes) {
          partial_.clear();
          discarding_ = true;
        }
        break;
      }
      if (discarding_) {
        discarding_ = false;
        ++line_number_;
        Drop(DropReason::kTooLong, fmt::format("longer than {} bytes", kMaxLineBytes));
      } else if (partial_.empty()) {
        TakeLine(chunk.substr(0, nl), sink);
      } else if (partial_.size() + nl > kMaxLineBytes) {
        partial_.clear();
        ++line_number_;
        Drop(DropReason::kTooLong, fmt::format("longer than {} bytes", kMaxLineBytes));
      } else {
        partial_.append(chunk.substr(0, nl));
        std::string line = std::move(partial_);
        partial_.clear();
        TakeLine(line, sink);
      }
      chunk.remove_prefix(nl + 1);
    }
  }
  if (stats_.bytes_read >= max_bytes_) {
    struct stat st {};
    if (fstat(fd_.get(), &st) == 0 && static_cast<uint64_t>(st.st_size) > offset_) {
      stats_.bytes_skipped = static_cast<uint64_t>(st.st_size) - offset_;
      if (stats_.first_garbage.empty()) {
        stats_.first_garbage = fmt::format("bytes past the {}-byte cap", max_bytes_);
      }
    }
  }
  if (final && discarding_) {
    // An over-long last line that never got its newline is lost all the same.
    discarding_ = false;
    ++line_number_;
    Drop(DropReason::kTooLong, fmt::format("longer than {} bytes", kMaxLineBytes));
  }
  if (final && !partial_.empty()) {
    std::string line = std::move(partial_);
    partial_.clear();
    TakeLine(line, sink);
  }
}

void SdkFileReader::Drop(DropReason reason, std::string_view why) {
  ++stats_.garbage;
  ++stats_.dropped[static_cast<size_t>(reason)];
  if (stats_.first_garbage.empty()) {
    stats_.first_garbage = fmt::format("line {}: {}", line_number_, why);
  }
}

void SdkFileReader::TakeLine(std::string_view line, const Sink& sink) {
  ++line_number_;
  if (Trim(line).empty()) return;
  DropReason reason = DropReason::kNotJson;
  auto parsed = ParseSdkLine(line, &reason);
  if (!parsed) {
    Drop(reason, parsed.error());
    return;
  }
  ++stats_.lines;
  sink(std::move(*parsed));
}

}  // namespace faultline::sdk
