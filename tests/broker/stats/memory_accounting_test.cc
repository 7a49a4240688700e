// The counting allocator (linked into this test binary) against glibc's own figures.
#include "broker/stats/memory_accounting.h"

#include <gtest/gtest.h>
#include <malloc.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "broker/stats/process_stats.h"

namespace drayman {
namespace {

class MemoryAccountingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Sanitizer builds replace malloc themselves and link no counting allocator.
    if (!counting_active()) GTEST_SKIP() << "no counting allocator in this build";
  }
};

TEST_F(MemoryAccountingTest, UsedMemoryIsTheCounter) {
  EXPECT_EQ(UsedMemoryBytes(), CountedBytes());
}

TEST_F(MemoryAccountingTest, CountsMallocCallsMadeOutsideOperatorNew) {
  const uint64_t before = CountedBytes();
  void* block = std::malloc(1 << 20);
  EXPECT_GE(CountedBytes() - before, uint64_t{1} << 20);
  block = std::realloc(block, 2 << 20);
  EXPECT_GE(CountedBytes() - before, uint64_t{2} << 20);
  std::free(block);
  EXPECT_LT(CountedBytes() - before, uint64_t{4096});
}

TEST_F(MemoryAccountingTest, CountsChunkSizesIncludingAllocatorOverhead) {
  const uint64_t before = CountedBytes();
  // 100,000 small allocations: glibc rounds each 10-byte request up to a 32-byte chunk, so the
  // counter must grow by about 3.2 MB, not 1 MB of payload.
  std::vector<std::unique_ptr<char[]>> blocks;
  blocks.reserve(100000);
  const uint64_t after_reserve = CountedBytes();
  EXPECT_GE(after_reserve - before, 100000 * sizeof(void*));
  for (int i = 0; i < 100000; ++i) blocks.push_back(std::make_unique<char[]>(10));
  const uint64_t grown = CountedBytes() - after_reserve;
  // (gtest's own bookkeeping allocates a little meanwhile.)
  EXPECT_NEAR(static_cast<double>(grown), 100000.0 * 32, 16000);
  blocks.clear();
  EXPECT_NEAR(static_cast<double>(CountedBytes()), static_cast<double>(after_reserve), 16000);
}

TEST_F(MemoryAccountingTest, TracksGlibcInUseBytesWithinAFewPercent) {
  // Most of this process's allocations go through operator new, so after a large dataset the
  // counter and mallinfo2's in-use bytes (which walks glibc's arenas) agree closely.
  std::vector<std::string> values;
  for (int i = 0; i < 200000; ++i) values.emplace_back(100 + i % 50, 'x');
  struct mallinfo2 info = mallinfo2();
  const double in_use = static_cast<double>(info.uordblks + info.hblkhd);
  const double counted = static_cast<double>(CountedBytes());
  EXPECT_GT(counted, 0.95 * in_use);
  EXPECT_LE(counted, 1.01 * in_use);
}

}  // namespace
}  // namespace drayman
