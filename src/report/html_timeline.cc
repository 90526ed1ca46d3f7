#include "report/html_timeline.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>

#include "report/html_text.h"

namespace faultline::report::html {
namespace {

constexpr double kWidth = 1000;
constexpr double kLeft = 150;  // lane labels
constexpr double kRight = 8;
constexpr double kAxis = 20;
constexpr double kLane = 20;
constexpr double kBar = 14;
constexpr double kMinBar = 2.5;  // narrower invocations join a cluster
constexpr size_t kMaxMarksDrawn = 300;

constexpr std::array<std::string_view, 7> kKnownFaults = {"kill",    "stop",  "pause", "throttle",
                                                          "network", "clock", "disk"};

std::string Num(double v) { return fmt::format("{:.1f}", v); }

const char* OutcomeClass(CommandOutcome o) {
  switch (o) {
    case CommandOutcome::kOk:
      return "b-ok";
    case CommandOutcome::kFailed:
      return "b-fail";
    case CommandOutcome::kTimeout:
      return "b-timeout";
    case CommandOutcome::kKilled:
      return "b-killed";
    case CommandOutcome::kUnfinished:
      return "b-unfinished";
  }
  return "b-ok";
}

// The command's name without its template ("counter/parallel_driver_incr.sh" -> the file).
std::string ShortName(const std::string& command) {
  size_t slash = command.rfind('/');
  return slash == std::string::npos ? command : command.substr(slash + 1);
}

// Cuts `label` to what fits in `width` units of 11px text.
std::string Fit(const std::string& label, double width) {
  size_t chars = static_cast<size_t>(std::max(0.0, (width - 6) / 6.2));
  if (label.size() <= chars) return label;
  if (chars < 4) return {};
  return label.substr(0, chars - 1) + "…";
}

class Drawing {
 public:
  Drawing(const HistoryTrace& t, std::string id_prefix);
  std::string Render();

 private:
  double X(int64_t us) const {
    double span = static_cast<double>(std::max<int64_t>(end_us_, 1));
    return kLeft + (kWidth - kLeft - kRight) * static_cast<double>(std::max<int64_t>(us, 0)) / span;
  }
  double LaneY(int lane) const { return kAxis + kLane * lane; }
  void Rect(double x0, double x1, double y, double h, const std::string& cls,
            const std::string& title);
  void Axis();
  void Phases();
  void Lanes();
  void Faults();
  void Services();
  void Commands();
  void Cluster(const std::vector<const CommandBar*>& run, int lane);
  void Marks();
  std::string CommandTitle(const CommandBar& b) const;

