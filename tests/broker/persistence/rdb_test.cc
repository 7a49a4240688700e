// RDB format: primitives, every value type in every encoding (round trips and hand-built old
// encodings), whole files, DUMP payloads, and refusal of corrupt or unsupported input.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "broker/keyspace/database.h"
#include "broker/persistence/rdb_blobs.h"
#include "broker/persistence/rdb_decode.h"
#include "broker/persistence/rdb_encode.h"

namespace drayman::rdb {
namespace {

// A value's contents in a canonical, comparable form (sets and hashes sorted).
std::string Describe(const Value& value) {
  std::vector<std::string> items;
  std::string out = std::string(TypeName(value.type())) + ":";
  switch (value.type()) {
    case ValueType::kString:
      return out + std::string(value.view());
    case ValueType::kList:
      value.list().ForEachWhile(false, [&](std::string_view e) {
        out += std::to_string(e.size()) + "|" + std::string(e);
        return true;
      });
      return out;
    case ValueType::kSet:
      value.set().ForEach([&](std::string_view m) { items.emplace_back(m); });
      break;
    case ValueType::kHash:
      value.hash().ForEach([&](std::string_view f, std::string_view v) {
        items.push_back(std::to_string(f.size()) + "|" + std::string(f) + "=" + std::string(v));
      });
      break;
    case ValueType::kZSet:
      for (const ZSet::Node* n = value.zset().First(); n != nullptr; n = n->next()) {
        char buf[64];
        std::snprintf(buf, sizeof(buf), "%a", n->score);
        out += std::string(n->member()) + "@" + buf + ",";
      }
      return out;
  }
  std::sort(items.begin(), items.end());
  for (const auto& item : items) out += item + ",";
  return out;
}

Value RoundTrip(const Value& value, bool compress = true) {
  std::string body;
  RdbEncodeValue(value, body, compress);
  RdbReader reader(body);
  Value loaded;
  EXPECT_TRUE(RdbDecodeValue(RdbValueType(value), reader, &loaded));
  EXPECT_EQ(reader.offset(), body.size());
  return loaded;
}

void ExpectRoundTrip(const Value& value, std::string_view expected_encoding) {
  EXPECT_EQ(value.Encoding(), expected_encoding);
  for (bool compress : {true, false}) {
    Value loaded = RoundTrip(value, compress);
    EXPECT_EQ(Describe(loaded), Describe(value));
    EXPECT_EQ(loaded.Encoding(), value.Encoding());
  }
}

std::string Bytes(std::initializer_list<int> bytes) {
  std::string out;
  for (int b : bytes) out.push_back(static_cast<char>(b));
  return out;
}

TEST(RdbFormatTest, Crc64MatchesRedisCheckValue) {
  EXPECT_EQ(Crc64(0, "123456789", 9), 0xe9c6d914c4b8d9caULL);
  // Incremental computation over any split equals the one-shot value.
  std::string data(1000, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 7 + 3);
  const uint64_t whole = Crc64(0, data.data(), data.size());
  for (size_t split : {0, 1, 7, 8, 9, 500, 999}) {
    EXPECT_EQ(Crc64(Crc64(0, data.data(), split), data.data() + split, data.size() - split), whole);
  }
}

TEST(RdbFormatTest, LengthEncodingsAtEveryBoundary) {
  std::string out;
  AppendLength(63, out);
  EXPECT_EQ(out, Bytes({0x3f}));
  out.clear();
  AppendLength(64, out);
  EXPECT_EQ(out, Bytes({0x40, 0x40}));
  out.clear();
  AppendLength(16384, out);
  EXPECT_EQ(out, Bytes({0x80, 0, 0, 0x40, 0}));
  out.clear();
  AppendLength(uint64_t{1} << 32, out);
  EXPECT_EQ(out, Bytes({0x81, 0, 0, 0, 1, 0, 0, 0, 0}));
  for (uint64_t n : {0ULL, 63ULL, 64ULL, 16383ULL, 16384ULL, 0xffffffffULL, 0x100000000ULL,
                     0xffffffffffffffffULL}) {
    std::string buf;
    AppendLength(n, buf);
    RdbReader reader(buf);
    EXPECT_EQ(reader.ReadLength(), n);
  }
}

TEST(RdbFormatTest, StringEncodingsMatchRedis) {
  auto encode = [](std::string_view s, bool compress = true) {
    std::string out;
    AppendString(s, compress, out);
    return out;
  };
  EXPECT_EQ(encode("12"), Bytes({0xc0, 12}));
  EXPECT_EQ(encode("-128"), Bytes({0xc0, 0x80}));
  EXPECT_EQ(encode("128"), Bytes({0xc1, 0x80, 0}));
  EXPECT_EQ(encode("-2147483648"), Bytes({0xc2, 0, 0, 0, 0x80}));
  // Beyond int32, or not canonical: stored as text.
  EXPECT_EQ(encode("2147483648"),
            "\x0a"
            "2147483648");
  EXPECT_EQ(encode("01"),
            "\x02"
            "01");
  EXPECT_EQ(encode("-0"),
            "\x02"
            "-0");
  EXPECT_EQ(encode("+1"),
            "\x02"
            "+1");
  EXPECT_EQ(encode(""), Bytes({0}));
  // 20 bytes are never compressed; 21 compressible bytes are.
  EXPECT_EQ(encode(std::string(20, 'a')), "\x14" + std::string(20, 'a'));
  EXPECT_EQ(static_cast<uint8_t>(encode(std::string(21, 'a'))[0]), 0xc3);
  EXPECT_EQ(encode(std::string(21, 'a'), false), "\x15" + std::string(21, 'a'));
  std::string random(1000, '\0');
  std::mt19937 rng(1);
  for (char& c : random) c = static_cast<char>(rng());
  EXPECT_EQ(encode(random).size(), 2 + random.size());  // incompressible: raw
  for (const std::string& s :
       {std::string("0"), std::string("-1"), std::string("32767"), std::string("-32769"),
        std::string("2147483647"), std::string(21, 'a'), std::string(100000, 'x'), random,
        std::string("\0\xff binary", 9)}) {
    std::string out = encode(s);
    RdbReader reader(out);
    EXPECT_EQ(reader.ReadString(), s);
    EXPECT_EQ(reader.offset(), out.size());
  }
}

TEST(RdbFormatTest, CorruptLzfIsRefused) {
  std::string out;
  AppendString(std::string(100, 'z'), true, out);
  ASSERT_EQ(static_cast<uint8_t>(out[0]), 0xc3);
  ASSERT_EQ(out[3], 100);  // the uncompressed length (14-bit form: 0x40 0x64)
  out[3] = 101;            // claims one byte more than the data decompresses to
  RdbReader reader(out);
  EXPECT_THROW(reader.ReadString(), RdbError);
}

TEST(RdbBlobTest, ListpackEntriesAtEveryEncodingBoundary) {
  std::vector<std::string> elements;
  for (int64_t v :
       {int64_t{0}, int64_t{127}, int64_t{128}, int64_t{-1}, int64_t{-4096}, int64_t{4095},
        int64_t{4096}, int64_t{-4097}, int64_t{32767}, int64_t{-32768}, int64_t{32768},
        int64_t{8388607}, int64_t{-8388608}, int64_t{8388608}, int64_t{INT32_MAX},
        int64_t{INT32_MIN}, int64_t{INT32_MAX} + 1, INT64_MAX, INT64_MIN}) {
    elements.push_back(std::to_string(v));
  }
  for (size_t n : {0, 1, 63, 64, 125, 126, 127, 4095, 4096, 16380, 20000}) {
    elements.push_back(std::string(n, 'q'));
  }
  elements.push_back("-0");
  elements.push_back("007");
  ListpackBuilder lp;
  for (const auto& e : elements) lp.Append(e);
  std::string blob = lp.Finish();
  std::vector<std::string> got;
  ForEachListpackElement(blob, [&](std::string_view e) { got.emplace_back(e); });
  EXPECT_EQ(got, elements);
  // Any single corrupted byte in the entries is caught or decodes to something else; a short
  // blob or a wrong header never passes.
  EXPECT_THROW(ForEachListpackElement(blob.substr(0, blob.size() - 1), [](std::string_view) {}),
               RdbError);
  std::string bad_count = blob;
  bad_count[4] ^= 1;
  EXPECT_THROW(ForEachListpackElement(bad_count, [](std::string_view) {}), RdbError);
}

TEST(RdbBlobTest, IntsetPicksNarrowestWidth) {
  int64_t small[] = {-3, 1, 2};
  EXPECT_EQ(LoadU32(reinterpret_cast<const uint8_t*>(BuildIntset(small, 3).data())), 2u);
  int64_t mid[] = {1, 70000};
  EXPECT_EQ(LoadU32(reinterpret_cast<const uint8_t*>(BuildIntset(mid, 2).data())), 4u);
  int64_t big[] = {INT64_MIN, 0, INT64_MAX};
  std::string blob = BuildIntset(big, 3);
  EXPECT_EQ(LoadU32(reinterpret_cast<const uint8_t*>(blob.data())), 8u);
  std::vector<int64_t> got;
  ForEachIntsetValue(blob, [&](int64_t v) { got.push_back(v); });
  EXPECT_EQ(got, std::vector<int64_t>(std::begin(big), std::end(big)));
  int64_t unsorted[] = {2, 1};
  EXPECT_THROW(ForEachIntsetValue(BuildIntset(unsorted, 2), [](int64_t) {}), RdbError);
}

TEST(RdbValueTest, Strings) {
  for (const std::string& s : {std::string(""), std::string("42"), std::string("-9000000000"),
                               std::string(300, 'v'), std::string("a\0b", 3)}) {
    ExpectRoundTrip(Value(s), Value(s).Encoding());
  }
}

TEST(RdbValueTest, ListsSmallAndAcrossManyNodes) {
  auto small = std::make_unique<List>();
  small->PushBack("a");
  small->PushBack("1");
  small->PushBack("");
  ExpectRoundTrip(Value(std::move(small)), "quicklist");
  auto large = std::make_unique<List>();
  for (int i = 0; i < 20000; ++i)
    large->PushBack(i % 3 ? std::to_string(i) : "item-" + std::to_string(i));
  large->PushBack(std::string(70000, 'L'));  // larger than a node
  large->PushBack("tail");
  Value value(std::move(large));
  ExpectRoundTrip(value, "quicklist");
  std::string body;
  RdbEncodeValue(value, body, false);
  RdbReader reader(body);
  EXPECT_GT(reader.ReadLength(), 10u);  // many quicklist nodes
}

TEST(RdbValueTest, SetsIntsetAndHashtable) {
  auto ints = std::make_unique<Set>();
  for (int64_t v : {int64_t{5}, int64_t{-70000}, int64_t{1} << 40}) ints->Add(std::to_string(v));
  ExpectRoundTrip(Value(std::move(ints)), "intset");
  auto mixed = std::make_unique<Set>();
  mixed->Add("1");
  mixed->Add("x");
  mixed->Add(std::string(30, 'y'));
  ExpectRoundTrip(Value(std::move(mixed)), "hashtable");
  auto many = std::make_unique<Set>();
  for (int i = 0; i < 600; ++i) many->Add(std::to_string(i));
  ExpectRoundTrip(Value(std::move(many)), "hashtable");
}

TEST(RdbValueTest, HashesListpackAndHashtable) {
  auto small = std::make_unique<Hash>();
  small->Set("f", "v");
  small->Set("n", "123");
  small->Set("", "");
  Value small_value(std::move(small));
  ExpectRoundTrip(small_value, "listpack");
  // Field order survives for listpack hashes (HGETALL order).
  Value loaded = RoundTrip(small_value);
  std::vector<std::string> fields;
  loaded.hash().ForEach([&](std::string_view f, std::string_view) { fields.emplace_back(f); });
  EXPECT_EQ(fields, (std::vector<std::string>{"f", "n", ""}));
  auto big = std::make_unique<Hash>();
  for (int i = 0; i < 1000; ++i) big->Set("field" + std::to_string(i), std::to_string(i * i));
  ExpectRoundTrip(Value(std::move(big)), "hashtable");
  auto long_value = std::make_unique<Hash>();
  long_value->Set("f", std::string(65, 'x'));
  ExpectRoundTrip(Value(std::move(long_value)), "hashtable");
}

TEST(RdbValueTest, SortedSetsWithSpecialScores) {
  const double scores[] = {
      INFINITY, -INFINITY, -0.0, 0.0, 4.9e-324,           -2.2250738585072014e-308,
      1.5,      1e300,     3,    -7,  9007199254740993.0, 1e19};
  auto small = std::make_unique<ZSet>();
  int i = 0;
  for (double s : scores) small->Insert("m" + std::to_string(i++), s);
  ExpectRoundTrip(Value(std::move(small)), "listpack");
  auto big = std::make_unique<ZSet>();
  i = 0;
  for (double s : scores) big->Insert("m" + std::to_string(i++), s);
  for (int j = 0; j < 200; ++j) big->Insert("k" + std::to_string(j), j * 0.25);
  ExpectRoundTrip(Value(std::move(big)), "skiplist");
  // A skiplist keeps -0 (binary doubles).
  auto negzero = std::make_unique<ZSet>();
  negzero->Insert(std::string(100, 'm'), -0.0);
  Value value(std::move(negzero));
  ASSERT_EQ(value.Encoding(), "skiplist");
  Value loaded = RoundTrip(value);
  EXPECT_TRUE(std::signbit(loaded.zset().First()->score));
}

TEST(RdbValueTest, DumpPayloadVerification) {
  Value value(std::string("hello"));
  std::string payload = RdbDumpPayload(value);
  EXPECT_TRUE(RdbVerifyDumpPayload(payload));
  Value loaded;
  std::string error;
  ASSERT_TRUE(RdbDecodeDumpPayload(payload, &loaded, &error)) << error;
  EXPECT_EQ(loaded.view(), "hello");
  for (size_t i = 0; i < payload.size(); ++i) {
    std::string flipped = payload;
    flipped[i] ^= 0x01;
    EXPECT_FALSE(RdbVerifyDumpPayload(flipped)) << i;
  }
  EXPECT_FALSE(RdbVerifyDumpPayload(payload.substr(0, 9)));
  // A newer RDB version is refused even with a matching checksum.
  std::string newer = payload.substr(0, payload.size() - 10);
  AppendU16(11, newer);
  AppendU64(Crc64(0, newer.data(), newer.size()), newer);
  EXPECT_FALSE(RdbVerifyDumpPayload(newer));
}

// --- Hand-built old encodings (ziplist, zipmap, ASCII scores, linked lists) ---

// Ziplist layout (Redis's ziplist.c): zlbytes, zltail, zllen, entries [prevlen][encoding][data],
// 0xff. Strings use the 6/14/32-bit length forms, integers the int8..int64/imm forms.
std::string BuildZiplist(const std::vector<std::string>& elements) {
  std::string entries;
  size_t previous = 0;
  size_t tail = 10;
  for (const std::string& e : elements) {
    std::string entry;
    if (previous < 254) {
      entry.push_back(static_cast<char>(previous));
    } else {
      entry.push_back(static_cast<char>(254));
      AppendU32(static_cast<uint32_t>(previous), entry);
    }
    int64_t v = 0;
    if (CanonicalInt(e, &v)) {
      if (v >= 0 && v <= 12) {
        entry.push_back(static_cast<char>(0xf1 + v));
      } else if (v >= INT8_MIN && v <= INT8_MAX) {
        entry.push_back(static_cast<char>(0xfe));
        entry.push_back(static_cast<char>(v));
      } else if (v >= INT16_MIN && v <= INT16_MAX) {
        entry.push_back(static_cast<char>(0xc0));
        AppendU16(static_cast<uint16_t>(v), entry);
      } else if (v >= -8388608 && v <= 8388607) {
        entry.push_back(static_cast<char>(0xf0));
        for (int i = 0; i < 3; ++i) entry.push_back(static_cast<char>(v >> (8 * i)));
      } else if (v >= INT32_MIN && v <= INT32_MAX) {
        entry.push_back(static_cast<char>(0xd0));
        AppendU32(static_cast<uint32_t>(v), entry);
      } else {
        entry.push_back(static_cast<char>(0xe0));
        AppendU64(static_cast<uint64_t>(v), entry);
      }
    } else if (e.size() < 64) {
      entry.push_back(static_cast<char>(e.size()));
      entry += e;
    } else if (e.size() < 16384) {
      entry.push_back(static_cast<char>(0x40 | (e.size() >> 8)));
      entry.push_back(static_cast<char>(e.size() & 0xff));
      entry += e;
    } else {
      entry.push_back(static_cast<char>(0x80));
      for (int shift = 24; shift >= 0; shift -= 8)
        entry.push_back(static_cast<char>(e.size() >> shift));
      entry += e;
    }
    tail = 10 + entries.size();
    entries += entry;
    previous = entry.size();
  }
  std::string blob;
  AppendU32(static_cast<uint32_t>(10 + entries.size() + 1), blob);
  AppendU32(static_cast<uint32_t>(tail), blob);
  AppendU16(static_cast<uint16_t>(elements.size()), blob);
  blob += entries;
  blob.push_back(static_cast<char>(0xff));
  return blob;
}

std::string BuildZipmap(const std::vector<std::pair<std::string, std::string>>& pairs) {
  std::string blob;
  blob.push_back(static_cast<char>(pairs.size()));
  auto length = [&](size_t n) {
    if (n < 254) {
      blob.push_back(static_cast<char>(n));
    } else {
      blob.push_back(static_cast<char>(254));
      AppendU32(static_cast<uint32_t>(n), blob);
    }
  };
  for (const auto& [field, value] : pairs) {
    length(field.size());
    blob += field;
    length(value.size());
    blob.push_back(2);  // two free bytes after the value
    blob += value;
    blob += "..";
  }
  blob.push_back(static_cast<char>(0xff));
  return blob;
}

Value Decode(uint8_t type, const std::string& body) {
  RdbReader reader(body);
  Value value;
  EXPECT_TRUE(RdbDecodeValue(type, reader, &value));
  EXPECT_EQ(reader.offset(), body.size());
  return value;
}

std::string StringBody(const std::string& blob) {
  std::string body;
  AppendString(blob, false, body);
  return body;
}

const std::vector<std::string> kMixedElements = {"a",
                                                 "0",
                                                 "12",
                                                 "13",
                                                 "-1",
                                                 "200",
                                                 "-129",
                                                 "40000",
                                                 "-8388608",
                                                 "9000000",
                                                 "3000000000",
                                                 "-9223372036854775808",
                                                 std::string(70, 'x'),
                                                 std::string(20000, 'y'),
                                                 ""};

TEST(RdbOldEncodingTest, ZiplistLists) {
  Value value = Decode(kTypeListZiplist, StringBody(BuildZiplist(kMixedElements)));
  std::vector<std::string> got;
  value.list().ForEachWhile(false, [&](std::string_view e) {
    got.emplace_back(e);
    return true;
  });
  EXPECT_EQ(got, kMixedElements);
  // Quicklist (RDB 7..9): nodes of ziplists.
  std::string body;
  AppendLength(2, body);
  AppendString(BuildZiplist({"a", "b"}), true, body);
  AppendString(BuildZiplist({"c"}), true, body);
  EXPECT_EQ(Describe(Decode(kTypeListQuicklist, body)), "list:1|a1|b1|c");
  // Linked list (RDB 1..6).
  body.clear();
  AppendLength(2, body);
  AppendString("x", true, body);
  AppendString("7", true, body);
  EXPECT_EQ(Describe(Decode(kTypeList, body)), "list:1|x1|7");
}

TEST(RdbOldEncodingTest, ZiplistAndZipmapHashes) {
  Value value = Decode(kTypeHashZiplist, StringBody(BuildZiplist({"f1", "v1", "n", "5"})));
  EXPECT_EQ(Describe(value), "hash:1|n=5,2|f1=v1,");
  Value zipmap =
      Decode(kTypeHashZipmap, StringBody(BuildZipmap({{"a", "1"}, {std::string(300, 'k'), "v"}})));
  EXPECT_EQ(*zipmap.hash().Find("a"), "1");
  EXPECT_EQ(*zipmap.hash().Find(std::string(300, 'k')), "v");
  EXPECT_THROW(Decode(kTypeHashZiplist, StringBody(BuildZiplist({"f", "v", "f", "w"}))), RdbError);
}

TEST(RdbOldEncodingTest, ZiplistAndAsciiSortedSets) {
  Value value =
      Decode(kTypeZSetZiplist, StringBody(BuildZiplist({"a", "1", "b", "2.5", "c", "inf"})));
  EXPECT_EQ(Describe(value), "zset:a@0x1p+0,b@0x1.4p+1,c@inf,");
  std::string body;
  AppendLength(3, body);
  AppendString("x", true, body);
  body +=
      "\x03"
      "1.5";
  AppendString("y", true, body);
  body.push_back(static_cast<char>(255));  // -inf
  AppendString("z", true, body);
  body.push_back(static_cast<char>(254));  // +inf
  EXPECT_EQ(Describe(Decode(kTypeZSet, body)), "zset:y@-inf,x@0x1.8p+0,z@inf,");
  // NaN scores are refused.
  body.clear();
  AppendLength(1, body);
  AppendString("x", true, body);
  body.push_back(static_cast<char>(253));
  RdbReader reader(body);
  Value v;
  EXPECT_THROW(RdbDecodeValue(kTypeZSet, reader, &v), RdbError);
}

TEST(RdbOldEncodingTest, CorruptZiplistIsRefused) {
  std::string blob = BuildZiplist(kMixedElements);
  for (size_t cut : {size_t{1}, size_t{5}, blob.size() / 2}) {
    std::string bad = blob.substr(0, blob.size() - cut);
    EXPECT_THROW(ForEachZiplistElement(bad, [](std::string_view) {}), RdbError) << cut;
  }
  std::string bad_tail = blob;
  bad_tail[4] ^= 1;
  EXPECT_THROW(ForEachZiplistElement(bad_tail, [](std::string_view) {}), RdbError);
}

TEST(RdbOldEncodingTest, ListpackSetsFromRedis72) {
  ListpackBuilder lp;
  lp.Append("a");
  lp.Append("1");
  EXPECT_EQ(Describe(Decode(kTypeSetListpack, StringBody(lp.Finish()))), "set:1,a,");
}

TEST(RdbValueTest, RandomlyCorruptedPayloadsNeverCrash) {
  // Every value kind in its compact and large encodings; each byte of each payload is mutated
  // in turn and the decoder must either succeed or refuse (RESTORE feeds it client bytes).
  std::vector<Value> values;
  values.emplace_back(std::string(100, 'c'));
  auto list = std::make_unique<List>();
  for (int i = 0; i < 50; ++i)
    list->PushBack(i % 2 ? std::to_string(i * 1000) : "e" + std::to_string(i));
  values.emplace_back(std::move(list));
  auto ints = std::make_unique<Set>();
  for (int i = 0; i < 20; ++i) ints->Add(std::to_string(i * 77777));
  values.emplace_back(std::move(ints));
  auto hash = std::make_unique<Hash>();
  for (int i = 0; i < 20; ++i) hash->Set("f" + std::to_string(i), std::to_string(i));
  values.emplace_back(std::move(hash));
  auto zset = std::make_unique<ZSet>();
  for (int i = 0; i < 20; ++i) zset->Insert("m" + std::to_string(i), i * 0.5);
  values.emplace_back(std::move(zset));
  auto big_zset = std::make_unique<ZSet>();
  for (int i = 0; i < 200; ++i) big_zset->Insert("m" + std::to_string(i), i);
  values.emplace_back(std::move(big_zset));
  std::vector<std::string> blobs = {BuildZiplist(kMixedElements),
                                    BuildZipmap({{"a", "1"}, {"bb", "22"}})};
  std::mt19937 rng(7);
  size_t decoded = 0;
  auto try_decode = [&](uint8_t type, const std::string& body) {
    RdbReader reader(body);
    Value value;
    try {
      if (RdbDecodeValue(type, reader, &value)) ++decoded;
    } catch (const RdbError&) {
    }
  };
  for (const Value& value : values) {
    std::string body;
    RdbEncodeValue(value, body, true);
    for (size_t i = 0; i < body.size(); ++i) {
      for (int delta : {1, 0x80, static_cast<int>(rng() % 255) + 1}) {
        std::string bad = body;
        bad[i] = static_cast<char>(bad[i] ^ delta);
        try_decode(RdbValueType(value), bad);
      }
      try_decode(RdbValueType(value), body.substr(0, i));
    }
  }
  for (uint8_t type : {kTypeListZiplist, kTypeHashZipmap}) {
    const std::string& blob = blobs[type == kTypeListZiplist ? 0 : 1];
    for (size_t i = 0; i < blob.size(); ++i) {
      std::string bad = blob;
      bad[i] = static_cast<char>(bad[i] ^ (1 << (rng() % 8)));
      try_decode(type, StringBody(bad));
    }
  }
  EXPECT_GT(decoded, 0u);  // some mutations (inside raw bytes) still decode
}

// --- Whole files ---

class RdbFileTest : public ::testing::Test {
 protected:
  static constexpr int64_t kNow = 1'700'000'000'000;

