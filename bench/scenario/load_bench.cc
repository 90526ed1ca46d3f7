// Loading a scenario of N services (default 50,000), each with a port, placeholders naming
// another service and a depends_on, as faultline run does before anything starts. The baseline is
// libyaml parsing the same text alone, events only (the floor no loader can beat: the loader
// builds its tree from these events); bench/load.sh prints both, their ratio and the target
// (50,000 services in under 1 s).
#include <yaml.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "scenario/scenario.h"

namespace {

std::string ManyServices(int n) {
  std::string text = "name: big\nservices:\n";
  for (int i = 0; i < n; ++i) {
    text +=
        fmt::format("  s{}:\n    command: [x, \"{{port}}\", \"{{s0.port}}\"]\n    port: auto\n", i);
    if (i > 0) text += fmt::format("    depends_on: [s{}]\n", i - 1);
  }
  text += "workload:\n  env: {FIRST: \"{s0.port}\"}\n";
  return text;
}

// Every event of `text`, each freed at once; false on a syntax error.
bool ParseEvents(const std::string& text) {
  yaml_parser_t parser;
  yaml_parser_initialize(&parser);
  yaml_parser_set_input_string(&parser, reinterpret_cast<const unsigned char*>(text.data()),
                               text.size());
  yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING);
  bool ok = true;
  for (bool end = false; !end;) {
    yaml_event_t event;
    if (!yaml_parser_parse(&parser, &event)) {
      ok = false;
      break;
    }
    end = event.type == YAML_STREAM_END_EVENT;
    yaml_event_delete(&event);
  }
  yaml_parser_delete(&parser);
  return ok;
}

template <typename F>
double Seconds(F f) {
  auto start = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  int n = argc > 1 ? std::atoi(argv[1]) : 50000;
  std::string text = ManyServices(n);
  bool parsed = false;
  double yaml = Seconds([&] { parsed = ParseEvents(text); });
  bool ok = false;
  double load = Seconds([&] {
    ok = faultline::scenario::ParseScenario(text, "scenario.yaml", "/bench").scenario.has_value();
  });
  if (!ok || !parsed) {
    std::fprintf(stderr, "load_bench: the generated scenario did not load\n");
    return 1;
  }
  std::printf("%d %.3f %.3f\n", n, load, yaml);
  return 0;
}
