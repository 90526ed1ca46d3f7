// Compile check: a workload written with the official C++ SDK's macro spellings compiles against
// the faultline header when FAULTLINE_SDK_SHORT_NAMES is defined.
#define FAULTLINE_SDK_SHORT_NAMES
#include <faultline/sdk.h>

int Work(int x, bool a, bool b) {
  ALWAYS(x >= 0, "x never negative", {{"x", x}});
  ALWAYS_OR_UNREACHABLE(x < 1000, "x small");
  SOMETIMES(x == 3, "x is three");
  REACHABLE("work ran");
  if (x < -100) UNREACHABLE("x absurd");
  ALWAYS_GREATER_THAN(x, -1, "gt");
  ALWAYS_GREATER_THAN_OR_EQUAL_TO(x, 0, "ge");
  ALWAYS_LESS_THAN(x, 1000, "lt");
  ALWAYS_LESS_THAN_OR_EQUAL_TO(x, 999, "le");
  SOMETIMES_GREATER_THAN(x, 1, "sgt");
  SOMETIMES_GREATER_THAN_OR_EQUAL_TO(x, 1, "sge");
  SOMETIMES_LESS_THAN(x, 1, "slt");
  SOMETIMES_LESS_THAN_OR_EQUAL_TO(x, 1, "sle");
  ALWAYS_SOME(NAMED_LIST(a, b), "a or b");
  SOMETIMES_ALL(NAMED_LIST(a, b), "a and b");
  return x;
}

int main(int argc, char**) { return Work(argc, argc > 1, argc > 2) > 100; }
