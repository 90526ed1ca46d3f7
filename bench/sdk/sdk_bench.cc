// The cost of one assertion of the public SDK header, macro and function forms. bench/sdk.sh runs
// it twice: without ANTITHESIS_SDK_LOCAL_OUTPUT (the output is off) and with it (after the first
// evaluation, when both outcomes of the call site have been written). Header alone.
#include <benchmark/benchmark.h>
#include <faultline/sdk.h>

namespace {

// The baseline: the same loop evaluating the same condition, with no assertion around it.
void BM_Baseline(benchmark::State& state) {
  int x = 1;
  for (auto _ : state) {
    benchmark::DoNotOptimize(x);
    bool condition = x > 0;
    benchmark::DoNotOptimize(condition);
  }
}
BENCHMARK(BM_Baseline);

// The steady state of a macro call site: details are never built.
void BM_AlwaysMacro(benchmark::State& state) {
  int x = 1;
  for (auto _ : state) {
    benchmark::DoNotOptimize(x);
    FAULTLINE_ALWAYS(x > 0, "bench: always macro", {{"x", x}, {"name", "a details string"}});
  }
  state.SetLabel(faultline::enabled() ? "output on" : "output off");
}
BENCHMARK(BM_AlwaysMacro);

void BM_NumericMacro(benchmark::State& state) {
  int latency = 10;
  for (auto _ : state) {
    benchmark::DoNotOptimize(latency);
    FAULTLINE_ALWAYS_LESS_THAN(latency, 100, "bench: numeric macro", {{"unit", "ms"}});
  }
}
BENCHMARK(BM_NumericMacro);

// A call site whose condition alternates: both outcomes written after two evaluations.
void BM_AlternatingMacro(benchmark::State& state) {
  int i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(i);
    FAULTLINE_SOMETIMES((++i & 1) == 0, "bench: alternating macro");
  }
}
BENCHMARK(BM_AlternatingMacro);

// The function form: a mutex and a hash lookup per call once the output is on.
void BM_AlwaysFunction(benchmark::State& state) {
  int x = 1;
  for (auto _ : state) {
    benchmark::DoNotOptimize(x);
    faultline::always(x > 0, "bench: always function");
  }
}
BENCHMARK(BM_AlwaysFunction);

// Eight threads on one call site.
void BM_AlwaysMacroThreads(benchmark::State& state) {
  int x = 1;
  for (auto _ : state) {
    benchmark::DoNotOptimize(x);
    FAULTLINE_ALWAYS(x > 0, "bench: always macro, threads");
  }
}
BENCHMARK(BM_AlwaysMacroThreads)->Threads(8);

}  // namespace

BENCHMARK_MAIN();
