// LatencyHistogram: one command's latency distribution, kept as Redis 7.0 keeps it (an HDR
// histogram from 1 ns to 1 s with 2 significant digits), for LATENCY HISTOGRAM and INFO
// latencystats.
//
// Contract: Record takes a duration in nanoseconds (Drayman measures microseconds, so callers
// pass usec * 1000, as Redis's call() does) and clamps it to [1 ns, 1 s]. The buckets are the
// HDR layout Redis's deps/hdr_histogram computes for those bounds (3,072 counters, 24 KB,
// allocated on a command's first call as Redis allocates its histogram), so CumulativeBuckets
// (Redis's fillCommandCDF: a logarithmic walk from 1,024 ns by powers of two, printing each
// step's highest equivalent value in microseconds with its cumulative count, steps that add
// nothing omitted) and ValueAtPercentile (hdr_value_at_percentile) give redis-server's numbers
// for the same durations.
#pragma once

#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

namespace drayman {

class LatencyHistogram {
 public:
  static constexpr int64_t kMinValue = 1;              // 1 ns
  static constexpr int64_t kMaxValue = 1'000'000'000;  // 1 s

  LatencyHistogram();
  void Record(int64_t nanoseconds);
  uint64_t total_count() const { return total_; }
  // (microseconds, cumulative count) per step, as LATENCY HISTOGRAM's histogram_usec lists them.
  std::vector<std::pair<int64_t, uint64_t>> CumulativeBuckets() const;
  // hdr_value_at_percentile, in nanoseconds.
  int64_t ValueAtPercentile(double percentile) const;

  // The HDR arithmetic, exposed for tests.
  static int32_t CountsIndex(int64_t value);
  static int64_t ValueAtIndex(int32_t index);
  static int64_t LowestEquivalent(int64_t value);
  static int64_t HighestEquivalent(int64_t value);
  static constexpr int32_t kCountsLength = 3072;

 private:
  std::unique_ptr<uint64_t[]> counts_;
  uint64_t total_ = 0;
};

}  // namespace drayman
