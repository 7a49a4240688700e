// maxmemory-clients: which clients are evicted, when, in what order, and what is left alone.
// Clients are filled with incomplete commands (their query buffers hold the bytes), so each
// client's memory is known exactly from ComputeClientMemory; commands that must be followed by
// an eviction check go through ProcessInput (Feed), as they do in the server.
#include "broker/eviction/client_eviction.h"

#include <string>
#include <vector>

#include "broker/stats/client_memory.h"
#include "tests/broker/engine_fixture.h"

namespace drayman::testing {
namespace {

constexpr std::string_view kOk = "+OK\r\n";

class ClientEvictionTest : public EngineTest {
 protected:
  ClientEvictionTest() {
    // The control connection (the fixture's client) is never the one under test.
    EXPECT_EQ(Control("CLIENT NO-EVICT on"), kOk);
    engine_->log_sink = [this](LogLevel level, std::string_view message) {
      if (message.starts_with("Evicting client: ")) {
        EXPECT_EQ(level, LogLevel::kNotice);
        log_.emplace_back(message);
      }
    };
  }

  // Runs an inline command on the control connection through ProcessInput, so the eviction check
  // that follows a batch of input runs as in the server.
  std::string Control(std::string_view line) { return Feed(std::string(line) + "\r\n"); }

  // A new connection whose query buffer holds `bytes` bytes of an unfinished argument.
  Client* Filled(size_t bytes) {
    Client* client = NewClient();
    Grow(client, bytes);
    return client;
  }
  void Grow(Client* client, size_t bytes) {
    if (client->parser().buffered_bytes() == 0) {
      Feed("*2\r\n$" + std::to_string(512 * 1024 * 1024 - 1) + "\r\n", client);
    }
    Feed(std::string(bytes, 'v'), client);
  }
  static size_t Memory(const Client* client) { return ComputeClientMemory(*client, nullptr).total; }
  static bool Evicted(const Client* client) {
    return client->close_asap && client->close_cause == DisconnectCause::kClientEviction;
  }
  std::string InfoField(std::string_view field) {
    std::string info = Run("INFO stats");
    size_t at = info.find("\r\n" + std::string(field) + ":");
    if (at == std::string::npos) return "<missing>";
    at += field.size() + 3;
    return info.substr(at, info.find("\r\n", at) - at);
  }

