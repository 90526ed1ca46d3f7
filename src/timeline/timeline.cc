#include "timeline/timeline.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

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

void Timeline::RecordAt(int64_t t_us, EventType type, Json fields) {
  last_.t_us = t_us;
  last_.type = type;
  last_.fields = std::move(fields);
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

Result<TimelineFile> ReadTimeline(const std::string& path) {
  auto text = ReadFile(path);
  if (!text) return Unexpected(text.error());
  TimelineFile out;
  size_t start = 0;
  while (start < text->size()) {
    size_t end = text->find('\n', start);
    if (end == std::string::npos) end = text->size();
    std::string_view line(text->data() + start, end - start);
    if (!Trim(line).empty()) {
      if (auto e = Event::FromJsonLine(line)) {
        out.events.push_back(std::move(*e));
      } else {
        ++out.skipped_lines;
      }
    }
    start = end + 1;
  }
  return out;
}

}  // namespace faultline
