// Redis 7.0's DEBUG DIGEST / DIGEST-VALUE scheme on a bare keyspace. Every expected digest is
// what redis-server 7.0.15 answered for the same data (the commands are in the comments).
#include "broker/keyspace/digest.h"

#include <gtest/gtest.h>

#include <limits>
#include <memory>
#include <string>

namespace drayman {
namespace {

class DigestTest : public ::testing::Test {
 protected:
  Database& db(int index = 0) { return keyspace_.db(index); }
  std::string ValueHex(std::string_view key) { return DigestHex(ValueDigest(*db().Peek(key))); }
  std::string DatasetHex() { return DigestHex(DatasetDigest(keyspace_)); }

  Entry& AddList(std::string_view key, std::initializer_list<std::string_view> elements) {
    auto list = std::make_unique<List>();
    for (std::string_view element : elements) list->PushBack(element);
    return db().Add(key, Value(std::move(list)));
  }
  Entry& AddSet(std::string_view key, std::initializer_list<std::string_view> members) {
    auto set = std::make_unique<Set>();
    for (std::string_view member : members) set->Add(member);
    return db().Add(key, Value(std::move(set)));
  }
  Entry& AddZSet(std::string_view key,
                 std::initializer_list<std::pair<std::string_view, double>> members) {
    auto zset = std::make_unique<ZSet>();
    for (const auto& [member, score] : members) zset->Insert(member, score);
    return db().Add(key, Value(std::move(zset)));
  }

  Keyspace keyspace_{16};
};

TEST_F(DigestTest, EmptyDatasetIsAllZeros) {
  EXPECT_EQ(DatasetHex(), std::string(40, '0'));
  EXPECT_EQ(DigestHex(Digest{}), "0000000000000000000000000000000000000000");
}

TEST_F(DigestTest, StringKeyAndValue) {
  db().Add("a", Value(std::string("1")));
  // SET a 1; DEBUG DIGEST-VALUE a; DEBUG DIGEST
  EXPECT_EQ(ValueHex("a"), "b4fc66738120fba0b5aa500ab5c2bf89cea1c5da");
  EXPECT_EQ(DatasetHex(), "943d800368fb9c0e951138f1bc0e313ac769d91f");
}

TEST_F(DigestTest, ListElementsMixInOrder) {
  AddList("l", {"a", "b", "1"});
  // RPUSH l a b 1
  EXPECT_EQ(ValueHex("l"), "981fd62c1655c074205cff40b800bd5a5bfdcd41");
  db().Delete("l");
  AddList("l", {"b", "a", "1"});
  EXPECT_NE(ValueHex("l"), "981fd62c1655c074205cff40b800bd5a5bfdcd41");
}

TEST_F(DigestTest, SetsIgnoreOrderAndEncoding) {
  AddSet("s", {"x", "2", "3"});   // SADD s x 2 3 (hashtable)
  AddSet("si", {"3", "1", "2"});  // SADD si 1 2 3 (intset)
  EXPECT_EQ(ValueHex("s"), "0eda9e9aed9842418c730b8a09185f04fac05a9f");
  EXPECT_EQ(ValueHex("si"), "2a462a3f51a1db89738ebbeef0c47ce1bbc85246");
}

TEST_F(DigestTest, HashFieldsAndValues) {
  auto hash = std::make_unique<Hash>();
  hash->Set("f", "v");
  hash->Set("n", "1");
  db().Add("h", Value(std::move(hash)));
  // HSET h f v n 1
  EXPECT_EQ(ValueHex("h"), "ad9a818d75d51dd3c55d5905f22259a91bbc4b14");
}

TEST_F(DigestTest, SortedSetScoresPrintedWithSeventeenDigits) {
  const double inf = std::numeric_limits<double>::infinity();
  // ZADD z 1.5 a -0 b inf c 2 d (a listpack reads -0 back as 0)
  AddZSet("z", {{"a", 1.5}, {"b", 0.0}, {"c", inf}, {"d", 2}});
  EXPECT_EQ(ValueHex("z"), "2a0d524e4b5323a06275ec1945445d3ac46165f8");
  // ZADD z4 0.1 m 1e300 n -2.5e-310 o
  AddZSet("z4", {{"m", 0.1}, {"n", 1e300}, {"o", -2.5e-310}});
  EXPECT_EQ(ValueHex("z4"), "92ddea7d63bb029cb79315fb502df3195c1c9f1e");
}

TEST_F(DigestTest, AnExpiryCountsButNotItsTime) {
  Entry& entry = db().Add("e", Value(std::string("v")));
  db().SetExpire("e", entry, 4102444800000);
  // SET e v PX 100000000
  EXPECT_EQ(ValueHex("e"), "311b17018163335616e089f6b951c82c477335ac");
  db().SetExpire("e", entry, 4102444800001);
  EXPECT_EQ(ValueHex("e"), "311b17018163335616e089f6b951c82c477335ac");
}

TEST_F(DigestTest, DatasetMixesDatabaseNumbersAndXorsKeys) {
  // SET a 1, RPUSH l a b 1, SADD s x 2 3, SADD si 1 2 3, HSET h f v n 1,
  // ZADD z 1.5 a -0 b inf c 2 d, SET e v PX 100000000 in db 0: DEBUG DIGEST
  AddList("l", {"a", "b", "1"});
  AddSet("s", {"x", "2", "3"});
  AddSet("si", {"1", "2", "3"});
  auto hash = std::make_unique<Hash>();
  hash->Set("f", "v");
  hash->Set("n", "1");
  db().Add("h", Value(std::move(hash)));
  AddZSet("z", {{"a", 1.5}, {"b", 0.0}, {"c", std::numeric_limits<double>::infinity()}, {"d", 2}});
  Entry& entry = db().Add("e", Value(std::string("v")));
  db().SetExpire("e", entry, 4102444800000);
  db().Add("a", Value(std::string("1")));
  EXPECT_EQ(DatasetHex(), "f0db4c2170cc4455ac3c321615f3e21f6b7a22ea");
  // ... then SET k v in db 3.
  db(3).Add("k", Value(std::string("v")));
  EXPECT_EQ(DatasetHex(), "a2aa73ad1eff100acddab6a3a36f39438f826462");
}

}  // namespace
}  // namespace drayman
