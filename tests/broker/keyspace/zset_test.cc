#include "broker/keyspace/zset.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <map>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace drayman {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// The model: member -> score, and the (score, member) order Redis defines.
class Model {
 public:
  void Set(const std::string& member, double score) {
    Erase(member);
    scores_[member] = score;
    order_.insert({score, member});
  }
  bool Erase(const std::string& member) {
    auto it = scores_.find(member);
    if (it == scores_.end()) return false;
    order_.erase({it->second, member});
    scores_.erase(it);
    return true;
  }
  std::vector<std::pair<double, std::string>> Sorted() const {
    return {order_.begin(), order_.end()};
  }
  const std::map<std::string, double>& scores() const { return scores_; }
  size_t size() const { return scores_.size(); }

 private:
  std::map<std::string, double> scores_;
  std::set<std::pair<double, std::string>> order_;
};

std::vector<std::pair<double, std::string>> Contents(const ZSet& zset) {
  std::vector<std::pair<double, std::string>> out;
  for (const ZSet::Node* node = zset.First(); node != nullptr; node = node->next()) {
    out.emplace_back(node->score, std::string(node->member()));
  }
  return out;
}

std::vector<std::pair<double, std::string>> ContentsBackwards(const ZSet& zset) {
  std::vector<std::pair<double, std::string>> out;
  for (const ZSet::Node* node = zset.Last(); node != nullptr; node = node->prev()) {
    out.emplace(out.begin(), node->score, std::string(node->member()));
  }
  return out;
}

TEST(ZSetTest, EmptySet) {
  ZSet zset;
  EXPECT_TRUE(zset.empty());
  EXPECT_EQ(zset.First(), nullptr);
  EXPECT_EQ(zset.Last(), nullptr);
  EXPECT_EQ(zset.Find("a"), nullptr);
  EXPECT_EQ(zset.Rank("a"), -1);
  EXPECT_FALSE(zset.Erase("a"));
  EXPECT_EQ(zset.CountInRange({-kInf, kInf, false, false}), 0u);
  EXPECT_EQ(zset.Encoding(), "listpack");
  EXPECT_TRUE(zset.Validate());
}

TEST(ZSetTest, OrdersByScoreThenMemberBytes) {
  ZSet zset;
  zset.Insert("b", 1);
  zset.Insert("a", 1);
  zset.Insert("ab", 1);
  zset.Insert("\xff", 0);
  zset.Insert(std::string("a\0", 2), 1);
  zset.Insert("z", -kInf);
  zset.Insert("y", kInf);
  std::vector<std::pair<double, std::string>> expected = {
      {-kInf, "z"}, {0, "\xff"}, {1, "a"},   {1, std::string("a\0", 2)},
      {1, "ab"},    {1, "b"},    {kInf, "y"}};
  EXPECT_EQ(Contents(zset), expected);
  EXPECT_EQ(ContentsBackwards(zset), expected);
  EXPECT_EQ(zset.Rank("ab"), 4);
  EXPECT_EQ(zset.AtRank(6)->member(), "y");
  EXPECT_TRUE(zset.Validate());
}

TEST(ZSetTest, UpdateMovesOrKeepsPlace) {
  ZSet zset;
  for (int i = 0; i < 10; ++i) zset.Insert("m" + std::to_string(i), i);
  zset.Update("m5", 5.5);  // stays between m5's neighbours: in place
  EXPECT_EQ(*zset.Find("m5"), 5.5);
  EXPECT_EQ(zset.Rank("m5"), 5);
  zset.Update("m5", -1);  // moves to the front
  EXPECT_EQ(zset.Rank("m5"), 0);
  EXPECT_EQ(zset.First()->member(), "m5");
  zset.Update("m0", 100);  // moves to the back
  EXPECT_EQ(zset.Last()->member(), "m0");
  EXPECT_EQ(zset.Rank("m0"), 9);
  EXPECT_TRUE(zset.Validate());
}

