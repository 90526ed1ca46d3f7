// An SDK that puts a value in every message makes one property id per line. This feeds N
// distinct ids (default 300,000, each with small details) to a PropertyBook with the default cap,
// or with no cap ("none", the behaviour before the cap), and prints the peak RSS in KB and the
// size of report.json in bytes. bench/properties.sh runs both and prints the ratio.
#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "properties/property_book.h"
#include "report/report.h"

int main(int argc, char** argv) {
  int n = argc > 1 ? std::atoi(argv[1]) : 300000;
  bool capped = !(argc > 2 && std::strcmp(argv[2], "none") == 0);
  faultline::properties::BookLimits limits;
  if (!capped) limits.max_properties = std::numeric_limits<size_t>::max();
  faultline::properties::PropertyBook book(limits);
  for (int i = 0; i < n; ++i) {
    std::string id = fmt::format("latency {} ms is below the bound", i);
    auto e = faultline::Event::Of(
        0, faultline::EventType::kAssert,
        {{"command", "v1/parallel_driver_check"},
         {"id", i},
         {"assert",
          {{"assert_type", "always"},
           {"display_type", "Always"},
           {"hit", true},
           {"condition", true},
           {"must_hit", true},
           {"id", id},
           {"message", id},
           {"location", {{"file", "check.py"}, {"function", "main"}, {"begin_line", 42}}},
           {"details", {{"latency_ms", i}, {"bound_ms", 1000}}}}}});
    book.Add({0, 1}, e);
  }
  faultline::report::Report r;
  r.book = &book;
  size_t bytes = faultline::report::ReportJson(r).dump(2).size();
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::printf("%ld %zu\n", usage.ru_maxrss, bytes);
  return 0;
}
