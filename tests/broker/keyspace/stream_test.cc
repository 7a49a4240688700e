// Stream (broker/keyspace/stream.h): entries in Redis's node format, node splitting, deletion,
// trimming, consumer group state, and the node listpacks RDB files carry.
#include "broker/keyspace/stream.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "broker/persistence/listpack.h"

namespace drayman {
namespace {

std::vector<std::string> Fv(std::initializer_list<std::string> items) { return items; }

void Add(Stream& s, StreamId id, const std::vector<std::string>& fv) { s.Append(id, fv); }

std::vector<std::string> Ids(const Stream& s, bool rev = false, StreamId start = {},
                             StreamId end = StreamId::Max()) {
  std::vector<std::string> out;
  s.Range(start, end, rev, [&](const Stream::EntryView& e) {
    out.push_back(e.id.ToString());
    return true;
  });
  return out;
}

std::vector<std::string> Node(const Stream& s, size_t index) {
  auto it = s.blocks().begin();
  std::advance(it, index);
  return {it->first.ToString(), std::to_string(it->second.live),
          std::to_string(it->second.deleted)};
}

TEST(StreamIdTest, ParseAndFormat) {
  StreamId id;
  bool seq_given = true;
  EXPECT_TRUE(ParseStreamId("5-3", 0, true, &id, &seq_given));
  EXPECT_EQ(id, (StreamId{5, 3}));
  EXPECT_TRUE(seq_given);
  EXPECT_TRUE(ParseStreamId("5", 7, true, &id));
  EXPECT_EQ(id, (StreamId{5, 7}));
  EXPECT_TRUE(ParseStreamId("5-*", 0, true, &id, &seq_given, true));
  EXPECT_EQ(id, (StreamId{5, 0}));
  EXPECT_FALSE(seq_given);
  EXPECT_FALSE(ParseStreamId("5-*", 0, true, &id, &seq_given, false));
  EXPECT_FALSE(ParseStreamId("-", 0, true, &id));
  EXPECT_TRUE(ParseStreamId("-", 0, false, &id));
  EXPECT_EQ(id, (StreamId{0, 0}));
  EXPECT_TRUE(ParseStreamId("+", 0, false, &id));
  EXPECT_EQ(id, StreamId::Max());
  EXPECT_FALSE(ParseStreamId("1-x", 0, true, &id));
  EXPECT_FALSE(ParseStreamId("18446744073709551616", 0, true, &id));
  EXPECT_TRUE(ParseStreamId("18446744073709551615-18446744073709551615", 0, true, &id));
  EXPECT_EQ(id, StreamId::Max());
  EXPECT_EQ(StreamId::Max().ToString(), "18446744073709551615-18446744073709551615");
  StreamId max = StreamId::Max();
  EXPECT_FALSE(max.Increment());
  StreamId zero;
  EXPECT_FALSE(zero.Decrement());
  StreamId carry{1, UINT64_MAX};
  EXPECT_TRUE(carry.Increment());
  EXPECT_EQ(carry, (StreamId{2, 0}));
  EXPECT_TRUE(carry.Decrement());
  EXPECT_EQ(carry, (StreamId{1, UINT64_MAX}));
}

TEST(StreamTest, AppendAndRangeBothWays) {
  Stream s;
  Add(s, {1, 1}, Fv({"a", "1"}));
  Add(s, {1, 2}, Fv({"a", "2"}));
  Add(s, {3, 0}, Fv({"b", "x", "c", ""}));
  EXPECT_EQ(s.length(), 3u);
  EXPECT_EQ(s.first_id(), (StreamId{1, 1}));
  EXPECT_EQ(s.last_id(), (StreamId{3, 0}));
  EXPECT_EQ(s.entries_added(), 3u);
  EXPECT_EQ(Ids(s), (std::vector<std::string>{"1-1", "1-2", "3-0"}));
  EXPECT_EQ(Ids(s, true), (std::vector<std::string>{"3-0", "1-2", "1-1"}));
  EXPECT_EQ(Ids(s, false, {1, 2}, {2, 0}), (std::vector<std::string>{"1-2"}));
  std::vector<std::vector<std::string>> seen;
  s.Range({}, StreamId::Max(), false, [&](const Stream::EntryView& e) {
    seen.push_back(e.fields_and_values);
    return true;
  });
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0], Fv({"a", "1"}));
  EXPECT_EQ(seen[1], Fv({"a", "2"}));
  EXPECT_EQ(seen[2], Fv({"b", "x", "c", ""}));
  EXPECT_TRUE(s.Contains({1, 2}));
  EXPECT_FALSE(s.Contains({1, 3}));
  EXPECT_EQ(s.EdgeId(true), (StreamId{1, 1}));
  EXPECT_EQ(s.EdgeId(false), (StreamId{3, 0}));
}

