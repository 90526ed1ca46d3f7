#include "base/rng.h"

#include <sys/random.h>

#include <ctime>

namespace faultline {
namespace {

uint64_t SplitMix(uint64_t& x) {
  uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

Rng::Rng(uint64_t seed) {
  for (auto& s : s_) s = SplitMix(seed);
}

uint64_t Rng::Next() {
  uint64_t result = Rotl(s_[1] * 5, 7) * 9;
  uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = Rotl(s_[3], 45);
  return result;
}

uint64_t Rng::Below(uint64_t n) {
  // Lemire's multiply-and-reject: unbiased and deterministic.
  __uint128_t m = static_cast<__uint128_t>(Next()) * n;
  uint64_t low = static_cast<uint64_t>(m);
  if (low < n) {
    uint64_t threshold = -n % n;
    while (low < threshold) {
      m = static_cast<__uint128_t>(Next()) * n;
      low = static_cast<uint64_t>(m);
    }
  }
  return static_cast<uint64_t>(m >> 64);
}

int64_t Rng::Between(int64_t lo, int64_t hi) {
  if (hi <= lo) return lo;
  uint64_t span = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo) + 1;
  if (span == 0) return static_cast<int64_t>(Next());  // the whole 64-bit range
  return lo + static_cast<int64_t>(Below(span));
}

std::chrono::milliseconds Rng::Between(std::chrono::milliseconds lo,
                                       std::chrono::milliseconds hi) {
  return std::chrono::milliseconds(Between(lo.count(), hi.count()));
}

double Rng::Unit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

bool Rng::Chance(double p) { return Unit() < p; }

uint64_t DeriveSeed(uint64_t seed, std::string_view label) {
  uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a over the label, then mixed with the seed
  for (unsigned char c : label) h = (h ^ c) * 0x100000001b3ULL;
  uint64_t x = seed ^ h;
  SplitMix(x);
  return SplitMix(x);
}

uint64_t DeriveSeed(uint64_t seed, uint64_t index) {
  uint64_t x = seed ^ (index * 0xd1342543de82ef95ULL);
  SplitMix(x);
  return SplitMix(x);
}

uint64_t OsSeed() {
  uint64_t seed = 0;
  if (getrandom(&seed, sizeof seed, 0) != sizeof seed) {
    seed = static_cast<uint64_t>(time(nullptr)) ^ reinterpret_cast<uintptr_t>(&seed);
  }
  return seed;
}

}  // namespace faultline
