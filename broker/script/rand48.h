// Rand48: the pseudo-random generator behind math.random in scripts.
//
// Contract: the same 48-bit linear congruential sequence Redis uses (drand48's constants), so
// math.random gives the same numbers as Redis for the same history: the state starts at
// 0x1234ABCD330E when the server starts, continues across scripts and SCRIPT FLUSH, and
// math.randomseed(n) resets it to (n << 16) | 0x330E. Next() returns 31 bits, like lrand48().
#pragma once

#include <cstdint>

namespace drayman {

class Rand48 {
 public:
  static constexpr int32_t kMax = INT32_MAX;  // Redis's REDIS_LRAND48_MAX

  int32_t Next() {
    state_ = (kMultiplier * state_ + kIncrement) & kMask;
    return static_cast<int32_t>(state_ >> 17);
  }
  // Only the low 32 bits of the seed matter, as in srand48.
  void Seed(int32_t seed) {
    state_ = ((static_cast<uint64_t>(static_cast<uint32_t>(seed)) << 16) | 0x330E) & kMask;
  }

 private:
  static constexpr uint64_t kMultiplier = 0x5DEECE66DULL;
  static constexpr uint64_t kIncrement = 0xB;
  static constexpr uint64_t kMask = (1ULL << 48) - 1;
  uint64_t state_ = 0x1234ABCD330EULL;
};

}  // namespace drayman
