#include "server/aof_sync_stats.h"

#include <algorithm>
#include <string>

namespace drayman {

void AofSyncStats::RecordWrite(uint64_t bytes) {
  writes_.fetch_add(1, std::memory_order_relaxed);
  written_bytes_.fetch_add(bytes, std::memory_order_relaxed);
}

void AofSyncStats::RecordFsync(int64_t duration_us, uint64_t bytes) {
  for (size_t i = 0; i < kBucketsUs.size(); ++i) {
    if (duration_us <= kBucketsUs[i]) {
      buckets_[i].fetch_add(1, std::memory_order_relaxed);
      break;
    }
  }
  fsync_us_total_.fetch_add(static_cast<uint64_t>(duration_us), std::memory_order_relaxed);
  fsync_bytes_.fetch_add(bytes, std::memory_order_relaxed);
  last_fsync_us_.store(duration_us, std::memory_order_relaxed);
  fsyncs_.fetch_add(1, std::memory_order_relaxed);
}

void AofSyncStats::Write(PrometheusWriter& out) const {
  using Type = PrometheusWriter::Type;
  auto load = [](const std::atomic<uint64_t>& value) {
    return static_cast<double>(value.load(std::memory_order_relaxed));
  };
  out.Single("drayman_aof_writes_total", Type::kCounter,
             "write() batches the append-only log's writer made", load(writes_));
  out.Single("drayman_aof_written_bytes_total", Type::kCounter,
             "Bytes written to the append-only log this run", load(written_bytes_));
  out.Single("drayman_aof_fsync_bytes_total", Type::kCounter,
             "Bytes made durable by fdatasync (divide by the fsync count: the group-commit batch)",
             load(fsync_bytes_));
  out.Single("drayman_aof_fsync_last_duration_seconds", Type::kGauge,
             "Duration of the last fdatasync of the append-only log",
             static_cast<double>(last_fsync_us_.load(std::memory_order_relaxed)) / 1e6);
  out.Family("drayman_aof_fsync_duration_seconds", Type::kHistogram,
             "fdatasync latency of the append-only log");
  uint64_t cumulative = 0;
  for (size_t i = 0; i < kBucketsUs.size(); ++i) {
    cumulative += buckets_[i].load(std::memory_order_relaxed);
    std::string bound;
    AppendPrometheusNumber(bound, static_cast<double>(kBucketsUs[i]) / 1e6);
    out.Sample("drayman_aof_fsync_duration_seconds_bucket", {{"le", bound}},
               static_cast<double>(cumulative));
  }
  // The count is bumped after the bucket: never report fewer in +Inf than in the buckets.
  const double count = std::max(load(fsyncs_), static_cast<double>(cumulative));
  out.Sample("drayman_aof_fsync_duration_seconds_bucket", {{"le", "+Inf"}}, count);
  out.Sample("drayman_aof_fsync_duration_seconds_sum", {}, load(fsync_us_total_) / 1e6);
  out.Sample("drayman_aof_fsync_duration_seconds_count", {}, count);
}

}  // namespace drayman
