// Rebuild and Merge: a Report from run folders alone. Histories are folded one at a time, event
// by event into the book and their trace (no timeline is ever held whole), in index order for one
// run and in seed order for a merge, so the report never depends on how histories interleaved in
// time. A reader thread parses the next events while the caller's thread folds (TimelineReader).
#include <malloc.h>
#include <pthread.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>

#include "base/files.h"
#include "base/json.h"
#include "base/strings.h"
#include "report/logs.h"
#include "report/report.h"
#include "timeline/timeline.h"

namespace faultline::report {
namespace {

using properties::Outcome;

struct RunFolder {
  std::string dir;
  RunMeta meta;
};

struct HistoryFolder {
  size_t run = 0;  // index into the runs
  std::string dir;
  int index = 0;
  uint64_t seed = 0;
};

Result<RunFolder> ReadRunFolder(const std::string& dir) {
  auto text = ReadFile(dir + "/run.json");
  if (!text)
    return Unexpected(fmt::format("{} is not a faultline run folder: {}", dir, text.error()));
  Json meta = ParseJson(*text);
  if (!meta.is_object()) return Unexpected(fmt::format("{}/run.json is not valid JSON", dir));
  RunFolder run{.dir = dir, .meta = MetaFromJson(meta)};
  run.meta.run_dir = dir;
  return run;
}

// "h012-seed112" -> (12, 112).
bool ParseHistoryName(const std::string& name, int& index, uint64_t& seed) {
  size_t dash = name.find("-seed");
  if (name.size() < 2 || name[0] != 'h' || dash == std::string::npos) return false;
  auto i = ParseInt(std::string_view(name).substr(1, dash - 1));
  auto s = ParseUint(std::string_view(name).substr(dash + 5));
  if (!i || !s) return false;
  index = static_cast<int>(*i);
  seed = *s;
  return true;
}

std::vector<HistoryFolder> ListHistories(const std::string& run_dir, size_t run) {
  std::vector<HistoryFolder> out;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(run_dir, ec)) {
    std::string name = entry.path().filename().string();
    HistoryFolder h{.run = run, .dir = run_dir + "/" + name};
    if (!ParseHistoryName(name, h.index, h.seed) || !PathExists(h.dir + "/timeline.jsonl")) {
      continue;
    }
    out.push_back(std::move(h));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.index < b.index; });
  return out;
}

// Folds a history's row from its events, one at a time.
class RowFolder {
 public:
  explicit RowFolder(const HistoryFolder& f)
      : row_{.index = f.index, .seed = f.seed, .dir = f.dir, .outcome = "interrupted"} {}
  void Add(const Event& e) {
    started_ += e.type == EventType::kCommandStart;
    if (e.type == EventType::kHistoryStart) {
      row_.template_name = JsonString(e.fields, "template");
    } else if (e.type == EventType::kHistoryEnd) {
      row_.outcome = JsonString(e.fields, "outcome", "completed");
      row_.message = JsonString(e.fields, "message");
      row_.terminal = JsonString(e.fields, "terminal");
      row_.invocations = JsonInt(e.fields, "invocations", 0);
      row_.seconds = static_cast<double>(e.t_us) / 1e6;
    }
  }
  HistoryRow Finish() && {
    if (row_.outcome == "interrupted") row_.invocations = started_;
    return std::move(row_);
  }

 private:
  HistoryRow row_;
  int64_t started_ = 0;  // invocations, for a timeline cut short (faultline was killed)
};

class Builder {
 public:
  Builder(std::vector<RunFolder> runs, properties::PropertyBook& book)
      : runs_(std::move(runs)), book_(book) {}

  Status Read(std::vector<HistoryFolder> folders, bool renumber, Report& r);
  void Replays(Report& r);
  void Logs(Report& r);

 private:
  std::vector<RunFolder> runs_;
  properties::PropertyBook& book_;
};