TEST(StreamTest, NodesHoldAtMostOneHundredEntries) {
  Stream s;
  for (uint64_t i = 1; i <= 250; ++i) Add(s, {i, 1}, Fv({"field", "v" + std::to_string(i)}));
  ASSERT_EQ(s.blocks().size(), 3u);
  EXPECT_EQ(Node(s, 0), (std::vector<std::string>{"1-1", "100", "0"}));
  EXPECT_EQ(Node(s, 1), (std::vector<std::string>{"101-1", "100", "0"}));
  EXPECT_EQ(Node(s, 2), (std::vector<std::string>{"201-1", "50", "0"}));
}

TEST(StreamTest, NodesSplitWhenTheListpackWouldReachFourKilobytes) {
  // Redis's rule: a new node when the tail listpack's bytes plus the new entry's field and value
  // lengths reach stream-node-max-bytes.
  Stream s;
  const std::string value(1000, 'v');
  for (uint64_t i = 1; i <= 10; ++i) Add(s, {i, 0}, Fv({"f", value}));
  // A node starts at 1030 bytes and each entry adds 1012 (flags, two deltas, the value, lp-count):
  // the fifth would bring 4066 + 1001 past 4096.
  ASSERT_EQ(s.blocks().size(), 3u);
  EXPECT_EQ(Node(s, 0), (std::vector<std::string>{"1-0", "4", "0"}));
  EXPECT_EQ(Node(s, 2), (std::vector<std::string>{"9-0", "2", "0"}));
  // Entries larger than a node each take a node of their own.
  Stream big;
  const std::string large(5000, 'x');
  for (uint64_t i = 1; i <= 3; ++i) Add(big, {i, 0}, Fv({"f", large}));
  EXPECT_EQ(big.blocks().size(), 3u);
  EXPECT_EQ(Ids(big, true), (std::vector<std::string>{"3-0", "2-0", "1-0"}));
}

TEST(StreamTest, EntriesWithOtherFieldsThanTheMasterKeepTheirFields) {
  Stream s;
  Add(s, {1, 0}, Fv({"a", "1", "b", "2"}));
  Add(s, {2, 0}, Fv({"a", "3", "b", "4"}));  // same fields: values only
  Add(s, {3, 0}, Fv({"b", "5", "a", "6"}));  // other order: fields kept
  Add(s, {4, 0}, Fv({"a", "7"}));
  std::vector<std::vector<std::string>> seen;
  s.Range({}, StreamId::Max(), true, [&](const Stream::EntryView& e) {
    seen.push_back(e.fields_and_values);
    return true;
  });
  ASSERT_EQ(seen.size(), 4u);
  EXPECT_EQ(seen[0], Fv({"a", "7"}));
  EXPECT_EQ(seen[1], Fv({"b", "5", "a", "6"}));
  EXPECT_EQ(seen[2], Fv({"a", "3", "b", "4"}));
  EXPECT_EQ(seen[3], Fv({"a", "1", "b", "2"}));
}

