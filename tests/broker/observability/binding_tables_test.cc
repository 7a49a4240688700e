// Queue declaration through kombu's binding tables: the tracker follows each table's set member by
// member (SADD, SREM, SPOP, SMOVE) and re-reads a set only when it was created or replaced whole
// (RESTORE, SUNIONSTORE, COPY, RENAME, SET, loading). After every step the declared queues must
// equal what the tables' members say, and a declaration by SADD must read no other member.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "broker/observability/queue_report.h"
#include "broker/observability/queue_tracker.h"
#include "tests/broker/engine_fixture.h"

namespace drayman::testing {
namespace {

const std::string kSep = "\x06\x16";

std::string Member(const std::string& routing_key, const std::string& queue,
                   const std::string& pattern = "") {
  return routing_key + kSep + pattern + kSep + queue;
}

using Declared = std::set<std::tuple<int, std::string, std::string>>;  // (db, prefix, queue)

class BindingTablesTest : public EngineTest {
 protected:
  QueueTracker& tracker() { return engine_->queue_tracker(); }

  Declared TrackerQueues() {
    Declared out;
    for (const TrackedQueue* queue : tracker().Queues()) {
      out.emplace(queue->db, queue->prefix, queue->name);
    }
    return out;
  }

  // What the binding tables' members declare, read with KEYS and SMEMBERS on a probe client.
  Declared Truth() {
    Client* probe = Probe();
    Declared out;
    for (int db = 0; db < 2; ++db) {
      RunArgsOn(probe, {"SELECT", std::to_string(db)});
      for (const std::string& key : Items(RunArgsOn(probe, {"KEYS", "*_kombu.binding.*"}))) {
        if (RunArgsOn(probe, {"TYPE", key}) != "+set\r\n") continue;
        const std::string prefix = key.substr(0, key.find("_kombu.binding."));
        for (const std::string& member : Items(RunArgsOn(probe, {"SMEMBERS", key}))) {
          const size_t first = member.find(kSep);
          if (first == std::string::npos) continue;
          const size_t second = member.find(kSep, first + kSep.size());
          if (second == std::string::npos || second + kSep.size() == member.size()) continue;
          out.emplace(db, prefix, member.substr(second + kSep.size()));
        }
      }
    }
    return out;
  }

  Client* Probe() {
    if (probe_ == nullptr) probe_ = NewClient();
    return probe_;
  }

  // The bulk strings of a flat RESP2 array reply.
  static std::vector<std::string> Items(const std::string& reply) {
    std::vector<std::string> items;
    size_t at = reply.find("\r\n") + 2;
    while (at < reply.size() && reply[at] == '$') {
      const size_t end = reply.find("\r\n", at);
      const size_t length = std::stoul(reply.substr(at + 1, end - at - 1));
      items.push_back(reply.substr(end + 2, length));
      at = end + 2 + length + 2;
    }
    return items;
  }

  const TrackedQueue* Queue(const std::string& name, int db = 0) {
    return tracker().FindQueue(db, name);
  }

