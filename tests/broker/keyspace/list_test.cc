#include "broker/keyspace/list.h"

#include <gtest/gtest.h>
#include <malloc.h>

#include <cstdio>
#include <deque>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace drayman {
namespace {

std::vector<std::string> Contents(const List& list) {
  std::vector<std::string> out;
  if (!list.empty())
    list.ForRange(0, list.size() - 1, [&](std::string_view v) { out.emplace_back(v); });
  return out;
}

std::vector<std::string> Contents(const std::deque<std::string>& model) {
  return std::vector<std::string>(model.begin(), model.end());
}

std::string Value(size_t i, size_t length) {
  std::string v = std::to_string(i) + ":";
  while (v.size() < length) v.push_back(static_cast<char>('a' + (v.size() + i) % 26));
  v.resize(length);
  return v;
}

TEST(ListTest, PushAndPopBothEndsAcrossChunkBoundaries) {
  for (uint32_t chunk_bytes : {64u, 128u, 1024u, List::kDefaultChunkBytes}) {
    SCOPED_TRACE(chunk_bytes);
    List list(chunk_bytes);
    std::deque<std::string> model;
    for (size_t i = 0; i < 2000; ++i) {
      std::string v = Value(i, i % 40);
      if (i % 3 == 0) {
        list.PushFront(v);
        model.push_front(v);
      } else {
        list.PushBack(v);
        model.push_back(v);
      }
    }
    EXPECT_GT(list.chunk_count(), 1u);
    EXPECT_EQ(list.size(), model.size());
    EXPECT_EQ(Contents(list), Contents(model));
    EXPECT_EQ(list.Front(), model.front());
    EXPECT_EQ(list.Back(), model.back());
    while (!model.empty()) {
      if (model.size() % 2) {
        ASSERT_EQ(list.PopFront(), model.front());
        model.pop_front();
      } else {
        ASSERT_EQ(list.PopBack(), model.back());
        model.pop_back();
      }
      ASSERT_EQ(list.size(), model.size());
    }
    EXPECT_TRUE(list.empty());
    EXPECT_EQ(list.chunk_count(), 0u);
  }
}

TEST(ListTest, QueueOfHundredByteMessagesUsesFullChunks) {
  List list;
  std::string message(100, 'x');
  for (int i = 0; i < 10000; ++i) list.PushFront(message);
  // 102-byte entries, 80 per 8 KB chunk; the first chunk grew from a small one and may hold less.
  EXPECT_LE(list.chunk_count(), 126u);
  EXPECT_GT(list.MemoryUsage(), 10000u * 102);
  EXPECT_LT(list.MemoryUsage(), 10000u * 105);
  for (int i = 0; i < 10000; ++i) ASSERT_EQ(list.PopBack(), message);
  EXPECT_EQ(list.chunk_count(), 0u);
}

TEST(ListTest, LengthPrefixesOfEverySize) {
  List list(256);
  std::vector<size_t> lengths = {0, 1, 127, 128, 129, 255, 16383, 16384, 16385, (1u << 21) + 3};
  for (size_t length : lengths) {
    list.PushBack(std::string(length, 'a'));
    list.PushFront(std::string(length, 'b'));
  }
  for (size_t i = 0; i < lengths.size(); ++i) {
    EXPECT_EQ(list.At(lengths.size() + i), std::string(lengths[i], 'a'));
    EXPECT_EQ(list.At(lengths.size() - 1 - i), std::string(lengths[i], 'b'));
  }
  for (size_t i = lengths.size(); i-- > 0;)
    EXPECT_EQ(list.PopFront(), std::string(lengths[i], 'b'));
  for (size_t length : lengths) EXPECT_EQ(list.PopFront(), std::string(length, 'a'));
  EXPECT_TRUE(list.empty());
}

TEST(ListTest, RemoveInsertTrimSet) {
  List list(64);
  for (const char* v : {"a", "b", "a", "c", "a", "d", "a"}) list.PushBack(v);
  EXPECT_EQ(list.Remove("a", 2), 2u);
  EXPECT_EQ(Contents(list), (std::vector<std::string>{"b", "c", "a", "d", "a"}));
  EXPECT_EQ(list.Remove("a", -1), 1u);
  EXPECT_EQ(Contents(list), (std::vector<std::string>{"b", "c", "a", "d"}));
  EXPECT_EQ(list.Remove("zz", 0), 0u);
  EXPECT_TRUE(list.Insert("c", "X", /*after=*/false));
  EXPECT_TRUE(list.Insert("d", "Y", /*after=*/true));
  EXPECT_FALSE(list.Insert("nope", "Z", true));
  EXPECT_EQ(Contents(list), (std::vector<std::string>{"b", "X", "c", "a", "d", "Y"}));
  list.Set(0, std::string(100, 'q'));  // larger than a 64-byte chunk
  list.Set(5, "");
  EXPECT_EQ(list.At(0), std::string(100, 'q'));
  EXPECT_EQ(list.At(5), "");
  list.Trim(1, 3);
  EXPECT_EQ(Contents(list), (std::vector<std::string>{"X", "c", "a"}));
  list.Trim(2, 1);
  EXPECT_TRUE(list.empty());
}

std::vector<std::string> Walk(List::Frozen& frozen) {
  std::vector<std::string> out;
  frozen.Rewind();
  std::string_view element;
  while (frozen.Next(&element)) out.emplace_back(element);
  return out;
}

// Also takes Frozen copies along the way (a few alive at a time, as a snapshot holds one while the
// list changes): each must still walk as the list was when it was taken, whatever came after,
// including the list's destruction. The sanitizer build catches a chunk freed under a copy.
TEST(ListTest, RandomOperationsMatchDeque) {
  std::mt19937_64 rng(12345);
  for (uint32_t chunk_bytes : {64u, 96u, 200u, 1024u, List::kDefaultChunkBytes}) {
    SCOPED_TRACE(chunk_bytes);
    auto owned_list = std::make_unique<List>(chunk_bytes);
    List& list = *owned_list;
    std::deque<std::string> model;
    std::deque<std::pair<std::unique_ptr<List::Frozen>, std::vector<std::string>>> frozen;
    auto pick = [&](size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng); };
    auto random_value = [&] {
      // A small alphabet of short values (so LREM/LINSERT find matches) plus long ones.
      size_t kind = pick(10);
      if (kind < 6) return std::string(1, static_cast<char>('a' + pick(4)));
      if (kind < 9) return Value(pick(1000), pick(150));
      return Value(pick(1000), 200 + pick(3000));
    };
    for (int step = 0; step < 20000; ++step) {
      size_t op = pick(100);
      if (op < 25) {
        std::string v = random_value();
        list.PushBack(v);
        model.push_back(v);
      } else if (op < 50) {
        std::string v = random_value();
        list.PushFront(v);
        model.push_front(v);
      } else if (op < 62) {
        if (!model.empty()) {
          ASSERT_EQ(list.PopBack(), model.back());
          model.pop_back();
        }
      } else if (op < 74) {
        if (!model.empty()) {
          ASSERT_EQ(list.PopFront(), model.front());
          model.pop_front();
        }
      } else if (op < 80) {
        if (!model.empty()) {
          size_t i = pick(model.size());
          ASSERT_EQ(list.At(i), model[i]);
        }
      } else if (op < 86) {
        if (!model.empty()) {
          size_t i = pick(model.size());
          std::string v = random_value();
          list.Set(i, v);
          model[i] = v;
        }
      } else if (op < 90) {
        std::string pivot(1, static_cast<char>('a' + pick(4)));
        std::string v = random_value();
        bool after = pick(2);
        auto it = std::find(model.begin(), model.end(), pivot);
        ASSERT_EQ(list.Insert(pivot, v, after), it != model.end());
        if (it != model.end()) model.insert(after ? it + 1 : it, v);
      } else if (op < 94) {
        std::string target(1, static_cast<char>('a' + pick(4)));
        int64_t count = static_cast<int64_t>(pick(5)) - 2;
        size_t expected = 0;
        if (count >= 0) {
          for (auto it = model.begin(); it != model.end();) {
            if (*it == target && (count == 0 || expected < static_cast<size_t>(count))) {
              it = model.erase(it);
              ++expected;
            } else {
              ++it;
            }
          }
        } else {
          for (size_t i = model.size(); i-- > 0 && expected < static_cast<size_t>(-count);) {
            if (model[i] == target) {
              model.erase(model.begin() + static_cast<long>(i));
              ++expected;
            }
          }
        }
        ASSERT_EQ(list.Remove(target, count), expected);
      } else if (op < 95) {
        if (!model.empty()) {
          size_t start = pick(model.size() / 4 + 1);
          size_t stop = model.size() - 1 - pick(model.size() / 4 + 1);
          if (pick(20) == 0) stop = start - (start > 0 ? 1 : 0);
          list.Trim(start, stop);
          if (start > stop) {
            model.clear();
          } else {
            model.erase(model.begin() + static_cast<long>(stop) + 1, model.end());
            model.erase(model.begin(), model.begin() + static_cast<long>(start));
          }
        }
      } else if (op < 98) {
        if (!model.empty()) {
          size_t a = pick(model.size());
          size_t b = pick(model.size());
          std::vector<std::string> got;
          std::vector<std::string> want;
          list.ForRange(std::min(a, b), std::max(a, b),
                        [&](std::string_view v) { got.emplace_back(v); });
          for (size_t i = std::min(a, b); i <= std::max(a, b); ++i) want.push_back(model[i]);
          ASSERT_EQ(got, want);
          got.clear();
          want.clear();
          list.ForRangeReverse(std::max(a, b), std::min(a, b),
                               [&](std::string_view v) { got.emplace_back(v); });
          for (size_t i = std::max(a, b) + 1; i-- > std::min(a, b);) want.push_back(model[i]);
          ASSERT_EQ(got, want);
        }
      } else {
        std::unique_ptr<List> copy = list.Clone();
        ASSERT_EQ(Contents(*copy), Contents(model));
        std::vector<std::string> tail;
        copy->ForEachWhile(true, [&](std::string_view v) {
          tail.emplace_back(v);
          return tail.size() < 3;
        });
        std::vector<std::string> want;
        for (size_t i = model.size(); i-- > 0 && want.size() < 3;) want.push_back(model[i]);
        ASSERT_EQ(tail, want);
      }
      ASSERT_EQ(list.size(), model.size()) << "step " << step;
      if (step % 500 == 0) {
        ASSERT_EQ(Contents(list), Contents(model)) << "step " << step;
      }
      if (step % 97 == 0) {
        frozen.emplace_back(list.Freeze(), Contents(model));
        ASSERT_EQ(frozen.back().first->size(), model.size());
      }
      if (frozen.size() > 3) {
        ASSERT_EQ(Walk(*frozen.front().first), frozen.front().second) << "step " << step;
        frozen.pop_front();
      }
    }
    EXPECT_EQ(Contents(list), Contents(model));
    owned_list.reset();
    for (auto& [copy, contents] : frozen) EXPECT_EQ(Walk(*copy), contents);
  }
}

