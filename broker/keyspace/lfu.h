// LFU access counters, as Redis keeps them for the allkeys-lfu and volatile-lfu policies.
//
// Contract: one 32-bit word per key (Entry::access_s) holds the minutes clock of the counter's
// last decrement (16 bits, wrapping) << 8 | an 8-bit logarithmic access counter. A new key starts
// at kInitialCounter. Each access first applies the decay (one per lfu-decay-time minutes
// elapsed, 0 = never), then increments with probability 1 / ((counter - 5) * lfu-log-factor + 1),
// saturating at 255, so the counter grows with the logarithm of the access count.
#pragma once

#include <cstdint>
#include <random>

namespace drayman::lfu {

inline constexpr uint8_t kInitialCounter = 5;  // Redis's LFU_INIT_VAL

inline uint16_t MinutesClock(int64_t now_ms) {
  return static_cast<uint16_t>((now_ms / 60000) & 0xFFFF);
}

inline uint32_t Pack(uint16_t minutes, uint8_t counter) {
  return (static_cast<uint32_t>(minutes) << 8) | counter;
}

inline uint32_t InitialWord(int64_t now_ms) { return Pack(MinutesClock(now_ms), kInitialCounter); }

// Minutes between the word's clock and now, across the 16-bit wrap.
inline uint32_t MinutesElapsed(uint32_t word, int64_t now_ms) {
  const uint32_t then = (word >> 8) & 0xFFFF;
  const uint32_t now = MinutesClock(now_ms);
  return now >= then ? now - then : 65535 - then + now;
}

// The counter after decay, without storing it (OBJECT FREQ, eviction sampling).
inline uint8_t DecayedCounter(uint32_t word, int64_t now_ms, int decay_time) {
  const uint32_t counter = word & 0xFF;
  const uint32_t periods = decay_time > 0 ? MinutesElapsed(word, now_ms) / decay_time : 0;
  return static_cast<uint8_t>(periods >= counter ? 0 : counter - periods);
}

template <typename Rng>
uint8_t LogIncrement(uint8_t counter, int log_factor, Rng& rng) {
  if (counter == 255) return 255;
  const double base = counter > kInitialCounter ? counter - kInitialCounter : 0;
  const double probability = 1.0 / (base * log_factor + 1);
  if (std::uniform_real_distribution<double>(0.0, 1.0)(rng) < probability) ++counter;
  return counter;
}

// The word after one access at now_ms.
template <typename Rng>
uint32_t Accessed(uint32_t word, int64_t now_ms, int decay_time, int log_factor, Rng& rng) {
  const uint8_t counter = LogIncrement(DecayedCounter(word, now_ms, decay_time), log_factor, rng);
  return Pack(MinutesClock(now_ms), counter);
}

}  // namespace drayman::lfu
