// report.html: one self-contained page (no network, no external script, style or font) for the
// person who triages a run: the outcome and the run's numbers; the findings against a baseline;
// the failing properties first, each with its triage hint, its fault attribution, its first
// failing and first passing example, the exact replay command and the logs around the failure;
// then the passing properties; then every history's timeline. Outside text reaches the page only
// through html::Esc; a Content-Security-Policy lets only the page's own style and script (by
// hash) apply, so even markup that slipped through could run nothing.
#include <openssl/evp.h>

#include <ctime>
#include <set>

#include "base/exit_codes.h"
#include "base/strings.h"
#include "report/analysis.h"
#include "report/html_text.h"
#include "report/html_timeline.h"
#include "report/report.h"

namespace faultline::report {
namespace {

using html::Esc;
using properties::Example;
using properties::Outcome;
using properties::Property;

constexpr size_t kMaxOpenHistories = 12;  // timelines drawn open; the rest are one click away

constexpr std::string_view kStyle = R"CSS(
:root{--fg:#1d232b;--muted:#5f6b7a;--line:#dde2e8;--bg:#f6f7f9;--red:#c62f2f;--green:#2e8a57;
--amber:#b7791f;--card:#fff;font-family:system-ui,"DejaVu Sans",sans-serif;color:var(--fg);
background:var(--bg);font-size:14px;line-height:1.45}
body{margin:0}main{max-width:1280px;margin:0 auto;padding:20px 28px 60px}
h1{font-size:22px;margin:0}h2{font-size:17px;margin:30px 0 10px;border-bottom:1px solid var(--line);
padding-bottom:4px}h3{font-size:15px;margin:0;display:inline;word-break:break-word}
code,pre,.mono{font-family:"DejaVu Sans Mono",ui-monospace,monospace;font-size:12.5px}
pre{white-space:pre-wrap;word-break:break-word;margin:4px 0;background:#f2f4f7;padding:6px 8px;
border-radius:4px;max-height:420px;overflow:auto}
a{color:#1f5fbf;text-decoration:none}a:hover{text-decoration:underline}
.banner{display:flex;align-items:center;gap:16px;padding:14px 18px;border-radius:8px;color:#fff;
margin-bottom:14px}.banner.failed,.banner.error,.banner.interrupted{background:var(--red)}
.banner.passed{background:var(--green)}.banner .what{font-size:13px;opacity:.92}
.banner .big{font-size:24px;font-weight:700;letter-spacing:.5px}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(190px,1fr));gap:10px}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:10px 12px}
.card .k{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.4px}
.card .v{font-size:19px;font-weight:600}.card .s{color:var(--muted);font-size:12.5px}
.num-fail{color:var(--red)}.num-ok{color:var(--green)}
.prop{background:var(--card);border:1px solid var(--line);border-left:5px solid var(--red);
border-radius:8px;padding:12px 16px;margin:12px 0}
.badge{display:inline-block;font-weight:700;font-size:12px;padding:1px 7px;border-radius:4px;
color:#fff;vertical-align:2px;margin-right:6px}.badge.fail{background:var(--red)}
.badge.pass{background:var(--green)}.badge.unreached{background:#8a94a3}
.tag{display:inline-block;font-size:12px;color:var(--muted);border:1px solid var(--line);
border-radius:10px;padding:0 7px;margin-left:6px}
.finding{display:inline-block;font-size:12px;font-weight:600;border-radius:10px;padding:0 8px;
margin-left:6px}.finding.new_failure{background:#fde2e2;color:#8f1d1d}
.finding.still_failing{background:#fff1d6;color:#7a4b00}.finding.resolved,
.finding.newly_passing{background:#dcf3e5;color:#1d6b40}.finding.missing{background:#e9ecf1}
.counts{color:var(--muted);margin:6px 0 2px}.hint{margin:4px 0;font-weight:600}
.hint.rare{color:var(--red)}.hint.never_passed,.hint.never_reached{color:var(--amber)}
.hint.often{color:#7a4b00}
.replay{display:flex;gap:8px;align-items:center;margin:8px 0;background:#1d232b;color:#e8edf3;
border-radius:6px;padding:7px 10px}.replay span{color:#9fb0c3;font-size:12px;
text-transform:uppercase}.replay code{flex:1;user-select:all;cursor:copy;color:#fff;
word-break:break-all}
dl.ex{display:grid;grid-template-columns:130px 1fr;gap:2px 10px;margin:8px 0}
dl.ex dt{color:var(--muted)}dl.ex dd{margin:0;word-break:break-word}
table{border-collapse:collapse;width:100%;background:var(--card);border:1px solid var(--line)}
th,td{text-align:left;padding:4px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{font-size:12px;color:var(--muted);font-weight:600;background:#fafbfc}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
table.attr{width:auto;margin:6px 0}table.attr td.on{color:var(--red);font-weight:600}
.attribution{margin:8px 0 2px;font-weight:600}
details.logs{margin:4px 0}details.logs summary{cursor:pointer;color:var(--muted)}
.logline.mark{color:#1f5fbf}.omitted{color:var(--muted);font-style:italic}
details.history{background:var(--card);border:1px solid var(--line);border-radius:8px;
margin:10px 0;padding:6px 12px}details.history>summary{cursor:pointer;padding:4px 0}
details.history.bad{border-left:5px solid var(--red)}.hmeta{color:var(--muted);margin:2px 0 6px}
.detail{background:#fffbe6;border:1px solid #f0e0a0}
.legend{display:flex;flex-wrap:wrap;gap:4px 14px;color:var(--muted);font-size:12px;margin:4px 0 8px}
.sw{display:inline-block;width:12px;height:10px;margin-right:4px;vertical-align:-1px;
border-radius:2px}
svg.tl{display:block;margin:6px 0;font-family:system-ui,"DejaVu Sans",sans-serif}
svg.tl .ax{font-size:10px;fill:var(--muted);text-anchor:middle}
svg.tl .tick{stroke:#e3e7ec;stroke-width:1}
svg.tl .ln{font-size:11px;fill:var(--fg)}svg.tl .bl{font-size:10.5px;fill:#fff;pointer-events:none}
svg.tl .phl{font-size:10px;fill:var(--muted)}svg.tl .end{text-anchor:end}
.lane-a{fill:#fff}.lane-b{fill:#f7f9fb}.lane-f{fill:#fbf7ff}
.ph-setup{fill:#eef0f3;opacity:.7}.ph-terminal{fill:#efe9fb;opacity:.7}
.pl-setup,.pl-terminal{stroke:#6b5bd2;stroke-width:1.2;stroke-dasharray:3 2}
.b-ok{fill:#4c9f70;background:#4c9f70}.b-fail{fill:#d64545;background:#d64545}
.b-timeout{fill:#e8883a;background:#e8883a}.b-killed{fill:#a3abb5;background:#a3abb5}
.b-unfinished{fill:#cfd5dc;background:#cfd5dc}.cl{opacity:.8}
.s-up{fill:#3b7dbf;background:#3b7dbf}.s-start{fill:#b8d4ee;background:#b8d4ee}
.s-exit{stroke:#c62f2f;stroke-width:2.5;fill:none}
.f-kill{fill:#d64545;background:#d64545}.f-stop{fill:#9c2f2f;background:#9c2f2f}
.f-pause{fill:#e0a800;background:#e0a800}.f-throttle{fill:#e8883a;background:#e8883a}
.f-network{fill:#7e57c2;background:#7e57c2}.f-clock{fill:#2a9d8f;background:#2a9d8f}
.f-disk{fill:#8d6e63;background:#8d6e63}.f-custom{fill:#607d8b;background:#607d8b}
.fo{opacity:.28;pointer-events:none}.f-failed{stroke:#000;stroke-dasharray:2 2}
.q-quiet,.q-off{fill:#d9dde3;background:#d9dde3;opacity:.8}
.mk-fail{fill:#c62f2f;background:#c62f2f;stroke:#fff;stroke-width:1}
.mk-warn{fill:#e0a800;stroke:#fff}.mk-quiet{fill:#5f6b7a;stroke:#fff}
.fl{stroke:#c62f2f;stroke-width:1;opacity:.35;pointer-events:none}
.m{cursor:pointer}.m:hover{opacity:.75}.sel{stroke:#000;stroke-width:2}
.muted{color:var(--muted)}.problems li{color:var(--red)}
footer{margin-top:40px;color:var(--muted);font-size:12.5px}
)CSS";

constexpr std::string_view kScript = R"JS(
(function () {
  document.addEventListener('click', function (ev) {
    var t = ev.target;
    if (!(t instanceof Element)) return;
    var code = t.closest('.replay code');
    if (code) {
      window.getSelection().selectAllChildren(code);
      if (navigator.clipboard) navigator.clipboard.writeText(code.textContent).catch(function () {});
      return;
    }
    var m = t.closest('.m');
    if (!m) return;
    var h = m.closest('.history');
    if (!h) return;
    var d = h.querySelector('.detail');
    var title = m.querySelector('title');
    d.textContent = title ? title.textContent : '';
    d.hidden = false;
    var old = h.querySelector('.sel');
    if (old) old.classList.remove('sel');
    m.classList.add('sel');
  });
})();
)JS";

// 'sha256-<base64>' for a Content-Security-Policy source.
std::string CspHash(std::string_view text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(text.data(), text.size(), digest, &size, EVP_sha256(), nullptr) != 1) return {};
  unsigned char b64[4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1];
  int n = EVP_EncodeBlock(b64, digest, static_cast<int>(size));
  return fmt::format("'sha256-{}'", std::string_view(reinterpret_cast<char*>(b64), n));
}

std::string Outcome(const Report& r) {
  int code = ExitCodeOf(r);
  return code == kExitOk            ? "passed"
         : code == kExitFailed      ? "failed"
         : code == kExitInterrupted ? "interrupted"
                                    : "error";
}

bool Failed(const Property& p) { return properties::Evaluate(p).outcome == Outcome::kFailed; }

std::string Plural(int64_t n, std::string_view one, std::string_view many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

std::string LocationText(const Json& location) {
  std::string file = JsonString(location, "file");
  if (file.empty()) return {};
  int64_t line = JsonInt(location, "begin_line", 0);
  std::string function = JsonString(location, "function");
  std::string out = line > 0 ? fmt::format("{}:{}", file, line) : file;
  if (!function.empty()) out += fmt::format(" ({})", function);
  return out;
}

// Seconds from `started` to `ended` (ISO 8601 UTC, as run.json has them), or -1.
int64_t WallSeconds(const std::string& started, const std::string& ended) {
  auto parse = [](const std::string& text) -> int64_t {
    std::tm tm{};
    const char* end = strptime(text.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm);
    return end && *end == '\0' ? static_cast<int64_t>(timegm(&tm)) : -1;
  };
  int64_t a = parse(started), b = parse(ended);
  return a >= 0 && b >= a ? b - a : -1;
}

std::string FaultsText(const std::map<std::string, int>& injected) {
  std::string out;
  for (const auto& [kind, n] : injected) {
    out += fmt::format("{}{} {}", out.empty() ? "" : " · ", Esc(kind), n);
  }
  return out;
}

class Page {
 public:
  explicit Page(const Report& r) : r_(r) {
    if (r.book) sorted_ = r.book->Sorted();
    for (size_t i = 0; i < sorted_.size(); ++i) anchor_[sorted_[i]->id] = static_cast<int>(i);
  }
  std::string Render();

 private:
  void Head();
  void Banner();
  void Cards();
  void Findings();
  void Problems();
  void FailingProperty(const Property& p);
  void Example(const char* what, const properties::Example& e);
  void Attribution(const PropertyAnalysis& a);
  void Logs(const Property& p);
  void PassingProperties();
  void HistoriesTable();
  void History(const HistoryRow& h, const HistoryTrace* t, bool open);
  std::string FindingBadge(const Property& p) const;
  std::string HistoryLink(int index, uint64_t seed) const {
    return fmt::format("<a href=\"#h-{}\">history {} · seed {}</a>", index, index, seed);
  }

  const Report& r_;
  std::vector<const Property*> sorted_;
  std::map<std::string, int> anchor_;
  std::string out_;
};

void Page::Head() {
  int failed = 0;
  for (const Property* p : sorted_) failed += Failed(*p);
  out_ += "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">";
  out_ += fmt::format(
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
      "style-src {}; script-src {}; img-src data:\">",
      CspHash(kStyle), CspHash(kScript));
  out_ += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">";
  out_ += fmt::format("<title>faultline: {} {} ({} of {} properties failed)</title>",
                      Esc(r_.meta.scenario_name), Outcome(r_), failed, sorted_.size());
  out_ += fmt::format("<style>{}</style></head><body><main>", kStyle);
}

void Page::Banner() {
  int failed = 0;
  for (const Property* p : sorted_) failed += Failed(*p);
  std::string outcome = Outcome(r_);
  std::string upper = outcome;
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  out_ += fmt::format(
      "<div class=\"banner {}\"><div class=\"big\">{}</div><div><h1>{}</h1>"
      "<div class=\"what\">{} of {} properties failed · {} · {}</div></div></div>",
      outcome, upper, Esc(r_.meta.scenario_name), failed, sorted_.size(),
      Plural(static_cast<int64_t>(r_.histories.size()), "history", "histories"),
      Esc(r_.meta.scenario_dir));
}

void Page::Cards() {
  int failed = 0, unreached = 0;
  for (const Property* p : sorted_) {
    auto v = properties::Evaluate(*p);
    failed += v.outcome == Outcome::kFailed;
    unreached += !v.reached;
  }
  std::map<std::string, int> outcomes;
  int64_t invocations = 0;
  double seconds = 0;
  std::vector<uint64_t> seeds;
  for (const auto& h : r_.histories) {
    ++outcomes[h.outcome];
    invocations += h.invocations;
    seconds += h.seconds;
    seeds.push_back(h.seed);
  }
  std::string outcome_text;
  for (const auto& [o, n] : outcomes) {
    outcome_text += fmt::format("{}{} {}", outcome_text.empty() ? "" : ", ", n, Esc(o));
  }
  auto card = [&](const char* k, const std::string& v, const std::string& s) {
    out_ += fmt::format(
        "<div class=\"card\"><div class=\"k\">{}</div><div class=\"v\">{}</div>"
        "<div class=\"s\">{}</div></div>",
        k, v, s);
  };
  out_ += "<div class=\"cards\">";
  card("Properties",
       failed > 0 ? fmt::format("<span class=\"num-fail\">{} failed</span>", failed)
                  : fmt::format("<span class=\"num-ok\">all {} passed</span>", sorted_.size()),
       fmt::format("{} passed · {} never reached", sorted_.size() - static_cast<size_t>(failed),
                   unreached));
  card("Histories", std::to_string(r_.histories.size()), outcome_text);
  card("Seeds", Esc(DescribeSeeds(seeds)),
       r_.meta.merged_from.empty()
           ? fmt::format("{} at a time", r_.meta.jobs)
           : fmt::format("merged from {} runs", r_.meta.merged_from.size()));
  int64_t wall = WallSeconds(r_.meta.started, r_.meta.ended);
  card("Duration",
       wall >= 0 ? html::Seconds(wall * 1000000)
                 : html::Seconds(static_cast<int64_t>(seconds * 1e6)),
       fmt::format("{} of histories; started {}",
                   html::Seconds(static_cast<int64_t>(seconds * 1e6)), Esc(r_.meta.started)));
  card("Commands", std::to_string(invocations), "invocations");
  auto injected = FaultsInjected(r_);
  int total = 0;
  for (const auto& [kind, n] : injected) total += n;
  bool configured = std::any_of(r_.traces.begin(), r_.traces.end(),
                                [](const HistoryTrace& t) { return t.has_swarm; });
  card("Faults injected", std::to_string(total),
       injected.empty() ? (configured ? "none, though faults are configured" : "none configured")
                        : FaultsText(injected));
  out_ += "</div>";
}

std::string Page::FindingBadge(const Property& p) const {
  if (!r_.baseline) return {};
  auto v = properties::Evaluate(p);
  Finding f = Classify(*r_.baseline, p.id, v.outcome == Outcome::kFailed, v.reached);
  if (f == Finding::kPassing) return {};
  return fmt::format("<span class=\"finding {}\">{}</span>", FindingName(f), FindingLabel(f));
}

void Page::Findings() {
  if (!r_.baseline || !r_.book) return;
  std::map<Finding, std::vector<std::string>> by;
  for (const auto& c : ClassifyAll(*r_.baseline, *r_.book)) by[c.finding].push_back(c.id);
  out_ += fmt::format(
      "<h2 id=\"findings\">Against the baseline <span class=\"mono muted\">{}</span></h2>",
      Esc(r_.baseline->run_dir));
  out_ +=
      "<table class=\"findings\"><tr><th>finding</th><th class=\"n\">properties</th>"
      "<th>which</th></tr>";
  for (Finding f : {Finding::kNewFailure, Finding::kStillFailing, Finding::kResolved,
                    Finding::kNewlyPassing, Finding::kMissing}) {
    std::string which;
    for (const auto& id : by[f]) {
      auto a = anchor_.find(id);
      which += which.empty() ? "" : "<br>";
      which += a == anchor_.end() ? Esc(id)
                                  : fmt::format("<a href=\"#p-{}\">{}</a>", a->second, Esc(id));
    }
    out_ += fmt::format(
        "<tr data-finding=\"{}\"><td><span class=\"finding {}\">{}</span></td><td class=\"n\">{}"
        "</td><td>{}</td></tr>",
        FindingName(f), FindingName(f), FindingLabel(f), by[f].size(), which);
  }
  out_ += "</table>";
}

void Page::Problems() {
  std::vector<std::string> items;
  for (const auto& h : r_.histories) {
    if (h.outcome == "setup_failed" || h.outcome == "error") {
      items.push_back(fmt::format("{}: {}<pre>{}</pre>", HistoryLink(h.index, h.seed),
                                  Esc(h.outcome), Esc(h.message)));
    }
  }
  for (const auto& p : r_.problems) items.push_back("problem: " + Esc(p));
  for (const auto& w : Warnings(r_)) items.push_back("warning: " + Esc(w));
  if (items.empty()) return;
  out_ += "<h2>Problems and warnings</h2><ul class=\"problems\">";
  for (const auto& i : items) out_ += "<li>" + i + "</li>";
  out_ += "</ul>";
}

void Page::Example(const char* what, const properties::Example& e) {
  out_ += fmt::format("<dl class=\"ex\"><dt>{}</dt><dd>{}, {} at {:.3f}s</dd>", what,
                      HistoryLink(e.history, e.seed), Esc(e.source), e.t);
  std::string where = LocationText(e.location);
  if (!where.empty())
    out_ += fmt::format("<dt>location</dt><dd class=\"mono\">{}</dd>", Esc(where));
  if (!e.details.is_null() && !(e.details.is_object() && e.details.empty())) {
    std::string details = e.details.dump(2, ' ', false, Json::error_handler_t::replace);
    if (details.size() > 6000) details = details.substr(0, 6000) + "\n...";
    out_ += fmt::format("<dt>details</dt><dd><pre class=\"details\">{}</pre></dd>", Esc(details));
  }
  out_ += "</dl>";
}

void Page::Attribution(const PropertyAnalysis& a) {
  if (a.attribution_text.empty() && a.kinds.empty()) return;
  if (!a.attribution_text.empty()) {
    out_ += fmt::format("<p class=\"attribution\">Faults: {}</p>", Esc(a.attribution_text));
  }
  if (a.kinds.empty()) return;
  out_ += fmt::format(
      "<table class=\"attr\"><tr><th>fault kind</th><th class=\"n\">on in failing histories "
      "({})</th><th class=\"n\">on in passing histories ({})</th></tr>",
      a.failing_with_swarm, a.passing_with_swarm);
  for (const auto& k : a.kinds) {
    bool required = std::find(a.required.begin(), a.required.end(), k.kind) != a.required.end();
    out_ += fmt::format(
        "<tr><td><i class=\"sw {}\"></i>{}</td><td class=\"n{}\">{}</td><td class=\"n\">{}</td>"
        "</tr>",
        html::FaultClass(k.kind), Esc(k.kind), required ? " on" : "", k.failing_on, k.passing_on);
  }
  out_ += "</table>";
}

void Page::Logs(const Property& p) {
  auto it = r_.logs.find(p.id);
  if (it == r_.logs.end()) return;
  bool first = true;
  for (const auto& x : it->second) {
    // The first excerpt (the failing command's stderr when it wrote any) is open.
    out_ +=
        fmt::format("<details class=\"logs\"{}><summary>{}", first ? " open" : "", Esc(x.title));
    first = false;
    if (!x.path.empty()) {
      out_ +=
          fmt::format(" — <a class=\"mono\" href=\"{}\">{}</a>", html::Href(x.path), Esc(x.path));
    }
    out_ += "</summary><pre class=\"log\">";
    for (size_t i = 0; i < x.lines.size(); ++i) {
      if (x.omitted > 0 && i == x.omitted_at) {
        out_ += fmt::format("<span class=\"omitted\">… {} lines …</span>\n", x.omitted);
      }
      std::string line = html::StripAnsi(x.lines[i]);
      bool marker = line.starts_with("=== faultline ");
      out_ += marker ? "<span class=\"logline mark\">" + Esc(line) + "</span>\n" : Esc(line) + "\n";
    }
    out_ += "</pre></details>";
  }
}

void Page::FailingProperty(const Property& p) {
  auto v = properties::Evaluate(p);
  PropertyAnalysis a = Analyze(r_, p);
  out_ += fmt::format(
      "<article class=\"prop fail\" id=\"p-{}\"><header><span class=\"badge fail\">FAIL</span>"
      "<h3 class=\"pid\">{}</h3><span class=\"tag\">{}</span>{}{}</header>",
      anchor_[p.id], Esc(p.id), Esc(p.display_type),
      p.builtin ? "<span class=\"tag\">built-in</span>" : "", FindingBadge(p));
  out_ +=
      fmt::format("<p class=\"counts\">{} · failed {} time(s) in {} · passed {} time(s) in {}</p>",
                  Esc(v.reason), p.failures, Plural(a.histories_failed, "history", "histories"),
                  p.passes, Plural(a.histories_passed, "history", "histories"));
  if (!a.hint_text.empty()) {
    const char* cls = a.hint == Hint::kRare           ? "rare"
                      : a.hint == Hint::kNeverPassed  ? "never_passed"
                      : a.hint == Hint::kNeverReached ? "never_reached"
                                                      : "often";
    out_ += fmt::format("<p class=\"hint {}\">{}</p>", cls, Esc(a.hint_text));
  }
  uint64_t seed = p.first_fail           ? p.first_fail->seed
                  : r_.histories.empty() ? r_.meta.seed
                                         : r_.histories[0].seed;
  int index = p.first_fail ? p.first_fail->history : 0;
  out_ += fmt::format("<div class=\"replay\"><span>replay</span><code>{}</code></div>",
                      Esc(ReplayOf(r_, index, seed)));
  if (p.first_fail) Example("first failure", *p.first_fail);
  if (!p.first_fail) {
    std::string where = LocationText(p.location);
    if (!where.empty()) {
      out_ += fmt::format("<dl class=\"ex\"><dt>declared at</dt><dd class=\"mono\">{}</dd></dl>",
                          Esc(where));
    }
  }
  if (p.first_pass) Example("first pass", *p.first_pass);
  for (const auto& rs : r_.replays) {
    if (rs.property == p.id) {
      out_ += fmt::format("<p>Replayed seed {} {} time(s): failed again {} time(s).</p>", rs.seed,
                          rs.replays, rs.recurred);
    }
  }
  Attribution(a);
  Logs(p);
  out_ += "</article>";
}

void Page::PassingProperties() {
  out_ +=
      "<h2 id=\"passing\">Passing properties</h2><table class=\"passing\"><tr><th></th>"
      "<th>property</th><th>kind</th><th class=\"n\">passed</th><th class=\"n\">failed</th>"
      "<th>first pass</th><th>note</th></tr>";
  for (const Property* p : sorted_) {
    if (Failed(*p)) continue;
    auto v = properties::Evaluate(*p);
    std::string first =
        p->first_pass
            ? fmt::format("{} at {:.3f}s", HistoryLink(p->first_pass->history, p->first_pass->seed),
                          p->first_pass->t)
            : "";
    out_ += fmt::format(
        "<tr class=\"prop-pass\" id=\"p-{}\"><td><span class=\"badge {}\">{}</span></td><td>{}{}"
        "</td><td>{}{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td>"
        "<td class=\"muted\">{}</td></tr>",
        anchor_[p->id], v.reached ? "pass" : "unreached", v.reached ? "pass" : "n/r", Esc(p->id),
        FindingBadge(*p), Esc(p->display_type), p->builtin ? " · built-in" : "", p->passes,
        p->failures, first, Esc(v.reason));
  }
  out_ += "</table>";
}

void Page::HistoriesTable() {
  out_ +=
      "<table class=\"histories\"><tr><th class=\"n\">#</th><th class=\"n\">seed</th>"
      "<th>template</th><th>outcome</th><th>terminal</th><th class=\"n\">commands</th>"
      "<th class=\"n\">time</th><th>faults injected</th><th class=\"n\">failures</th></tr>";
  for (size_t i = 0; i < r_.histories.size(); ++i) {
    const HistoryRow& h = r_.histories[i];
    const HistoryTrace* t = TraceOf(r_, h.index);
    uint64_t failures = 0;
    if (t) {
      for (const auto& [id, c] : t->properties)
        failures += c.failures > 0 && r_.book && r_.book->Find(id) && Failed(*r_.book->Find(id));
    }
    out_ += fmt::format(
        "<tr><td class=\"n\"><a href=\"#h-{0}\">{0}</a></td><td class=\"n\">{1}</td><td>{2}</td>"
        "<td>{3}</td><td>{4}</td><td class=\"n\">{5}</td><td class=\"n\">{6:.1f}s</td><td>{7}</td>"
        "<td class=\"n{8}\">{9}</td></tr>",
        h.index, h.seed, Esc(h.template_name), Esc(h.outcome), Esc(h.terminal), h.invocations,
        h.seconds, t ? FaultsText(t->injected) : "", failures ? " num-fail" : "", failures);
  }
  out_ += "</table>";
}

void Page::History(const HistoryRow& h, const HistoryTrace* t, bool open) {
  std::vector<std::string> failing;
  if (t && r_.book) {
    for (const auto& [id, c] : t->properties) {
      const Property* p = r_.book->Find(id);
      if (c.failures > 0 && p && Failed(*p)) failing.push_back(id);
    }
  }
  bool bad = !failing.empty() || (h.outcome != "completed");
  out_ += fmt::format(
      "<details class=\"history{}\" id=\"h-{}\"{}><summary><b>History {}</b> · seed {} · {} · {}"
      " · terminal {} · {} · {:.1f}s{}</summary>",
      bad ? " bad" : "", h.index, open ? " open" : "", h.index, h.seed, Esc(h.template_name),
      Esc(h.outcome), Esc(h.terminal.empty() ? "none" : h.terminal),
      Plural(h.invocations, "command", "commands"), h.seconds,
      failing.empty()
          ? ""
          : fmt::format(" · <span class=\"num-fail\">{} failing</span>",
                        Plural(static_cast<int64_t>(failing.size()), "property", "properties")));
  std::string meta;
  if (t && t->has_swarm) {
    std::string enabled, configured;
    for (const auto& k : t->swarm_enabled) enabled += (enabled.empty() ? "" : ", ") + Esc(k);
    for (const auto& k : t->swarm_configured) {
      configured += (configured.empty() ? "" : ", ") + Esc(k);
    }
    meta +=
        fmt::format("faults enabled: {} (of {})", enabled.empty() ? "none" : enabled, configured);
    meta += fmt::format(" · injected: {}", t->injected.empty() ? "none" : FaultsText(t->injected));
  }
  if (!failing.empty()) {
    meta += meta.empty() ? "" : "<br>";
    meta += "failing here: ";
    for (size_t i = 0; i < failing.size(); ++i) {
      meta += fmt::format("{}<a href=\"#p-{}\">{}</a>", i ? ", " : "", anchor_[failing[i]],
                          Esc(failing[i]));
    }
  }
  if (!h.run_dir.empty() && h.run_dir != r_.meta.run_dir) {
    meta += fmt::format("{}run folder: <span class=\"mono\">{}</span>", meta.empty() ? "" : "<br>",
                        Esc(h.run_dir));
  }
  if (!meta.empty()) out_ += "<div class=\"hmeta\">" + meta + "</div>";
  out_ += fmt::format("<div class=\"replay\"><span>replay</span><code>{}</code></div>",
                      Esc(ReplayOf(r_, h.index, h.seed)));
  if (t) out_ += html::TimelineSvg(*t, fmt::format("tl-{}", h.index));
  out_ += "<pre class=\"detail\" hidden></pre></details>";
}

std::string Page::Render() {
  Head();
  Banner();
  Cards();
  Findings();
  Problems();
  int failing = 0;
  for (const Property* p : sorted_) failing += Failed(*p);
  if (failing > 0) {
    out_ += fmt::format("<h2 id=\"failing\">Failing properties ({})</h2>", failing);
    for (const Property* p : sorted_) {
      if (Failed(*p)) FailingProperty(*p);
    }
  }
  PassingProperties();
  out_ += "<h2 id=\"histories\">Histories</h2>";
  HistoriesTable();
  out_ += html::TimelineLegend();
  size_t open = 0;
  for (const auto& h : r_.histories) {
    const HistoryTrace* t = TraceOf(r_, h.index);
    bool bad = h.outcome != "completed";
    if (t && r_.book) {
      for (const auto& [id, c] : t->properties) {
        const Property* p = r_.book->Find(id);
        bad |= c.failures > 0 && p && Failed(*p);
      }
    }
    bool show = (bad || r_.histories.size() <= 3) && open < kMaxOpenHistories;
    open += show;
    History(h, t, show);
  }
  out_ += fmt::format(
      "<footer>faultline 0.1.0 · run folder <span class=\"mono\">{}</span> · rebuild this page "
      "with <code>faultline report {}</code></footer>",
      Esc(r_.meta.run_dir), Esc(ShellQuote(r_.meta.run_dir)));
  out_ += fmt::format("</main><script>{}</script></body></html>\n", kScript);
  return std::move(out_);
}

}  // namespace

std::string HtmlReport(const Report& r) { return Page(r).Render(); }

}  // namespace faultline::report