TEST(ZSetTest, ScoreRanges) {
  ZSet zset;
  for (int i = 1; i <= 5; ++i) zset.Insert(std::string(1, static_cast<char>('a' + i - 1)), i);
  EXPECT_EQ(zset.CountInRange({2, 4, false, false}), 3u);
  EXPECT_EQ(zset.CountInRange({2, 4, true, true}), 1u);
  EXPECT_EQ(zset.CountInRange({-kInf, kInf, false, false}), 5u);
  EXPECT_EQ(zset.CountInRange({4, 2, false, false}), 0u);
  EXPECT_EQ(zset.CountInRange({3, 3, false, true}), 0u);
  EXPECT_EQ(zset.CountInRange({3, 3, false, false}), 1u);
  EXPECT_EQ(zset.CountInRange({5, kInf, true, false}), 0u);
  EXPECT_EQ(zset.FirstInRange({1.5, 10, false, false})->member(), "b");
  EXPECT_EQ(zset.LastInRange({-10, 4.5, false, false})->member(), "d");
  EXPECT_EQ(zset.FirstInRange({5.5, 10, false, false}), nullptr);
  EXPECT_EQ(zset.LastInRange({-10, 0.5, false, false}), nullptr);
  EXPECT_EQ(zset.EraseRangeByScore({2, 3, false, false}), 2u);
  EXPECT_EQ(zset.size(), 3u);
  EXPECT_TRUE(zset.Validate());
}

LexBound Inclusive(std::string value) { return {LexBound::Kind::kValue, false, std::move(value)}; }
LexBound Exclusive(std::string value) { return {LexBound::Kind::kValue, true, std::move(value)}; }
LexBound MinusInf() { return {LexBound::Kind::kMinusInfinity, true, ""}; }
LexBound PlusInf() { return {LexBound::Kind::kPlusInfinity, true, ""}; }

TEST(ZSetTest, LexRanges) {
  ZSet zset;
  for (const char* member : {"a", "b", "c", "d", "e"}) zset.Insert(member, 0);
  EXPECT_EQ(zset.CountInLexRange({MinusInf(), PlusInf()}), 5u);
  EXPECT_EQ(zset.CountInLexRange({Inclusive("b"), Exclusive("d")}), 2u);
  EXPECT_EQ(zset.CountInLexRange({Exclusive("b"), Inclusive("d")}), 2u);
  EXPECT_EQ(zset.CountInLexRange({Inclusive("bb"), PlusInf()}), 3u);
  EXPECT_EQ(zset.CountInLexRange({PlusInf(), MinusInf()}), 0u);
  EXPECT_EQ(zset.CountInLexRange({MinusInf(), MinusInf()}), 0u);
  EXPECT_EQ(zset.CountInLexRange({PlusInf(), PlusInf()}), 0u);
  EXPECT_EQ(zset.CountInLexRange({Inclusive("c"), Inclusive("c")}), 1u);
  EXPECT_EQ(zset.CountInLexRange({Inclusive("c"), Exclusive("c")}), 0u);
  EXPECT_EQ(zset.CountInLexRange({Inclusive("d"), Inclusive("b")}), 0u);
  EXPECT_EQ(zset.FirstInLexRange({Exclusive("a"), PlusInf()})->member(), "b");
  EXPECT_EQ(zset.LastInLexRange({MinusInf(), Exclusive("e")})->member(), "d");
  EXPECT_EQ(zset.EraseRangeByLex({Inclusive("b"), Inclusive("c")}), 2u);
  EXPECT_EQ(zset.size(), 3u);
  EXPECT_TRUE(zset.Validate());
}

TEST(ZSetTest, EraseRangeByRank) {
  ZSet zset;
  for (int i = 0; i < 300; ++i) zset.Insert("m" + std::to_string(i), i);
  EXPECT_EQ(zset.EraseRangeByRank(10, 19), 10u);
  EXPECT_EQ(zset.size(), 290u);
  EXPECT_EQ(zset.AtRank(10)->member(), "m20");
  EXPECT_EQ(zset.EraseRangeByRank(0, 0), 1u);
  EXPECT_EQ(zset.First()->member(), "m1");
  EXPECT_EQ(zset.EraseRangeByRank(0, 288), 289u);
  EXPECT_TRUE(zset.empty());
  EXPECT_TRUE(zset.Validate());
}

