// The cost of a durable timeline: Timeline::Record writes each event with one write(2) on an
// O_APPEND descriptor, so that a SIGKILL of faultline loses nothing. The baseline is the same
// lines through stdio's buffer (fwrite, flushed once at the end), which is what faultline did
// before and what loses the tail of the file on SIGKILL. bench/run.sh prints both with the ratio.
#include <benchmark/benchmark.h>

#include <cstdio>

#include "base/files.h"
#include "timeline/timeline.h"

namespace {

faultline::Json TypicalFields() {
  return {{"id", 12345},
          {"command", "v1/parallel_driver_insert_rows"},
          {"code", 0},
          {"ms", 17},
          {"prefix", "parallel_driver_"}};
}

void BM_DurableRecord(benchmark::State& state) {
  std::string dir = faultline::MakeTempDir("timeline-bench").value();
  faultline::Timeline timeline;
  if (!timeline.Open(dir + "/timeline.jsonl").ok()) state.SkipWithError("cannot open");
  faultline::Json fields = TypicalFields();
  for (auto _ : state) timeline.Record(faultline::EventType::kCommandEnd, fields);
  (void)faultline::RemoveTree(dir);
}
BENCHMARK(BM_DurableRecord);

void BM_BufferedStdioBaseline(benchmark::State& state) {
  std::string dir = faultline::MakeTempDir("timeline-bench").value();
  std::FILE* file = std::fopen((dir + "/timeline.jsonl").c_str(), "we");
  faultline::Event e;
  e.type = faultline::EventType::kCommandEnd;
  faultline::Json fields = TypicalFields();
  for (auto _ : state) {
    e.fields = fields;
    std::string line = e.ToJsonLine();
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), file);
  }
  std::fclose(file);
  (void)faultline::RemoveTree(dir);
}
BENCHMARK(BM_BufferedStdioBaseline);

}  // namespace

BENCHMARK_MAIN();