  const HistoryTrace& t_;
  std::string id_;
  int64_t end_us_;
  std::vector<std::vector<const FaultSpan*>> fault_rows_;
  int fault_lane_ = -1;   // first lane of the fault rows
  int service_lane_ = 0;  // first service lane
  int slot_lane_ = 0;     // first command-slot lane
  int lanes_ = 0;
  std::string out_;
};

Drawing::Drawing(const HistoryTrace& t, std::string id_prefix)
    : t_(t), id_(std::move(id_prefix)), end_us_(std::max<int64_t>(t.end_us, 1)) {
  // Overlapping faults take rows of the fault lane, first free row first.
  std::vector<int64_t> row_end;
  for (const auto& f : t.faults) {
    int64_t begin = f.begin_us >= 0 ? f.begin_us : 0;
    int64_t end = f.end_us >= 0 ? f.end_us : t.end_us;
    size_t row = 0;
    while (row < row_end.size() && row_end[row] > begin) ++row;
    if (row == row_end.size()) {
      row_end.push_back(end);
      fault_rows_.emplace_back();
    }
    row_end[row] = end;
    fault_rows_[row].push_back(&f);
  }
  bool fault_lane = !t.faults.empty() || t.faults_configured;
  if (fault_lane) {
    fault_lane_ = 0;
    if (fault_rows_.empty()) fault_rows_.emplace_back();
  }
  service_lane_ = fault_lane ? static_cast<int>(fault_rows_.size()) : 0;
  slot_lane_ = service_lane_ + static_cast<int>(t.service_lanes.size());
  lanes_ = slot_lane_ + t.slots;
}

void Drawing::Rect(double x0, double x1, double y, double h, const std::string& cls,
                   const std::string& title) {
  out_ += fmt::format("<rect class=\"{}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\">", cls,
                      Num(x0), Num(y), Num(std::max(x1 - x0, 0.8)), Num(h));
  if (!title.empty()) out_ += "<title>" + Esc(title) + "</title>";
  out_ += "</rect>";
}

void Drawing::Axis() {
  double seconds = static_cast<double>(end_us_) / 1e6;
  double step = 0.1;
  for (double s : {0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0,
                   1200.0, 1800.0, 3600.0, 7200.0}) {
    step = s;
    if (seconds / s <= 10) break;
  }
  double bottom = LaneY(lanes_);
  for (double s = 0; s <= seconds + 1e-9; s += step) {
    double x = X(static_cast<int64_t>(s * 1e6));
    std::string label = step < 1 ? fmt::format("{:.1f}s", s) : fmt::format("{:.0f}s", s);
    out_ += fmt::format(
        "<line class=\"tick\" x1=\"{0}\" x2=\"{0}\" y1=\"{1}\" y2=\"{2}\"/>"
        "<text class=\"ax\" x=\"{0}\" y=\"{3}\">{4}</text>",
        Num(x), Num(kAxis - 4), Num(bottom), Num(kAxis - 7), label);
  }
}

void Drawing::Phases() {
  double top = kAxis, h = LaneY(lanes_) - kAxis;
  if (t_.setup_us > 0) {
    Rect(X(0), X(t_.setup_us), top, h, "ph-setup",
         fmt::format("setup: until {}", Seconds(t_.setup_us)));
  }
  if (t_.terminal_us >= 0) {
    Rect(X(t_.terminal_us), X(end_us_), top, h, "ph-terminal",
         fmt::format("terminal phase ({}) from {}", t_.terminal.empty() ? "none" : t_.terminal,
                     Seconds(t_.terminal_us)));
  }
  auto line = [&](int64_t us, const char* cls, const std::string& label) {
    double x = X(us);
    // Near the right edge the label goes to the left of its line.
    bool left = x > kWidth - 90;
    out_ += fmt::format(
        "<line class=\"{0}\" x1=\"{1}\" x2=\"{1}\" y1=\"{2}\" y2=\"{3}\"/>"
        "<text class=\"phl{7}\" x=\"{4}\" y=\"{5}\">{6}</text>",
        cls, Num(x), Num(kAxis), Num(LaneY(lanes_)), Num(left ? x - 2 : x + 2),
        Num(LaneY(lanes_) + 11), Esc(label), left ? " end" : "");
  };
  if (t_.setup_us >= 0) line(t_.setup_us, "pl-setup", "setup complete");
  if (t_.terminal_us >= 0)
    line(t_.terminal_us, "pl-terminal", t_.terminal.empty() ? "terminal" : t_.terminal);
}

void Drawing::Lanes() {
  auto label = [&](int lane, const std::string& text, const char* cls) {
    out_ += fmt::format("<rect class=\"{}\" x=\"0\" y=\"{}\" width=\"{}\" height=\"{}\"/>", cls,
                        Num(LaneY(lane)), Num(kWidth), Num(kLane));
    out_ += fmt::format("<text class=\"ln\" x=\"4\" y=\"{}\">{}</text>", Num(LaneY(lane) + 14),
                        Esc(Fit(text, kLeft - 4)));
  };
  if (fault_lane_ >= 0) {
    for (size_t row = 0; row < fault_rows_.size(); ++row) {
      label(fault_lane_ + static_cast<int>(row), row == 0 ? "faults" : "", "lane-f");
    }
  }
  for (size_t i = 0; i < t_.service_lanes.size(); ++i) {
    label(service_lane_ + static_cast<int>(i), t_.service_lanes[i], i % 2 ? "lane-b" : "lane-a");
  }
  for (int s = 0; s < t_.slots; ++s) {
    label(slot_lane_ + s, fmt::format("commands {}", s + 1), s % 2 ? "lane-b" : "lane-a");
  }
}

void Drawing::Faults() {
  if (fault_lane_ < 0) return;
  double top = LaneY(fault_lane_);
  double h = kLane * static_cast<double>(fault_rows_.size());
  for (const auto& q : t_.quiet) {
    Rect(X(q.begin_us), X(q.end_us >= 0 ? q.end_us : end_us_), top, h,
         q.state == "quiet" ? "m q-quiet" : "m q-off",
         fmt::format("faults {}: {}\n{} → {}", q.state, q.reason, Seconds(q.begin_us),
                     q.end_us >= 0 ? Seconds(q.end_us) : "the end"));
  }
  for (size_t row = 0; row < fault_rows_.size(); ++row) {
    double y = LaneY(fault_lane_ + static_cast<int>(row)) + (kLane - kBar) / 2;
    for (const FaultSpan* f : fault_rows_[row]) {
      int64_t begin = f->begin_us >= 0 ? f->begin_us : 0;
      int64_t end = f->end_us >= 0 ? f->end_us : end_us_;
      std::string targets;
      for (const auto& target : f->targets) targets += (targets.empty() ? "" : ", ") + target;
      std::string title = fmt::format("fault #{}: {} on {}\n", f->id, f->kind, targets);
      if (f->begin_us >= 0) {
        title +=
            fmt::format("{} → {}", Seconds(begin), f->end_us >= 0 ? Seconds(end) : "never healed");
        if (f->end_us >= 0) title += fmt::format(" ({})", Seconds(end - begin));
        if (!f->heal_reason.empty()) title += ", healed: " + f->heal_reason;
      }
      if (!f->error.empty()) title += "\nfailed: " + f->error;
      if (!f->params.is_null()) title += "\nparams: " + JsonText(f->params, 600);
      if (!f->effect.is_null()) title += "\neffect: " + JsonText(f->effect, 600);
      std::string cls = "m fb " + FaultClass(f->kind) + (f->error.empty() ? "" : " f-failed");
      Rect(X(begin), X(end), y, kBar, cls, title);
      double w = X(end) - X(begin);
      std::string text = Fit(f->kind + " " + targets, w);
      if (!text.empty()) {
        out_ += fmt::format("<text class=\"bl\" x=\"{}\" y=\"{}\">{}</text>", Num(X(begin) + 3),
                            Num(y + 11), Esc(text));
      }
    }
  }
}

void Drawing::Services() {
  for (const auto& s : t_.services) {
    double y = LaneY(service_lane_ + s.lane) + (kLane - kBar) / 2;
    const std::string& name = t_.service_lanes[static_cast<size_t>(s.lane)];
    std::string title = fmt::format("{}, start {}\nstarted {}", name, s.start, Seconds(s.start_us));
    if (s.healthy_us >= 0) title += fmt::format(", healthy {}", Seconds(s.healthy_us));
    title += fmt::format(", until {}", Seconds(s.end_us));
    if (!s.exit.empty())
      title += fmt::format("\nended: {}{}", s.exit, s.unexpected ? " (unexpected)" : "");
    int64_t healthy = s.healthy_us >= 0 ? s.healthy_us : s.end_us;
    Rect(X(s.start_us), X(healthy), y, kBar, "m s-start", title);
    if (s.healthy_us >= 0) Rect(X(s.healthy_us), X(s.end_us), y, kBar, "m s-up", title);
    if (s.unexpected) {
      double x = X(s.end_us), cy = y + kBar / 2;
      out_ += fmt::format(
          "<path class=\"m s-exit\" d=\"M{0} {1}l8 8m0-8l-8 8\"><title>{2}</title></path>",
          Num(x - 4), Num(cy - 4), Esc(title));
    }
  }
  // Faults shaded on the lanes of their targets.
  std::map<std::string, int> lane_of;
  for (size_t i = 0; i < t_.service_lanes.size(); ++i) {
    lane_of[t_.service_lanes[i]] = service_lane_ + static_cast<int>(i);
  }
  for (const auto& f : t_.faults) {
    if (f.begin_us < 0) continue;
    for (const auto& target : f.targets) {
      auto it = lane_of.find(target);
      if (it == lane_of.end()) continue;
      Rect(X(f.begin_us), X(f.end_us >= 0 ? f.end_us : end_us_), LaneY(it->second), kLane,
           "fo " + FaultClass(f.kind), "");
    }
  }
}

std::string Drawing::CommandTitle(const CommandBar& b) const {
  const std::string& name = t_.command_names[static_cast<size_t>(b.command)];
  return fmt::format("{} #{}\n{} → {} ({})\n{}\nfolder: commands/{:06}-{}", name, b.id,
                     Seconds(b.start_us), Seconds(b.end_us), Seconds(b.end_us - b.start_us),
                     b.exit.empty() ? "did not finish" : b.exit, b.id, ShortName(name));
}

void Drawing::Cluster(const std::vector<const CommandBar*>& run, int lane) {
  if (run.empty()) return;
  double y = LaneY(lane) + (kLane - kBar) / 2;
  if (run.size() == 1) {
    const CommandBar& b = *run[0];
    Rect(X(b.start_us), X(b.end_us), y, kBar, std::string("m ") + OutcomeClass(b.outcome),
         CommandTitle(b));
    return;
  }
  std::map<CommandOutcome, int> counts;
  std::string failures;
  int listed = 0;
  for (const CommandBar* b : run) {
    ++counts[b->outcome];
    if (b->outcome != CommandOutcome::kOk && b->outcome != CommandOutcome::kKilled &&
        listed++ < 5) {
      failures += fmt::format("\n  {} #{}: {}", t_.command_names[static_cast<size_t>(b->command)],
                              b->id, b->exit);
    }
  }
  const char* cls = counts.count(CommandOutcome::kFailed)    ? "b-fail"
                    : counts.count(CommandOutcome::kTimeout) ? "b-timeout"
                                                             : "b-ok";
  std::string title =
      fmt::format("{} invocations, {} → {}\n{} exit 0", run.size(), Seconds(run.front()->start_us),
                  Seconds(run.back()->end_us), counts[CommandOutcome::kOk]);
  if (int n = counts[CommandOutcome::kFailed]) title += fmt::format(", {} failed", n);
  if (int n = counts[CommandOutcome::kTimeout]) title += fmt::format(", {} timed out", n);
  if (int n = counts[CommandOutcome::kKilled]) title += fmt::format(", {} killed", n);
  title += failures;
  Rect(X(run.front()->start_us), X(run.back()->end_us), y, kBar, std::string("m cl ") + cls, title);
}

void Drawing::Commands() {
  std::vector<std::vector<const CommandBar*>> by_slot(static_cast<size_t>(t_.slots));
  for (const auto& b : t_.commands) by_slot[static_cast<size_t>(b.slot)].push_back(&b);
  for (int s = 0; s < t_.slots; ++s) {
    int lane = slot_lane_ + s;
    std::vector<const CommandBar*> run;
    double run_end = -1;
    for (const CommandBar* b : by_slot[static_cast<size_t>(s)]) {
      double x0 = X(b->start_us), x1 = X(b->end_us);
      if (x1 - x0 >= kMinBar) {
        Cluster(run, lane);
        run.clear();
        Cluster({b}, lane);
        double w = x1 - x0;
        std::string label = Fit(ShortName(t_.command_names[static_cast<size_t>(b->command)]), w);
        if (!label.empty()) {
          out_ += fmt::format("<text class=\"bl\" x=\"{}\" y=\"{}\">{}</text>", Num(x0 + 3),
                              Num(LaneY(lane) + 14), Esc(label));
        }
        continue;
      }
      if (!run.empty() && x0 - run_end > 1.0) {
        Cluster(run, lane);
        run.clear();
      }
      run.push_back(b);
      run_end = x1;
    }
    Cluster(run, lane);
  }
}

void Drawing::Marks() {
  double bottom = LaneY(lanes_);
  size_t drawn = 0;
  for (const auto& m : t_.marks) {
    if (drawn == kMaxMarksDrawn) break;
    int lane = fault_lane_ >= 0 ? fault_lane_ : 0;
    if (m.kind == Mark::Kind::kPropertyFailed) {
      if (const CommandBar* b = m.command_id >= 0 ? t_.FindCommand(m.command_id) : nullptr) {
        lane = slot_lane_ + b->slot;
      } else {
        auto it = std::find(t_.service_lanes.begin(), t_.service_lanes.end(), m.service);
        if (it != t_.service_lanes.end()) {
          lane = service_lane_ + static_cast<int>(it - t_.service_lanes.begin());
        }
      }
    }
    double x = X(m.t_us), cy = LaneY(lane) + kLane / 2;
    std::string title;
    const char* cls = "mk-warn";
    switch (m.kind) {
      case Mark::Kind::kPropertyFailed:
        cls = "mk-fail";
        title = fmt::format("FAILED: {}\n{} at {}", m.property, m.source, Seconds(m.t_us));
        if (!m.message.empty() && m.message != m.property) title += "\n" + m.message;
        break;
      case Mark::Kind::kFaultFailed:
        title = fmt::format("{} could not be carried out at {}\n{}", m.source, Seconds(m.t_us),
                            m.message);
        break;
      case Mark::Kind::kWarning:
        title = fmt::format("warning at {}\n{}", Seconds(m.t_us), m.message);
        break;
      case Mark::Kind::kQuietRequest:
        cls = "mk-quiet";
        title = fmt::format("{} at {} ({})", m.message, Seconds(m.t_us), m.source);
        break;
    }
    if (!m.details.is_null() && !(m.details.is_object() && m.details.empty())) {
      title += "\ndetails: " + JsonText(m.details, 1500);
    }
    std::string file = JsonString(m.location, "file");
    if (!file.empty())
      title += fmt::format("\nat: {}:{}", file, JsonInt(m.location, "begin_line", 0));
    if (m.kind == Mark::Kind::kPropertyFailed) {
      out_ += fmt::format("<line class=\"fl\" x1=\"{0}\" x2=\"{0}\" y1=\"{1}\" y2=\"{2}\"/>",
                          Num(x), Num(kAxis), Num(bottom));
    }
    out_ += fmt::format("<path class=\"m {}\" d=\"M{} {}l7 7l-7 7l-7-7z\"><title>{}</title></path>",
                        cls, Num(x), Num(cy - 7), Esc(title));
    ++drawn;
  }
  size_t more = t_.marks.size() - drawn + t_.marks_dropped;
  if (more > 0) {
    out_ += fmt::format("<text class=\"ax\" x=\"{}\" y=\"{}\">{} more marks not drawn</text>",
                        Num(kWidth - 160), Num(bottom + 11), more);
  }
}

std::string Drawing::Render() {
  double height = LaneY(lanes_) + 16;
  out_ += fmt::format(
      "<svg class=\"tl\" id=\"{}\" viewBox=\"0 0 {} {}\" width=\"100%\" "
      "role=\"img\">",
      id_, Num(kWidth), Num(height));
  Lanes();
  Phases();
  Axis();
  Services();
  Faults();
  Commands();
  Marks();
  out_ += "</svg>";
  return std::move(out_);
}

}  // namespace

std::string FaultClass(const std::string& kind) {
  for (auto k : kKnownFaults) {
    if (k == kind) return fmt::format("f-{}", k);
  }
  return "f-custom";
}

std::string TimelineSvg(const HistoryTrace& t, const std::string& id_prefix) {
  return Drawing(t, id_prefix).Render();
}

std::string TimelineLegend() {
  std::string out = "<div class=\"legend\">";
  auto item = [&](const char* cls, const char* text) {
    out += fmt::format("<span><i class=\"sw {}\"></i>{}</span>", cls, text);
  };
  item("b-ok", "exit 0");
  item("b-fail", "failed");
  item("b-timeout", "timed out");
  item("b-killed", "killed by faultline");
  item("s-up", "service healthy");
  item("s-start", "service starting");
  item("mk-fail", "property failed");
  for (auto k : kKnownFaults) {
    out += fmt::format("<span><i class=\"sw f-{}\"></i>{}</span>", k, k);
  }
  item("f-custom", "custom fault");
  item("q-quiet", "faults off / quiet");
  return out + "</div>";
}

}  // namespace faultline::report::html