TEST(ZSetTest, EncodingFollowsRedisListpackLimits) {
  ZSet zset;
  for (size_t i = 0; i < ZSet::kMaxListpackEntries; ++i) zset.Insert("m" + std::to_string(i), i);
  EXPECT_EQ(zset.Encoding(), "listpack");
  zset.Insert("one-more", 0);
  EXPECT_EQ(zset.Encoding(), "skiplist");
  // Redis never converts back on deletion.
  zset.EraseRangeByRank(0, 100);
  EXPECT_EQ(zset.Encoding(), "skiplist");

  ZSet wide;
  wide.Insert(std::string(64, 'x'), 1);
  EXPECT_EQ(wide.Encoding(), "listpack");
  wide.Insert(std::string(65, 'y'), 1);
  EXPECT_EQ(wide.Encoding(), "skiplist");
  wide.Erase(std::string(65, 'y'));
  EXPECT_EQ(wide.Encoding(), "skiplist");
  // A store command's result is re-encoded from scratch.
  wide.ResetEncoding();
  EXPECT_EQ(wide.Encoding(), "listpack");
  EXPECT_EQ(wide.Clone()->Encoding(), "listpack");
  zset.ResetEncoding();
  EXPECT_EQ(zset.Encoding(), "listpack");
}

TEST(ZSetTest, ListpackStoresNegativeZeroAsZero) {
  ZSet small;
  small.Insert("a", -0.0);
  EXPECT_FALSE(std::signbit(*small.Find("a")));
  small.Insert("b", 1);
  small.Update("b", -0.0);
  EXPECT_FALSE(std::signbit(*small.Find("b")));

  ZSet large;
  large.Insert(std::string(65, 'x'), 1);
  large.Insert("a", -0.0);
  EXPECT_TRUE(std::signbit(*large.Find("a")));
  // Cloning keeps the encoding and so the sign.
  EXPECT_TRUE(std::signbit(*large.Clone()->Find("a")));
  large.Erase(std::string(65, 'x'));
  large.ResetEncoding();
  EXPECT_FALSE(std::signbit(*large.Find("a")));
  EXPECT_TRUE(large.Validate());
}

TEST(ZSetTest, CloneIsDeepAndEqual) {
  ZSet zset;
  for (int i = 0; i < 500; ++i) zset.Insert("m" + std::to_string(i), i % 7);
  auto copy = zset.Clone();
  EXPECT_EQ(Contents(*copy), Contents(zset));
  EXPECT_EQ(copy->Encoding(), "skiplist");
  EXPECT_TRUE(copy->Validate());
  zset.Erase("m1");
  EXPECT_NE(copy->Find("m1"), nullptr);
}

TEST(ZSetTest, ScanVisitsEveryMemberDespiteChanges) {
  ZSet zset;
  for (int i = 0; i < 1000; ++i) zset.Insert("m" + std::to_string(i), i);
  std::set<std::string> seen;
  uint64_t cursor = 0;
  int step = 0;
  do {
    cursor = zset.Scan(cursor, [&](std::string_view member, double score) {
      EXPECT_EQ(*zset.Find(member), score);
      seen.insert(std::string(member));
    });
    // Grow the table mid-scan: members present from start to end must still be seen.
    if (++step == 20) {
      for (int i = 1000; i < 3000; ++i) zset.Insert("n" + std::to_string(i), i);
    }
  } while (cursor != 0);
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(seen.count("m" + std::to_string(i))) << i;
}

