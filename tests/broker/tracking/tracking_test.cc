// Client-side caching through the engine: which reads are remembered, which changes invalidate
// whom, in which frame and in which order relative to replies (expected bytes are redis-server
// 7.0.15's; tests/python/test_tracking_oracle.py compares them with a live server).
#include "broker/tracking/tracking.h"

#include "tests/broker/engine_fixture.h"

namespace drayman::testing {
namespace {

std::string Push(std::string_view key) {
  return ">2\r\n$10\r\ninvalidate\r\n*1\r\n$" + std::to_string(key.size()) + "\r\n" +
         std::string(key) + "\r\n";
}
std::string Message(std::string_view key) {
  return "*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n*1\r\n$" +
         std::to_string(key.size()) + "\r\n" + std::string(key) + "\r\n";
}
constexpr std::string_view kFlushPush = ">2\r\n$10\r\ninvalidate\r\n_\r\n";

class TrackingTest : public EngineTest {
 protected:
  // What was delivered to `client` outside its own commands, taken.
  static std::string Take(Client* client) {
    std::string out;
    out.swap(client->output());
    return out;
  }
  Client* Resp3Client() {
    Client* client = NewClient();
    client->reply().set_protocol(Protocol::kResp3);
    return client;
  }
  std::string Info(std::string_view field) {
    const std::string info = Run("INFO everything");
    const size_t at = info.find(std::string(field) + ":");
    if (at == std::string::npos) return "missing";
    const size_t start = at + field.size() + 1;
    return info.substr(start, info.find("\r\n", start) - start);
  }
};

TEST_F(TrackingTest, ReadKeysAreInvalidatedOnceWhenAnotherClientWrites) {
  Resp3();
  Client* writer = NewClient();
  EXPECT_EQ(Run("CLIENT TRACKING on"), "+OK\r\n");
  EXPECT_EQ(Run("GET k"), "_\r\n");
  EXPECT_EQ(Run("MGET a b"), "*2\r\n_\r\n_\r\n");
  EXPECT_EQ(Info("tracking_clients"), "1");
  EXPECT_EQ(Info("tracking_total_keys"), "3");
  EXPECT_EQ(Info("tracking_total_items"), "3");
  EXPECT_EQ(RunOn(writer, "SET k 1"), "+OK\r\n");
  EXPECT_EQ(Take(client_), Push("k"));
  // The entry went with the message: a second write says nothing until the key is read again.
  EXPECT_EQ(RunOn(writer, "SET k 2"), "+OK\r\n");
  EXPECT_EQ(Take(client_), "");
  EXPECT_EQ(RunOn(writer, "DEL a b"), ":0\r\n");  // no key existed: nothing changed
  EXPECT_EQ(Take(client_), "");
  EXPECT_EQ(RunOn(writer, "MSET a 1 b 2"), "+OK\r\n");
  EXPECT_EQ(Take(client_), Push("a") + Push("b"));
  EXPECT_EQ(Info("tracking_total_keys"), "0");
  // Writes are not reads: SET does not make the writer's keys tracked.
  EXPECT_EQ(Run("SET w 1"), "+OK\r\n");
  EXPECT_EQ(RunOn(writer, "SET w 2"), "+OK\r\n");
  EXPECT_EQ(Take(client_), "");
}

TEST_F(TrackingTest, OwnWritesAreAnnouncedAfterTheReplyUnlessNoloop) {
  Resp3();
  Run("CLIENT TRACKING on");
  Run("GET k");
  EXPECT_EQ(Run("SET k v"), "+OK\r\n" + Push("k"));
  Run("GET k");
  EXPECT_EQ(Run("MULTI"), "+OK\r\n");
  EXPECT_EQ(Run("SET k 1"), "+QUEUED\r\n");
  EXPECT_EQ(Run("GET k"), "+QUEUED\r\n");
  EXPECT_EQ(Run("SET k 2"), "+QUEUED\r\n");
  // The whole EXEC reply comes first: the SET invalidates, the GET reads again, the second SET
  // invalidates again.
  EXPECT_EQ(Run("EXEC"), "*3\r\n+OK\r\n$1\r\n1\r\n+OK\r\n" + Push("k") + Push("k"));
  EXPECT_EQ(Run("CLIENT TRACKING on NOLOOP"), "+OK\r\n");
  Run("GET k");
  EXPECT_EQ(Run("SET k v"), "+OK\r\n");
  // The entry is gone all the same.
  EXPECT_EQ(Info("tracking_total_keys"), "0");
}

TEST_F(TrackingTest, Resp2RedirectsAsPubSubMessagesToASubscribedClient) {
  Client* listener = NewClient();
  const std::string id = std::to_string(listener->id());
  EXPECT_EQ(RunOn(listener, "SUBSCRIBE __redis__:invalidate"),
            "*3\r\n$9\r\nsubscribe\r\n$20\r\n__redis__:invalidate\r\n:1\r\n");
  EXPECT_EQ(Run("CLIENT TRACKING on REDIRECT " + id), "+OK\r\n");
  EXPECT_EQ(Run("CLIENT GETREDIR"), ":" + id + "\r\n");
  Run("GET k");
  EXPECT_EQ(Run("SET k v"), "+OK\r\n");
  EXPECT_EQ(Take(listener), Message("k"));
  // RESP2 without redirection: nowhere to send, but the entry still goes.
  EXPECT_EQ(Run("CLIENT TRACKING off"), "+OK\r\n");
  EXPECT_EQ(Run("CLIENT GETREDIR"), ":-1\r\n");
  EXPECT_EQ(Run("CLIENT TRACKING on"), "+OK\r\n");
  EXPECT_EQ(Run("CLIENT GETREDIR"), ":0\r\n");
  Run("GET k");
  EXPECT_EQ(Run("SET k v"), "+OK\r\n");
  EXPECT_EQ(Take(listener), "");
}

TEST_F(TrackingTest, AGoneRedirectClientIsReportedInResp3) {
  Resp3();
  Client* target = NewClient();
  const std::string id = std::to_string(target->id());
  Run("CLIENT TRACKING on REDIRECT " + id);
  Run("GET k");
  engine_->Disconnect(target);
  EXPECT_EQ(Run("SET k v"),
            "+OK\r\n>2\r\n$21\r\ntracking-redir-broken\r\n:" + id + "\r\n");
  EXPECT_EQ(Run("CLIENT TRACKINGINFO"),
            "%3\r\n$5\r\nflags\r\n~2\r\n$2\r\non\r\n$15\r\nbroken_redirect\r\n"
            "$8\r\nredirect\r\n:" +
                id + "\r\n$8\r\nprefixes\r\n*0\r\n");
  EXPECT_NE(Run("CLIENT INFO").find("flags=tR "), std::string::npos);
  EXPECT_EQ(Run("CLIENT TRACKING on REDIRECT " + id),
            "-ERR The client ID you want redirect to does not exist\r\n");
}

TEST_F(TrackingTest, FlushesSendOneNullToEveryTrackingClient) {
  Resp3();
  Client* other = Resp3Client();
  Client* bcast = Resp3Client();
  RunOn(other, "CLIENT TRACKING on");
  RunOn(bcast, "CLIENT TRACKING on BCAST");
  Run("CLIENT TRACKING on");
  RunOn(other, "GET k");
  EXPECT_EQ(Run("FLUSHALL"), "+OK\r\n" + std::string(kFlushPush));
  EXPECT_EQ(Take(other), kFlushPush);
  EXPECT_EQ(Take(bcast), kFlushPush);
  EXPECT_EQ(Info("tracking_total_keys"), "0");
  EXPECT_EQ(Info("tracking_total_items"), "0");
  EXPECT_EQ(RunOn(other, "FLUSHDB"), "+OK\r\n" + std::string(kFlushPush));
  EXPECT_EQ(Take(client_), kFlushPush);
  // A RESP2 tracking client's null is RESP2's, even at a RESP3 redirect client.
  Client* resp2 = NewClient();
  RunOn(resp2, "CLIENT TRACKING on REDIRECT " + std::to_string(other->id()));
  RunOn(bcast, "CLIENT TRACKING off");
  Run("CLIENT TRACKING off");
  RunOn(other, "CLIENT TRACKING off");
  EXPECT_EQ(Run("FLUSHDB"), "+OK\r\n");
  EXPECT_EQ(Take(other), ">2\r\n$10\r\ninvalidate\r\n$-1\r\n");
}

TEST_F(TrackingTest, BcastSendsThePrefixesKeysOncePerBatch) {
  Resp3();
  Client* writer = NewClient();
  EXPECT_EQ(Run("CLIENT TRACKING on BCAST PREFIX user: PREFIX job:"), "+OK\r\n");
  EXPECT_EQ(Info("tracking_total_prefixes"), "2");
  // Every key written under a prefix, read by anyone or not, sorted by bytes, one message per
  // prefix once the batch of input is done.
  Feed("*3\r\n$3\r\nSET\r\n$6\r\nuser:b\r\n$1\r\n1\r\n"
       "*3\r\n$3\r\nSET\r\n$6\r\nuser:a\r\n$1\r\n1\r\n"
       "*3\r\n$3\r\nSET\r\n$5\r\njob:1\r\n$1\r\n1\r\n"
       "*3\r\n$3\r\nSET\r\n$5\r\nother\r\n$1\r\n1\r\n"
       "*3\r\n$3\r\nSET\r\n$6\r\nuser:a\r\n$1\r\n2\r\n",
       writer);
  EXPECT_EQ(Take(client_),
            ">2\r\n$10\r\ninvalidate\r\n*1\r\n$5\r\njob:1\r\n"
            ">2\r\n$10\r\ninvalidate\r\n*2\r\n$6\r\nuser:a\r\n$6\r\nuser:b\r\n");
  EXPECT_EQ(Run("CLIENT TRACKINGINFO"),
            "%3\r\n$5\r\nflags\r\n~2\r\n$2\r\non\r\n$5\r\nbcast\r\n$8\r\nredirect\r\n:0\r\n"
            "$8\r\nprefixes\r\n*2\r\n$4\r\njob:\r\n$5\r\nuser:\r\n");
  EXPECT_NE(Run("CLIENT INFO").find("flags=tB "), std::string::npos);
  // NOLOOP leaves out keys the client itself changed last. Re-enabling BCAST without PREFIX adds
  // the empty prefix to those the client has, so a key under user: now comes twice (one message
  // per prefix, the empty one first), as in Redis.
  EXPECT_EQ(Run("CLIENT TRACKING on BCAST NOLOOP"), "+OK\r\n");
  EXPECT_EQ(Info("tracking_total_prefixes"), "3");
  EXPECT_EQ(Feed("*3\r\n$3\r\nSET\r\n$6\r\nuser:x\r\n$1\r\n1\r\n"), "+OK\r\n");
  Feed("*3\r\n$3\r\nSET\r\n$6\r\nuser:y\r\n$1\r\n1\r\n", writer);
  const std::string user_y = ">2\r\n$10\r\ninvalidate\r\n*1\r\n$6\r\nuser:y\r\n";
  EXPECT_EQ(Take(client_), user_y + user_y);
  EXPECT_EQ(Run("CLIENT TRACKING off"), "+OK\r\n");
  EXPECT_EQ(Info("tracking_total_prefixes"), "0");
}

TEST_F(TrackingTest, OptinRemembersOnlyAfterCachingYes) {
  Resp3();
  Client* writer = NewClient();
  EXPECT_EQ(Run("CLIENT CACHING yes"),
            "-ERR CLIENT CACHING can be called only when the client is in tracking mode with "
            "OPTIN or OPTOUT mode enabled\r\n");
  Run("CLIENT TRACKING on OPTIN");
  EXPECT_EQ(Run("CLIENT CACHING no"),
            "-ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.\r\n");
  // Fed through the parser, as CACHING lasts for the next command a client sends.
  Feed("*2\r\n$3\r\nGET\r\n$1\r\na\r\n");
  Feed("*3\r\n$6\r\nCLIENT\r\n$7\r\nCACHING\r\n$3\r\nyes\r\n"
       "*2\r\n$3\r\nGET\r\n$1\r\nb\r\n*2\r\n$3\r\nGET\r\n$1\r\nc\r\n");
  EXPECT_EQ(Info("tracking_total_keys"), "1");
  RunOn(writer, "MSET a 1 b 1 c 1");
  EXPECT_EQ(Take(client_), Push("b"));
  // Through a transaction, CACHING YES covers every command of it.
  Feed("*3\r\n$6\r\nCLIENT\r\n$7\r\nCACHING\r\n$3\r\nyes\r\n*1\r\n$5\r\nMULTI\r\n"
       "*2\r\n$3\r\nGET\r\n$1\r\na\r\n*2\r\n$3\r\nGET\r\n$1\r\nb\r\n*1\r\n$4\r\nEXEC\r\n");
  EXPECT_EQ(Info("tracking_total_keys"), "2");
  Feed("*2\r\n$3\r\nGET\r\n$1\r\nc\r\n");
  EXPECT_EQ(Info("tracking_total_keys"), "2");
}

TEST_F(TrackingTest, OptoutSkipsOnlyAfterCachingNo) {
  Resp3();
  Run("CLIENT TRACKING on OPTOUT");
  EXPECT_EQ(Run("CLIENT TRACKINGINFO"),
            "%3\r\n$5\r\nflags\r\n~2\r\n$2\r\non\r\n$6\r\noptout\r\n$8\r\nredirect\r\n:0\r\n"
            "$8\r\nprefixes\r\n*0\r\n");
  Feed("*3\r\n$6\r\nCLIENT\r\n$7\r\nCACHING\r\n$2\r\nno\r\n*2\r\n$3\r\nGET\r\n$1\r\na\r\n"
       "*2\r\n$3\r\nGET\r\n$1\r\nb\r\n");
  EXPECT_EQ(Info("tracking_total_keys"), "1");
  EXPECT_EQ(Run("CLIENT TRACKING on OPTIN"),
            "-ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, "
            "and then re-enabling it with a different mode.\r\n");
}

TEST_F(TrackingTest, OptionErrorsComeInRedisOrder) {
  EXPECT_EQ(Run("CLIENT TRACKING on PREFIX a"),
            "-ERR PREFIX option requires BCAST mode to be enabled\r\n");
  EXPECT_EQ(Run("CLIENT TRACKING on BCAST OPTIN"),
            "-ERR OPTIN and OPTOUT are not compatible with BCAST\r\n");
  EXPECT_EQ(Run("CLIENT TRACKING on OPTIN OPTOUT"),
            "-ERR You can't specify both OPTIN mode and OPTOUT mode\r\n");
  EXPECT_EQ(Run("CLIENT TRACKING on REDIRECT 1 REDIRECT 1"),
            "-ERR A client can only redirect to a single other client\r\n");
  EXPECT_EQ(Run("CLIENT TRACKING on REDIRECT x"),
            "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(Run("CLIENT TRACKING on REDIRECT 0"),
            "-ERR The client ID you want redirect to does not exist\r\n");
  EXPECT_EQ(Run("CLIENT TRACKING on FOO"), "-ERR syntax error\r\n");
  EXPECT_EQ(Run("CLIENT TRACKING maybe"), "-ERR syntax error\r\n");
  EXPECT_EQ(Run("CLIENT TRACKING on BCAST PREFIX ab PREFIX a"),
            "-ERR Prefix 'ab' overlaps with another provided prefix 'a'. Prefixes for a single "
            "client must not overlap.\r\n");
  EXPECT_EQ(Run("CLIENT TRACKING on BCAST PREFIX ab"), "+OK\r\n");
  EXPECT_EQ(Run("CLIENT TRACKING on BCAST PREFIX abc"),
            "-ERR Prefix 'abc' overlaps with an existing prefix 'ab'. Prefixes for a single "
            "client must not overlap.\r\n");
  EXPECT_EQ(Run("CLIENT TRACKING on"),
            "-ERR You can't switch BCAST mode on/off before disabling tracking for this client, "
            "and then re-enabling it with a different mode.\r\n");
  // Re-enabling BCAST adds prefixes to those the client has.
  EXPECT_EQ(Run("CLIENT TRACKING on BCAST PREFIX b"), "+OK\r\n");
  EXPECT_EQ(Info("tracking_total_prefixes"), "2");
  EXPECT_EQ(Run("CLIENT TRACKING"),
            "-ERR wrong number of arguments for 'client|tracking' command\r\n");
}

TEST_F(TrackingTest, ExpiryAndScriptsInvalidateAndRemember) {
  Resp3();
  Client* other = NewClient();
  Run("CLIENT TRACKING on");
  RunOn(other, "SET k v PX 100");
  Run("GET k");
  clock_.AdvanceMs(200);
  // Another client's read expires the key: the tracking client hears about it at once.
  EXPECT_EQ(RunOn(other, "GET k"), "$-1\r\n");
  EXPECT_EQ(Take(client_), Push("k"));
  // The tracking client's own read expires it: the message follows the reply, and the key is
  // remembered again.
  RunOn(other, "SET k v PX 100");
  Run("GET k");
  clock_.AdvanceMs(200);
  EXPECT_EQ(Run("GET k"), "_\r\n" + Push("k"));
  EXPECT_EQ(Info("tracking_total_keys"), "1");
  // A script's reads are remembered for its caller; its writes invalidate after its reply.
  EXPECT_EQ(Run("EVAL \"return redis.call('get', KEYS[1])\" 1 s"), "_\r\n");
  EXPECT_EQ(Run("EVAL \"return redis.call('set', KEYS[1], 'x')\" 1 s"), "+OK\r\n" + Push("s"));
  EXPECT_EQ(Run("EVAL_RO \"return 1\" 1 r"), ":1\r\n");
  EXPECT_EQ(RunOn(other, "SET r 1"), "+OK\r\n");
  EXPECT_EQ(Take(client_), "");
}

TEST_F(TrackingTest, TheTableStaysWithinTrackingTableMaxKeys) {
  Resp3();
  Run("CONFIG SET tracking-table-max-keys 2");
  Run("CLIENT TRACKING on");
  Run("MGET a b c");
  // The next command starts by invalidating keys until the table is back within the limit.
  const std::string reply = Run("PING");
  EXPECT_EQ(reply.size(), Push("a").size() + 7);
  EXPECT_EQ(reply.substr(reply.size() - 7), "+PONG\r\n");
  EXPECT_EQ(Info("tracking_total_keys"), "2");
}

TEST_F(TrackingTest, DisabledClientsLeaveTheirIdsUntilTheKeysChange) {
  Client* reader = Resp3Client();
  RunOn(reader, "CLIENT TRACKING on");
  RunOn(reader, "GET k");
  RunOn(reader, "CLIENT TRACKING off");
  EXPECT_EQ(Info("tracking_clients"), "0");
  EXPECT_EQ(Info("tracking_total_items"), "1");
  EXPECT_EQ(Run("SET k v"), "+OK\r\n");
  EXPECT_EQ(Take(reader), "");
  EXPECT_EQ(Info("tracking_total_items"), "0");
  // RESET turns tracking off.
  RunOn(reader, "CLIENT TRACKING on");
  EXPECT_EQ(RunOn(reader, "RESET"), "+RESET\r\n");
  EXPECT_EQ(RunOn(reader, "CLIENT TRACKINGINFO"),
            "*6\r\n$5\r\nflags\r\n*1\r\n$3\r\noff\r\n$8\r\nredirect\r\n:-1\r\n$8\r\nprefixes\r\n"
            "*0\r\n");
}

}  // namespace
}  // namespace drayman::testing