TEST(StreamTest, DeleteMarksEntriesAndDropsEmptyNodes) {
  Stream s;
  for (uint64_t i = 1; i <= 102; ++i) Add(s, {i, 0}, Fv({"f", "v"}));
  EXPECT_TRUE(s.Delete({2, 0}));
  EXPECT_FALSE(s.Delete({2, 0}));
  EXPECT_FALSE(s.Delete({500, 0}));
  EXPECT_EQ(s.length(), 101u);
  EXPECT_EQ(Node(s, 0), (std::vector<std::string>{"1-0", "99", "1"}));
  EXPECT_TRUE(s.Delete({101, 0}));
  EXPECT_TRUE(s.Delete({102, 0}));
  EXPECT_EQ(s.blocks().size(), 1u);  // the second node lost its last live entry
  EXPECT_EQ(s.last_id(), (StreamId{102, 0}));  // the last ID stays
  EXPECT_FALSE(s.Contains({101, 0}));
  EXPECT_EQ(Ids(s, false, {1, 0}, {3, 0}), (std::vector<std::string>{"1-0", "3-0"}));
}

TEST(StreamTest, TrimMaxlenExactRemovesNodesThenMarksEntries) {
  Stream s;
  for (uint64_t i = 1; i <= 250; ++i) Add(s, {i, 0}, Fv({"f", "v"}));
  Stream::TrimArgs args;
  args.strategy = Stream::TrimStrategy::kMaxLen;
  args.maxlen = 120;
  EXPECT_EQ(s.Trim(args), 130);
  EXPECT_EQ(s.length(), 120u);
  ASSERT_EQ(s.blocks().size(), 2u);
  EXPECT_EQ(Node(s, 0), (std::vector<std::string>{"101-0", "70", "30"}));
  EXPECT_EQ(s.first_id(), (StreamId{131, 0}));
}

TEST(StreamTest, TrimApproximateStopsAtANodeBoundaryAndHonoursLimit) {
  Stream s;
  for (uint64_t i = 1; i <= 250; ++i) Add(s, {i, 0}, Fv({"f", "v"}));
  Stream::TrimArgs args;
  args.strategy = Stream::TrimStrategy::kMaxLen;
  args.approx = true;
  args.maxlen = 120;
  args.limit = 10000;
  EXPECT_EQ(s.Trim(args), 100);  // removing the second node too would leave 50 < 120
  EXPECT_EQ(s.length(), 150u);
  args.maxlen = 0;
  args.limit = 99;  // less than a node: nothing
  EXPECT_EQ(s.Trim(args), 0);
  args.limit = 100;
  EXPECT_EQ(s.Trim(args), 100);
  EXPECT_EQ(s.length(), 50u);
  EXPECT_EQ(s.first_id(), (StreamId{201, 0}));
}

TEST(StreamTest, TrimMinidExactAndApproximate) {
  Stream s;
  for (uint64_t i = 1; i <= 250; ++i) Add(s, {i, 0}, Fv({"f", "v"}));
  Stream::TrimArgs args;
  args.strategy = Stream::TrimStrategy::kMinId;
  args.approx = true;
  args.minid = {150, 0};
  EXPECT_EQ(s.Trim(args), 100);  // only the first node ends below 150-0
  args.approx = false;
  EXPECT_EQ(s.Trim(args), 49);
  EXPECT_EQ(s.first_id(), (StreamId{150, 0}));
  EXPECT_EQ(s.Trim(args), 0);
  args.minid = StreamId::Max();
  EXPECT_EQ(s.Trim(args), 101);
  EXPECT_EQ(s.length(), 0u);
  EXPECT_EQ(s.first_id(), (StreamId{0, 0}));
  EXPECT_EQ(s.last_id(), (StreamId{250, 0}));
}

