// Process figures: Redis's bytesToHuman text, the resident set from /proc/self/statm.
#include "broker/stats/process_stats.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <random>
#include <string>
#include <vector>

namespace drayman {
namespace {

// object.c's bytesToHuman, with printf.
std::string PrintfHuman(uint64_t bytes) {
  char text[64];
  const double value = static_cast<double>(bytes);
  const double k = 1024;
  if (bytes < 1024) {
    std::snprintf(text, sizeof(text), "%lluB", static_cast<unsigned long long>(bytes));
  } else if (bytes < 1024ULL * 1024) {
    std::snprintf(text, sizeof(text), "%.2fK", value / k);
  } else if (bytes < 1024ULL * 1024 * 1024) {
    std::snprintf(text, sizeof(text), "%.2fM", value / (k * k));
  } else if (bytes < 1024ULL * 1024 * 1024 * 1024) {
    std::snprintf(text, sizeof(text), "%.2fG", value / (k * k * k));
  } else if (bytes < 1024ULL * 1024 * 1024 * 1024 * 1024) {
    std::snprintf(text, sizeof(text), "%.2fT", value / (k * k * k * k));
  } else {
    std::snprintf(text, sizeof(text), "%.2fP", value / (k * k * k * k * k));
  }
  return text;
}

TEST(ProcessStatsTest, BytesToHumanIsPrintfs) {
  std::vector<uint64_t> values = {0, 1, 1023, 1024, 1535, 1536, 10 * 1024 - 6, 1048575, 1048576,
                                  (1ULL << 30) - 1, 1ULL << 40, 1ULL << 50, ~0ULL};
  std::mt19937_64 random(15);
  for (int shift = 1; shift < 64; ++shift) {
    for (int i = 0; i < 300; ++i) values.push_back(random() >> shift);
  }
  for (const uint64_t value : values) ASSERT_EQ(BytesToHuman(value), PrintfHuman(value)) << value;
  EXPECT_EQ(BytesToHuman(1536), "1.50K");
}

TEST(ProcessStatsTest, ResidentSetIsReadAgainEachTime) {
  const uint64_t page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  const uint64_t first = ResidentMemoryBytes();
  ASSERT_GT(first, 0u);
  EXPECT_EQ(first % page, 0u);
  // 64 MB touched page by page is resident (the figure is not a cached first read).
  std::vector<char> touched(64 << 20);
  for (size_t i = 0; i < touched.size(); i += page) touched[i] = 1;
  EXPECT_GE(ResidentMemoryBytes(), first + (32u << 20));
  EXPECT_EQ(touched[page], 1);
}

}  // namespace
}  // namespace drayman
