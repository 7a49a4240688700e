// Queue insight: discovery of kombu and channels_redis keys through write hooks, per-element push
// times, counters, consumers and unacked attribution, checked against the keyspace itself.
#include "broker/observability/queue_tracker.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "broker/observability/queue_history.h"
#include "broker/observability/queue_report.h"
#include "broker/stats/prometheus.h"
#include "tests/broker/engine_fixture.h"

namespace drayman::testing {
namespace {

const std::string kSep = "\x06\x16";

std::string Member(const std::string& routing_key, const std::string& queue) {
  return routing_key + kSep + kSep + queue;
}

std::string PriorityKey(const std::string& queue, int priority) {
  return priority == 0 ? queue : queue + kSep + std::to_string(priority);
}

// A kombu message as Celery's protocol 2 publishes it (body: base64 of [args, kwargs, embed]).
std::string KombuMessage(const std::string& task, const std::string& id) {
  // base64 of [[2, 3], {}, {}]
  return R"({"body": "W1syLCAzXSwge30sIHt9XQ==", "content-encoding": "utf-8", )"
         R"("content-type": "application/json", "headers": {"lang": "py", "task": ")" +
         task + R"(", "id": ")" + id +
         R"(", "eta": null, "retries": 0}, "properties": {"body_encoding": "base64", )"
         R"("delivery_info": {"exchange": "", "routing_key": "celery"}, "priority": 0, )"
         R"("delivery_tag": "tag-)" +
         id + R"("}})";
}

class QueueTrackerTest : public EngineTest {
 protected:
  const QueueFigures* Figures(const std::string& name, int db = 0) {
    figures_ = CollectQueueFigures(*engine_);
    for (const QueueFigures& q : figures_) {
      if (q.name == name && q.db == db) return &q;
    }
    return nullptr;
  }
  void Declare(const std::string& queue, const std::string& exchange = "celery") {
    RunArgs({"SADD", "_kombu.binding." + exchange, Member(queue, queue)});
  }
  std::vector<QueueFigures> figures_;
};

TEST_F(QueueTrackerTest, NothingTrackedWithoutKombuKeys) {
  Run("LPUSH celery a b");
  Run("SET _kombu x");
  EXPECT_TRUE(engine_->queue_tracker().empty());
  EXPECT_TRUE(CollectQueueFigures(*engine_).empty());
}

TEST_F(QueueTrackerTest, BindingDeclaresQueueAndListsAreCountedWithPushTimes) {
  Declare("celery");
  ASSERT_NE(Figures("celery"), nullptr);
  EXPECT_EQ(Figures("celery")->ready, 0u);
  RunArgs({"LPUSH", "celery", KombuMessage("tasks.add", "1")});
  clock_.AdvanceMs(1500);
  RunArgs({"LPUSH", "celery", KombuMessage("tasks.add", "2")});
  clock_.AdvanceMs(500);
  Run("PING");
  const QueueFigures* q = Figures("celery");
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(q->ready, 2u);
  EXPECT_EQ(q->published, 2u);
  EXPECT_DOUBLE_EQ(q->oldest_age_seconds, 2.0);
  Run("RPOP celery");
  q = Figures("celery");
  EXPECT_EQ(q->ready, 1u);
  EXPECT_EQ(q->delivered, 1u);
  EXPECT_DOUBLE_EQ(q->oldest_age_seconds, 0.5);
  Run("RPOP celery");
  q = Figures("celery");
  EXPECT_EQ(q->ready, 0u);
  EXPECT_DOUBLE_EQ(q->oldest_age_seconds, 0.0);
  EXPECT_EQ(q->delivered, 2u);
}

TEST_F(QueueTrackerTest, PriorityListsAndPrefixedKeys) {
  Declare("jobs");
  RunArgs({"LPUSH", PriorityKey("jobs", 3), "a", "b"});
  RunArgs({"LPUSH", PriorityKey("jobs", 0), "c"});
  RunArgs({"LPUSH", "jobs" + kSep + "x", "not a priority"});
  const QueueFigures* q = Figures("jobs");
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(q->ready, 3u);
  ASSERT_EQ(q->ready_by_priority.size(), 2u);
  EXPECT_EQ(q->ready_by_priority[0], std::make_pair(0, size_t{1}));
  EXPECT_EQ(q->ready_by_priority[1], std::make_pair(3, size_t{2}));
  // kombu's global_keyprefix goes in front of every key.
  RunArgs({"SADD", "app:_kombu.binding.celery", Member("x", "other")});
  RunArgs({"RPUSH", "app:other", "m"});
  q = Figures("other");
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(q->ready, 1u);
}

TEST_F(QueueTrackerTest, ListQueuedBeforeDeclarationIsAttachedWithoutCountingAsPublished) {
  Run("RPUSH early a b c");
  Declare("early");
  const QueueFigures* q = Figures("early");
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(q->ready, 3u);
  EXPECT_EQ(q->published, 0u);
  // Removing the binding forgets the queue; the list stays.
  RunArgs({"SREM", "_kombu.binding.celery", Member("early", "early")});
  EXPECT_EQ(Figures("early"), nullptr);
  EXPECT_EQ(Run("LLEN early"), ":3\r\n");
}

