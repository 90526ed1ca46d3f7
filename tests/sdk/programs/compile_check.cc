// Includes the SDK header alone and uses every macro and function, so that the compile checks
// (g++ and clang++, C++17 and C++20, -Wall -Wextra -Wpedantic -Werror) see all of it.
#include <faultline/sdk.h>

#include <map>
#include <string>
#include <vector>

namespace {

template <typename T>
void InATemplate(T value) {
  FAULTLINE_ALWAYS_GREATER_THAN_OR_EQUAL_TO(value, T(0), "template values are not negative");
}

struct Account {
  std::string name;
  long long balance;
  unsigned limit;
};

void EveryMacro(const Account& a, int attempt, double ratio) {
  FAULTLINE_ALWAYS(a.balance >= 0, "balance never negative",
                   {{"account", a.name}, {"balance", a.balance}});
  FAULTLINE_ALWAYS_OR_UNREACHABLE(ratio <= 1.0, "ratio at most one");
  FAULTLINE_SOMETIMES(attempt > 1, "a retry happens", {{"attempt", attempt}, {"ok", true}});
  FAULTLINE_REACHABLE("transfer ran");
  FAULTLINE_REACHABLE("transfer ran with details", {{"nested", faultline::Details{{"x", 1}}}});
  if (a.balance < -1000000) FAULTLINE_UNREACHABLE("absurd balance", {{"balance", a.balance}});
  FAULTLINE_ALWAYS_GREATER_THAN(a.balance, -1, "gt");
  FAULTLINE_ALWAYS_GREATER_THAN_OR_EQUAL_TO(a.balance, 0, "ge");
  FAULTLINE_ALWAYS_LESS_THAN(a.balance, a.limit, "lt (signed vs unsigned)");
  FAULTLINE_ALWAYS_LESS_THAN_OR_EQUAL_TO(ratio, 1, "le (double vs int)");
  FAULTLINE_SOMETIMES_GREATER_THAN(attempt, 2, "sgt", {{"why", "retries"}});
  FAULTLINE_SOMETIMES_GREATER_THAN_OR_EQUAL_TO(attempt, 2u, "sge");
  FAULTLINE_SOMETIMES_LESS_THAN(ratio, 0.5f, "slt");
  FAULTLINE_SOMETIMES_LESS_THAN_OR_EQUAL_TO(attempt, 0, "sle");
  bool leader = attempt > 0, follower = ratio > 0;
  FAULTLINE_ALWAYS_SOME(FAULTLINE_NAMED_BOOLS(leader, follower), "someone answers");
  FAULTLINE_SOMETIMES_ALL(FAULTLINE_NAMED_BOOLS(leader, follower, attempt > 3), "all answer",
                          {{"attempt", attempt}});
  FAULTLINE_ALWAYS_SOME(((faultline::Bools{{"a", leader}, {"b", follower}})), "braced bools");
  std::vector<std::pair<std::string, bool>> dynamic = {{"x", true}};
  FAULTLINE_SOMETIMES_ALL(dynamic, "bools from a vector");
  std::map<std::string, bool> map_bools = {{"y", false}};
  FAULTLINE_ALWAYS_SOME(map_bools, "bools from a map");
  auto in_lambda = [&] { FAULTLINE_SOMETIMES(ratio > 0.9, "in a lambda"); };
  in_lambda();
  InATemplate(3);
  InATemplate(2.5);
}

void EveryFunction(const std::string& runtime_message, int n) {
  faultline::Details details;
  details.set("n", n).set("text", "caf\xc3\xa9 \"quoted\"\n").set("none", nullptr);
  details.set("list", faultline::Array{1, "two", 3.5, false});
  details.set("vector", faultline::Array(std::vector<int>{1, 2}));
  details.set("char", 'c').set("unsigned", 7u).set("float", 1.5f);
  faultline::always(n >= 0, runtime_message, details);
  faultline::always_or_unreachable(n < 100, "n below 100");
  faultline::sometimes(n == 3, "n is three", {{"n", n}});
  faultline::reachable("functions ran");
  if (n < -5) faultline::unreachable("n far below zero");
  faultline::always_greater_than(n, -1, "f gt");
  faultline::always_greater_than_or_equal_to(n, 0u, "f ge");
  faultline::always_less_than(n, 100.0, "f lt");
  faultline::always_less_than_or_equal_to(n, 99, "f le");
  faultline::sometimes_greater_than(n, 1, "f sgt");
  faultline::sometimes_greater_than_or_equal_to(n, 1, "f sge");
  faultline::sometimes_less_than(n, 1, "f slt");
  faultline::sometimes_less_than_or_equal_to(n, 1, "f sle");
  faultline::always_some({{"even", n % 2 == 0}, {"odd", n % 2 != 0}}, "f some");
  faultline::sometimes_all({{"positive", n > 0}}, "f all", {{"n", n}});
  faultline::setup_complete();
  faultline::setup_complete({{"accounts", 100}});
  faultline::send_event("progress", {{"done", n}});
  uint64_t r = faultline::get_random() + faultline::random_below(10);
  std::vector<int> options = {1, 2, 3};
  auto it = faultline::random_choice(options);
  auto it2 = faultline::random_choice(options.begin(), options.end());
  int pick = faultline::random_choice({4, 5, 6});
  faultline::always(r > 0 || *it > 0 || *it2 > 0 || pick > 0, "random works");
  faultline::always(faultline::enabled() || !faultline::enabled(), "enabled is a bool");
}

}  // namespace

int main(int argc, char** argv) {
  EveryMacro(Account{"alice", argc, 10}, argc, 0.5);
  EveryFunction(argc > 0 ? argv[0] : "", argc);
  return 0;
}