  RdbFileTest() : source_(16), loaded_(16) { source_.set_now_ms(kNow); }

  std::string Save(RdbWriteOptions options = {}) {
    RdbWriter writer(options);
    RdbAuxFields aux;
    aux.ctime_s = kNow / 1000;
    writer.WriteHeader(aux);
    std::string file;
    std::string chunk;
    for (int d = 0; d < source_.database_count(); ++d) {
      Database& db = source_.db(d);
      if (db.size() == 0) continue;
      writer.SelectDb(d, db.size(), db.expires_count());
      db.ForEach([&](std::string_view key, const Entry& entry) {
        writer.WriteKey(key, entry.value, entry.expire_at_ms);
        // Drain now and then, as a file writer would.
        if (writer.pending_size() > 100) {
          writer.TakeOutput(&chunk);
          file += chunk;
        }
      });
    }
    writer.Finish();
    writer.TakeOutput(&chunk);
    file += chunk;
    EXPECT_EQ(writer.total_bytes(), file.size());
    return file;
  }

  RdbLoadResult Load(std::string_view file, RdbParseOptions options = {}) {
    RdbReader reader(file);
    return RdbLoadIntoKeyspace(reader, loaded_, kNow, options);
  }

  std::string DescribeKeyspace(Keyspace& keyspace) {
    std::vector<std::string> keys;
    for (int d = 0; d < keyspace.database_count(); ++d) {
      keyspace.db(d).ForEach([&](std::string_view key, const Entry& entry) {
        keys.push_back(std::to_string(d) + "/" + std::string(key) + "/" +
                       std::to_string(entry.expire_at_ms) + "/" + Describe(entry.value));
      });
    }
    std::sort(keys.begin(), keys.end());
    std::string out;
    for (const auto& k : keys) out += k + "\n";
    return out;
  }