TEST_F(QueueTrackerTest, ConsumersAreDistinctBlockedClients) {
  Declare("celery");
  Client* worker1 = NewClient();
  Client* worker2 = NewClient();
  EXPECT_EQ(RunArgsOn(worker1, {"BRPOP", "celery", PriorityKey("celery", 3), "0"}), "");
  EXPECT_EQ(RunArgsOn(worker2, {"BRPOP", "celery", PriorityKey("celery", 3), "0"}), "");
  EXPECT_EQ(Figures("celery")->consumers, 2u);
  Run("LPUSH celery job");
  const QueueFigures* q = Figures("celery");
  EXPECT_EQ(q->consumers, 1u);
  EXPECT_EQ(q->ready, 0u);
  EXPECT_EQ(q->published, 1u);
  EXPECT_EQ(q->delivered, 1u);
  engine_->Disconnect(worker2);
  EXPECT_EQ(Figures("celery")->consumers, 0u);
}

TEST_F(QueueTrackerTest, UnackedDeliveriesAreAttributedThroughBindings) {
  RunArgs({"SADD", "_kombu.binding.tasks", Member("rk", "work")});
  const double delivered_at = static_cast<double>(clock_.NowMs()) / 1000.0;
  RunArgs({"HSET", "unacked", "t1", "[" + KombuMessage("tasks.a", "1") + ", \"tasks\", \"rk\"]"});
  RunArgs({"ZADD", "unacked_index", std::to_string(delivered_at), "t1"});
  RunArgs({"HSET", "unacked", "t2", "[" + KombuMessage("tasks.b", "2") + ", \"\", \"work\"]"});
  clock_.AdvanceMs(3000);
  Run("PING");
  EXPECT_EQ(Figures("work")->unacked, 2u);
  nlohmann::json detail = QueueDetailJson(*engine_, 0, "work", 10);
  ASSERT_EQ(detail["unacked_deliveries"].size(), 2u);
  EXPECT_EQ(detail["unacked_deliveries"][0]["delivery_tag"], "t1");
  EXPECT_NEAR(detail["unacked_deliveries"][0]["age_seconds"].get<double>(), 3.0, 0.01);
  EXPECT_EQ(detail["unacked_deliveries"][0]["message"]["task"], "tasks.a");
  Run("HDEL unacked t1");
  EXPECT_EQ(Figures("work")->unacked, 1u);
}

TEST_F(QueueTrackerTest, DetailDecodesKombuEnvelopesAtHeadAndTail) {
  Declare("celery");
  RunArgs({"LPUSH", "celery", KombuMessage("tasks.first", "a")});
  clock_.AdvanceMs(1000);
  RunArgs({"LPUSH", "celery", KombuMessage("tasks.second", "b")});
  nlohmann::json detail = QueueDetailJson(*engine_, 0, "celery", 1);
  ASSERT_EQ(detail["head"].size(), 1u);
  EXPECT_EQ(detail["head"][0]["task"], "tasks.first");
  EXPECT_EQ(detail["head"][0]["id"], "a");
  EXPECT_EQ(detail["head"][0]["retries"], 0);
  EXPECT_EQ(detail["head"][0]["args"], "[2,3]");
  EXPECT_DOUBLE_EQ(detail["head"][0]["age_seconds"].get<double>(), 1.0);
  EXPECT_EQ(detail["tail"][0]["task"], "tasks.second");
  EXPECT_TRUE(QueueDetailJson(*engine_, 0, "missing", 1).is_null());
}

TEST_F(QueueTrackerTest, RenameFlushAndSwapKeepTrackingConsistent) {
  Declare("celery");
  Run("LPUSH celery a b");
  Run("RENAME celery elsewhere");
  EXPECT_EQ(Figures("celery")->ready, 0u);
  Run("RENAME elsewhere celery");
  EXPECT_EQ(Figures("celery")->ready, 2u);
  Run("SWAPDB 0 1");
  EXPECT_EQ(Figures("celery", 0), nullptr);
  EXPECT_EQ(Figures("celery", 1)->ready, 2u);
  Run("SELECT 1");
  Run("LPUSH celery c");
  EXPECT_EQ(Figures("celery", 1)->ready, 3u);
  Run("FLUSHDB");
  EXPECT_TRUE(CollectQueueFigures(*engine_).empty());
}

TEST_F(QueueTrackerTest, RescanFindsKeysThatArrivedWithoutHooks) {
  Declare("celery");
  Run("LPUSH celery a");
  Restart();  // a fresh engine, keyspace rebuilt below without any command
  Database& db = engine_->keyspace().db(0);
  auto set = std::make_unique<Set>();
  set->Add(Member("celery", "celery"));
  db.Add("_kombu.binding.celery", Value(std::move(set)));
  auto list = std::make_unique<List>();
  list->PushBack("m");
  db.Add("celery", Value(std::move(list)));
  EXPECT_TRUE(engine_->queue_tracker().rescan_pending());
  engine_->Cron();
  const QueueFigures* q = Figures("celery");
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(q->ready, 1u);
}

