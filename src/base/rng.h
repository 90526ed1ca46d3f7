// Rng: the seeded generator from which every decision of a history is drawn. xoshiro256** seeded
// through SplitMix64, with our own bounded draws, so that the same seed gives the same decisions
// on every platform and standard library (std::uniform_int_distribution does not promise that).
// Not thread-safe: one generator per history, used by the history's thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

namespace faultline {

class Rng {
 public:
  explicit Rng(uint64_t seed);

  uint64_t Next();
  // Uniform in [0, n); n must be > 0.
  uint64_t Below(uint64_t n);
  // Uniform in [lo, hi], inclusive.
  int64_t Between(int64_t lo, int64_t hi);
  // Uniform duration in [lo, hi].
  std::chrono::milliseconds Between(std::chrono::milliseconds lo, std::chrono::milliseconds hi);
  // True with probability p.
  bool Chance(double p);
  // Uniform in [0, 1).
  double Unit();

 private:
  uint64_t s_[4];
};

// A well-mixed 64-bit value from a seed and a label, for deriving independent sub-seeds
// (per invocation, per fault stream) that do not shift when another stream draws more.
uint64_t DeriveSeed(uint64_t seed, std::string_view label);
uint64_t DeriveSeed(uint64_t seed, uint64_t index);
// A seed from the operating system's entropy, for runs where the user gave none.
uint64_t OsSeed();

}  // namespace faultline
