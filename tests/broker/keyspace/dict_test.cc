#include "broker/keyspace/dict.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace drayman {
namespace {

TEST(NextScanCursorTest, WalksBucketsInReverseBinaryOrder) {
  // Redis's dictScan order for 8 buckets.
  std::vector<uint64_t> order;
  uint64_t cursor = 0;
  do {
    order.push_back(cursor);
    cursor = NextScanCursor(cursor, 7);
  } while (cursor != 0);
  EXPECT_EQ(order, (std::vector<uint64_t>{0, 4, 2, 6, 1, 5, 3, 7}));
  // A cursor from a larger table continues in the smaller one's order (high bits are dropped).
  EXPECT_EQ(NextScanCursor(12, 7), 2u);
  EXPECT_EQ(NextScanCursor(UINT64_MAX, 7), 0u);
}

TEST(ScanTableBucketsTest, GrowsPastOneEntryPerBucketAndShrinksBelowOneInEight) {
  EXPECT_EQ(ScanTableBucketsForInsert(0, 0), 4u);
  EXPECT_EQ(ScanTableBucketsForInsert(3, 4), 4u);
  EXPECT_EQ(ScanTableBucketsForInsert(4, 4), 8u);
  EXPECT_EQ(ScanTableBucketsAfterErase(0, 64), 0u);
  EXPECT_EQ(ScanTableBucketsAfterErase(8, 64), 64u);
  EXPECT_EQ(ScanTableBucketsAfterErase(7, 64), 16u);
  EXPECT_EQ(ScanTableBucketsAfterErase(1, 64), 4u);
  EXPECT_EQ(ScanTableBucketsAfterErase(1, 4), 4u);

  ScanDict<int> dict;
  for (int i = 0; i < 5; ++i) dict.Insert("k" + std::to_string(i));
  EXPECT_EQ(dict.bucket_count(), 8u);
  for (int i = 0; i < 5; ++i) dict.Erase("k" + std::to_string(i));
  EXPECT_EQ(dict.bucket_count(), 0u);
}

TEST(ScanDictTest, SampleNodesReturnsDistinctLiveEntriesUpToTheCount) {
  ScanDict<int> dict;
  std::mt19937_64 rng(7);
  dict.SampleNodes(rng, 5, [](auto&) { FAIL() << "empty dict sampled"; });
  for (int i = 0; i < 1000; ++i) dict.Insert("k" + std::to_string(i)).first->value = i;
  for (int round = 0; round < 100; ++round) {
    std::set<std::string> seen;
    dict.SampleNodes(rng, 5, [&](auto& node) {
      EXPECT_EQ(node.key, "k" + std::to_string(node.value));
      seen.insert(node.key);
    });
    EXPECT_EQ(seen.size(), 5u);
  }
  // Fewer entries than asked: every one of them.
  ScanDict<int> small;
  small.Insert("a");
  small.Insert("b");
  size_t visited = 0;
  small.SampleNodes(rng, 5, [&](auto&) { ++visited; });
  EXPECT_EQ(visited, 2u);
}

}  // namespace
}  // namespace drayman
