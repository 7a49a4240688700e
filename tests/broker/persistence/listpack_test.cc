// Listpack elements (broker/persistence/listpack.h): the bytes Redis 7.0's listpack.c writes,
// checked element by element, and the decoder's refusals of damaged bytes.
#include "broker/persistence/listpack.h"

#include <gtest/gtest.h>

#include <string>

namespace drayman::listpack {
namespace {

std::string Bytes(std::initializer_list<int> bytes) {
  std::string out;
  for (int b : bytes) out.push_back(static_cast<char>(b));
  return out;
}

std::string Encoded(std::string_view element) {
  std::string out;
  AppendElement(element, out);
  return out;
}

TEST(ListpackTest, BacklenSizesFollowRedisThresholds) {
  EXPECT_EQ(BacklenSize(1), 1u);
  EXPECT_EQ(BacklenSize(127), 1u);
  EXPECT_EQ(BacklenSize(128), 2u);
  EXPECT_EQ(BacklenSize(16382), 2u);
  EXPECT_EQ(BacklenSize(16383), 3u);  // lpEncodeBacklen: a leading zero group
  EXPECT_EQ(BacklenSize(2097150), 3u);
  EXPECT_EQ(BacklenSize(2097151), 4u);
  EXPECT_EQ(BacklenSize(268435455), 5u);
}

TEST(ListpackTest, IntegersInTheNarrowestEncoding) {
  std::string out;
  AppendInt(5, out);
  EXPECT_EQ(out, Bytes({0x05, 0x01}));
  out.clear();
  AppendInt(-1, out);  // 13-bit: 0xc0 | high bits of (1 << 13) - 1
  EXPECT_EQ(out, Bytes({0xdf, 0xff, 0x02}));
  out.clear();
  AppendInt(4096, out);
  EXPECT_EQ(out, Bytes({0xf1, 0x00, 0x10, 0x03}));
  out.clear();
  AppendInt(int64_t{1} << 40, out);
  EXPECT_EQ(out, Bytes({0xf4, 0, 0, 0, 0, 0, 1, 0, 0, 0x09}));
  for (int64_t v : {int64_t{0}, int64_t{127}, int64_t{128}, int64_t{-4096}, int64_t{4095},
                    int64_t{INT16_MIN}, int64_t{INT16_MAX}, int64_t{-8388608},
                    int64_t{8388607}, int64_t{INT32_MIN}, int64_t{INT32_MAX}, INT64_MIN,
                    INT64_MAX}) {
    out.clear();
    AppendInt(v, out);
    EXPECT_EQ(out.size(), IntBytes(v)) << v;
    Element e;
    ASSERT_EQ(Decode(out, 0, &e), DecodeStatus::kOk) << v;
    EXPECT_TRUE(e.is_int);
    EXPECT_EQ(e.value, v);
    EXPECT_EQ(e.size, out.size());
    EXPECT_EQ(PrevStart(out, out.size()), 0u);
  }
}

TEST(ListpackTest, CanonicalIntegerTextIsStoredAsAnInteger) {
  EXPECT_EQ(Encoded("12"), Bytes({0x0c, 0x01}));
  EXPECT_EQ(Encoded("012"), Bytes({0x83, '0', '1', '2', 0x04}));
  EXPECT_EQ(Encoded("-0"), Bytes({0x82, '-', '0', 0x03}));
  EXPECT_EQ(Encoded(""), Bytes({0x80, 0x01}));
  Element e = At(Encoded("-17"), 0);
  EXPECT_TRUE(e.is_int);
  EXPECT_EQ(e.Text(), "-17");
  EXPECT_TRUE(e.Equals("-17"));
  EXPECT_FALSE(e.Equals("-017"));
}

TEST(ListpackTest, StringsAndMultiByteBacklengthsAsRedisWritesThem) {
  // 200 bytes: 12-bit string header, entry of 202 bytes: back-length 0x01, 0x80 | 0x4a.
  const std::string s200(200, 'x');
  std::string out = Encoded(s200);
  ASSERT_EQ(out.size(), 204u);
  EXPECT_EQ(out.substr(0, 2), Bytes({0xe0, 0xc8}));
  EXPECT_EQ(out.substr(202), Bytes({0x01, 0xca}));
  // 5000 bytes: 32-bit string header, entry of 5005 bytes.
  out = Encoded(std::string(5000, 'y'));
  ASSERT_EQ(out.size(), 5007u);
  EXPECT_EQ(out.substr(0, 5), Bytes({0xf0, 0x88, 0x13, 0x00, 0x00}));
  EXPECT_EQ(out.substr(5005), Bytes({5005 >> 7, 0x80 | (5005 & 127)}));
  // 16378 bytes: an entry of exactly 16383 bytes takes three back-length bytes.
  out = Encoded(std::string(16378, 'z'));
  ASSERT_EQ(out.size(), 16386u);
  EXPECT_EQ(out.substr(16383), Bytes({0x00, 0x80 | 127, 0x80 | 127}));
  for (size_t n : {0u, 63u, 64u, 125u, 126u, 127u, 4095u, 4096u, 16377u, 16378u, 16379u,
                   70000u}) {
    const std::string element(n, 'a');
    out = "prefix";
    AppendInt(7, out);
    const size_t start = out.size();
    AppendElement(element, out);
    EXPECT_EQ(out.size() - start, ElementBytes(element)) << n;
    Element e;
    ASSERT_EQ(Decode(out, start, &e), DecodeStatus::kOk) << n;
    EXPECT_FALSE(e.is_int);
    EXPECT_EQ(e.str, element);
    EXPECT_EQ(PrevStart(out, out.size()), start) << n;
  }
}

TEST(ListpackTest, DecodeRefusesDamagedElements) {
  Element e;
  std::string out = Encoded(std::string(200, 'x'));
  EXPECT_EQ(Decode(std::string_view(out).substr(0, 203), 0, &e), DecodeStatus::kOutOfRange);
  EXPECT_EQ(Decode(out, out.size(), &e), DecodeStatus::kOutOfRange);
  std::string flags = out;
  flags[202] = static_cast<char>(flags[202] | 0x80);  // the first back-length byte flagged
  EXPECT_EQ(Decode(flags, 0, &e), DecodeStatus::kBadBacklen);
  std::string reversed = out;  // the flag on the wrong byte, as a reversed encoder writes it
  reversed[202] = static_cast<char>(0x81);
  reversed[203] = 0x4a;
  EXPECT_EQ(Decode(reversed, 0, &e), DecodeStatus::kBadBacklen);
  std::string mismatch = out;
  mismatch[203] = static_cast<char>(0xcb);
  EXPECT_EQ(Decode(mismatch, 0, &e), DecodeStatus::kBacklenMismatch);
  EXPECT_EQ(Decode(Bytes({0xf5, 0x01}), 0, &e), DecodeStatus::kBadEncoding);
  EXPECT_EQ(Decode(Bytes({0xf0, 0xff, 0xff, 0xff, 0xff, 0x01}), 0, &e),
            DecodeStatus::kOutOfRange);
  EXPECT_EQ(Decode(Bytes({0xf4, 0x01}), 0, &e), DecodeStatus::kOutOfRange);
}

}  // namespace
}  // namespace drayman::listpack