// The Celery pattern while a snapshot holds a copy: pushes at the head and pops at the tail copy
// only the chunk at the head, once; the frozen chunks the list drops stay alive for the copy.
TEST(ListTest, FrozenCopySharesChunksAndTheListCopiesOnlyWhatItWrites) {
  List list;
  for (int i = 0; i < 10000; ++i) list.PushFront(Value(i, 100));
  const size_t chunks = list.chunk_count();
  std::unique_ptr<List::Frozen> frozen = list.Freeze();
  const std::vector<std::string> before = Walk(*frozen);
  for (int i = 0; i < 5000; ++i) {
    list.PushFront(Value(100000 + i, 100));
    list.PopBack();
  }
  EXPECT_EQ(Walk(*frozen), before);
  EXPECT_EQ(frozen->size(), 10000u);
  EXPECT_EQ(list.size(), 10000u);
  EXPECT_NEAR(static_cast<double>(list.chunk_count()), static_cast<double>(chunks), 2);
  EXPECT_EQ(list.At(0), Value(104999, 100));
  EXPECT_EQ(list.At(9999), Value(5000, 100));
  frozen.reset();
  list.Clear();
  EXPECT_TRUE(list.empty());
}

// Measures the heap growth per queued 100-byte message (the Celery workload: LPUSH of ~100-byte
// JSON, millions queued). Redis 7.0's quicklist of listpacks: about 105 bytes per item.
TEST(ListMemoryTest, MillionQueuedHundredByteMessages) {
  constexpr size_t kItems = 1000000;
  std::string message(100, 'm');
  malloc_trim(0);
  struct mallinfo2 before = mallinfo2();
  auto list = std::make_unique<List>();
  for (size_t i = 0; i < kItems; ++i) {
    std::snprintf(message.data(), 8, "%07zu", i % 10000000);
    list->PushFront(message);
  }
  struct mallinfo2 after = mallinfo2();
  const double allocated =
      static_cast<double>((after.uordblks + after.hblkhd) - (before.uordblks + before.hblkhd));
  if (allocated <= 0) GTEST_SKIP() << "mallinfo2 does not see this allocator (sanitizer build)";
  const double per_item = allocated / kItems;
  std::printf("[ measure  ] list: %.2f heap bytes per queued 100-byte item (%zu chunks)\n",
              per_item, list->chunk_count());
  RecordProperty("bytes_per_item", std::to_string(per_item));
  EXPECT_LT(per_item, 105.0);
  EXPECT_EQ(list->size(), kItems);
  EXPECT_EQ(list->PopBack().substr(0, 7), "0000000");
}

}  // namespace
}  // namespace drayman