  Client* probe_ = nullptr;
};

TEST_F(BindingTablesTest, SaddDeclaresQueuesOneByOneWithoutRereadingTheTable) {
  for (int i = 0; i < 300; ++i) {
    const std::string name = "q" + std::to_string(i);
    RunArgs({"SADD", "_kombu.binding.celery", Member(name, name)});
  }
  // The first SADD created the set (read whole: one member); every other one was a delta.
  EXPECT_EQ(tracker().binding_members_read(), 1u);
  EXPECT_EQ(TrackerQueues().size(), 300u);
  EXPECT_EQ(TrackerQueues(), Truth());
  // Several members in one SADD, some already there.
  RunArgs({"SADD", "_kombu.binding.celery", Member("q1", "q1"), Member("x", "x"),
           Member("y", "y")});
  EXPECT_EQ(tracker().binding_members_read(), 1u);
  EXPECT_EQ(TrackerQueues(), Truth());
}

TEST_F(BindingTablesTest, SremDropsAQueueOnlyWithItsLastMember) {
  RunArgs({"SADD", "_kombu.binding.celery", Member("a", "q"), Member("b", "q"),
           Member("a", "q", "pattern"), Member("c", "other")});
  Run("LPUSH q m1 m2");
  ASSERT_NE(Queue("q"), nullptr);
  EXPECT_EQ(Queue("q")->published, 2u);
  RunArgs({"SREM", "_kombu.binding.celery", Member("a", "q")});
  RunArgs({"SREM", "_kombu.binding.celery", Member("b", "q")});
  ASSERT_NE(Queue("q"), nullptr);  // still named by (a, pattern, q)
  EXPECT_EQ(Queue("q")->published, 2u);
  EXPECT_EQ(tracker().QueueForDelivery(0, "", "celery", "a"), "q");
  EXPECT_EQ(tracker().QueueForDelivery(0, "", "celery", "c"), "other");
  EXPECT_EQ(tracker().QueueForDelivery(0, "", "celery", "zzz"), "other");  // the first queue
  RunArgs({"SREM", "_kombu.binding.celery", Member("a", "q", "pattern")});
  EXPECT_EQ(Queue("q"), nullptr);
  EXPECT_EQ(TrackerQueues(), Truth());
  RunArgs({"SREM", "_kombu.binding.celery", Member("c", "other")});  // the key goes
  EXPECT_TRUE(TrackerQueues().empty());
  EXPECT_TRUE(tracker().Bindings(0).empty());
  EXPECT_EQ(tracker().QueueForDelivery(0, "", "celery", "c"), "c");
  EXPECT_EQ(tracker().binding_members_read(), 4u);  // only the creating SADD's members
}

TEST_F(BindingTablesTest, MembersThatAreNotBindingsDeclareNothing) {
  RunArgs({"SADD", "_kombu.binding.celery", "garbage", "a" + kSep + "b", Member("rk", "")});
  EXPECT_TRUE(TrackerQueues().empty());
  EXPECT_TRUE(tracker().Bindings(0).empty());  // a table with no binding does not count
  EXPECT_TRUE(tracker().KombuPrefixes(0).empty());
  RunArgs({"SADD", "_kombu.binding.celery", Member("celery", "celery")});
  EXPECT_EQ(TrackerQueues(), Truth());
  EXPECT_EQ(tracker().Bindings(0).size(), 1u);
  RunArgs({"SREM", "_kombu.binding.celery", "garbage", Member("celery", "celery")});
  EXPECT_TRUE(TrackerQueues().empty());
  EXPECT_TRUE(tracker().Bindings(0).empty());
}

TEST_F(BindingTablesTest, SpopAndSmoveUpdateByTheMembersMoved) {
  std::vector<std::string> args = {"SADD", "_kombu.binding.celery"};
  for (int i = 0; i < 20; ++i) {
    const std::string name = "q" + std::to_string(i);
    args.push_back(Member(name, name));
  }
  RunArgs(args);
  for (int i = 0; i < 20; ++i) RunArgs({"RPUSH", "q" + std::to_string(i), "m"});
  Run("SPOP _kombu.binding.celery");
  EXPECT_EQ(TrackerQueues(), Truth());
  Run("SPOP _kombu.binding.celery 2");  // few: popped one at a time
  EXPECT_EQ(TrackerQueues(), Truth());
  EXPECT_EQ(TrackerQueues().size(), 17u);
  Run("SPOP _kombu.binding.celery 12");  // most: the rest moves to a new set, read whole
  EXPECT_EQ(TrackerQueues(), Truth());
  ASSERT_EQ(TrackerQueues().size(), 5u);
  for (const TrackedQueue* queue : tracker().Queues()) {
    EXPECT_EQ(queue->published, 1u) << queue->name;  // the queues that stayed kept their counts
  }
  const std::string kept = std::get<2>(*TrackerQueues().begin());
  RunArgs({"SMOVE", "_kombu.binding.celery", "_kombu.binding.other", Member(kept, kept)});
  EXPECT_EQ(TrackerQueues(), Truth());
  ASSERT_NE(Queue(kept), nullptr);
  EXPECT_EQ(tracker().QueueForDelivery(0, "", "other", kept), kept);
  EXPECT_EQ(tracker().Bindings(0).size(), 2u);
  Run("SPOP _kombu.binding.celery 100");  // the whole set goes
  EXPECT_EQ(TrackerQueues(), Truth());
  EXPECT_EQ(TrackerQueues().size(), 1u);
}

TEST_F(BindingTablesTest, DelRenameMoveAndCopy) {
  RunArgs({"SADD", "_kombu.binding.celery", Member("a", "a"), Member("b", "b")});
  RunArgs({"SADD", "pfx:_kombu.binding.celery", Member("a", "a")});
  EXPECT_EQ(TrackerQueues(), Truth());
  EXPECT_EQ(TrackerQueues().size(), 3u);
  Run("RENAME _kombu.binding.celery _kombu.binding.renamed");
  EXPECT_EQ(TrackerQueues(), Truth());
  EXPECT_EQ(tracker().QueueForDelivery(0, "", "renamed", "b"), "b");
  RunArgs({"SADD", "_kombu.binding.renamed", Member("c", "c")});  // observed under its new name
  EXPECT_EQ(TrackerQueues(), Truth());
  Run("RENAME _kombu.binding.renamed plain");  // no longer a binding table
  EXPECT_EQ(TrackerQueues(), Truth());
  EXPECT_EQ(TrackerQueues().size(), 1u);
  RunArgs({"SADD", "plain", Member("d", "d")});  // not followed
  EXPECT_EQ(TrackerQueues(), Truth());
  Run("RENAME plain _kombu.binding.back");
  EXPECT_EQ(TrackerQueues(), Truth());
  EXPECT_EQ(TrackerQueues().size(), 5u);
  Run("MOVE _kombu.binding.back 1");
  EXPECT_EQ(TrackerQueues(), Truth());
  RunArgs({"SELECT", "1"});
  RunArgs({"SREM", "_kombu.binding.back", Member("d", "d")});  // followed in its new database
  EXPECT_EQ(TrackerQueues(), Truth());
  Run("COPY _kombu.binding.back _kombu.binding.copy");
  RunArgs({"SADD", "_kombu.binding.copy", Member("e", "e")});
  EXPECT_EQ(TrackerQueues(), Truth());
  Run("DEL _kombu.binding.back");
  EXPECT_EQ(TrackerQueues(), Truth());
  ASSERT_NE(Queue("a", 1), nullptr);  // still bound by the copy
  Run("DEL _kombu.binding.copy");
  RunArgs({"SELECT", "0"});
  EXPECT_EQ(TrackerQueues(), Truth());
  EXPECT_EQ(TrackerQueues().size(), 1u);  // pfx:a
}

TEST_F(BindingTablesTest, SetsReplacedWholeAreReadAgain) {
  RunArgs({"SADD", "_kombu.binding.celery", Member("a", "a"), Member("b", "b")});
  RunArgs({"SADD", "src", Member("b", "b"), Member("c", "c")});
  Run("LPUSH b m");
  const uint64_t read = tracker().binding_members_read();
  Run("SUNIONSTORE _kombu.binding.celery _kombu.binding.celery src");
  EXPECT_EQ(TrackerQueues(), Truth());
  EXPECT_GT(tracker().binding_members_read(), read);
  EXPECT_EQ(Queue("b")->published, 1u);  // declared throughout: its counters stay
  Run("SINTERSTORE _kombu.binding.celery _kombu.binding.celery src");
  EXPECT_EQ(TrackerQueues(), Truth());
  Run("SDIFFSTORE _kombu.binding.celery src _kombu.binding.celery");
  EXPECT_EQ(TrackerQueues(), Truth());
  const std::string dump = RunArgs({"DUMP", "src"});
  const size_t header = dump.find("\r\n") + 2;
  const std::string payload = dump.substr(header, dump.size() - header - 2);
  RunArgs({"RESTORE", "_kombu.binding.celery", "0", payload, "REPLACE"});
  EXPECT_EQ(TrackerQueues(), Truth());
  EXPECT_EQ(TrackerQueues().size(), 2u);
  RunArgs({"SADD", "_kombu.binding.celery", Member("f", "f")});  // the restored set is followed
  EXPECT_EQ(TrackerQueues(), Truth());
  Run("SET _kombu.binding.celery not-a-set");
  EXPECT_TRUE(TrackerQueues().empty());
  EXPECT_EQ(TrackerQueues(), Truth());
}

TEST_F(BindingTablesTest, ExpiryFlushAndSwap) {
  RunArgs({"SADD", "_kombu.binding.celery", Member("a", "a")});
  Run("PEXPIRE _kombu.binding.celery 100");
  clock_.AdvanceMs(200);
  Run("EXISTS _kombu.binding.celery");  // lazy expiry deletes it
  EXPECT_TRUE(TrackerQueues().empty());
  RunArgs({"SADD", "_kombu.binding.celery", Member("a", "a")});
  Run("SWAPDB 0 1");
  RunArgs({"SELECT", "1"});
  RunArgs({"SADD", "_kombu.binding.celery", Member("b", "b")});  // the table knows its new db
  EXPECT_EQ(TrackerQueues(), Truth());
  EXPECT_EQ(TrackerQueues(), (Declared{{1, "", "a"}, {1, "", "b"}}));
  Run("FLUSHDB");
  EXPECT_TRUE(TrackerQueues().empty());
  RunArgs({"SADD", "_kombu.binding.celery", Member("c", "c")});
  RunArgs({"SELECT", "0"});
  EXPECT_EQ(TrackerQueues(), Truth());
}

TEST_F(BindingTablesTest, TransactionsAndScripts) {
  Run("MULTI");
  RunArgs({"SADD", "_kombu.binding.celery", Member("a", "a")});
  RunArgs({"SADD", "_kombu.binding.celery", Member("b", "b")});
  RunArgs({"SREM", "_kombu.binding.celery", Member("a", "a")});
  Run("EXEC");
  EXPECT_EQ(TrackerQueues(), Truth());
  RunArgs({"EVAL", "redis.call('SADD', KEYS[1], ARGV[1]); redis.call('SREM', KEYS[1], ARGV[2])",
           "1", "_kombu.binding.celery", Member("c", "c"), Member("b", "b")});
  EXPECT_EQ(TrackerQueues(), Truth());
  EXPECT_EQ(TrackerQueues(), (Declared{{0, "", "c"}}));
}

// Seeded random member and key operations on a few binding tables in two databases: after each
// step the declared queues equal the tables' members, and each table routes as its members say.
TEST_F(BindingTablesTest, RandomizedTablesEqualTheirMembers) {
  std::mt19937 rng(20261206);
  auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
  const std::vector<std::string> tables = {"_kombu.binding.celery", "_kombu.binding.other",
                                           "pfx:_kombu.binding.celery", "plain"};
  const std::vector<std::string> queues = {"q0", "q1", "q2", "q3", "q4"};
  const std::vector<std::string> routing_keys = {"r0", "r1", "q0"};
  auto member = [&] {
    if (pick(20) == 0) return std::string("junk");
    return Member(routing_keys[pick(routing_keys.size())], queues[pick(queues.size())],
                  pick(3) == 0 ? "p" : "");
  };
  auto table = [&] { return tables[pick(tables.size())]; };
  std::string trace;
  for (int step = 0; step < 4000; ++step) {
    std::vector<std::string> args;
    switch (pick(16)) {
      case 0:
      case 1:
      case 2:
      case 3:
        args = {"SADD", table(), member(), member()};
        break;
      case 4:
      case 5:
      case 6:
        args = {"SREM", table(), member(), member()};
        break;
      case 7:
        args = {"SPOP", table()};
        if (pick(2)) args.push_back(std::to_string(pick(6)));
        break;
      case 8:
        args = {"SMOVE", table(), table(), member()};
        break;
      case 9:
        args = {"DEL", table()};
        break;
      case 10:
        args = {"RENAME", table(), table()};
        break;
      case 11:
        args = {"COPY", table(), table(), "REPLACE"};
        break;
      case 12:
        args = {pick(2) ? "SUNIONSTORE" : "SDIFFSTORE", table(), table(), table()};
        break;
      case 13:
        args = {"MOVE", table(), "1"};
        break;
      case 14:
        args = pick(4) == 0 ? std::vector<std::string>{"SWAPDB", "0", "1"}
                            : std::vector<std::string>{"SELECT", std::to_string(pick(2))};
        break;
      default:
        args = {"RPUSH", queues[pick(queues.size())], "m"};
        break;
    }
    for (const std::string& arg : args) trace += arg + " ";
    trace += "| ";
    RunArgs(args);
    ASSERT_EQ(TrackerQueues(), Truth()) << "step " << step << ": " << trace;
    if (step % 50 != 0) continue;
    // Routing: the first queue (by name) bound with the routing key, else the table's first.
    Client* probe = Probe();
    for (int db = 0; db < 2; ++db) {
      RunArgsOn(probe, {"SELECT", std::to_string(db)});
      for (const std::string& key : tables) {
        if (key == "plain" || RunArgsOn(probe, {"TYPE", key}) != "+set\r\n") continue;
        std::map<std::string, std::string> first_by_routing_key;
        std::string first;
        for (const std::string& m : Items(RunArgsOn(probe, {"SMEMBERS", key}))) {
          const size_t a = m.find(kSep);
          if (a == std::string::npos) continue;
          const size_t b = m.find(kSep, a + kSep.size());
          const std::string rk = m.substr(0, a), queue = m.substr(b + kSep.size());
          auto [it, inserted] = first_by_routing_key.emplace(rk, queue);
          if (!inserted && queue < it->second) it->second = queue;
          if (first.empty() || queue < first) first = queue;
        }
        const std::string prefix = key.substr(0, key.find("_kombu.binding."));
        const std::string exchange = key.substr(key.find("_kombu.binding.") + 15);
        for (const std::string& rk : {std::string("r0"), std::string("r1"), std::string("zz")}) {
          auto it = first_by_routing_key.find(rk);
          const std::string expected =
              it != first_by_routing_key.end() ? it->second : (first.empty() ? rk : first);
          ASSERT_EQ(tracker().QueueForDelivery(db, prefix, exchange, rk), expected)
              << key << " db " << db << " step " << step;
        }
      }
    }
  }
}

}  // namespace
}  // namespace drayman::testing