TEST_F(QueueTrackerTest, ChannelsGroupsMembersAndBacklogs) {
  Run("ZADD asgi:group:chat 1700000000 chat.abc!def 1700000000 plain");
  Run("ZADD asgichat.abc! 1700000000 m1 1700000001 m2");
  Run("ZADD asgiplain 1700000000 m1");
  nlohmann::json channels = ChannelsJson(*engine_);
  ASSERT_EQ(channels["groups"].size(), 1u);
  EXPECT_EQ(channels["groups"][0]["group"], "chat");
  ASSERT_EQ(channels["groups"][0]["members"].size(), 2u);
  EXPECT_EQ(channels["groups"][0]["members"][0]["channel"], "chat.abc!def");
  EXPECT_EQ(channels["groups"][0]["members"][0]["backlog"], 2);
  EXPECT_EQ(channels["groups"][0]["members"][1]["backlog"], 1);
  EXPECT_EQ(channels["totals"]["channel_keys"], 2);
  Run("DEL asgi:group:chat");
  EXPECT_TRUE(ChannelsJson(*engine_)["groups"].empty());
}

TEST_F(QueueTrackerTest, MetricsFamilies) {
  Declare("celery");
  Run("LPUSH celery a");
  PrometheusWriter writer;
  WriteQueueMetrics(*engine_, writer);
  const std::string& text = writer.text();
  EXPECT_NE(text.find("drayman_queue_messages_ready{db=\"0\",queue=\"celery\",priority=\"0\"} 1\n"),
            std::string::npos)
      << text;
  for (const char* family :
       {"drayman_queue_messages_unacked{db=\"0\",queue=\"celery\"} 0",
        "drayman_queue_consumers{db=\"0\",queue=\"celery\"} 0",
        "drayman_queue_oldest_message_age_seconds{db=\"0\",queue=\"celery\"} 0",
        "drayman_queue_published_total{db=\"0\",queue=\"celery\"} 1",
        "drayman_queue_delivered_total{db=\"0\",queue=\"celery\"} 0",
        "# TYPE drayman_queue_published_total counter"}) {
    EXPECT_NE(text.find(family), std::string::npos) << family << "\n" << text;
  }
}

// The drayman_queue_* text, as PrometheusWriter::Sample prints each sample (how the producer wrote
// it before the per-queue label text was prebuilt): the direct writer must give the same bytes.
std::string ReferenceQueueMetrics(const std::vector<QueueFigures>& queues) {
  PrometheusWriter writer;
  using Type = PrometheusWriter::Type;
  auto each = [&](std::string_view name, Type type, std::string_view help, auto value_of) {
    writer.Family(name, type, help);
    for (const QueueFigures& q : queues) {
      const std::string db = std::to_string(q.db);
      writer.Sample(name, {{"db", db}, {"queue", q.name}}, value_of(q));
    }
  };
  writer.Family("drayman_queue_messages_ready", Type::kGauge,
                "Messages waiting in a kombu queue's lists (LLEN), per priority.");
  for (const QueueFigures& q : queues) {
    const std::string db = std::to_string(q.db);
    for (const auto& [priority, ready] : q.ready_by_priority) {
      const std::string label = std::to_string(priority);
      writer.Sample("drayman_queue_messages_ready",
                    {{"db", db}, {"queue", q.name}, {"priority", label}},
                    static_cast<double>(ready));
    }
  }
  each("drayman_queue_messages_unacked", Type::kGauge,
       "Messages delivered and not yet acknowledged (entries of kombu's unacked hash).",
       [](const QueueFigures& q) { return static_cast<double>(q.unacked); });
  each("drayman_queue_consumers", Type::kGauge,
       "Clients blocked on the queue's lists (BRPOP and the like).",
       [](const QueueFigures& q) { return static_cast<double>(q.consumers); });
  each("drayman_queue_oldest_message_age_seconds", Type::kGauge,
       "Seconds since the oldest queued message was pushed, by the server's clock.",
       [](const QueueFigures& q) { return q.oldest_age_seconds; });
  each("drayman_queue_published_total", Type::kCounter, "Messages pushed onto the queue.",
       [](const QueueFigures& q) { return static_cast<double>(q.published); });
  each("drayman_queue_delivered_total", Type::kCounter, "Messages popped from the queue.",
       [](const QueueFigures& q) { return static_cast<double>(q.delivered); });
  return writer.text();
}

