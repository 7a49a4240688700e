#include "broker/keyspace/dict.h"

#include <gtest/gtest.h>

#include <cstdint>
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

}  // namespace
}  // namespace drayman
