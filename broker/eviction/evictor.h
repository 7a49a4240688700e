// Evictor: keeps the dataset under `maxmemory` the way Redis 7.0's evict.c does.
//
// Contract: before each client command (Engine::Execute, top level only) the engine calls
// PerformEvictions. Under the limit (or with maxmemory 0) it does nothing. Over it, with
// `noeviction` it reports kFail at once; otherwise it deletes keys chosen by
// `maxmemory-policy` until used memory is back under the limit: *-lru and *-lfu sample
// `maxmemory-samples` keys per database into a 16-entry pool kept sorted by idleness (seconds
// since the last access, or 255 minus the decayed LFU counter) and evict the idlest candidate that
// still exists; *-random picks random keys, databases in turn; volatile-ttl evicts the key whose
// deadline is soonest (exact, through the deadline index). volatile-* consider keys with an
// expiry only. It gives up with kFail when nothing is left to evict, and with kRunning when it ran
// past the time `maxmemory-eviction-tenacity` allows (Cron then continues through
// ContinueIfPending). Every key goes through Engine::EvictKey.
//
// Used memory comes from UsedMemoryBytes() (broker/stats/process_stats.h: the counting
// allocator, one atomic load); tests may install a deterministic source instead.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace drayman {

class Engine;

enum class EvictionPolicy {
  kNoEviction,
  kAllKeysLru,
  kVolatileLru,
  kAllKeysLfu,
  kVolatileLfu,
  kAllKeysRandom,
  kVolatileRandom,
  kVolatileTtl,
};

// The policy a maxmemory-policy value names (the config only stores valid names).
EvictionPolicy ParseEvictionPolicy(std::string_view name);
inline bool IsLfuPolicy(EvictionPolicy policy) {
  return policy == EvictionPolicy::kAllKeysLfu || policy == EvictionPolicy::kVolatileLfu;
}

// Redis's evictionTimeLimitUs: 50 us per step up to tenacity 10, then 15% more per step, and no
// limit at 100.
uint64_t EvictionTimeLimitUs(int tenacity);

class Evictor {
 public:
  enum class Result { kOk, kRunning, kFail };
  static constexpr size_t kPoolSize = 16;  // Redis's EVPOOL_SIZE

  explicit Evictor(Engine& engine) : engine_(engine) {}

  Result PerformEvictions();
  // From Cron: resumes an eviction cut short by the time limit.
  void ContinueIfPending();
  bool pending() const { return pending_; }

  // INFO stats: how long used memory has stayed over the limit (Redis's
  // total_eviction_exceeded_time, current_eviction_exceeded_time), on the engine clock, in ms.
  uint64_t exceeded_total_ms() const;
  uint64_t exceeded_current_ms() const;
  void ResetStats();

  // Bytes counted against maxmemory.
  uint64_t UsedMemory() const;
  // Tests: replace the allocator's figure by a deterministic one (nullptr restores it).
  void set_used_memory_source(std::function<uint64_t()> source) { source_ = std::move(source); }

 private:
  struct Candidate {
    uint64_t idle = 0;  // higher = better to evict
    int db = 0;
    std::string key;
  };
  // Samples one database into the pool.
  void Populate(int db, bool volatile_only, bool lfu);
  // Picks and removes the best candidate that still exists; false when there is none.
  bool PickFromPool(bool volatile_only, int* db, std::string* key);
  bool PickRandom(bool volatile_only, int* db, std::string* key);
  bool PickSoonestExpiring(int* db, std::string* key);
  Result Evict();
  // Opens or closes the current over-the-limit interval after an eviction pass.
  void TrackExceeded(Result result);

  Engine& engine_;
  std::function<uint64_t()> source_;
  std::vector<Candidate> pool_;  // ascending idle, at most kPoolSize
  int next_random_db_ = 0;
  bool pending_ = false;
  int64_t exceeded_since_us_ = 0;   // start of the current interval over the limit, 0 if under
  uint64_t exceeded_total_us_ = 0;  // closed intervals
};

}  // namespace drayman