  void Fill() {
    source_.db(0).Put("s", Value(std::string("value")));
    source_.db(0).Put("int", Value(std::string("12345")));
    Entry& ttl = source_.db(0).Put("ttl", Value(std::string("x")));
    source_.db(0).SetExpire("ttl", ttl, kNow + 60'000);
    auto list = std::make_unique<List>();
    for (int i = 0; i < 300; ++i) list->PushBack("element-" + std::to_string(i));
    source_.db(3).Put("list", Value(std::move(list)));
    auto zset = std::make_unique<ZSet>();
    zset->Insert("a", -INFINITY);
    source_.db(15).Put(std::string("bin\0key", 7), Value(std::move(zset)));
  }

  Keyspace source_;
  Keyspace loaded_;
};

TEST_F(RdbFileTest, RoundTripAcrossDatabasesWithExpiry) {
  Fill();
  for (bool compress : {true, false}) {
    for (bool checksum : {true, false}) {
      std::string file = Save({compress, checksum});
      EXPECT_EQ(file.substr(0, 9), "REDIS0010");
      loaded_.FlushAll();
      RdbLoadResult result = Load(file);
      ASSERT_TRUE(result.ok) << result.error;
      EXPECT_EQ(result.keys_loaded, 5u);
      EXPECT_EQ(DescribeKeyspace(loaded_), DescribeKeyspace(source_));
      EXPECT_EQ(result.aux.size(), 5u);
      EXPECT_EQ(result.aux[0], (std::pair<std::string, std::string>("redis-ver", "7.0.15")));
      if (!checksum) EXPECT_EQ(file.substr(file.size() - 8), std::string(8, '\0'));
    }
  }
}

TEST_F(RdbFileTest, EveryTruncationIsRefusedAndLeavesNothingLoaded) {
  Fill();
  std::string file = Save();
  for (size_t size = 0; size < file.size(); ++size) {
    RdbLoadResult result = Load(std::string_view(file).substr(0, size));
    ASSERT_FALSE(result.ok) << size;
    EXPECT_FALSE(result.error.empty());
    ASSERT_EQ(loaded_.TotalKeys(), 0u) << size;
  }
  RdbLoadResult result = Load(std::string_view(file).substr(0, file.size() - 3));
  EXPECT_NE(result.error.find("truncated"), std::string::npos) << result.error;
}

TEST_F(RdbFileTest, EveryFlippedByteIsRefused) {
  Fill();
  std::string file = Save();
  for (size_t i = 0; i < file.size(); ++i) {
    std::string bad = file;
    bad[i] ^= 0x20;
    RdbLoadResult result = Load(bad);
    ASSERT_FALSE(result.ok) << i;
    ASSERT_EQ(loaded_.TotalKeys(), 0u) << i;
  }
  std::string bad = file;
  bad[file.size() - 20] ^= 0x01;
  RdbLoadResult result = Load(bad);
  EXPECT_FALSE(result.ok);
}

TEST_F(RdbFileTest, ChecksumMismatchMessage) {
  Fill();
  std::string file = Save();
  file[file.size() - 1] ^= 1;  // the trailer itself
  RdbLoadResult result = Load(file);
  EXPECT_NE(result.error.find("Wrong RDB checksum"), std::string::npos) << result.error;
  // With rdbchecksum off the trailer is not checked, as in Redis.
  EXPECT_TRUE(Load(file, {.verify_checksum = false}).ok);
}

TEST_F(RdbFileTest, ExpiredKeysAreSkipped) {
  Entry& gone = source_.db(0).Put("gone", Value(std::string("x")));
  source_.db(0).SetExpire("gone", gone, kNow + 1);
  source_.db(0).Put("kept", Value(std::string("y")));
  std::string file = Save();
  RdbReader reader(file);
  RdbLoadResult result = RdbLoadIntoKeyspace(reader, loaded_, kNow + 2, {});
  ASSERT_TRUE(result.ok) << result.error;
  EXPECT_EQ(result.expired_skipped, 1u);
  EXPECT_EQ(loaded_.db(0).Peek("gone"), nullptr);
  EXPECT_NE(loaded_.db(0).Peek("kept"), nullptr);
}

// A minimal file: header, then `body`, then EOF and a zero (unchecked) trailer.
std::string FileWith(std::string_view body, int version = 10) {
  char magic[16];
  std::snprintf(magic, sizeof(magic), "REDIS%04d", version);
  std::string file(magic, 9);
  file += body;
  file.push_back(static_cast<char>(kOpEof));
  if (version >= 5) file += std::string(8, '\0');
  return file;
}

TEST_F(RdbFileTest, UnsupportedContentIsRefusedByName) {
  std::string stream;
  stream.push_back(static_cast<char>(kTypeStreamListpacks2));
  AppendString("mystream", false, stream);
  RdbLoadResult result = Load(FileWith(stream));
  EXPECT_FALSE(result.ok);
  EXPECT_NE(result.error.find("key 'mystream' (type stream)"), std::string::npos) << result.error;
  std::string module;
  module.push_back(static_cast<char>(kTypeModule2));
  AppendString("m", false, module);
  result = Load(FileWith(module));
  EXPECT_NE(result.error.find("key 'm' (type module)"), std::string::npos) << result.error;
  result = Load(FileWith(std::string(1, static_cast<char>(kOpModuleAux))));
  EXPECT_NE(result.error.find("module auxiliary data"), std::string::npos) << result.error;
  result = Load(FileWith(std::string(1, static_cast<char>(kOpFunction2))));
  EXPECT_NE(result.error.find("functions"), std::string::npos) << result.error;
  result = Load(FileWith("", 11));
  EXPECT_EQ(result.error, "Can't handle RDB format version 11");
  result = Load("RADIS0010");
  EXPECT_FALSE(result.ok);
}

TEST_F(RdbFileTest, OldVersionsDuplicatesAndDatabaseLimits) {
  // RDB 4 (no checksum trailer), expiry in seconds, zipmap hash, RESIZEDB absent.
  std::string body;
  body.push_back(static_cast<char>(kOpSelectDb));
  AppendLength(2, body);
  body.push_back(static_cast<char>(kOpExpireTime));
  AppendU32(static_cast<uint32_t>(kNow / 1000 + 100), body);
  body.push_back(static_cast<char>(kTypeHashZipmap));
  AppendString("h", false, body);
  AppendString(BuildZipmap({{"f", "v"}}), false, body);
  RdbLoadResult result = Load(FileWith(body, 4));
  ASSERT_TRUE(result.ok) << result.error;
  const Entry* entry = loaded_.db(2).Peek("h");
  ASSERT_NE(entry, nullptr);
  EXPECT_EQ(entry->expire_at_ms, (kNow / 1000 + 100) * 1000);
  loaded_.FlushAll();

  std::string dup;
  for (int i = 0; i < 2; ++i) {
    dup.push_back(static_cast<char>(kTypeString));
    AppendString("k", false, dup);
    AppendString("v", false, dup);
  }
  result = Load(FileWith(dup));
  EXPECT_EQ(result.error, "RDB has duplicated key 'k' in DB 0");
  EXPECT_EQ(loaded_.TotalKeys(), 0u);

  std::string far;
  far.push_back(static_cast<char>(kOpSelectDb));
  AppendLength(16, far);
  result = Load(FileWith(far));
  EXPECT_NE(result.error.find("database 16"), std::string::npos) << result.error;
}

TEST_F(RdbFileTest, ReadsFromASourceInSmallPieces) {
  Fill();
  std::string file = Save();
  // A source that hands out 3 bytes at a time exercises every refill path.
  class Trickle : public RdbSource {
   public:
    explicit Trickle(std::string_view data) : data_(data) {}
    size_t Read(char* dst, size_t size) override {
      size_t n = std::min({size, data_.size(), size_t{3}});
      std::memcpy(dst, data_.data(), n);
      data_.remove_prefix(n);
      return n;
    }

   private:
    std::string_view data_;
  } trickle(file);
  RdbReader reader(trickle);
  RdbLoadResult result = RdbLoadIntoKeyspace(reader, loaded_, kNow, {});
  ASSERT_TRUE(result.ok) << result.error;
  EXPECT_EQ(DescribeKeyspace(loaded_), DescribeKeyspace(source_));
}

// RESIZEDB sizes the key table before the first key (as Redis's loader does), so a load of a
// large file neither rehashes nor looks keys up in two arrays; a hint from a damaged file is
// bounded.
TEST_F(RdbFileTest, ResizeDbHintSizesTheKeyTableBeforeLoading) {
  for (int i = 0; i < 3000; ++i) {
    source_.db(0).Put("key:" + std::to_string(i), Value(std::string("v")));
  }
  ASSERT_TRUE(Load(Save()).ok);
  EXPECT_EQ(loaded_.db(0).key_buckets(), 4096u);
  EXPECT_FALSE(loaded_.db(0).key_table_rehashing());

  // The hint alone decides: three keys under a hint of 100,000 get 131,072 buckets.
  auto file_with_hint = [](uint64_t hint) {
    RdbWriter writer;
    writer.WriteHeader({});
    writer.SelectDb(1, hint, 0);
    for (const char* key : {"a", "b", "c"}) writer.WriteKey(key, Value(std::string("x")), -1);
    writer.Finish();
    std::string file;
    writer.TakeOutput(&file);
    return file;
  };
  ASSERT_TRUE(Load(file_with_hint(100000)).ok);
  EXPECT_EQ(loaded_.db(1).size(), 3u);
  EXPECT_EQ(loaded_.db(1).key_buckets(), 131072u);

  Keyspace fresh(16);
  const std::string lying = file_with_hint(uint64_t{1} << 40);
  RdbReader reader(lying);
  RdbLoadResult result = RdbLoadIntoKeyspace(reader, fresh, kNow, {});
  ASSERT_TRUE(result.ok) << result.error;
  EXPECT_EQ(fresh.db(1).key_buckets(), size_t{1} << 23);
}

}  // namespace
}  // namespace drayman::rdb
