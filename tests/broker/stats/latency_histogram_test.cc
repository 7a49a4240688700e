// LatencyHistogram: the HDR bucket arithmetic of Redis's deps/hdr_histogram for 1 ns .. 1 s with
// 2 significant digits, LATENCY HISTOGRAM's cumulative steps and INFO latencystats' percentiles.
// Expected numbers are redis-server 7.0.15's for the same durations (a 2 us command prints
// "2 => 1", a 13 us one p50=13.055 and "16 => 1").
#include "broker/stats/latency_histogram.h"

#include <gtest/gtest.h>

#include <utility>
#include <vector>

namespace drayman {
namespace {

using Buckets = std::vector<std::pair<int64_t, uint64_t>>;

TEST(LatencyHistogramTest, BucketArithmetic) {
  EXPECT_EQ(LatencyHistogram::LowestEquivalent(1024), 1024);
  EXPECT_EQ(LatencyHistogram::HighestEquivalent(1024), 1031);
  EXPECT_EQ(LatencyHistogram::HighestEquivalent(13000), 13055);
  EXPECT_EQ(LatencyHistogram::LowestEquivalent(13000), 12992);
  EXPECT_EQ(LatencyHistogram::HighestEquivalent(100), 100);  // below 256: exact
  EXPECT_EQ(LatencyHistogram::CountsIndex(0), 0);
  EXPECT_EQ(LatencyHistogram::CountsIndex(255), 255);
  EXPECT_EQ(LatencyHistogram::CountsIndex(256), 256);
  EXPECT_EQ(LatencyHistogram::ValueAtIndex(LatencyHistogram::CountsIndex(13000)), 12992);
  // The largest value fits in the last counter.
  EXPECT_LT(LatencyHistogram::CountsIndex(LatencyHistogram::kMaxValue),
            LatencyHistogram::kCountsLength);
}

TEST(LatencyHistogramTest, CumulativeBucketsAsRedisPrintsThem) {
  LatencyHistogram histogram;
  histogram.Record(2000);
  EXPECT_EQ(histogram.CumulativeBuckets(), (Buckets{{2, 1}}));
  histogram.Record(13000);
  EXPECT_EQ(histogram.CumulativeBuckets(), (Buckets{{2, 1}, {16, 2}}));
  histogram.Record(0);  // clamped to 1 ns: counted in the first step
  histogram.Record(1000);
  EXPECT_EQ(histogram.CumulativeBuckets(), (Buckets{{1, 2}, {2, 3}, {16, 4}}));
  EXPECT_EQ(histogram.total_count(), 4u);
}

TEST(LatencyHistogramTest, DurationsPastOneSecondAreClamped) {
  LatencyHistogram histogram;
  histogram.Record(5'000'000'000);
  // The walk runs off the last counter before the 2^30 ns step: reported there.
  EXPECT_EQ(histogram.CumulativeBuckets(), (Buckets{{1073741, 1}}));
  histogram.Record(300'000'000);
  EXPECT_EQ(histogram.CumulativeBuckets(), (Buckets{{541065, 1}, {1073741, 2}}));
}

TEST(LatencyHistogramTest, Percentiles) {
  LatencyHistogram histogram;
  histogram.Record(13000);
  EXPECT_EQ(histogram.ValueAtPercentile(50), 13055);
  EXPECT_EQ(histogram.ValueAtPercentile(99.9), 13055);
  EXPECT_EQ(histogram.ValueAtPercentile(0), 12992);  // the lowest equivalent at 0
  for (int i = 0; i < 99; ++i) histogram.Record(2000);
  EXPECT_EQ(histogram.ValueAtPercentile(50), 2007);
  EXPECT_EQ(histogram.ValueAtPercentile(99), 2007);
  EXPECT_EQ(histogram.ValueAtPercentile(99.9), 13055);
  EXPECT_EQ(histogram.ValueAtPercentile(100), 13055);
}

}  // namespace
}  // namespace drayman