// Random operations against the model, checking structure, order, ranks and ranges throughout.
TEST(ZSetTest, MatchesModelUnderRandomOperations) {
  ZSet::SeedLevels(1);
  std::mt19937_64 rng(12345);
  const std::vector<double> score_pool = {-kInf, -2.5, -1, -0.0, 0, 0.5, 1, 2, 3, 1e300, kInf};
  auto random_score = [&]() {
    if (rng() % 3 == 0) return score_pool[rng() % score_pool.size()];
    return static_cast<double>(static_cast<int64_t>(rng() % 2000) - 1000) / 8;
  };
  // Small alphabets make members collide often; large ones grow sets into the hundreds. Some
  // members are long enough to force the skiplist encoding.
  int letters = 4;
  auto random_member = [&]() {
    const size_t length = rng() % 50 == 0 ? 70 : 1 + rng() % 3;
    std::string member;
    for (size_t i = 0; i < length; ++i) {
      member.push_back(static_cast<char>('a' + rng() % static_cast<uint64_t>(letters)));
    }
    return member;
  };
  auto random_range = [&]() {
    ScoreRange range{random_score(), random_score(), rng() % 2 == 0, rng() % 2 == 0};
    if (rng() % 2 == 0 && range.min > range.max) std::swap(range.min, range.max);
    return range;
  };
  auto random_bound = [&]() -> LexBound {
    switch (rng() % 6) {
      case 0:
        return MinusInf();
      case 1:
        return PlusInf();
      case 2:
        return Exclusive(random_member());
      default:
        return Inclusive(random_member());
    }
  };

  size_t max_size = 0;
  for (int round = 0; round < 20; ++round) {
    letters = round < 10 ? 4 : 16;
    ZSet zset;
    Model model;
    for (int op = 0; op < 2000; ++op) {
      int kind = static_cast<int>(rng() % 100);
      // Large rounds mostly grow, so the set gets big.
      if (letters > 4 && kind >= 45 && kind < 80 && rng() % 8 != 0) kind = 0;
      if (kind < 45) {
        const std::string member = random_member();
        const double score = random_score();
        if (zset.Find(member)) {
          zset.Update(member, score);
        } else {
          zset.Insert(member, score);
        }
        model.Set(member, score);
      } else if (kind < 65) {
        const std::string member = random_member();
        ASSERT_EQ(zset.Erase(member), model.Erase(member));
      } else if (kind < 70) {
        const ScoreRange range = random_range();
        size_t expected = 0;
        for (const auto& [score, member] : model.Sorted()) {
          if (range.GteMin(score) && range.LteMax(score)) {
            model.Erase(member);
            ++expected;
          }
        }
        ASSERT_EQ(zset.EraseRangeByScore(range), expected);
      } else if (kind < 73) {
        // With mixed scores a lex range is not contiguous in the order, and which run Redis
        // (and we) remove depends on the skiplist's shape: the run starts at an element above
        // the minimum and continues while elements stay below the maximum.
        const LexRange range{random_bound(), random_bound()};
        const auto before = model.Sorted();
        const size_t removed = zset.EraseRangeByLex(range);
        size_t gone = 0;
        int runs = 0;
        bool in_run = false;
        for (const auto& [score, member] : before) {
          const bool missing = zset.Find(member) == nullptr;
          if (missing) {
            ASSERT_TRUE(range.LteMax(member)) << member;
            if (!in_run) ASSERT_TRUE(range.GteMin(member)) << member;
            model.Erase(member);
            ++gone;
            if (!in_run) ++runs;
          }
          in_run = missing;
        }
        ASSERT_EQ(removed, gone);
        ASSERT_LE(runs, 1);
      } else if (kind < 76 && !zset.empty()) {
        const size_t a = rng() % zset.size(), b = rng() % zset.size();
        const size_t start = std::min(a, b), stop = std::max(a, b);
        const auto sorted = model.Sorted();
        for (size_t i = start; i <= stop; ++i) model.Erase(sorted[i].second);
        ASSERT_EQ(zset.EraseRangeByRank(start, stop), stop - start + 1);
      } else if (kind < 80 && !zset.empty()) {
        // Pop from either end, as ZPOPMIN/ZPOPMAX do.
        const ZSet::Node* node = rng() % 2 ? zset.First() : zset.Last();
        const std::string member(node->member());
        ASSERT_TRUE(zset.Erase(member));
        model.Erase(member);
      } else {
        // Queries.
        const auto sorted = model.Sorted();
        const ScoreRange range = random_range();
        size_t in_range = 0;
        const std::pair<double, std::string>* first = nullptr;
        const std::pair<double, std::string>* last = nullptr;
        for (const auto& element : sorted) {
          if (range.GteMin(element.first) && range.LteMax(element.first)) {
            ++in_range;
            if (!first) first = &element;
            last = &element;
          }
        }
        ASSERT_EQ(zset.CountInRange(range), in_range);
        const ZSet::Node* found_first = zset.FirstInRange(range);
        const ZSet::Node* found_last = zset.LastInRange(range);
        ASSERT_EQ(found_first == nullptr, first == nullptr);
        if (first) {
          ASSERT_EQ(found_first->member(), first->second);
          ASSERT_EQ(found_last->member(), last->second);
        }
      }
      max_size = std::max(max_size, zset.size());
      if (op % 50 == 0 || zset.size() < 5) {
        ASSERT_TRUE(zset.Validate()) << "round " << round << " op " << op;
        const auto sorted = model.Sorted();
        const auto contents = Contents(zset);
        ASSERT_EQ(contents.size(), sorted.size());
        for (size_t i = 0; i < sorted.size(); ++i) {
          // Compare scores numerically (-0 and 0 are equal; a listpack stores -0 as 0).
          ASSERT_EQ(contents[i].first, sorted[i].first);
          ASSERT_EQ(contents[i].second, sorted[i].second);
          ASSERT_EQ(zset.Rank(sorted[i].second), static_cast<int64_t>(i));
          ASSERT_EQ(zset.AtRank(i)->member(), sorted[i].second);
          ASSERT_EQ(*zset.Find(sorted[i].second), sorted[i].first);
        }
      }
    }
  }
  // The large-alphabet rounds must have exercised sets well past the listpack size.
  EXPECT_GT(max_size, 200u);
}

