#include "timeline/timeline.h"

#include "base/files.h"
#include "base/strings.h"

namespace faultline {

Timeline::~Timeline() {
  if (file_) std::fclose(file_);
}

Status Timeline::Open(const std::string& path) {
  if (file_) std::fclose(file_);
  file_ = std::fopen(path.c_str(), "we");
  if (!file_) return Status::FromErrno(path);
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
  if (file_) {
    std::string line = last_.ToJsonLine();
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), file_);
  }
  for (auto& listener : listeners_) listener(last_);
}

void Timeline::Flush() {
  if (file_) std::fflush(file_);
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