// Parses the timelines of `folders` on threads of their own (lanes: history k is lane k mod the
// number of lanes) and hands them over in batches of events, each lane a bounded number ahead of
// the one being folded: parsing JSON is most of a rebuild's work, folding must stay in order on the
// caller's thread, and memory must not grow with the length of a history (a whole timeline of a
// long run is hundreds of megabytes). Each lane skips the payload of assertions the book no longer
// needs (properties::PayloadNeeds, fed the lane's own lines: they all precede, in folding order,
// the line it decides), and folded batches come back to their lane to be freed.
class TimelineReader {
 public:
  struct Batch {
    std::vector<Event> events;
    bool last = false;         // the history's last batch: its counts follow
    size_t skipped_lines = 0;  // on the last batch
    std::string error;         // on the last batch: the timeline could not be read
    size_t lane = 0;
  };

  TimelineReader(const std::vector<HistoryFolder>& folders, size_t lanes) : folders_(folders) {
    lanes = std::max<size_t>(1, std::min(lanes, folders.size()));
    for (size_t i = 0; i < lanes; ++i) lanes_.push_back(std::make_unique<Lane>());
    for (size_t i = 0; i < lanes; ++i) lanes_[i]->thread = std::thread([this, i] { Run(i); });
  }
  ~TimelineReader() {
    for (auto& lane : lanes_) {
      {
        std::lock_guard lock(lane->mu);
        lane->stop = true;
      }
      lane->cv.notify_all();
    }
    for (auto& lane : lanes_) lane->thread.join();
  }
  // The next batch of history `position` (an index into the folders; positions are taken in
  // order, each until its `last` batch). `folded` is the batch the caller is done with, handed
  // back to its lane to be freed there.
  Batch Take(size_t position, Batch folded) {
    if (!folded.events.empty()) {
      Lane& home = *lanes_[folded.lane];
      std::lock_guard lock(home.mu);
      home.spent.push_back(std::move(folded));
    }
    Lane& lane = *lanes_[position % lanes_.size()];
    std::unique_lock lock(lane.mu);
    lane.cv.wait(lock, [&] { return !lane.ready.empty(); });
    Batch b = std::move(lane.ready.front());
    lane.ready.pop_front();
    lane.cv.notify_all();
    return b;
  }

 private:
  static constexpr size_t kBatchEvents = 1024;
  static constexpr size_t kBatchesAhead = 8;

  struct Lane {
    std::mutex mu;
    std::condition_variable cv;
    std::deque<Batch> ready;  // GUARDED_BY(mu)
    std::deque<Batch> spent;  // GUARDED_BY(mu): folded, to be freed by the lane
    bool stop = false;        // GUARDED_BY(mu)
    std::thread thread;
  };

  // Hands `b` over and leaves it empty to fill next. The batches the caller has folded are freed
  // here, on the thread that allocated their events (freeing into another thread's arena costs
  // more than the parse). False once the reader is being destroyed.
  bool Put(Lane& lane, size_t index, Batch& b) {
    std::deque<Batch> spent;
    {
      std::unique_lock lock(lane.mu);
      lane.cv.wait(lock, [&] { return lane.stop || lane.ready.size() < kBatchesAhead; });
      if (lane.stop) return false;
      b.lane = index;
      lane.ready.push_back(std::exchange(b, Batch{}));
      spent.swap(lane.spent);
      lane.cv.notify_all();
    }
    b.events.reserve(kBatchEvents);
    return true;
  }

  void Run(size_t index) {
    pthread_setname_np(pthread_self(), "timeline-read");  // as perf and top show it
    Lane& lane = *lanes_[index];
    properties::PayloadNeeds needs;
    AssertPayloadFilter filter = [&needs](const sdk::Assertion& assertion, bool has_location) {
      return needs.Of(assertion, has_location);
    };
    Batch b;
    b.events.reserve(kBatchEvents);
    for (size_t k = index; k < folders_.size(); k += lanes_.size()) {
      auto stream = TimelineStream::Open(folders_[k].dir + "/timeline.jsonl");
      if (stream) {
        stream->SetAssertPayloadFilter(filter);
        Event e;
        while (stream->Next(e)) {
          b.events.push_back(std::move(e));
          if (b.events.size() == kBatchEvents && !Put(lane, index, b)) return;
        }
        b.skipped_lines = stream->skipped_lines();
        b.error = stream->error();
      } else {
        b.error = stream.error();
      }
      b.last = true;
      if (!Put(lane, index, b)) return;
    }
  }