TEST(StreamTest, NodeListpacksRoundTripAndRefuseDamage) {
  Stream s;
  const std::string large(300, 'L');
  Add(s, {5, 0}, Fv({"field", large, "n", "42"}));
  Add(s, {5, 1}, Fv({"field", "small", "n", "-7"}));
  Add(s, {6, 0}, Fv({"other", large}));
  s.Delete({5, 1});
  const Stream::Block& block = s.blocks().begin()->second;
  const std::string lp = Stream::BlockToListpack(block);
  Stream::Block back;
  ASSERT_TRUE(Stream::ListpackToBlock(lp, {5, 0}, &back));
  EXPECT_EQ(back.body, block.body);
  EXPECT_EQ(back.live, 2u);
  EXPECT_EQ(back.deleted, 1u);
  // The listpack's last element is the last entry's lp-count; walking back over it lands on
  // the entry's flags, as Redis's reverse iteration does.
  std::string_view elements(lp);
  elements = elements.substr(listpack::kHeaderBytes, lp.size() - listpack::kHeaderBytes - 1);
  const size_t count_pos = listpack::PrevStart(elements, elements.size());
  EXPECT_EQ(listpack::At(elements, count_pos).value, 6);  // flags, ms, seq, count, field, value
  std::string truncated = lp.substr(0, lp.size() - 2) + "\xff";
  for (int i = 0; i < 4; ++i) truncated[i] = static_cast<char>(truncated.size() >> (8 * i));
  EXPECT_FALSE(Stream::ListpackToBlock(truncated, {5, 0}, &back));
  std::string bad_count = lp;
  bad_count[4] = static_cast<char>(bad_count[4] + 1);
  EXPECT_FALSE(Stream::ListpackToBlock(bad_count, {5, 0}, &back));
  std::string bad_backlen = lp;
  const size_t value_end = lp.find(large) + large.size();
  bad_backlen[value_end] = static_cast<char>(bad_backlen[value_end] | 0x80);
  EXPECT_FALSE(Stream::ListpackToBlock(bad_backlen, {5, 0}, &back));
}

TEST(StreamTest, GroupsConsumersAndPendingEntries) {
  Stream s;
  Add(s, {1, 0}, Fv({"f", "v"}));
  StreamGroup* g = s.CreateGroup("g", {0, 0}, -1);
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(s.CreateGroup("g", {0, 0}, -1), nullptr);
  s.CreateGroup("a", {0, 0}, 0);
  ASSERT_EQ(s.groups().size(), 2u);
  EXPECT_EQ(s.groups().begin()->first, "a");  // ordered by name bytes
  StreamConsumer* alice = g->CreateConsumer("alice", 1000);
  ASSERT_NE(alice, nullptr);
  EXPECT_EQ(g->CreateConsumer("alice", 2000), nullptr);
  EXPECT_EQ(g->FindConsumer("alice")->seen_time, 1000);
  StreamNack& nack = g->pel[{1, 0}];
  nack.consumer = alice;
  nack.delivery_time = 1000;
  alice->pel[{1, 0}] = &nack;
  auto copy = s.Clone();
  EXPECT_EQ(g->DeleteConsumer("alice"), 1u);
  EXPECT_TRUE(g->pel.empty());
  EXPECT_EQ(g->DeleteConsumer("alice"), 0u);
  // The clone kept its own group state, its PEL pointing at its own consumer.
  StreamGroup* cg = copy->FindGroup("g");
  ASSERT_NE(cg, nullptr);
  ASSERT_EQ(cg->pel.size(), 1u);
  StreamConsumer* calice = cg->FindConsumer("alice");
  ASSERT_NE(calice, nullptr);
  EXPECT_EQ(cg->pel.begin()->second.consumer, calice);
  EXPECT_EQ(calice->pel.begin()->second, &cg->pel.begin()->second);
  EXPECT_EQ(copy->FindGroup("a")->entries_read, 0);
}

TEST(StreamTest, DistanceFromTheFirstEverEntry) {
  Stream s;
  EXPECT_EQ(s.EstimateDistanceFromFirstEverEntry({5, 0}), 0);
  for (uint64_t i = 1; i <= 5; ++i) Add(s, {i, 0}, Fv({"f", "v"}));
  EXPECT_EQ(s.EstimateDistanceFromFirstEverEntry({5, 0}), 5);
  EXPECT_EQ(s.EstimateDistanceFromFirstEverEntry({0, 1}), 0);
  EXPECT_EQ(s.EstimateDistanceFromFirstEverEntry({1, 0}), 1);
  EXPECT_EQ(s.EstimateDistanceFromFirstEverEntry({3, 0}), -1);
  EXPECT_EQ(s.EstimateDistanceFromFirstEverEntry({9, 0}), -1);
  s.Delete({3, 0});
  s.set_max_deleted_id({3, 0});
  EXPECT_TRUE(s.RangeHasTombstones({2, 0}, StreamId::Max()));
  EXPECT_FALSE(s.RangeHasTombstones({4, 0}, StreamId::Max()));
}

}  // namespace
}  // namespace drayman