  std::vector<std::string> log_;
};

TEST_F(ClientEvictionTest, LimitFollowsRedisRules) {
  Settings settings;
  EXPECT_EQ(ClientEviction::Limit(settings), 0u);  // off by default
  settings.maxmemory_clients = 1;                  // never under 128 KB
  EXPECT_EQ(ClientEviction::Limit(settings), 128u * 1024);
  settings.maxmemory_clients = 3'000'000;
  EXPECT_EQ(ClientEviction::Limit(settings), 3'000'000u);
  settings.maxmemory_clients = -7;  // 7% of maxmemory
  EXPECT_EQ(ClientEviction::Limit(settings), 0u);  // nothing while maxmemory is 0
  settings.maxmemory = 6 * 1024 * 1024;
  EXPECT_EQ(ClientEviction::Limit(settings), 440401u);
  settings.maxmemory_clients = -1;
  EXPECT_EQ(ClientEviction::Limit(settings), 128u * 1024);
}

TEST_F(ClientEvictionTest, ConfigForms) {
  EXPECT_EQ(Run("CONFIG SET maxmemory-clients 10%"), kOk);
  EXPECT_EQ(engine_->settings().maxmemory_clients, -10);
  EXPECT_EQ(Run("CONFIG GET maxmemory-clients"), "*2\r\n$17\r\nmaxmemory-clients\r\n$3\r\n10%\r\n");
  EXPECT_EQ(Run("CONFIG SET maxmemory-clients 1mb"), kOk);
  EXPECT_EQ(engine_->settings().maxmemory_clients, 1024 * 1024);
  EXPECT_EQ(Run("CONFIG SET maxmemory-clients 101%"),
            "-ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - "
            "percentage argument must be less or equal to 100\r\n");
  EXPECT_EQ(Run("CONFIG SET maxmemory-clients -1"),
            "-ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - "
            "argument must be a memory or percent value\r\n");
  EXPECT_EQ(engine_->settings().maxmemory_clients, 1024 * 1024);
}

TEST_F(ClientEvictionTest, OffByDefaultCountsNothing) {
  Client* big = Filled(4 * 1024 * 1024);
  EXPECT_FALSE(big->close_asap);
  EXPECT_FALSE(engine_->client_eviction().active());
  EXPECT_EQ(engine_->client_eviction().total(), 0u);
  EXPECT_EQ(big->counted_memory, 0u);
  EXPECT_EQ(InfoField("evicted_clients"), "0");
}

TEST_F(ClientEvictionTest, LargeQueryBufferIsEvicted) {
  EXPECT_EQ(Control("CONFIG SET maxmemory-clients 300000"), kOk);
  Client* victim = Filled(100'000);
  EXPECT_FALSE(victim->close_asap);
  EXPECT_EQ(victim->counted_memory, Memory(victim));
  Grow(victim, 200'000);
  EXPECT_TRUE(Evicted(victim));
  EXPECT_EQ(observer_.close_requested, 1);
  EXPECT_EQ(victim->counted_memory, 0u);  // out of the total at once
  EXPECT_EQ(InfoField("evicted_clients"), "1");
  ASSERT_EQ(log_.size(), 1u);
  EXPECT_NE(log_[0].find(" tot-mem="), std::string::npos);
  EXPECT_NE(log_[0].find(" qbuf=300000 "), std::string::npos) << log_[0];
  // CONFIG RESETSTAT clears the counter, as Redis's resetServerStats does.
  EXPECT_EQ(Run("CONFIG RESETSTAT"), kOk);
  EXPECT_EQ(InfoField("evicted_clients"), "0");
}

TEST_F(ClientEvictionTest, NoEvictProtectsUntilTurnedOff) {
  EXPECT_EQ(Run("SET big " + std::string(400'000, 'v')), kOk);
  EXPECT_EQ(Control("CONFIG SET maxmemory-clients 300000"), kOk);
  // A protected client whose reply (400 KB) is not written: over the limit, still connected.
  Client* reader = NewClient();
  reader->parser().Feed("CLIENT NO-EVICT on\r\nGET big\r\n");
  engine_->ProcessInput(*reader);
  EXPECT_FALSE(reader->close_asap);
  // Counted, though: the total stays over the limit with nothing evictable...
  EXPECT_GE(engine_->client_eviction().total(), 400'000u);
  EXPECT_EQ(InfoField("evicted_clients"), "0");
  // ...so any evictable client is evicted, however small.
  Client* small = Filled(1000);
  EXPECT_TRUE(Evicted(small));
  EXPECT_EQ(InfoField("evicted_clients"), "1");
  engine_->Disconnect(small);
  // Turning protection off evicts it after that input.
  reader->parser().Feed("CLIENT NO-EVICT off\r\n");
  engine_->ProcessInput(*reader);
  EXPECT_TRUE(Evicted(reader));
  EXPECT_EQ(InfoField("evicted_clients"), "2");
}

TEST_F(ClientEvictionTest, LargestFirstAndOnlyUntilBelowTheLimit) {
  Client* small = Filled(100'000);
  Client* medium = Filled(300'000);
  Client* large = Filled(900'000);
  Client* large2 = Filled(900'000);
  const size_t control = Memory(client_);
  // Room for everything but one large client.
  const size_t limit = Memory(small) + Memory(medium) + Memory(large) + control + 1024;
  EXPECT_EQ(Control("CONFIG SET maxmemory-clients " + std::to_string(limit)), kOk);
  EXPECT_TRUE(Evicted(large));  // of two equal clients, the older goes first
  EXPECT_FALSE(large2->close_asap);
  EXPECT_FALSE(small->close_asap);
  EXPECT_FALSE(medium->close_asap);
  EXPECT_EQ(InfoField("evicted_clients"), "1");
  EXPECT_LT(engine_->client_eviction().total(), limit);
  // Lowering the limit below the large client evicts it at once, and nothing else.
  const size_t lower = Memory(small) + Memory(medium) + control + 1024;
  EXPECT_EQ(Control("CONFIG SET maxmemory-clients " + std::to_string(lower)), kOk);
  EXPECT_TRUE(Evicted(large) && Evicted(large2));
  EXPECT_FALSE(small->close_asap);
  EXPECT_FALSE(medium->close_asap);
  EXPECT_EQ(InfoField("evicted_clients"), "2");
  EXPECT_EQ(log_.size(), 2u);
}

TEST_F(ClientEvictionTest, PercentOfMaxmemory) {
  EXPECT_EQ(Control("CONFIG SET maxmemory-clients 2%"), kOk);
  Client* big = Filled(300'000);
  EXPECT_FALSE(big->close_asap);  // no maxmemory: no limit
  EXPECT_EQ(Control("CONFIG SET maxmemory 10mb"), kOk);  // 2% = 209715 bytes
  EXPECT_TRUE(Evicted(big));
}

TEST_F(ClientEvictionTest, TurningOffForgetsAndTurningOnMeasuresEveryone) {
  Client* big = Filled(200'000);
  EXPECT_EQ(Control("CONFIG SET maxmemory-clients 10mb"), kOk);
  EXPECT_TRUE(engine_->client_eviction().active());
  EXPECT_EQ(big->counted_memory, Memory(big));
  EXPECT_EQ(engine_->client_eviction().total(), Memory(big) + client_->counted_memory);
  EXPECT_EQ(Control("CONFIG SET maxmemory-clients 0"), kOk);
  EXPECT_FALSE(engine_->client_eviction().active());
  EXPECT_EQ(engine_->client_eviction().total(), 0u);
  EXPECT_EQ(big->counted_memory, 0u);
  // A disconnect leaves the total.
  EXPECT_EQ(Control("CONFIG SET maxmemory-clients 10mb"), kOk);
  const size_t before = engine_->client_eviction().total();
  const size_t memory = big->counted_memory;
  engine_->Disconnect(big);
  EXPECT_EQ(engine_->client_eviction().total(), before - memory);
}

TEST_F(ClientEvictionTest, MultiQueueAndWatchedKeysCount) {
  EXPECT_EQ(Control("CONFIG SET maxmemory-clients 300000"), kOk);
  Client* victim = NewClient();
  EXPECT_EQ(Feed("MULTI\r\n", victim), kOk);
  const std::string value(100'000, 'v');
  EXPECT_EQ(Feed("SET k " + value + "\r\n", victim), "+QUEUED\r\n");
  EXPECT_EQ(victim->multi_mem, 100'004u);  // SET, k, the value
  EXPECT_FALSE(victim->close_asap);
  Feed("SET k " + value + "\r\n", victim);
  Feed("SET k " + value + "\r\n", victim);
  EXPECT_TRUE(Evicted(victim));

  Client* watcher = NewClient();
  for (int i = 0; i < 100'000 && !watcher->close_asap; ++i) {
    Feed("WATCH key" + std::to_string(i) + "\r\n", watcher);
  }
  EXPECT_TRUE(Evicted(watcher));
  EXPECT_EQ(InfoField("evicted_clients"), "2");
}

TEST_F(ClientEvictionTest, OutputAppendedByOthersCountsAndIsEvictedAfterTheirInput) {
  EXPECT_EQ(Control("CONFIG SET maxmemory-clients 300000"), kOk);
  Client* subscriber = NewClient();
  Feed("SUBSCRIBE news\r\n", subscriber);
  Client* publisher = NewClient();
  const std::string message(50'000, 'm');
  for (int i = 0; i < 10 && !subscriber->close_asap; ++i) {
    Feed("PUBLISH news " + message + "\r\n", publisher);  // nobody writes the subscriber's output
  }
  EXPECT_TRUE(Evicted(subscriber));
  EXPECT_FALSE(publisher->close_asap);
}

TEST_F(ClientEvictionTest, WrittenOutputShrinksTheCount) {
  EXPECT_EQ(Control("CONFIG SET maxmemory-clients 10mb"), kOk);
  Client* reader = NewClient();
  EXPECT_EQ(Feed("SET k " + std::string(100'000, 'v') + "\r\n", reader), kOk);
  reader->output().shrink_to_fit();
  engine_->NoteOutputWritten(*reader);
  const size_t idle = reader->counted_memory;
  reader->parser().Feed("GET k\r\n");
  engine_->ProcessInput(*reader);  // the reply stays in the output, as if not yet written
  EXPECT_GE(reader->counted_memory, idle + 100'000);
  std::string().swap(reader->output());  // the transport wrote it
  engine_->NoteOutputWritten(*reader);
  EXPECT_LT(reader->counted_memory, idle + 1000);
}

TEST_F(ClientEvictionTest, CronEnforcesAfterOutputWasWrittenElsewhere) {
  EXPECT_EQ(Control("CONFIG SET maxmemory-clients 300000"), kOk);
  Client* victim = Filled(100'000);
  // Output appended without any hook (as a transport might): only Cron's re-measure sees it.
  victim->output().append(300'000, 'x');
  EXPECT_FALSE(victim->close_asap);
  engine_->Cron();
  EXPECT_TRUE(Evicted(victim));
}

}  // namespace
}  // namespace drayman::testing