  const std::vector<HistoryFolder>& folders_;
  std::vector<std::unique_ptr<Lane>> lanes_;
};

Status Builder::Read(std::vector<HistoryFolder> folders, bool renumber, Report& r) {
  if (renumber) {
    for (size_t i = 0; i < folders.size(); ++i) folders[i].index = static_cast<int>(i);
  }
  // Two lanes keep the folding thread fed on two cores; more only add memory.
  TimelineReader reader(folders, std::min(2u, std::max(1u, std::thread::hardware_concurrency())));
  TimelineReader::Batch b;  // each folded batch goes back to its lane with the next Take
  for (size_t position = 0; position < folders.size(); ++position) {
    HistoryFolder& f = folders[position];
    properties::HistoryRef ref{f.index, f.seed};
    TraceBuilder trace(ref, book_);
    RowFolder row(f);
    for (;;) {
      b = reader.Take(position, std::move(b));
      for (auto& e : b.events) {
        row.Add(e);
        trace.Add(e);
      }
      if (!b.last) continue;
      if (!b.error.empty()) return Status::Error(b.error);
      if (b.skipped_lines > 0) {
        r.read_warnings.push_back(
            fmt::format("{}/timeline.jsonl: {} line(s) could not be read", f.dir, b.skipped_lines));
      }
      break;
    }
    HistoryRow done = std::move(row).Finish();
    const RunMeta& meta = runs_[f.run].meta;
    done.run_dir = meta.run_dir;
    done.replay = ReplayCommand(meta, f.seed);
    r.histories.push_back(std::move(done));
    r.traces.push_back(trace.Finish());
  }
  return Status::Ok();
}

// Every history run again by --replay-failures (replays/seed<S>-<k>/): for each property that
// failed in the original history of seed S, how many of its replays failed it again.
void Builder::Replays(Report& r) {
  for (size_t run = 0; run < runs_.size(); ++run) {
    std::map<uint64_t, std::vector<std::string>> by_seed;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(runs_[run].dir + "/replays", ec)) {
      std::string name = entry.path().filename().string();
      size_t dash = name.rfind('-');
      auto seed = name.starts_with("seed") && dash != std::string::npos
                      ? ParseUint(std::string_view(name).substr(4, dash - 4))
                      : std::nullopt;
      if (seed && PathExists(entry.path().string() + "/timeline.jsonl")) {
        by_seed[*seed].push_back(entry.path().string());
      }
    }
    for (auto& [seed, dirs] : by_seed) {
      std::sort(dirs.begin(), dirs.end());
      // The properties that failed in this run's history of `seed`.
      std::vector<std::string> ids;
      for (size_t i = 0; i < r.histories.size(); ++i) {
        if (r.histories[i].seed != seed || r.histories[i].run_dir != runs_[run].meta.run_dir) {
          continue;
        }
        for (const auto& [id, counts] : r.traces[i].properties) {
          const properties::Property* p = book_.Find(id);
          if (counts.failures > 0 && p && properties::Evaluate(*p).outcome == Outcome::kFailed) {
            ids.push_back(id);
          }
        }
      }
      std::map<std::string, int> recurred;
      for (const auto& dir : dirs) {
        auto timeline = TimelineStream::Open(dir + "/timeline.jsonl");
        if (!timeline) continue;
        properties::PropertyBook replay;
        for (Event e; timeline->Next(e);) replay.Add({0, seed}, e);
        for (const auto& id : ids) {
          const properties::Property* p = replay.Find(id);
          recurred[id] += p && properties::Evaluate(*p).outcome == Outcome::kFailed;
        }
      }
      for (const auto& id : ids) {
        r.replays.push_back({id, seed, static_cast<int>(dirs.size()), recurred[id]});
      }
    }
  }
}

