// Streams in RDB type 19 (broker/persistence/rdb_stream.h): a stream with nodes, deletions,
// groups, consumers and pending entries survives encode and decode exactly; damaged group state
// is refused; the AOF rewrite emits Redis's commands.
#include "broker/persistence/rdb_stream.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "broker/persistence/rdb_format.h"

namespace drayman::rdb {
namespace {

std::unique_ptr<Stream> Sample() {
  auto s = std::make_unique<Stream>();
  const std::string large(4500, 'x');
  for (uint64_t i = 1; i <= 230; ++i) {
    std::vector<std::string> fv = {"f", i % 40 == 0 ? large : "v" + std::to_string(i)};
    if (i % 7 == 0) fv = {"g", std::to_string(i), "h", std::string(200, 'y')};
    s->Append({i, 1}, fv);
  }
  s->Delete({5, 1});
  s->Delete({150, 1});
  s->set_max_deleted_id({150, 1});
  StreamGroup* g = s->CreateGroup("g", {120, 1}, 118);
  StreamConsumer* alice = g->CreateConsumer("alice", 1700000000000);
  StreamConsumer* bob = g->CreateConsumer("bob", 1700000000500);
  g->CreateConsumer("idle", 1700000000900);
  for (uint64_t i : {3, 9, 100, 120}) {
    StreamNack& nack = g->pel[{i, 1}];
    nack.consumer = i < 50 ? alice : bob;
    nack.delivery_time = 1700000000000 + static_cast<int64_t>(i);
    nack.delivery_count = i;
    nack.consumer->pel[{i, 1}] = &nack;
  }
  s->CreateGroup("empty", {0, 0}, -1);
  return s;
}

std::string Encode(const Stream& s, bool compress) {
  std::string out;
  RdbEncodeStream(s, out, compress);
  return out;
}

TEST(RdbStreamTest, RoundTripKeepsEverything) {
  auto s = Sample();
  for (bool compress : {false, true}) {
    const std::string bytes = Encode(*s, compress);
    RdbReader reader(bytes);
    auto loaded = RdbDecodeStream(kTypeStreamListpacks2, reader);
    EXPECT_EQ(reader.offset(), bytes.size());
    EXPECT_EQ(loaded->length(), s->length());
    EXPECT_EQ(loaded->last_id(), s->last_id());
    EXPECT_EQ(loaded->first_id(), (StreamId{1, 1}));
    EXPECT_EQ(loaded->max_deleted_id(), (StreamId{150, 1}));
    EXPECT_EQ(loaded->entries_added(), 230u);
    ASSERT_EQ(loaded->blocks().size(), s->blocks().size());
    for (auto a = s->blocks().begin(), b = loaded->blocks().begin(); a != s->blocks().end();
         ++a, ++b) {
      EXPECT_EQ(a->first, b->first);
      EXPECT_EQ(a->second.body, b->second.body);
      EXPECT_EQ(a->second.live, b->second.live);
      EXPECT_EQ(a->second.deleted, b->second.deleted);
    }
    StreamGroup* g = loaded->FindGroup("g");
    ASSERT_NE(g, nullptr);
    EXPECT_EQ(g->last_id, (StreamId{120, 1}));
    EXPECT_EQ(g->entries_read, 118);
    ASSERT_EQ(g->pel.size(), 4u);
    EXPECT_EQ(g->pel.at({100, 1}).consumer->name, "bob");
    EXPECT_EQ(g->pel.at({100, 1}).delivery_time, 1700000000100);
    EXPECT_EQ(g->pel.at({100, 1}).delivery_count, 100u);
    EXPECT_EQ(g->FindConsumer("alice")->pel.size(), 2u);
    EXPECT_EQ(g->FindConsumer("idle")->seen_time, 1700000000900);
    EXPECT_EQ(loaded->FindGroup("empty")->entries_read, -1);
    // Encoding what was loaded gives the same bytes.
    EXPECT_EQ(Encode(*loaded, compress), bytes);
  }
}

TEST(RdbStreamTest, AConsumerEntryMissingFromTheGroupPelIsRefused) {
  Stream s;
  s.Append({1, 1}, std::vector<std::string>{"f", "v"});
  StreamGroup* g = s.CreateGroup("g", {1, 1}, 1);
  StreamConsumer* c = g->CreateConsumer("c", 1);
  StreamNack& nack = g->pel[{1, 1}];
  nack.consumer = c;
  c->pel[{1, 1}] = &nack;
  std::string bytes = Encode(s, false);
  // The consumer's PEL is the last 16 bytes: point it at an ID the group's PEL lacks.
  bytes[bytes.size() - 1] = 2;
  RdbReader reader(bytes);
  EXPECT_THROW(RdbDecodeStream(kTypeStreamListpacks2, reader), RdbError);
  // A group PEL entry no consumer owns is refused too.
  c->pel.clear();
  bytes = Encode(s, false);
  RdbReader orphan(bytes);
  EXPECT_THROW(RdbDecodeStream(kTypeStreamListpacks2, orphan), RdbError);
}

TEST(RdbStreamTest, DamagedNodesAreRefused) {
  Stream s;
  s.Append({1, 1}, std::vector<std::string>{"f", std::string(300, 'v')});
  const std::string good = Encode(s, false);
  const size_t value = good.find(std::string(300, 'v'));
  ASSERT_NE(value, std::string::npos);
  std::string bad = good;
  bad[value + 300] = static_cast<char>(bad[value + 300] ^ 0x80);  // the back-length's flag
  RdbReader reader(bad);
  EXPECT_THROW(RdbDecodeStream(kTypeStreamListpacks2, reader), RdbError);
  std::string length = good;
  RdbReader ok(length);
  EXPECT_EQ(RdbDecodeStream(kTypeStreamListpacks2, ok)->length(), 1u);
}

// Metadata no command can build, which the AOF rewrite's XSETID or XGROUP CREATE could not
// recreate (found by tests/fuzz/restore_fuzzer.cc; redis-server 7.0 accepts them all).
TEST(RdbStreamTest, MetadataXsetidWouldRefuseIsRefused) {
  auto decodes = [](const Stream& s) {
    const std::string bytes = Encode(s, false);
    RdbReader reader(bytes);
    try {
      RdbDecodeStream(kTypeStreamListpacks2, reader);
      return std::string("decoded");
    } catch (const RdbError& e) {
      return std::string(e.what());
    }
  };
  Stream s;
  s.Append({5, 1}, std::vector<std::string>{"f", "v"});
  s.Append({6, 1}, std::vector<std::string>{"f", "v"});
  EXPECT_EQ(decodes(s), "decoded");
  s.set_max_deleted_id({7, 0});  // above the last ID, 6-1
  EXPECT_EQ(decodes(s), "Stream max deleted entry ID is greater than its last ID");
  s.set_max_deleted_id({6, 1});  // equal is what XDEL of the top entry leaves
  EXPECT_EQ(decodes(s), "decoded");
  s.set_entries_added(1);  // below the length, 2
  EXPECT_EQ(decodes(s), "Stream entries added count is smaller than its length or out of range");
  s.set_entries_added(uint64_t{1} << 63);  // XSETID's ENTRIESADDED is a signed 64-bit number
  EXPECT_EQ(decodes(s), "Stream entries added count is smaller than its length or out of range");
  s.set_entries_added(2);
  s.CreateGroup("unknown", {5, 1}, -1);  // written as 2^64-1: fine
  EXPECT_EQ(decodes(s), "decoded");
  s.CreateGroup("negative", {5, 1}, -2);  // XGROUP CREATE ... ENTRIESREAD refuses it
  EXPECT_EQ(decodes(s), "Stream consumer group entries read out of range");
}

TEST(RdbStreamTest, RewriteCommandsRebuildTheStream) {
  Stream s;
  s.Append({1, 1}, std::vector<std::string>{"f", "v"});
  StreamGroup* g = s.CreateGroup("g", {1, 1}, 1);
  StreamConsumer* c = g->CreateConsumer("c", 5);
  g->CreateConsumer("d", 6);
  StreamNack& nack = g->pel[{1, 1}];
  nack.consumer = c;
  nack.delivery_time = 1234;
  nack.delivery_count = 3;
  c->pel[{1, 1}] = &nack;
  std::string out;
  AppendStreamRewriteCommands("k", s, &out);
  EXPECT_EQ(out,
            "*5\r\n$4\r\nXADD\r\n$1\r\nk\r\n$3\r\n1-1\r\n$1\r\nf\r\n$1\r\nv\r\n"
            "*7\r\n$6\r\nXSETID\r\n$1\r\nk\r\n$3\r\n1-1\r\n$12\r\nENTRIESADDED\r\n$1\r\n1\r\n"
            "$12\r\nMAXDELETEDID\r\n$3\r\n0-0\r\n"
            "*7\r\n$6\r\nXGROUP\r\n$6\r\nCREATE\r\n$1\r\nk\r\n$1\r\ng\r\n$3\r\n1-1\r\n"
            "$11\r\nENTRIESREAD\r\n$1\r\n1\r\n"
            "*12\r\n$6\r\nXCLAIM\r\n$1\r\nk\r\n$1\r\ng\r\n$1\r\nc\r\n$1\r\n0\r\n$3\r\n1-1\r\n"
            "$4\r\nTIME\r\n$4\r\n1234\r\n$10\r\nRETRYCOUNT\r\n$1\r\n3\r\n$6\r\nJUSTID\r\n"
            "$5\r\nFORCE\r\n"
            "*5\r\n$6\r\nXGROUP\r\n$14\r\nCREATECONSUMER\r\n$1\r\nk\r\n$1\r\ng\r\n$1\r\nd\r\n");
}

}  // namespace
}  // namespace drayman::rdb
