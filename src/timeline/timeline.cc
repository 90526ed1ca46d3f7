#include "timeline/timeline.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/files.h"
#include "base/strings.h"

namespace faultline {
namespace {

// One write(2) per line: with O_APPEND the kernel places it whole at the end of the file. A short
// write (a full disk, a signal mid-way through a huge line) is finished with further writes.
bool WriteLine(int fd, std::string_view line) {
  while (!line.empty()) {
    ssize_t n = ::write(fd, line.data(), line.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    line.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

}  // namespace

Status Timeline::Open(const std::string& path) {
  fd_.Reset(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644));
  if (!fd_) return Status::FromErrno(path);
  return Status::Ok();
}

int64_t Timeline::NowMicros() const {
  return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - zero_).count();
}

const Event& Timeline::Record(EventType type, Json fields) {
  RecordAt(NowMicros(), type, std::move(fields));
  return last_;
}

const Event& Timeline::RecordAssertion(Json source, sdk::Assertion assertion) {
  RecordAt(Event::Assert(NowMicros(), std::move(source), std::move(assertion)));
  return last_;
}

void Timeline::RecordAt(int64_t t_us, EventType type, Json fields) {
  RecordAt(Event::Of(t_us, type, std::move(fields)));
}

void Timeline::RecordAt(Event e) {
  last_ = std::move(e);
  Emit();
}

void Timeline::Emit() {
  ++count_;
  if (fd_) {
    std::string line = last_.ToJsonLine();
    line += '\n';
    if (!WriteLine(fd_.get(), line)) ++write_failures_;
  }
  for (auto& listener : listeners_) listener(last_);
}

Result<TimelineStream> TimelineStream::Open(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return Unexpected(fmt::format("{}: {}", path, std::strerror(errno)));
  return TimelineStream(path, std::move(fd));
}

bool TimelineStream::NextLine(std::string_view& line) {
  constexpr size_t kBlock = 1 << 20;
  for (;;) {
    size_t end = buf_.find('\n', pos_);
    if (end != std::string::npos) {
      line = std::string_view(buf_).substr(pos_, end - pos_);
      pos_ = end + 1;
      return true;
    }
    if (eof_) {
      if (pos_ >= buf_.size()) return false;
      line = std::string_view(buf_).substr(pos_);
      pos_ = buf_.size();
      return true;
    }
    // Keep the partial line, read the next block after it.
    buf_.erase(0, pos_);
    pos_ = 0;
    size_t have = buf_.size();
    buf_.resize(have + kBlock);
    ssize_t n;
    do {
      n = ::read(fd_.get(), buf_.data() + have, kBlock);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
      error_ = fmt::format("{}: {}", path_, std::strerror(errno));
      buf_.clear();
      return false;
    }
    buf_.resize(have + static_cast<size_t>(n));
    eof_ = n == 0;
  }
}

bool TimelineStream::Next(Event& e) {
  std::string_view line;
  while (NextLine(line)) {
    if (Trim(line).empty()) continue;
    if (auto parsed = Event::FromJsonLine(line, filter_ ? &filter_ : nullptr)) {
      e = std::move(*parsed);
      return true;
    }
    ++skipped_lines_;
  }
  return false;
}

Result<TimelineFile> ReadTimeline(const std::string& path) {
  auto stream = TimelineStream::Open(path);
  if (!stream) return Unexpected(stream.error());
  TimelineFile out;
  Event e;
  while (stream->Next(e)) out.events.push_back(std::move(e));
  if (!stream->error().empty()) return Unexpected(stream->error());
  out.skipped_lines = stream->skipped_lines();
  return out;
}

}  // namespace faultline
