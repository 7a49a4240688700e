// Large values in snapshots (broker/persistence/large_values.h): a long list encoded over many
// steps from a frozen copy writes exactly the bytes the one-go encoding writes (RDB and AOF
// rewrite commands), whatever the step size; the node counter agrees with the listpack builder;
// SaveQueue keeps items in order and selects databases as they change.
#include "broker/persistence/large_values.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <utility>
#include <vector>

#include "broker/persistence/aof_rewrite.h"
#include "broker/persistence/rdb_encode.h"

namespace drayman {
namespace {

std::string Element(std::mt19937_64& rng) {
  switch (rng() % 5) {
    case 0:
      return std::to_string(static_cast<int64_t>(rng()) >> (rng() % 64));  // listpack integers
    case 1:
      return std::string(rng() % 70, 'a');  // around the 63/64-byte string header boundary
    case 2:
      return std::string(4000 + rng() % 200, 'b');  // around 4095/4096
    default:
      return std::string(1400 + rng() % 200, static_cast<char>('c' + rng() % 20));  // Celery-like
  }
}

Value MakeList(size_t elements, uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto list = std::make_unique<List>();
  for (size_t i = 0; i < elements; ++i) list->PushBack(Element(rng));
  return Value(std::move(list));
}

// Runs the job to the end, handing each step's chunk to one finisher as a sink's writer does
// (LZF of the deferred strings happens there), and returns the finished bytes.
std::string RunJob(SaveJob& job, size_t budget) {
  std::string out;
  rdb::ChunkFinisher finisher;
  rdb::RdbChunk chunk;
  std::string finished;
  int steps = 0;
  auto take = [&] {
    finisher.Finish(chunk, &finished);
    out += finished;
  };
  while (!job.Step(budget, chunk)) {
    ++steps;
    take();
  }
  take();
  EXPECT_GE(steps, 1);  // never all at once: the count pass takes a step of its own
  return out;
}

TEST(LargeValuesTest, ListpackEntryBytesMatchTheBuilder) {
  std::mt19937_64 rng(7);
  rdb::ListpackBuilder builder;
  std::vector<std::string> samples = {"0",
                                      "127",
                                      "128",
                                      "-4096",
                                      "4095",
                                      "4096",
                                      "32767",
                                      "32768",
                                      "-1",
                                      "01",
                                      "9999999999999",
                                      "-9223372036854775808",
                                      "",
                                      std::string(63, 'x'),
                                      std::string(64, 'x'),
                                      std::string(125, 'x'),
                                      std::string(126, 'x'),
                                      std::string(4095, 'y'),
                                      std::string(16381, 'z'),
                                      std::string(16378, 'v'),
                                      std::string(70000, 'w')};
  for (int i = 0; i < 2000; ++i) samples.push_back(Element(rng));
  for (const std::string& element : samples) {
    const size_t before = builder.bytes();
    builder.Append(element);
    EXPECT_EQ(builder.bytes() - before, rdb::ListpackBuilder::EntryBytes(element))
        << element.substr(0, 40) << " (" << element.size() << " bytes)";
  }
}

TEST(LargeValuesTest, RdbJobWritesWhatWriteKeyWrites) {
  for (size_t elements : {1025u, 6000u}) {
    const Value value = MakeList(elements, elements);
    ASSERT_TRUE(IsLargeValue(value));
    for (bool compress : {true, false}) {
      for (int64_t expire : {int64_t{-1}, int64_t{1700000000123}}) {
        std::string whole;
        rdb::AppendKeyRecord("queue", value, expire, compress, whole);
        for (size_t budget : {1u, 7u, 128u, 100000u}) {
          SCOPED_TRACE(testing::Message() << elements << " elements, compress " << compress
                                          << ", expire " << expire << ", budget " << budget);
          auto job = MakeRdbListJob("queue", value.list().Freeze(), expire, compress);
          EXPECT_EQ(RunJob(*job, budget), whole);
        }
      }
    }
  }
}

TEST(LargeValuesTest, RewriteJobWritesWhatAppendRewriteCommandsWrites) {
  for (size_t elements : {1025u, 5000u}) {
    const Value value = MakeList(elements, elements + 1);
    for (int64_t expire : {int64_t{-1}, int64_t{1700000000123}}) {
      std::string whole;
      AppendRewriteCommands("queue", value, expire, &whole);
      for (size_t budget : {1u, 63u, 64u, 65u, 1000u}) {
        auto job = MakeRewriteListJob("queue", value.list().Freeze(), expire);
        rdb::RdbChunk out;
        while (!job->Step(budget, out)) {
        }
        EXPECT_TRUE(out.deferred.empty());  // commands: nothing to compress
        EXPECT_EQ(out.bytes, whole) << elements << " elements, budget " << budget;
      }
    }
  }
}

TEST(LargeValuesTest, SmallValuesAreNotLarge) {
  auto list = std::make_unique<List>();
  for (int i = 0; i < 1024; ++i) list->PushBack("x");
  EXPECT_FALSE(IsLargeValue(Value(std::move(list))));
  EXPECT_FALSE(IsLargeValue(Value(std::string(1 << 20, 'x'))));
  auto long_elements = std::make_unique<List>();
  for (int i = 0; i < 100; ++i) long_elements->PushBack(std::string(4000, 'x'));
  EXPECT_TRUE(IsLargeValue(Value(std::move(long_elements))));  // 50 chunks
}

// A job that needs `steps` calls and writes its name each time.
class CountingJob : public SaveJob {
 public:
  CountingJob(std::string name, int steps) : name_(std::move(name)), left_(steps) {}
  bool Step(size_t, rdb::RdbChunk& out) override {
    out.bytes += name_;
    return --left_ == 0;
  }

 private:
  std::string name_;
  int left_;
};

TEST(LargeValuesTest, QueueKeepsOrderAndSelectsOnChange) {
  SaveQueue queue;
  rdb::RdbChunk out;
  auto select = [&](int db) { out.bytes += "[" + std::to_string(db) + "]"; };
  auto bytes = [](std::string text) { return rdb::RdbChunk{std::move(text), {}, false}; };
  EXPECT_TRUE(queue.empty());
  queue.AddJob(0, std::make_unique<CountingJob>("J", 3));
  queue.AddBytes(0, bytes("a"));
  // An item with a deferred string keeps it, at its place in the output.
  queue.AddBytes(2, rdb::RdbChunk{"b0123456789", {{1, 10}}, false});
  queue.AddJob(2, std::make_unique<CountingJob>("K", 2));
  queue.AddBytes(0, bytes("c"));
  int calls = 0;
  while (!queue.Drain(10, select, out)) ++calls;
  // Drain calls select for every item; a consumer writes SELECT only when the db changes.
  EXPECT_EQ(out.bytes, "[0]JJJ[0]a[2]b0123456789[2]KK[0]c");
  ASSERT_EQ(out.deferred.size(), 1u);
  EXPECT_EQ(out.bytes.substr(out.deferred[0].offset, out.deferred[0].size), "0123456789");
  EXPECT_EQ(calls, 5);  // one job step per call: three for J, two for K
  EXPECT_TRUE(queue.empty());
}

}  // namespace
}  // namespace drayman
