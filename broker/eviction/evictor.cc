#include "broker/eviction/evictor.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <random>

#include "absl/cleanup/cleanup.h"
#include "broker/engine.h"
#include "broker/keyspace/lfu.h"
#include "broker/stats/process_stats.h"

namespace drayman {

namespace {

int64_t SteadyMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

bool IsVolatile(EvictionPolicy policy) {
  return policy == EvictionPolicy::kVolatileLru || policy == EvictionPolicy::kVolatileLfu ||
         policy == EvictionPolicy::kVolatileRandom || policy == EvictionPolicy::kVolatileTtl;
}

}  // namespace

EvictionPolicy ParseEvictionPolicy(std::string_view name) {
  if (name == "allkeys-lru") return EvictionPolicy::kAllKeysLru;
  if (name == "volatile-lru") return EvictionPolicy::kVolatileLru;
  if (name == "allkeys-lfu") return EvictionPolicy::kAllKeysLfu;
  if (name == "volatile-lfu") return EvictionPolicy::kVolatileLfu;
  if (name == "allkeys-random") return EvictionPolicy::kAllKeysRandom;
  if (name == "volatile-random") return EvictionPolicy::kVolatileRandom;
  if (name == "volatile-ttl") return EvictionPolicy::kVolatileTtl;
  return EvictionPolicy::kNoEviction;
}

uint64_t EvictionTimeLimitUs(int tenacity) {
  if (tenacity <= 10) return 50ULL * static_cast<uint64_t>(tenacity);
  if (tenacity < 100) return static_cast<uint64_t>(500.0 * std::pow(1.15, tenacity - 10));
  return std::numeric_limits<uint64_t>::max();
}

uint64_t Evictor::UsedMemory() const { return source_ ? source_() : UsedMemoryBytes(); }

void Evictor::ContinueIfPending() {
  if (pending_) PerformEvictions();
}

Evictor::Result Evictor::PerformEvictions() {
  // CLIENT PAUSE keeps the dataset still: no eviction, as if none were needed (Redis's
  // isSafeToPerformEvictions; commands are not refused with OOM meanwhile).
  if (engine_.ClientsPaused(engine_.clock().NowMs())) return Result::kOk;
  const Result result = Evict();
  TrackExceeded(result);
  return result;
}

void Evictor::TrackExceeded(Result result) {
  const int64_t now_us = engine_.clock().NowUs();
  if (result != Result::kOk) {
    if (exceeded_since_us_ == 0) exceeded_since_us_ = now_us;
  } else if (exceeded_since_us_ != 0) {
    exceeded_total_us_ += static_cast<uint64_t>(std::max<int64_t>(now_us - exceeded_since_us_, 0));
    exceeded_since_us_ = 0;
  }
}

uint64_t Evictor::exceeded_current_ms() const {
  if (exceeded_since_us_ == 0) return 0;
  return static_cast<uint64_t>(std::max<int64_t>(engine_.clock().NowUs() - exceeded_since_us_, 0)) /
         1000;
}

uint64_t Evictor::exceeded_total_ms() const {
  return exceeded_total_us_ / 1000 + exceeded_current_ms();
}

void Evictor::ResetStats() {
  exceeded_total_us_ = 0;
  if (exceeded_since_us_ != 0) exceeded_since_us_ = engine_.clock().NowUs();
}

Evictor::Result Evictor::Evict() {
  pending_ = false;
  const Settings& settings = engine_.settings();
  const uint64_t limit = static_cast<uint64_t>(settings.maxmemory);
  if (limit == 0 || UsedMemory() <= limit) return Result::kOk;
  const EvictionPolicy policy = ParseEvictionPolicy(settings.maxmemory_policy);
  if (policy == EvictionPolicy::kNoEviction) return Result::kFail;

  // Redis's eviction-cycle and eviction-del latency events, in milliseconds of the engine clock,
  // read only while the latency monitor is on (latencyStartMonitor).
  const bool monitor = settings.latency_monitor_threshold > 0;
  const int64_t cycle_started_ms = monitor ? engine_.clock().NowMs() : 0;
  absl::Cleanup cycle_latency = [&] {
    if (monitor) {
      engine_.AddLatencySample("eviction-cycle", engine_.clock().NowMs() - cycle_started_ms);
    }
  };
  const bool volatile_only = IsVolatile(policy);
  const uint64_t time_limit_us = EvictionTimeLimitUs(settings.maxmemory_eviction_tenacity);
  const int64_t started_us = SteadyMicros();
  Keyspace& keyspace = engine_.keyspace();
  for (uint64_t evicted = 1;; ++evicted) {
    int db = 0;
    std::string key;
    bool found = false;
    switch (policy) {
      case EvictionPolicy::kAllKeysRandom:
      case EvictionPolicy::kVolatileRandom:
        found = PickRandom(volatile_only, &db, &key);
        break;
      case EvictionPolicy::kVolatileTtl:
        found = PickSoonestExpiring(&db, &key);
        break;
      default:
        // Like Redis: refill the pool from every database until a candidate that still exists
        // comes out of it, or there is nothing left to sample.
        while (!found) {
          size_t sampled_keys = 0;
          for (int i = 0; i < keyspace.database_count(); ++i) {
            Database& database = keyspace.db(i);
            const size_t size = volatile_only ? database.expires_count() : database.size();
            if (size == 0) continue;
            sampled_keys += size;
            Populate(i, volatile_only, IsLfuPolicy(policy));
          }
          if (sampled_keys == 0) break;
          found = PickFromPool(volatile_only, &db, &key);
        }
        break;
    }
    if (!found) return Result::kFail;  // nothing left that the policy may evict
    const int64_t delete_started_ms = monitor ? engine_.clock().NowMs() : 0;
    engine_.EvictKey(keyspace.db(db), key);
    if (monitor) {
      engine_.AddLatencySample("eviction-del", engine_.clock().NowMs() - delete_started_ms);
    }
    if (UsedMemory() <= limit) return Result::kOk;
    // Check the clock every 16 keys, as Redis does; past the limit the rest waits for Cron.
    if (evicted % 16 == 0 && static_cast<uint64_t>(SteadyMicros() - started_us) > time_limit_us) {
      pending_ = true;
      return Result::kRunning;
    }
  }
}

void Evictor::Populate(int db, bool volatile_only, bool lfu) {
  Database& database = engine_.keyspace().db(db);
  const int64_t now_ms = engine_.keyspace().now_ms();
  const int decay_time = engine_.settings().lfu_decay_time;
  database.SampleKeys(
      volatile_only, engine_.settings().maxmemory_samples,
      [&](std::string_view key, Entry& entry) {
        const uint64_t idle = lfu ? 255 - lfu::DecayedCounter(entry.access_s, now_ms, decay_time)
                                  : static_cast<uint64_t>(database.IdleSeconds(entry));
        for (const Candidate& candidate : pool_) {
          // Sampled twice? (Same idleness first: most keys compare nothing.)
          if (candidate.idle == idle && candidate.db == db && candidate.key == key) {
            return;
          }
        }
        // First position whose idleness is not lower: the pool stays sorted
        // ascending.
        size_t position = 0;
        while (position < pool_.size() && pool_[position].idle < idle) ++position;
        // A full pool keeps its kPoolSize best; a key idler than none of them is
        // skipped.
        if (position == 0 && pool_.size() == kPoolSize) return;
        pool_.insert(pool_.begin() + static_cast<std::ptrdiff_t>(position),
                     Candidate{idle, db, std::string(key)});
        if (pool_.size() > kPoolSize) pool_.erase(pool_.begin());
      });
}

bool Evictor::PickFromPool(bool volatile_only, int* db, std::string* key) {
  // From the idlest down; stale entries (the key went meanwhile, or lost its expiry under a
  // volatile policy) are dropped on the way.
  while (!pool_.empty()) {
    Candidate candidate = std::move(pool_.back());
    pool_.pop_back();
    const Entry* entry = engine_.keyspace().db(candidate.db).Peek(candidate.key);
    if (entry == nullptr || (volatile_only && entry->expire_at_ms == kNoExpiry)) continue;
    *db = candidate.db;
    *key = std::move(candidate.key);
    return true;
  }
  return false;
}

bool Evictor::PickRandom(bool volatile_only, int* db, std::string* key) {
  Keyspace& keyspace = engine_.keyspace();
  const int count = keyspace.database_count();
  for (int tried = 0; tried < count; ++tried) {
    const int index = next_random_db_;
    next_random_db_ = (next_random_db_ + 1) % count;
    Database& database = keyspace.db(index);
    bool picked = false;
    if (volatile_only) {
      database.SampleKeys(/*volatile_only=*/true, 1, [&](std::string_view sampled, Entry&) {
        key->assign(sampled);
        picked = true;
      });
    } else if (std::optional<std::string_view> random = database.RandomKey()) {
      // Adjacent-bucket sampling would favour keys after empty buckets: a fair draw here.
      key->assign(*random);
      picked = true;
    }
    if (picked) {
      *db = index;
      return true;
    }
  }
  return false;
}

bool Evictor::PickSoonestExpiring(int* db, std::string* key) {
  Keyspace& keyspace = engine_.keyspace();
  int64_t best_deadline = std::numeric_limits<int64_t>::max();
  bool found = false;
  for (int i = 0; i < keyspace.database_count(); ++i) {
    std::optional<std::string_view> soonest = keyspace.db(i).SoonestExpiring();
    if (!soonest) continue;
    const int64_t deadline = keyspace.db(i).Peek(*soonest)->expire_at_ms;
    if (!found || deadline < best_deadline) {
      best_deadline = deadline;
      *db = i;
      key->assign(*soonest);
      found = true;
    }
  }
  return found;
}

}  // namespace drayman