// Lex queries against the model on sets whose scores are all equal (where lex order is defined).
TEST(ZSetTest, LexQueriesMatchModel) {
  std::mt19937_64 rng(777);
  auto random_member = [&]() {
    std::string member;
    const size_t length = rng() % 4;
    for (size_t i = 0; i < length; ++i) member.push_back(static_cast<char>('a' + rng() % 3));
    return member;
  };
  auto random_bound = [&]() -> LexBound {
    switch (rng() % 6) {
      case 0:
        return MinusInf();
      case 1:
        return PlusInf();
      case 2:
        return Exclusive(random_member());
      default:
        return Inclusive(random_member());
    }
  };
  for (int round = 0; round < 200; ++round) {
    ZSet zset;
    std::set<std::string> model;
    // Odd rounds hold a long member, so the skiplist search is used instead of the listpack one.
    if (round % 2 == 1) {
      model.insert(std::string(70, 'b'));
      zset.Insert(std::string(70, 'b'), 7);
    }
    for (int i = 0; i < 30; ++i) {
      std::string member = random_member();
      if (model.insert(member).second) zset.Insert(member, 7);
    }
    ASSERT_EQ(zset.Encoding(), round % 2 == 1 ? "skiplist" : "listpack");
    for (int q = 0; q < 50; ++q) {
      const LexRange range{random_bound(), random_bound()};
      std::vector<std::string> expected;
      if (!range.Empty()) {
        for (const std::string& member : model) {
          if (range.GteMin(member) && range.LteMax(member)) expected.push_back(member);
        }
      }
      ASSERT_EQ(zset.CountInLexRange(range), expected.size());
      const ZSet::Node* first = zset.FirstInLexRange(range);
      const ZSet::Node* last = zset.LastInLexRange(range);
      ASSERT_EQ(first == nullptr, expected.empty());
      if (!expected.empty()) {
        ASSERT_EQ(first->member(), expected.front());
        ASSERT_EQ(last->member(), expected.back());
      }
    }
  }
}

}  // namespace
}  // namespace drayman
