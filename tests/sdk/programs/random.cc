// Prints the faultline SDK's random draws, one per line, for src/sdk/sdk_programs_test.cc:
// COUNT draws of get_random(), then random_below(10), then random_choice over three words.
// Built with the header alone (no faultline_core).
#include <faultline/sdk.h>

#include <cstdio>
#include <cstdlib>
#include <string>

int main(int argc, char** argv) {
  int count = argc > 1 ? std::atoi(argv[1]) : 5;
  for (int i = 0; i < count; ++i) {
    std::printf("%llu\n", static_cast<unsigned long long>(faultline::get_random()));
  }
  std::printf("%llu\n", static_cast<unsigned long long>(faultline::random_below(10)));
  std::printf("%s\n", faultline::random_choice({"read", "write", "scan"}));
  return 0;
}
