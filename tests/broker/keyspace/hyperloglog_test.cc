// The HyperLogLog representation: bytes as redis-server 7.0.15 writes them, sparse edits and
// promotion, register packing, estimates, and corrupted values that must never crash.
#include "broker/keyspace/hyperloglog.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <string_view>

namespace drayman::hll {
namespace {

using namespace std::string_view_literals;

constexpr int64_t kLimit = 3000;

std::string Header(bool cache_valid = true) {
  std::string header("HYLL\x01\0\0\0\0\0\0\0\0\0\0\0"sv);
  if (!cache_valid) header[15] = '\x80';
  return header;
}

TEST(HyperLogLogTest, EmptyValueIsOneXZeroRunWithAValidZeroCache) {
  EXPECT_EQ(CreateEmpty(), Header() + "\x7f\xff");
  uint64_t cached = 99;
  ASSERT_TRUE(CachedCardinality(CreateEmpty(), &cached));
  EXPECT_EQ(cached, 0u);
  EXPECT_EQ(DecodeSparse(CreateEmpty()), "Z:16384");
}

TEST(HyperLogLogTest, AddGivesRedisBytes) {
  // redis-server 7.0.15: PFADD h a b c; GET h.
  std::string value = CreateEmpty();
  for (std::string_view element : {"a"sv, "b"sv, "c"sv}) EXPECT_EQ(Add(value, element, kLimit), 1);
  InvalidateCache(value);
  EXPECT_EQ(value, Header(false) + "\x60\xf3\x80\x50\xb1\x84\x4b\xfb\x80\x42\x5a");
  EXPECT_EQ(DecodeSparse(value), "Z:8436 v:1,1 Z:4274 v:2,1 Z:3068 v:1,1 Z:603");
  EXPECT_EQ(Add(value, "a", kLimit), 0);
  bool invalid = false;
  EXPECT_EQ(Count(value, &invalid), 3u);
  EXPECT_FALSE(invalid);
}

TEST(HyperLogLogTest, SparseSplitsAndMergesAdjacentValues) {
  std::string value = CreateEmpty();
  EXPECT_EQ(SetRegister(value, 0, 1, kLimit), 1);
  EXPECT_EQ(DecodeSparse(value), "v:1,1 Z:16383");
  EXPECT_EQ(SetRegister(value, 1, 1, kLimit), 1);
  EXPECT_EQ(DecodeSparse(value), "v:1,2 Z:16382");
  EXPECT_EQ(SetRegister(value, 100, 3, kLimit), 1);
  EXPECT_EQ(DecodeSparse(value), "v:1,2 Z:98 v:3,1 Z:16283");
  EXPECT_EQ(SetRegister(value, 100, 2, kLimit), 0);  // not lower
  EXPECT_EQ(SetRegister(value, 0, 2, kLimit), 1);    // splits a VAL run
  EXPECT_EQ(DecodeSparse(value), "v:2,1 v:1,1 Z:98 v:3,1 Z:16283");
  EXPECT_EQ(SetRegister(value, 1, 2, kLimit), 1);  // merges back
  EXPECT_EQ(DecodeSparse(value), "v:2,2 Z:98 v:3,1 Z:16283");
  EXPECT_EQ(SetRegister(value, 16383, 32, kLimit), 1);
  EXPECT_EQ(DecodeSparse(value), "v:2,2 Z:98 v:3,1 Z:16282 v:32,1");
  EXPECT_EQ(Encoding(value), kSparse);
}

TEST(HyperLogLogTest, RegisterAboveThirtyTwoPromotesToDense) {
  std::string value = CreateEmpty();
  SetRegister(value, 7, 4, kLimit);
  EXPECT_EQ(SetRegister(value, 9, 33, kLimit), 1);
  EXPECT_EQ(Encoding(value), kDense);
  EXPECT_EQ(value.size(), kDenseSize);
  EXPECT_EQ(DenseRegister(value, 7), 4);
  EXPECT_EQ(DenseRegister(value, 9), 33);
  EXPECT_EQ(DenseRegister(value, 8), 0);
}

TEST(HyperLogLogTest, GrowingPastTheSparseLimitPromotes) {
  std::string sparse = CreateEmpty();
  std::string limited = CreateEmpty();
  for (int i = 0; i < 2000; ++i) {
    const std::string element = "element" + std::to_string(i);
    Add(sparse, element, 1'000'000);
    Add(limited, element, 200);
    if (Encoding(limited) == kSparse) EXPECT_LE(limited.size(), 200u);
  }
  EXPECT_EQ(Encoding(sparse), kSparse);
  EXPECT_EQ(Encoding(limited), kDense);
  bool invalid = false;
  EXPECT_EQ(Count(sparse, &invalid), Count(limited, &invalid));
  EXPECT_FALSE(invalid);
  std::string converted = sparse;
  ASSERT_TRUE(SparseToDense(converted));
  for (int i = 0; i < kRegisters; ++i) ASSERT_EQ(DenseRegister(converted, i), DenseRegister(limited, i));
}

TEST(HyperLogLogTest, DenseRegistersKeepTheirValuesAndNeighbours) {
  std::string value = CreateEmpty();
  ASSERT_TRUE(SparseToDense(value));
  std::mt19937 rng(7);
  std::vector<uint8_t> expected(kRegisters);
  for (int i = 0; i < kRegisters; ++i) {
    expected[i] = static_cast<uint8_t>(rng() % 64);
    if (expected[i] > 0) SetRegister(value, i, expected[i], kLimit);
  }
  for (int i = 0; i < kRegisters; ++i) ASSERT_EQ(DenseRegister(value, i), expected[i]) << i;
  EXPECT_EQ(value.size(), kDenseSize);
}

TEST(HyperLogLogTest, EstimatesStayWithinTheStandardError) {
  std::string value = CreateEmpty();
  uint8_t registers[kRegisters] = {0};
  int64_t checkpoint = 10;
  for (int64_t i = 1; i <= 200000; ++i) {
    const std::string element = std::to_string(i * 7919);
    Add(value, element, kLimit);
    int index = 0;
    const int count = PatternLength(element, &index);
    registers[index] = std::max<uint8_t>(registers[index], count);
    if (i != checkpoint) continue;
    bool invalid = false;
    const double estimate = static_cast<double>(Count(value, &invalid));
    EXPECT_NEAR(estimate, static_cast<double>(i), 0.05 * static_cast<double>(i) + 1) << i;
    EXPECT_EQ(CountRegisters(registers), Count(value, &invalid));
    checkpoint *= 10;
  }
}

TEST(HyperLogLogTest, CacheBytesAreLittleEndianWithAStaleFlag) {
  std::string value = CreateEmpty();
  SetCachedCardinality(value, 0x0102030405060708ULL);
  EXPECT_EQ(value.substr(8, 8), "\x08\x07\x06\x05\x04\x03\x02\x01"sv);
  uint64_t cached = 0;
  ASSERT_TRUE(CachedCardinality(value, &cached));
  EXPECT_EQ(cached, 0x0102030405060708ULL);
  InvalidateCache(value);
  EXPECT_FALSE(CachedCardinality(value, &cached));
}

TEST(HyperLogLogTest, ValidityIsRedisHeaderCheck) {
  EXPECT_TRUE(IsValid(CreateEmpty()));
  EXPECT_FALSE(IsValid("HYLL"));
  EXPECT_FALSE(IsValid("HYLX" + CreateEmpty().substr(4)));
  std::string encoding = CreateEmpty();
  encoding[4] = 2;
  EXPECT_FALSE(IsValid(encoding));
  std::string dense = CreateEmpty();
  dense[4] = 0;
  EXPECT_FALSE(IsValid(dense));  // dense must be exactly kDenseSize
  ASSERT_TRUE(SparseToDense(dense = CreateEmpty()));
  EXPECT_TRUE(IsValid(dense));
}

TEST(HyperLogLogTest, RunsThatDoNotCoverEveryRegisterAreCorrupted) {
  const std::string short_value = Header(false) + "\x7f\xfe";  // 16383 registers
  bool invalid = false;
  Count(short_value, &invalid);
  EXPECT_TRUE(invalid);
  uint8_t max[kRegisters] = {0};
  EXPECT_FALSE(MergeInto(max, short_value));
  std::string copy = short_value;
  EXPECT_FALSE(SparseToDense(copy));
  EXPECT_EQ(copy, short_value);
  copy = short_value;
  EXPECT_EQ(SetRegister(copy, 16383, 1, kLimit), -1);  // past the last run
  // A VAL run that would write past register 16383 stops the conversion.
  const std::string overflow = Header(false) + "\x7f\xfe\x83";
  copy = overflow;
  EXPECT_FALSE(SparseToDense(copy));
  EXPECT_FALSE(MergeInto(max, overflow));
}

// Random, truncated and bit-flipped values through every entry point: nothing may crash or
// touch memory outside the value (run under the sanitizer build too).
TEST(HyperLogLogTest, HostileValuesNeverCrash) {
  std::mt19937_64 rng(12345);
  std::vector<std::string> seeds = {CreateEmpty()};
  std::string sparse = CreateEmpty();
  for (int i = 0; i < 300; ++i) Add(sparse, "s" + std::to_string(i), kLimit);
  seeds.push_back(sparse);
  std::string dense = sparse;
  ASSERT_TRUE(SparseToDense(dense));
  seeds.push_back(dense);
  for (int round = 0; round < 20000; ++round) {
    std::string value = seeds[rng() % seeds.size()];
    switch (rng() % 4) {
      case 0:  // truncate
        value.resize(kHeaderSize + rng() % (value.size() - kHeaderSize + 1));
        break;
      case 1:  // flip bytes after the magic
        for (int flips = 1 + rng() % 4; flips > 0; --flips) {
          value[4 + rng() % (value.size() - 4)] = static_cast<char>(rng());
        }
        break;
      case 2:  // random opcodes
        value = Header(false);
        for (size_t n = rng() % 64; n > 0; --n) value.push_back(static_cast<char>(rng()));
        break;
      default:  // extra bytes at the end
        for (size_t n = 1 + rng() % 3; n > 0; --n) value.push_back(static_cast<char>(rng()));
    }
    if (!IsValid(value)) continue;
    bool invalid = false;
    Count(value, &invalid);
    uint8_t max[kRegisters] = {0};
    const bool merged = MergeInto(max, value);
    if (merged) CountRegisters(max);
    DecodeSparse(value);
    std::string added = value;
    for (int i = 0; i < 8; ++i) {
      if (Add(added, "x" + std::to_string(rng() % 1000), rng() % 2 ? kLimit : 20) < 0) break;
    }
    if (Encoding(added) == kDense) EXPECT_EQ(added.size(), kDenseSize);
    std::string converted = value;
    if (SparseToDense(converted)) EXPECT_EQ(converted.size(), kDenseSize);
  }
}

}  // namespace
}  // namespace drayman::hll
