#include "broker/families/random_sample.h"

#include <gtest/gtest.h>

#include <cstddef>
#include <random>
#include <set>
#include <vector>

namespace drayman {
namespace {

// Both strategies (a partial shuffle when count * 3 > size, else draws with repeats rejected)
// return `count` distinct elements of the container.
TEST(SampleDistinctTest, ReturnsCountDistinctElementsWithEitherStrategy) {
  std::mt19937_64 rng(7);
  const size_t size = 30;
  std::vector<int> elements;
  for (size_t i = 0; i < size; ++i) elements.push_back(static_cast<int>(i) * 10);
  int all_calls = 0;
  int draws = 0;
  auto all = [&] {
    ++all_calls;
    return elements;
  };
  auto random = [&] {
    ++draws;
    std::uniform_int_distribution<size_t> pick(0, size - 1);
    return elements[pick(rng)];
  };
  for (size_t count : {1u, 5u, 10u, 11u, 29u}) {
    all_calls = 0;
    draws = 0;
    std::vector<int> sample = SampleDistinct<int>(count, size, rng, all, random);
    ASSERT_EQ(sample.size(), count);
    std::set<int> distinct(sample.begin(), sample.end());
    EXPECT_EQ(distinct.size(), count);
    for (int value : sample) EXPECT_TRUE(value % 10 == 0 && value < 300) << value;
    const bool shuffles = count * 3 > size;
    EXPECT_EQ(all_calls, shuffles ? 1 : 0) << count;
    EXPECT_EQ(draws > 0, !shuffles) << count;
  }
}

}  // namespace
}  // namespace drayman
