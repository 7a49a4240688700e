// Large hashes, sets and sorted sets in snapshots (broker/persistence/large_collections.h): a job
// encoding a big container over many steps, while seeded random changes of every kind (sets,
// overwrites, increments in place, erases, pops, range removals, the container destroyed) run
// between its steps, writes exactly the container as it was when the job began: the RDB record
// decodes to the frozen contents with the frozen count (a sorted set's bytes equal the one-go
// encoding of a copy taken at the freeze), and the rewrite commands replay to them in batches of
// at most 64 items. The container's table stays pinned meanwhile and resizes once released.
#include "broker/persistence/large_collections.h"

#include <gtest/gtest.h>

#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "broker/persistence/aof_format.h"
#include "broker/persistence/aof_rewrite.h"
#include "broker/persistence/rdb_decode.h"
#include "broker/persistence/rdb_encode.h"

namespace drayman {
namespace {

constexpr int64_t kExpire = 1700000000123;

std::string RandomText(std::mt19937_64& rng) {
  switch (rng() % 4) {
    case 0:
      return std::to_string(static_cast<int64_t>(rng()) >> (rng() % 64));  // integer-encoded
    case 1:
      return std::string(rng() % 30, static_cast<char>('a' + rng() % 26));  // around LZF's 20
    case 2:
      return std::string(1000 + rng() % 4000, static_cast<char>('k' + rng() % 8));  // a message
    default:
      return "v" + std::to_string(rng());
  }
}

double RandomScore(std::mt19937_64& rng) {
  switch (rng() % 6) {
    case 0:
      return static_cast<double>(static_cast<int>(rng() % 21) - 10);  // ties: member order
    case 1:
      return -0.0;
    case 2:
      return rng() % 2 ? std::numeric_limits<double>::infinity()
                       : -std::numeric_limits<double>::infinity();
    default:
      return std::uniform_real_distribution<double>(-1e6, 1e6)(rng);
  }
}

// Runs `job` to the end, calling `mutate` a few times before each step, with step budgets from 1
// to 200 elements; finishes every chunk as a sink's writer does.
std::string RunJob(SaveJob& job, std::mt19937_64& rng, const std::function<void()>& mutate) {
  std::string out;
  rdb::ChunkFinisher finisher;
  rdb::RdbChunk chunk;
  std::string finished;
  bool done = false;
  while (!done) {
    for (int i = static_cast<int>(rng() % 6); i > 0; --i) mutate();
    const size_t budget = std::vector<size_t>{1, 7, 64, 128, 200}[rng() % 5];
    done = job.Step(budget, chunk);
    finisher.Finish(chunk, &finished);
    out += finished;
  }
  return out;
}

// Decodes one RDB key record, checking that it is all of `bytes`.
Value DecodeRecord(const std::string& bytes, int64_t expire) {
  rdb::RdbReader reader(bytes);
  if (expire >= 0) {
    EXPECT_EQ(reader.ReadByte(), rdb::kOpExpireTimeMs);
    EXPECT_EQ(static_cast<int64_t>(reader.ReadU64()), expire);
  }
  const uint8_t type = reader.ReadByte();
  EXPECT_EQ(reader.ReadString(), "big");
  Value value;
  EXPECT_TRUE(rdb::RdbDecodeValue(type, reader, &value));  // throws on a duplicate
  EXPECT_EQ(reader.offset(), bytes.size());
  return value;
}

// Parses rewrite commands; checks the key, the batch sizes and the expiry; returns the items.
std::vector<std::vector<std::string>> ParseCommands(const std::string& bytes,
                                                    std::string_view name, size_t per_element,
                                                    int64_t expire) {
  aof::AofRecordParser parser;
  parser.Feed(bytes);
  std::vector<std::string> args;
  std::vector<std::vector<std::string>> commands;
  bool expired = false;
  while (parser.Next(&args) == aof::AofRecordParser::Result::kCommand) {
    EXPECT_FALSE(expired) << "PEXPIREAT comes last";
    EXPECT_EQ(args.at(1), "big");
    if (args[0] == "PEXPIREAT") {
      EXPECT_EQ(args.at(2), std::to_string(expire));
      expired = true;
      continue;
    }
    EXPECT_EQ(args[0], name);
    EXPECT_EQ((args.size() - 2) % per_element, 0u);
    EXPECT_LE(args.size() - 2, kAofRewriteItemsPerCommand * per_element);
    commands.push_back(args);
  }
  EXPECT_EQ(parser.buffered(), 0u);
  EXPECT_EQ(expired, expire >= 0);
  // Every batch but the last is full.
  for (size_t i = 0; i + 1 < commands.size(); ++i) {
    EXPECT_EQ(commands[i].size() - 2, kAofRewriteItemsPerCommand * per_element);
  }
  return commands;
}

std::map<std::string, std::string> HashContents(const Hash& hash) {
  std::map<std::string, std::string> out;
  hash.ForEach([&](std::string_view f, std::string_view v) {
    EXPECT_TRUE(out.emplace(f, v).second);
  });
  return out;
}

std::set<std::string> SetContents(const Set& set) {
  std::set<std::string> out;
  set.ForEach([&](std::string_view m) { EXPECT_TRUE(out.emplace(m).second); });
  return out;
}

struct Case {
  size_t size;
  SaveFormat format;
  bool compress;
  int64_t expire;
};

std::vector<Case> Cases() {
  std::vector<Case> cases;
  // 4097: the table has just started growing (a rehash in progress, pinned half done).
  for (size_t size : {1100u, 4097u, 6000u}) {
    cases.push_back({size, SaveFormat::kRdb, true, -1});
    cases.push_back({size, SaveFormat::kRdb, false, kExpire});
    cases.push_back({size, SaveFormat::kCommands, true, kExpire});
  }
  return cases;
}

std::string Describe(const Case& c, uint64_t seed) {
  return std::to_string(c.size) + (c.format == SaveFormat::kRdb ? " rdb" : " commands") +
         (c.compress ? " lzf" : "") + " expire " + std::to_string(c.expire) + " seed " +
         std::to_string(seed);
}

TEST(LargeCollectionsTest, OnlyLargeContainersInTheirLargeEncodingGetAJob) {
  auto small_hash = std::make_unique<Hash>();
  for (int i = 0; i < 1024; ++i) small_hash->Set("f" + std::to_string(i), "v");
  EXPECT_FALSE(IsLargeValue(Value(std::move(small_hash))));  // hashtable, but 1,024 fields
  auto ints = std::make_unique<Set>();
  for (int i = 0; i < 512; ++i) ints->Add(std::to_string(i));
  EXPECT_FALSE(IsLargeValue(Value(std::move(ints))));  // intset
  auto hash = std::make_unique<Hash>();
  for (int i = 0; i < 1025; ++i) hash->Set("f" + std::to_string(i), "v");
  const Value big(std::move(hash));
  EXPECT_TRUE(IsLargeValue(big));
  auto job = MakeLargeValueJob("big", big, -1, SaveFormat::kRdb, true);
  ASSERT_NE(job, nullptr);
  EXPECT_TRUE(big.hash().watched());
  // A second job on the same hash is refused (the caller encodes it whole instead).
  EXPECT_EQ(MakeLargeValueJob("big", big, -1, SaveFormat::kRdb, true), nullptr);
  job.reset();
  EXPECT_FALSE(big.hash().watched());
  EXPECT_EQ(MakeLargeValueJob("s", Value(std::string(100000, 'x')), -1, SaveFormat::kRdb, true),
            nullptr);
}

TEST(LargeCollectionsTest, UnchangedContainersGiveTheOneGoBytes) {
  std::mt19937_64 rng(1);
  auto hash = std::make_unique<Hash>();
  auto set = std::make_unique<Set>();
  auto zset = std::make_unique<ZSet>();
  for (int i = 0; i < 4097; ++i) {
    hash->Set("field" + std::to_string(i), RandomText(rng));
    set->Add("member" + std::to_string(i));
    zset->Insert("m" + std::to_string(i), RandomScore(rng));
  }
  std::vector<Value> values;
  values.emplace_back(std::move(hash));
  values.emplace_back(std::move(set));
  values.emplace_back(std::move(zset));
  for (const Value& value : values) {
    for (SaveFormat format : {SaveFormat::kRdb, SaveFormat::kCommands}) {
      std::string whole;
      if (format == SaveFormat::kRdb) {
        rdb::ChunkFinisher finisher;
        rdb::RdbChunk chunk;
        rdb::AppendKeyRecord("big", value, kExpire, rdb::Compression(true, &chunk), chunk.bytes);
        finisher.Finish(chunk, &whole);
      } else {
        AppendRewriteCommands("big", value, kExpire, &whole);
      }
      auto job = MakeLargeValueJob("big", value, kExpire, format, true);
      ASSERT_NE(job, nullptr);
      EXPECT_EQ(RunJob(*job, rng, [] {}), whole) << TypeName(value.type());
    }
  }
}

TEST(LargeCollectionsTest, HashWritesItsStateAtTheFreeze) {
  uint64_t seed = 100;
  for (const Case& c : Cases()) {
    SCOPED_TRACE(Describe(c, seed));
    std::mt19937_64 rng(seed++);
    auto built = std::make_unique<Hash>();
    for (size_t i = 0; i < c.size; ++i) built->Set("f" + std::to_string(i), RandomText(rng));
    auto value = std::make_unique<Value>(std::move(built));
    const std::map<std::string, std::string> frozen = HashContents(value->hash());
    auto job = MakeLargeValueJob("big", *value, c.expire, c.format, c.compress);
    ASSERT_NE(job, nullptr);
    int next_field = 0;
    const std::string out = RunJob(*job, rng, [&] {
      if (value == nullptr) return;
      Hash& hash = value->hash();
      std::string existing;
      if (!hash.empty()) existing = std::string(hash.Random(rng).first);
      switch (rng() % 9) {
        case 0:  // HSET of a new field
          hash.Set("new" + std::to_string(next_field++), RandomText(rng));
          break;
        case 1:  // HSET over an existing one
        case 2:
          if (!existing.empty()) hash.Set(existing, RandomText(rng));
          break;
        case 3:  // HDEL (HGETDEL-like pops too)
        case 4:
          if (!existing.empty()) hash.Erase(existing);
          break;
        case 5:  // HDEL of an absent field, HSET back of a deleted one
          hash.Erase("absent");
          hash.Set("f" + std::to_string(rng() % c.size), "back");
          break;
        case 6:  // an increment in place
          if (std::string* v = existing.empty() ? nullptr : hash.FindMutable(existing)) *v += "1";
          break;
        case 7:  // a burst of new fields (the pinned table's chains grow)
          for (int i = 0; i < 50; ++i) hash.Set("burst" + std::to_string(next_field++), "x");
          break;
        default:
          if (rng() % 40 == 0) value.reset();  // DEL: the job adopts the fields
          break;
      }
    });
    if (c.format == SaveFormat::kRdb) {
      const Value decoded = DecodeRecord(out, c.expire);
      ASSERT_EQ(decoded.type(), ValueType::kHash);
      EXPECT_EQ(HashContents(decoded.hash()), frozen);
    } else {
      std::map<std::string, std::string> replayed;
      for (const auto& command : ParseCommands(out, "HMSET", 2, c.expire)) {
        for (size_t i = 2; i < command.size(); i += 2) {
          EXPECT_TRUE(replayed.emplace(command[i], command[i + 1]).second) << command[i];
        }
      }
      EXPECT_EQ(replayed, frozen);
    }
    job.reset();
    if (value != nullptr) EXPECT_FALSE(value->hash().watched());
  }
}

TEST(LargeCollectionsTest, SetWritesItsStateAtTheFreeze) {
  uint64_t seed = 200;
  for (const Case& c : Cases()) {
    SCOPED_TRACE(Describe(c, seed));
    std::mt19937_64 rng(seed++);
    auto built = std::make_unique<Set>();
    for (size_t i = 0; i < c.size; ++i) {
      built->Add(i % 3 ? "m" + std::to_string(i) : RandomText(rng));
    }
    auto value = std::make_unique<Value>(std::move(built));
    const std::set<std::string> frozen = SetContents(value->set());
    auto job = MakeLargeValueJob("big", *value, c.expire, c.format, c.compress);
    ASSERT_NE(job, nullptr);
    int next = 0;
    const std::string out = RunJob(*job, rng, [&] {
      if (value == nullptr) return;
      Set& set = value->set();
      switch (rng() % 8) {
        case 0:  // SADD of a new member
          set.Add("new" + std::to_string(next++));
          break;
        case 1:  // SADD of a present one
          if (!set.empty()) set.Add(set.RandomMember(rng));
          break;
        case 2:  // SPOP
        case 3:
          if (!set.empty()) set.PopRandom(rng);
          break;
        case 4:  // SREM, SREM of an absent member, SADD back of a popped one
          if (!set.empty()) set.Remove(set.RandomMember(rng));
          set.Remove("absent");
          set.Add("m" + std::to_string(rng() % c.size));
          break;
        case 5:
          for (int i = 0; i < 50; ++i) set.Add("burst" + std::to_string(next++));
          break;
        default:
          if (rng() % 30 == 0) value.reset();
          break;
      }
    });
    if (c.format == SaveFormat::kRdb) {
      const Value decoded = DecodeRecord(out, c.expire);
      ASSERT_EQ(decoded.type(), ValueType::kSet);
      EXPECT_EQ(SetContents(decoded.set()), frozen);
    } else {
      std::set<std::string> replayed;
      for (const auto& command : ParseCommands(out, "SADD", 1, c.expire)) {
        for (size_t i = 2; i < command.size(); ++i) {
          EXPECT_TRUE(replayed.emplace(command[i]).second) << command[i];
        }
      }
      EXPECT_EQ(replayed, frozen);
    }
  }
}

// A sorted set's walk keeps the one-go order, so its bytes must be the one-go bytes of a copy
// taken at the freeze, whatever ran between the steps.
TEST(LargeCollectionsTest, SortedSetWritesTheOneGoBytesOfItsStateAtTheFreeze) {
  uint64_t seed = 300;
  for (const Case& c : Cases()) {
    SCOPED_TRACE(Describe(c, seed));
    std::mt19937_64 rng(seed++);
    auto built = std::make_unique<ZSet>();
    for (size_t i = 0; i < c.size; ++i) built->Insert("m" + std::to_string(i), RandomScore(rng));
    auto value = std::make_unique<Value>(std::move(built));
    const Value frozen(value->zset().Clone());
    std::string expected;
    if (c.format == SaveFormat::kRdb) {
      rdb::ChunkFinisher finisher;
      rdb::RdbChunk chunk;
      rdb::AppendKeyRecord("big", frozen, c.expire, rdb::Compression(c.compress, &chunk),
                           chunk.bytes);
      finisher.Finish(chunk, &expected);
    } else {
      AppendRewriteCommands("big", frozen, c.expire, &expected);
    }
    auto job = MakeLargeValueJob("big", *value, c.expire, c.format, c.compress);
    ASSERT_NE(job, nullptr);
    int next = 0;
    const std::string out = RunJob(*job, rng, [&] {
      if (value == nullptr) return;
      ZSet& zset = value->zset();
      const ZSet::Node* some = zset.empty() ? nullptr : zset.AtRank(rng() % zset.size());
      const std::string member = some ? std::string(some->member()) : std::string();
      switch (rng() % 11) {
        case 0:  // ZADD of a new member
          zset.Insert("new" + std::to_string(next++), RandomScore(rng));
          break;
        case 1:  // ZADD over an existing one: anywhere, ahead of or behind the walk
        case 2:
          if (some) zset.Update(member, RandomScore(rng));
          break;
        case 3:  // ZINCRBY
          if (some) zset.Update(member, some->score + 1);
          break;
        case 4:  // ZREM
          if (some) zset.Erase(member);
          zset.Erase("absent");
          break;
        case 5:  // ZPOPMIN / BZPOPMIN, ZPOPMAX
          if (zset.size() > 3) {
            zset.EraseRangeByRank(0, 1);
            zset.EraseRangeByRank(zset.size() - 1, zset.size() - 1);
          }
          break;
        case 6: {  // ZREMRANGEBYSCORE around some element
          if (!some) break;
          ScoreRange range{some->score, some->score, false, false};
          zset.EraseRangeByScore(range);
          break;
        }
        case 7: {  // ZREMRANGEBYLEX over a short member range
          if (!some) break;
          LexRange range;
          range.min = LexBound{LexBound::Kind::kValue, false, member};
          range.max = LexBound{LexBound::Kind::kValue, false, member + "5"};
          zset.EraseRangeByLex(range);
          break;
        }
        case 8:  // re-add a frozen member, possibly deleted, at another score
          if (zset.Find("m7") == nullptr) {
            zset.Insert("m7", RandomScore(rng));
          } else {
            zset.Update("m7", RandomScore(rng));
          }
          break;
        case 9:  // ZREMRANGEBYRANK in the middle
          if (zset.size() > 10) zset.EraseRangeByRank(zset.size() / 2, zset.size() / 2 + 3);
          break;
        default:
          if (rng() % 40 == 0) value.reset();  // DEL: the job adopts the elements
          break;
      }
      if (value != nullptr && rng() % 50 == 0) ASSERT_TRUE(value->zset().Validate());
    });
    EXPECT_EQ(out, expected);
    if (c.format == SaveFormat::kRdb) {
      const Value decoded = DecodeRecord(out, c.expire);
      ASSERT_EQ(decoded.type(), ValueType::kZSet);
      EXPECT_EQ(decoded.zset().size(), frozen.zset().size());
    }
  }
}

TEST(LargeCollectionsTest, PinnedTableResizesOnceReleased) {
  auto hash = std::make_unique<Hash>();
  for (int i = 0; i < 2000; ++i) hash->Set("f" + std::to_string(i), "v");
  const Value value(std::move(hash));
  auto job = MakeLargeValueJob("big", value, -1, SaveFormat::kRdb, true);
  const uint64_t positions = value.hash().PositionEnd();
  Hash& live = const_cast<Hash&>(value.hash());
  for (int i = 0; i < 20000; ++i) live.Set("g" + std::to_string(i), "v");
  EXPECT_EQ(value.hash().PositionEnd(), positions);  // no bucket moved: chains grew instead
  for (int i = 0; i < 20000; ++i) live.Erase("g" + std::to_string(i));
  job.reset();
  // Released: the next changes resize the table again, one step at a time.
  for (int i = 0; i < 40000; ++i) live.Set("h" + std::to_string(i), "v");
  EXPECT_GE(value.hash().PositionEnd(), 32768u);
  EXPECT_EQ(live.size(), 42000u);
}

}  // namespace
}  // namespace drayman