void Builder::Logs(Report& r) {
  for (const properties::Property* p : book_.Sorted()) {
    if (properties::Evaluate(*p).outcome != Outcome::kFailed) break;  // failing come first
    if (!p->first_fail) continue;
    const properties::Example& e = *p->first_fail;
    if (e.history < 0 || static_cast<size_t>(e.history) >= r.histories.size()) continue;
    r.logs[p->id] = FailureLogs(r.histories[static_cast<size_t>(e.history)], TraceOf(r, e.history),
                                e, r.meta.run_dir);
  }
}

Result<Report> Build(std::vector<RunFolder> runs, const std::string& report_dir, bool merge,
                     properties::PropertyBook& book) {
  std::vector<HistoryFolder> folders;
  for (size_t i = 0; i < runs.size(); ++i) {
    auto listed = ListHistories(runs[i].dir, i);
    folders.insert(folders.end(), listed.begin(), listed.end());
  }
  if (merge) {
    std::stable_sort(folders.begin(), folders.end(),
                     [](const auto& a, const auto& b) { return a.seed < b.seed; });
  }
  Report r;
  r.meta = runs[0].meta;
  r.meta.run_dir = report_dir;
  Builder builder(runs, book);
  if (Status s = builder.Read(std::move(folders), merge, r); !s.ok()) {
    return Unexpected(s.message());
  }
  r.book = &book;
  r.interrupted = std::any_of(r.histories.begin(), r.histories.end(),
                              [](const HistoryRow& h) { return h.outcome == "interrupted"; });
  builder.Replays(r);
  builder.Logs(r);
  return r;
}

}  // namespace

void TuneAllocatorForRebuild() { mallopt(M_MXFAST, 0); }

Result<Report> Rebuild(const std::string& run_dir, properties::PropertyBook& book) {
  auto run = ReadRunFolder(run_dir);
  if (!run) return Unexpected(run.error());
  if (!run->meta.merged_from.empty()) return Merge(run->meta.merged_from, run_dir, book);
  std::vector<RunFolder> runs;
  runs.push_back(std::move(*run));
  return Build(std::move(runs), run_dir, /*merge=*/false, book);
}

Result<Report> Merge(std::span<const std::string> run_dirs, const std::string& out_dir,
                     properties::PropertyBook& book) {
  if (run_dirs.empty()) return Unexpected("nothing to merge: name at least one run folder");
  std::vector<RunFolder> runs;
  for (const auto& dir : run_dirs) {
    auto run = ReadRunFolder(dir);
    if (!run) return Unexpected(run.error());
    if (!run->meta.merged_from.empty()) {
      return Unexpected(fmt::format("{} is a merged report; merge the runs it names instead", dir));
    }
    if (!runs.empty() && run->meta.scenario_name != runs[0].meta.scenario_name) {
      return Unexpected(fmt::format("{} ran scenario '{}', {} ran '{}': merge runs of one scenario",
                                    dir, run->meta.scenario_name, runs[0].dir,
                                    runs[0].meta.scenario_name));
    }
    runs.push_back(std::move(*run));
  }
  auto r = Build(runs, out_dir, /*merge=*/true, book);
  if (!r) return r;
  RunMeta& m = r->meta;
  m.merged_from.assign(run_dirs.begin(), run_dirs.end());
  m.histories = static_cast<int>(r->histories.size());
  m.seed = r->histories.empty() ? 0 : r->histories.front().seed;
  m.jobs = 0;
  for (const auto& run : runs) {
    m.jobs += run.meta.jobs;
    if (!run.meta.started.empty() && (m.started.empty() || run.meta.started < m.started)) {
      m.started = run.meta.started;
    }
    m.ended = std::max(m.ended, run.meta.ended);
  }
  std::vector<uint64_t> seeds;
  for (const auto& h : r->histories) seeds.push_back(h.seed);
  m.seeds = DescribeSeeds(seeds);
  return r;
}

}  // namespace faultline::report
