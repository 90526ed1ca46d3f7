#include "report/logs.h"

#include <filesystem>
#include <optional>

#include "base/files.h"
#include "base/strings.h"

namespace faultline::report {
namespace {

constexpr size_t kMaxLogBytes = 16 << 20;  // read at most the last 16 MiB of a log
constexpr size_t kMaxLineBytes = 2000;

std::vector<std::string> Lines(std::string_view text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (line.size() > kMaxLineBytes) {
      out.push_back(std::string(line.substr(0, kMaxLineBytes)) + "...");
    } else {
      out.emplace_back(line);
    }
    start = end + 1;
  }
  return out;
}

// The time of a marker line "=== faultline t=4.200s: ...", or nullopt.
std::optional<double> MarkerTime(std::string_view line) {
  constexpr std::string_view kPrefix = "=== faultline t=";
  if (!line.starts_with(kPrefix)) return std::nullopt;
  line.remove_prefix(kPrefix.size());
  size_t end = line.find("s:");
  if (end == std::string_view::npos) return std::nullopt;
  return ParseDouble(line.substr(0, end));
}

void KeepHeadAndTail(LogExcerpt& x, size_t max_lines, size_t head) {
  if (x.lines.size() <= max_lines) return;
  size_t tail = max_lines - head;
  x.omitted = x.lines.size() - max_lines;
  x.omitted_at = head;
  x.lines.erase(x.lines.begin() + static_cast<std::ptrdiff_t>(head),
                x.lines.end() - static_cast<std::ptrdiff_t>(tail));
}

std::string Relative(const std::string& path, const std::string& base) {
  std::error_code ec;
  auto rel = std::filesystem::relative(path, base, ec);
  return ec || rel.empty() ? path : rel.string();
}

// The folder of invocation `id` under commands/ ("000012-name"), or empty.
std::string CommandDir(const std::string& history_dir, int64_t id) {
  std::string prefix = fmt::format("{:06}-", id);
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(history_dir + "/commands", ec)) {
    if (entry.path().filename().string().starts_with(prefix)) return entry.path().string();
  }
  return {};
}

// The invocation id at the end of a source "template/command #12", or -1.
int64_t SourceId(const std::string& source) {
  size_t hash = source.rfind(" #");
  if (hash == std::string::npos) return -1;
  auto id = ParseInt(std::string_view(source).substr(hash + 2));
  return id ? *id : -1;
}

}  // namespace

LogExcerpt ServiceLogWindow(std::string_view text, double t, size_t max_lines) {
  std::vector<std::string> lines = Lines(text);
  size_t begin = 0, end = lines.size();
  std::string from = "the start", to = "the end";
  for (size_t i = 0; i < lines.size(); ++i) {
    auto mt = MarkerTime(lines[i]);
    if (!mt) continue;
    std::string what = fmt::format("t={:.3f}s", *mt);
    if (*mt <= t) {
      begin = i;
      from = what;
    } else {
      end = i + 1;
      to = what;
      break;
    }
  }
  // A short window takes the lines before it too, so the excerpt shows what led up to it.
  if (end - begin < max_lines) {
    begin = end > max_lines ? end - max_lines : 0;
    from = "the start";
    for (size_t i = begin + 1; i-- > 0;) {
      if (auto mt = MarkerTime(lines[i])) {
        from = fmt::format("t={:.3f}s", *mt);
        break;
      }
    }
  }
  LogExcerpt x;
  x.title = fmt::format("around t={:.3f}s: from {} to {}", t, from, to);
  x.lines.assign(lines.begin() + static_cast<std::ptrdiff_t>(begin),
                 lines.begin() + static_cast<std::ptrdiff_t>(end));
  KeepHeadAndTail(x, max_lines, max_lines / 3);
  return x;
}

std::vector<LogExcerpt> FailureLogs(const HistoryRow& row, const HistoryTrace* trace,
                                    const properties::Example& e, const std::string& report_dir) {
  std::vector<LogExcerpt> out;
  int64_t id = SourceId(e.source);
  if (id >= 0) {
    std::string dir = CommandDir(row.dir, id);
    for (const char* stream : {"stderr", "stdout"}) {
      if (dir.empty()) break;
      auto text = ReadFileTail(dir + "/" + stream, 64 << 10);
      if (!text || Trim(*text).empty()) continue;
      LogExcerpt x{.title = fmt::format("{} of {}", stream, e.source),
                   .path = Relative(dir + "/" + stream, report_dir),
                   .lines = Lines(TailLines(*text, 30))};
      out.push_back(std::move(x));
    }
  }
  if (!trace) return out;
  for (const auto& service : trace->service_lanes) {
    if (service.find('/') != std::string::npos) continue;  // not a service of this history
    std::string path = row.dir + "/logs/" + service + ".log";
    auto text = ReadFileTail(path, kMaxLogBytes);
    if (!text || Trim(*text).empty()) continue;
    LogExcerpt x = ServiceLogWindow(*text, e.t, 40);
    x.title = fmt::format("{}.log {}", service, x.title);
    x.path = Relative(path, report_dir);
    out.push_back(std::move(x));
  }
  return out;
}

}  // namespace faultline::report