TEST_F(QueueTrackerTest, MetricsTextEqualsTheGenericWriterAndQueuesStaySorted) {
  // Declared out of order, in two databases and under two key prefixes, with names that need
  // escaping, a very long name (the writer's slow path), priorities and fractional ages.
  const std::string long_name(700, 'L');
  for (const std::string& name : {std::string("zeta"), std::string("a\"b\\c\nd"), long_name,
                                  std::string("alpha"), std::string("mid")}) {
    Declare(name);
    RunArgs({"LPUSH", name, "m"});
    clock_.AdvanceMs(1234);
  }
  RunArgs({"SADD", "pfx:_kombu.binding.celery", Member("beta", "beta")});
  RunArgs({"LPUSH", "pfx:beta", "m"});
  RunArgs({"LPUSH", PriorityKey("mid", 3), "x", "y"});
  Run("SELECT 1");
  Declare("other");
  RunArgs({"LPUSH", "other", "m"});
  Run("SELECT 0");
  clock_.AdvanceMs(7);
  auto check = [&] {
    const std::vector<QueueFigures> figures = CollectQueueFigures(*engine_);
    for (size_t i = 1; i < figures.size(); ++i) {
      const TrackedQueue& a = *figures[i - 1].queue;
      const TrackedQueue& b = *figures[i].queue;
      EXPECT_LT(std::tie(a.db, a.prefix, a.name), std::tie(b.db, b.prefix, b.name));
    }
    PrometheusWriter writer;
    WriteQueueMetrics(*engine_, writer);
    EXPECT_EQ(writer.text(), ReferenceQueueMetrics(figures));
    return figures.size();
  };
  EXPECT_EQ(check(), 7u);
  Run("SWAPDB 0 1");  // the label text follows the queues into their new database
  EXPECT_EQ(check(), 7u);
  RunArgs({"SREM", "_kombu.binding.celery", Member("zeta", "zeta")});
  EXPECT_EQ(check(), 7u);  // zeta was in database 1 after the swap: still declared there
  Run("SELECT 1");
  RunArgs({"SREM", "_kombu.binding.celery", Member("zeta", "zeta")});
  EXPECT_EQ(check(), 6u);
}

TEST_F(QueueTrackerTest, RatesAreNullUntilASampleExists) {
  Declare("celery");
  Run("LPUSH celery x");
  nlohmann::json queues = QueuesJson(*engine_);
  EXPECT_TRUE(queues["queues"][0]["publish_rate"].is_null()) << queues.dump();
  EXPECT_TRUE(queues["queues"][0]["deliver_rate"].is_null()) << queues.dump();
  engine_->Cron();  // the first sample: still nothing to measure a rate over
  EXPECT_TRUE(QueuesJson(*engine_)["queues"][0]["publish_rate"].is_null());
  clock_.AdvanceMs(QueueHistory::kIntervalMs);
  Run("LPUSH celery y");
  queues = QueuesJson(*engine_);
  ASSERT_TRUE(queues["queues"][0]["publish_rate"].is_number()) << queues.dump();
  EXPECT_GT(queues["queues"][0]["publish_rate"].get<double>(), 0);
  EXPECT_EQ(queues["queues"][0]["deliver_rate"].get<double>(), 0);
}

TEST_F(QueueTrackerTest, HistoryIsSampledFromCronAndBounded) {
  Declare("celery");
  for (size_t i = 0; i < QueueHistory::kCapacity + 10; ++i) {
    Run("LPUSH celery x");
    clock_.AdvanceMs(QueueHistory::kIntervalMs);
    engine_->Cron();
  }
  const QueueHistory& history = engine_->queue_history();
  EXPECT_EQ(history.server().size(), QueueHistory::kCapacity);
  ASSERT_EQ(history.queues().size(), 1u);
  const auto& samples = history.queues().begin()->second;
  EXPECT_EQ(samples.size(), QueueHistory::kCapacity);
  EXPECT_EQ(samples.back().ready, QueueHistory::kCapacity + 10);
  nlohmann::json queues = QueuesJson(*engine_);
  EXPECT_NEAR(queues["queues"][0]["publish_rate"].get<double>(), 0.2, 0.01);
}

// A RESP2 reply as the randomized test reads it: type byte ('+', '-', ':', '$', '*'; 'n' for a
// nil), the text of a string or integer, the elements of an array.
struct Reply {
  char type = 'n';
  std::string text;
  std::vector<Reply> items;
};

Reply ParseReply(std::string_view bytes, size_t& pos) {
  Reply reply;
  const size_t eol = bytes.find("\r\n", pos);
  reply.type = bytes[pos];
  const std::string head(bytes.substr(pos + 1, eol - pos - 1));
  pos = eol + 2;
  if (reply.type != '$' && reply.type != '*') {
    reply.text = head;
    return reply;
  }
  const long long length = std::stoll(head);
  if (length < 0) {
    reply.type = 'n';
  } else if (reply.type == '$') {
    reply.text = std::string(bytes.substr(pos, static_cast<size_t>(length)));
    pos += static_cast<size_t>(length) + 2;
  } else {
    for (long long i = 0; i < length; ++i) reply.items.push_back(ParseReply(bytes, pos));
  }
  return reply;
}

