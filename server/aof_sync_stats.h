// AofSyncStats: what the append-only log's threads did, for /metrics (drayman_aof_*).
//
// Contract: the writer records each write() batch and each fdatasync (its duration and the bytes
// it made durable: the group-commit batch) from its own threads; Write() may run on the loop at
// any time and reads relaxed atomics, so a scrape may see a batch's count before its bytes, never
// a torn number. The fsync durations are a Prometheus histogram (cumulative buckets, seconds).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>

#include "broker/stats/prometheus.h"

namespace drayman {

class AofSyncStats {
 public:
  void RecordWrite(uint64_t bytes);
  void RecordFsync(int64_t duration_us, uint64_t bytes);
  void Write(PrometheusWriter& out) const;

  // Upper bounds of the fsync duration buckets, in microseconds (+Inf is implicit).
  static constexpr std::array<int64_t, 11> kBucketsUs = {
      250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 1000000};

 private:
  std::atomic<uint64_t> writes_{0};
  std::atomic<uint64_t> written_bytes_{0};
  std::atomic<uint64_t> fsyncs_{0};
  std::atomic<uint64_t> fsync_bytes_{0};
  std::atomic<uint64_t> fsync_us_total_{0};
  std::atomic<int64_t> last_fsync_us_{0};
  std::array<std::atomic<uint64_t>, kBucketsUs.size()> buckets_{};  // not cumulative
};

}  // namespace drayman
