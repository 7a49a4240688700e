#include "broker/stats/latency_histogram.h"

#include <algorithm>
#include <bit>

namespace drayman {

namespace {

// hdr_calculate_bucket_config for 1 ns .. 1 s, 2 significant figures: unit magnitude 0, 256
// sub-buckets (half 128), 23 buckets.
constexpr int32_t kSubBucketHalfCountMagnitude = 7;
constexpr int32_t kSubBucketHalfCount = 128;
constexpr int32_t kSubBucketCount = 256;
constexpr int64_t kSubBucketMask = kSubBucketCount - 1;

int32_t BucketIndex(int64_t value) {
  const int32_t pow2ceiling =
      64 - std::countl_zero(static_cast<uint64_t>(value | kSubBucketMask));
  return pow2ceiling - (kSubBucketHalfCountMagnitude + 1);
}

int32_t SubBucketIndex(int64_t value, int32_t bucket) {
  return static_cast<int32_t>(value >> bucket);
}

int64_t RangeSize(int32_t bucket, int32_t sub_bucket) {
  const int32_t adjusted = sub_bucket >= kSubBucketCount ? bucket + 1 : bucket;
  return int64_t{1} << adjusted;
}

}  // namespace

LatencyHistogram::LatencyHistogram() : counts_(new uint64_t[kCountsLength]()) {}

int32_t LatencyHistogram::CountsIndex(int64_t value) {
  const int32_t bucket = BucketIndex(value);
  const int32_t sub_bucket = SubBucketIndex(value, bucket);
  return ((bucket + 1) << kSubBucketHalfCountMagnitude) + (sub_bucket - kSubBucketHalfCount);
}

int64_t LatencyHistogram::ValueAtIndex(int32_t index) {
  int32_t bucket = (index >> kSubBucketHalfCountMagnitude) - 1;
  int32_t sub_bucket = (index & (kSubBucketHalfCount - 1)) + kSubBucketHalfCount;
  if (bucket < 0) {
    sub_bucket -= kSubBucketHalfCount;
    bucket = 0;
  }
  return static_cast<int64_t>(sub_bucket) << bucket;
}

int64_t LatencyHistogram::LowestEquivalent(int64_t value) {
  const int32_t bucket = BucketIndex(value);
  return static_cast<int64_t>(SubBucketIndex(value, bucket)) << bucket;
}

int64_t LatencyHistogram::HighestEquivalent(int64_t value) {
  const int32_t bucket = BucketIndex(value);
  const int32_t sub_bucket = SubBucketIndex(value, bucket);
  return (static_cast<int64_t>(sub_bucket) << bucket) + RangeSize(bucket, sub_bucket) - 1;
}

void LatencyHistogram::Record(int64_t nanoseconds) {
  const int64_t value = std::clamp(nanoseconds, kMinValue, kMaxValue);
  ++counts_[CountsIndex(value)];
  ++total_;
}

std::vector<std::pair<int64_t, uint64_t>> LatencyHistogram::CumulativeBuckets() const {
  // hdr_iter_log_init(1024, 2) walked as fillCommandCDF walks it.
  std::vector<std::pair<int64_t, uint64_t>> buckets;
  int32_t index = -1;
  uint64_t cumulative = 0;
  int64_t value = 0;
  int64_t highest = 0;
  int64_t level = 1024;
  int64_t level_lowest = LowestEquivalent(level);
  uint64_t previous = 0;
  while (cumulative < total_ || (index < kCountsLength && ValueAtIndex(index + 1) > level_lowest)) {
    while (true) {
      if (value >= level_lowest) {
        level *= 2;
        level_lowest = LowestEquivalent(level);
        break;
      }
      if (++index >= kCountsLength) break;  // past the last counter: reported as it stands
      cumulative += counts_[index];
      value = ValueAtIndex(index);
      highest = HighestEquivalent(value);
    }
    if (cumulative > previous) buckets.emplace_back(highest / 1000, cumulative);
    previous = cumulative;
  }
  return buckets;
}

int64_t LatencyHistogram::ValueAtPercentile(double percentile) const {
  const double requested = percentile < 100.0 ? percentile : 100.0;
  int64_t count_at = static_cast<int64_t>(requested / 100 * static_cast<double>(total_) + 0.5);
  count_at = std::max<int64_t>(count_at, 1);
  int64_t value = 0;
  uint64_t running = 0;
  for (int32_t index = 0; index < kCountsLength; ++index) {
    running += counts_[index];
    if (running >= static_cast<uint64_t>(count_at)) {
      value = ValueAtIndex(index);
      break;
    }
  }
  return percentile == 0.0 ? LowestEquivalent(value) : HighestEquivalent(value);
}

}  // namespace drayman
