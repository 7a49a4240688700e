#include "broker/families/index_range.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace drayman {
namespace {

struct Case {
  int64_t start, stop;
  bool non_empty;
  int64_t want_start, want_stop;
};

TEST(ClampIndexRangeTest, FollowsRedisRangeRules) {
  // Over 5 elements, as LRANGE answers them on redis-server 7.0.15.
  const Case cases[] = {
      {0, -1, true, 0, 4},   {-100, 100, true, 0, 4}, {2, 2, true, 2, 2},
      {-2, -1, true, 3, 4},  {3, 1, false, 0, 0},     {5, 10, false, 0, 0},
      {-1, -2, false, 0, 0}, {0, -6, false, 0, 0},  // stop below the first element
      {-6, 0, true, 0, 0},
  };
  for (const Case& c : cases) {
    int64_t start = c.start;
    int64_t stop = c.stop;
    ASSERT_EQ(ClampIndexRange(5, &start, &stop), c.non_empty) << c.start << " " << c.stop;
    if (c.non_empty) {
      EXPECT_EQ(start, c.want_start) << c.start << " " << c.stop;
      EXPECT_EQ(stop, c.want_stop) << c.start << " " << c.stop;
    }
  }
  int64_t start = 0;
  int64_t stop = -1;
  EXPECT_FALSE(ClampIndexRange(0, &start, &stop));  // an empty container
}

}  // namespace
}  // namespace drayman