Reply ParseReply(const std::string& bytes) {
  size_t pos = 0;
  Reply reply = ParseReply(bytes, pos);
  EXPECT_EQ(pos, bytes.size()) << bytes;
  return reply;
}

// Seeded random traffic as kombu workers and producers make it, over two databases: publish
// (LPUSH), restore (RPUSH), fetch (RPOP, LPOP), blocking fetch (BRPOP over a queue's priority
// lists, served later by a push, an LMOVE, a RENAME, a transaction or SWAPDB), deliveries and
// acks in the `unacked` hash (HSET, HDEL, a tag reused for another queue), LMOVE, DEL, PEXPIRE,
// RENAME, MULTI/EXEC, Lua, FLUSHDB, SWAPDB, redeclarations, Cron, and workers that block and then
// leave. After every step each queue's figures must equal the truth the engine itself gives:
// LLEN per priority list, the `unacked` fields attributed by routing key (summing to HLEN), the
// clients blocked on the queue's lists; and the oldest age, published and delivered counts that
// a model of every element's push time gives (the model is itself checked against LLEN and the
// values every pop returns). The figures are read before any probe, so a logically expired list
// must already count as gone.
TEST_F(QueueTrackerTest, RandomizedMetricsEqualTheTruth) {
  constexpr int kDatabases = 2;
  constexpr int kSteps = 3000;
  const std::vector<std::string> queues = {"q0", "q1"};
  const std::vector<int> priorities = {0, 3};
  std::vector<std::string> keys = {"spare"};  // a list no binding declares
  for (const std::string& queue : queues) {
    for (int priority : priorities) keys.push_back(PriorityKey(queue, priority));
  }
  using DbKey = std::pair<int, std::string>;
  struct Element {
    std::string value;
    int64_t pushed_ms;
  };
  std::map<DbKey, std::deque<Element>> lists;  // (db, key) -> elements, head first
  std::map<DbKey, int64_t> expire_at;          // lists with a deadline
  std::set<DbKey> declared;                    // (db, queue)
  std::map<DbKey, uint64_t> published, delivered;
  std::map<Client*, DbKey> blocked;  // worker -> (db, queue) its BRPOP waits on
  std::vector<Client*> workers;
  for (int i = 0; i < 4; ++i) workers.push_back(NewClient());
  Client* probe = NewClient();
  int db = 0;  // the default client's database
  int next_id = 0;
  std::mt19937 rng(20261206);
  auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
  auto queue_of = [](const std::string& key) {
    return key == "spare" ? std::string() : key.substr(0, 2);
  };
  auto tracked = [&](int in_db, const std::string& key) {
    return declared.count({in_db, queue_of(key)}) > 0;
  };
  auto forget = [&](int in_db, const std::string& key) {
    lists.erase({in_db, key});
    expire_at.erase({in_db, key});
  };
  // Redis's lazy expiry: a key is gone once now is past its deadline.
  auto expire = [&](int in_db, const std::string& key) {
    auto it = expire_at.find({in_db, key});
    if (it != expire_at.end() && clock_.NowMs() > it->second) forget(in_db, key);
  };
  auto size_of = [&](int in_db, const std::string& key) {
    auto it = lists.find({in_db, key});
    return it == lists.end() ? size_t{0} : it->second.size();
  };
  auto push = [&](int in_db, const std::string& key, const std::string& value, bool front) {
    expire(in_db, key);
    auto& list = lists[{in_db, key}];
    const Element element{value, clock_.NowMs()};
    if (front) {
      list.push_front(element);
    } else {
      list.push_back(element);
    }
    if (tracked(in_db, key)) ++published[{in_db, queue_of(key)}];
  };
  // Removes `value` (the element a pop returned) from the model; `front`/`back` say where it
  // must have been (both false: anywhere, for waiters served in one step from one list).
  auto pop = [&](int in_db, const std::string& key, const std::string& value, bool front,
                 bool back) {
    expire(in_db, key);
    auto it = lists.find({in_db, key});
    ASSERT_NE(it, lists.end()) << key << " popped " << value;
    auto& list = it->second;
    auto found =
        std::find_if(list.begin(), list.end(), [&](const Element& e) { return e.value == value; });
    ASSERT_NE(found, list.end()) << key << " popped " << value;
    if (front) {
      ASSERT_EQ(found, list.begin()) << key;
    }
    if (back) {
      ASSERT_EQ(found + 1, list.end()) << key;
    }
    list.erase(found);
    if (list.empty()) forget(in_db, key);
    if (tracked(in_db, key)) ++delivered[{in_db, queue_of(key)}];
  };
  // Tail to head, as LMOVE key to RIGHT LEFT does (a rotation when key == to).
  auto move = [&](const std::string& key, const std::string& to, const Reply& reply) {
    if (reply.type == 'n') {
      ASSERT_EQ(size_of(db, key), 0u) << key;
      return;
    }
    // A rotation (key == to) never empties the list, so the key keeps its deadline.
    auto deadline = expire_at.find({db, key});
    const std::optional<int64_t> kept =
        key == to && deadline != expire_at.end() ? std::optional(deadline->second) : std::nullopt;
    pop(db, key, reply.text, false, true);
    push(db, to, reply.text, true);
    if (kept) expire_at[{db, key}] = *kept;
  };
  // Waiters whose BRPOP was answered since the last step.
  auto collect_served = [&]() {
    for (auto it = blocked.begin(); it != blocked.end();) {
      Client* worker = it->first;
      if (worker->output().empty()) {
        ++it;
        continue;
      }
      const Reply reply = ParseReply(worker->output());
      worker->output().clear();
      ASSERT_EQ(reply.items.size(), 2u);
      pop(it->second.first, reply.items[0].text, reply.items[1].text, false, false);
      it = blocked.erase(it);
    }
  };
  auto swap_db = [&](auto& map) {
    std::remove_reference_t<decltype(map)> swapped;
    for (auto& [key, value] : map) swapped[{1 - key.first, key.second}] = std::move(value);
    map.swap(swapped);
  };
  auto flush_db = [&](auto& map, int in_db) {
    for (auto it = map.begin(); it != map.end();) {
      it = it->first.first == in_db ? map.erase(it) : std::next(it);
    }
  };
  // The commands of the current step, printed with any failure.
  std::string trace;
  auto Do = [&](std::vector<std::string> args) {
    for (const std::string& arg : args)
      trace += (arg.size() > 40 ? arg.substr(0, 40) + "..." : arg) + " ";
    trace += "| ";
    return RunArgs(std::move(args));
  };
  auto declare = [&](const std::string& queue) {
    Do({"SADD", "_kombu.binding.celery", Member(queue, queue)});
    if (!declared.insert({db, queue}).second) return;
    // Lists queued before the declaration count from now, and not as published.
    for (int priority : priorities) {
      const std::string key = PriorityKey(queue, priority);
      expire(db, key);
      if (auto it = lists.find({db, key}); it != lists.end()) {
        for (Element& element : it->second) element.pushed_ms = clock_.NowMs();
      }
    }
  };
  auto fresh = [&]() { return "m" + std::to_string(next_id++); };

  auto check = [&](int step) {
    collect_served();
    if (::testing::Test::HasFatalFailure()) return;
    const std::vector<QueueFigures> figures = CollectQueueFigures(*engine_);
    std::vector<DbKey> all;
    for (const auto& [key, list] : lists) all.push_back(key);
    for (const DbKey& key : all) expire(key.first, key.second);
    std::set<DbKey> truly_declared;
    std::map<DbKey, size_t> unacked;
    for (int d = 0; d < kDatabases; ++d) {
      RunArgsOn(probe, {"SELECT", std::to_string(d)});
      const Reply members = ParseReply(RunArgsOn(probe, {"SMEMBERS", "_kombu.binding.celery"}));
      for (const Reply& member : members.items) {
        truly_declared.insert({d, member.text.substr(member.text.rfind(kSep) + kSep.size())});
      }
      const Reply hash = ParseReply(RunArgsOn(probe, {"HGETALL", "unacked"}));
      size_t sum = 0;
      for (size_t i = 1; i < hash.items.size(); i += 2) {
        const nlohmann::json delivery = nlohmann::json::parse(hash.items[i].text);
        ++unacked[{d, delivery[2].get<std::string>()}];
        ++sum;
      }
      ASSERT_EQ(RunArgsOn(probe, {"HLEN", "unacked"}), ":" + std::to_string(sum) + "\r\n");
    }
    ASSERT_EQ(truly_declared, declared) << "step " << step << ": " << trace;
    std::set<DbKey> reported;
    for (const QueueFigures& q : figures) reported.insert({q.db, q.name});
    ASSERT_EQ(reported, truly_declared) << "step " << step << ": " << trace;
    size_t unacked_reported = 0;
    for (const QueueFigures& q : figures) {
      const DbKey queue{q.db, q.name};
      RunArgsOn(probe, {"SELECT", std::to_string(q.db)});
      size_t ready = 0;
      int64_t oldest = -1;
      for (int priority : priorities) {
        const std::string key = PriorityKey(q.name, priority);
        const size_t llen = std::stoul(RunArgsOn(probe, {"LLEN", key}).substr(1));
        ASSERT_EQ(llen, size_of(q.db, key))
            << "model of " << key << " step " << step << ": " << trace;
        ready += llen;
        size_t by_priority = 0;
        for (const auto& [p, count] : q.ready_by_priority) by_priority += p == priority ? count : 0;
        ASSERT_EQ(by_priority, llen) << key << " step " << step << ": " << trace;
        if (auto it = lists.find({q.db, key}); it != lists.end()) {
          for (const Element& element : it->second) {
            if (oldest < 0 || element.pushed_ms < oldest) oldest = element.pushed_ms;
          }
        }
      }
      ASSERT_EQ(q.ready, ready) << q.name << " db " << q.db << " step " << step << ": " << trace;
      ASSERT_EQ(q.unacked, unacked[queue])
          << q.name << " db " << q.db << " step " << step << ": " << trace;
      unacked_reported += q.unacked;
      size_t consumers = 0;
      for (const auto& [worker, waits_on] : blocked) consumers += waits_on == queue;
      ASSERT_EQ(q.consumers, consumers)
          << q.name << " db " << q.db << " step " << step << ": " << trace;
      const double age = oldest < 0 ? 0.0 : static_cast<double>(clock_.NowMs() - oldest) / 1000;
      ASSERT_DOUBLE_EQ(q.oldest_age_seconds, age) << q.name << " step " << step << ": " << trace;
      ASSERT_EQ(q.published, published[queue])
          << q.name << " db " << q.db << " step " << step << ": " << trace;
      ASSERT_EQ(q.delivered, delivered[queue])
          << q.name << " db " << q.db << " step " << step << ": " << trace;
    }
    size_t unacked_total = 0;
    for (const auto& [queue, count] : unacked) unacked_total += count;
    ASSERT_EQ(unacked_reported, unacked_total) << "step " << step << ": " << trace;
    ASSERT_EQ(engine_->blocked_clients().blocked_count(), blocked.size())
        << "step " << step << ": " << trace;
  };

  for (const std::string& queue : queues) declare(queue);
  check(-1);
  for (int step = 0; step < kSteps && !HasFatalFailure(); ++step) {
    trace.clear();
    clock_.AdvanceMs(static_cast<int64_t>(pick(400)));
    const std::string key = keys[pick(keys.size())];
    const std::string to = keys[pick(keys.size())];
    const std::string value = fresh();
    switch (pick(20)) {
      case 0:
      case 1:
      case 2: {  // kombu publishes with LPUSH (one message, or two at once)
        if (pick(4) == 0) {
          const std::string second = fresh();
          Do({"LPUSH", key, value, second});
          push(db, key, value, true);
          push(db, key, second, true);
        } else {
          Do({"LPUSH", key, value});
          push(db, key, value, true);
        }
        break;
      }
      case 3:  // kombu restores an unacked message at the tail
        Do({"RPUSH", key, value});
        push(db, key, value, false);
        break;
      case 4:
      case 5: {  // RPOP, sometimes with a count
        expire(db, key);
        const bool counted = pick(3) == 0;
        const size_t before = size_of(db, key);
        const Reply reply = ParseReply(counted ? Do({"RPOP", key, "2"}) : Do({"RPOP", key}));
        std::vector<std::string> got;
        if (reply.type == '$') got.push_back(reply.text);
        for (const Reply& item : reply.items) got.push_back(item.text);
        ASSERT_EQ(got.size(), std::min<size_t>(before, counted ? 2 : 1)) << key;
        for (const std::string& popped : got) pop(db, key, popped, false, true);
        break;
      }
      case 6: {  // LPOP
        expire(db, key);
        const Reply reply = ParseReply(Do({"LPOP", key}));
        if (reply.type == 'n') {
          ASSERT_EQ(size_of(db, key), 0u) << key;
        } else {
          pop(db, key, reply.text, true, false);
        }
        break;
      }
      case 7:
      case 8: {  // a worker blocks on a queue's priority lists, as kombu's BRPOP does
        Client* worker = workers[pick(workers.size())];
        if (blocked.count(worker)) break;
        const std::string queue = queues[pick(queues.size())];
        RunArgsOn(worker, {"SELECT", std::to_string(db)});
        std::vector<std::string> args = {"BRPOP"};
        for (int priority : priorities) {
          args.push_back(PriorityKey(queue, priority));
          expire(db, args.back());
        }
        args.push_back("0");
        const std::string reply = RunArgsOn(worker, args);
        if (reply.empty()) {
          blocked[worker] = {db, queue};
        } else {
          const Reply parsed = ParseReply(reply);
          ASSERT_EQ(parsed.items.size(), 2u) << reply;
          pop(db, parsed.items[0].text, parsed.items[1].text, false, true);
        }
        break;
      }
      case 9:
      case 10: {  // deliveries and acks in kombu's unacked hash
        const Reply tags = ParseReply(Do({"HKEYS", "unacked"}));
        std::vector<std::string> live;
        for (const std::string& queue : queues) {
          if (declared.count({db, queue})) live.push_back(queue);
        }
        const size_t what = pick(5);
        if (!live.empty() && (what <= 1 || tags.items.empty())) {  // a delivery
          const std::string queue = live[pick(live.size())];
          Do({"HSET", "unacked", value,
              "[" + KombuMessage("tasks.t", value) + ", \"celery\", \"" + queue + "\"]"});
          Do({"ZADD", "unacked_index", std::to_string(clock_.NowMs() / 1000), value});
        } else if (!live.empty() && what == 2) {  // a tag reused, now for another queue
          const std::string tag = tags.items[pick(tags.items.size())].text;
          const std::string queue = live[pick(live.size())];
          Do({"HSET", "unacked", tag, "[{}, \"celery\", \"" + queue + "\"]"});
        } else if (!tags.items.empty()) {  // an ack
          const std::string tag = tags.items[pick(tags.items.size())].text;
          Do({"HDEL", "unacked", tag});
          Do({"ZREM", "unacked_index", tag});
        }
        break;
      }
      case 11: {  // LMOVE from a tail to a head (kombu's own fanout does not; operators do)
        expire(db, key);
        expire(db, to);
        move(key, to, ParseReply(Do({"LMOVE", key, to, "RIGHT", "LEFT"})));
        break;
      }
      case 12: {  // DEL or PEXPIRE of a list, or of the unacked hash
        const std::string target = pick(6) == 0 ? "unacked" : key;
        expire(db, target);
        if (pick(2) == 0) {
          Do({"DEL", target});
          forget(db, target);
        } else {
          const int64_t ms = 1 + static_cast<int64_t>(pick(600));
          const std::string reply = Do({"PEXPIRE", target, std::to_string(ms)});
          if (target != "unacked") {
            ASSERT_EQ(reply, size_of(db, target) > 0 ? ":1\r\n" : ":0\r\n") << target;
            if (reply == ":1\r\n") expire_at[{db, target}] = clock_.NowMs() + ms;
          }
        }
        break;
      }
      case 13: {  // RENAME one list over another
        expire(db, key);
        expire(db, to);
        const std::string reply = Do({"RENAME", key, to});
        if (reply[0] == '-') {
          ASSERT_EQ(size_of(db, key), 0u) << reply;
          break;
        }
        if (key == to) break;
        std::deque<Element> moved = std::move(lists[{db, key}]);
        auto deadline = expire_at.find({db, key});
        const bool has_deadline = deadline != expire_at.end();
        const int64_t when = has_deadline ? deadline->second : 0;
        forget(db, key);
        forget(db, to);
        for (Element& element : moved) element.pushed_ms = clock_.NowMs();
        if (tracked(db, to)) published[{db, queue_of(to)}] += moved.size();
        lists[{db, to}] = std::move(moved);
        if (has_deadline) expire_at[{db, to}] = when;
        break;
      }
      case 14: {  // MULTI: a publish, a restore and a fetch in one transaction
        expire(db, key);
        const std::string second = fresh();
        Do({"MULTI"});
        Do({"LPUSH", key, value});
        Do({"RPUSH", key, second});
        Do({"LPOP", key});
        const Reply reply = ParseReply(Do({"EXEC"}));
        ASSERT_EQ(reply.items.size(), 3u);
        push(db, key, value, true);
        push(db, key, second, false);
        ASSERT_EQ(reply.items[2].text, value);
        pop(db, key, value, true, false);
        break;
      }
      case 15: {  // Lua: publish, then move the oldest message to another list
        expire(db, key);
        expire(db, to);
        const Reply reply =
            ParseReply(Do({"EVAL",
                           "redis.call('LPUSH', KEYS[1], ARGV[1]) "
                           "return redis.call('LMOVE', KEYS[1], KEYS[2], 'RIGHT', 'LEFT')",
                           "2", key, to, value}));
        push(db, key, value, true);
        move(key, to, reply);
        break;
      }
      case 16: {  // a blocked worker leaves (its connection closes)
        if (blocked.empty()) break;
        auto it = std::next(blocked.begin(), static_cast<ptrdiff_t>(pick(blocked.size())));
        Client* gone = it->first;
        blocked.erase(it);
        engine_->Disconnect(gone);
        *std::find(workers.begin(), workers.end(), gone) = NewClient();
        break;
      }
      case 17:  // the other database, or a (re)declaration in this one
        if (pick(2) == 0) {
          db = 1 - db;
          Do({"SELECT", std::to_string(db)});
        } else {
          declare(queues[pick(queues.size())]);
        }
        break;
      case 18:  // SWAPDB (waiters stay on their database index) or, rarely, FLUSHDB
        if (pick(3) != 0) {
          Do({"SWAPDB", "0", "1"});
          swap_db(lists);
          swap_db(expire_at);
          swap_db(published);
          swap_db(delivered);
          std::set<DbKey> swapped;
          for (const DbKey& queue : declared) swapped.insert({1 - queue.first, queue.second});
          declared.swap(swapped);
        } else {
          Do({"FLUSHDB"});
          flush_db(lists, db);
          flush_db(expire_at, db);
          flush_db(published, db);
          flush_db(delivered, db);
          for (auto it = declared.begin(); it != declared.end();) {
            it = it->first == db ? declared.erase(it) : std::next(it);
          }
        }
        break;
      case 19:  // the periodic tick: active expiry, the history sample
        engine_->Cron();
        break;
    }
    check(step);
  }
}

}  // namespace
}  // namespace drayman::testing
