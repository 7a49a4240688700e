// Blocking commands through the real Asio loop: the deadline timer, wake-ups across connections,
// replies written before a client blocks, and disconnects while blocked. Times are asserted
// loosely (they only show a timeout fires on its own timer, not on a later event).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>

#include "server/server.h"
#include "tests/server/loopback.h"

namespace drayman {
namespace {

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

TEST(BlockingServerTest, TimeoutFiresOnItsOwnTimer) {
  Server server(LoopbackConfig());
  server.Start();
  LoopbackSocket client(server.port());
  ASSERT_TRUE(client.connected());
  const auto start = std::chrono::steady_clock::now();
  client.Send("BLPOP k 0.3\r\n");
  EXPECT_EQ(client.Read(5), "*-1\r\n");
  const double elapsed = SecondsSince(start);
  EXPECT_GE(elapsed, 0.29);
  EXPECT_LT(elapsed, 1.0);
  server.Stop();
}

TEST(BlockingServerTest, EarlierDeadlineReArmsTheTimer) {
  Server server(LoopbackConfig());
  server.Start();
  LoopbackSocket slow(server.port());
  LoopbackSocket fast(server.port());
  const auto start = std::chrono::steady_clock::now();
  slow.Send("BLPOP k 30\r\n");
  fast.Send("PING\r\n");
  EXPECT_EQ(fast.Read(7), "+PONG\r\n");  // slow's BLPOP is in by now
  fast.Send("BRPOP k 0.2\r\n");
  EXPECT_EQ(fast.Read(5), "*-1\r\n");
  EXPECT_LT(SecondsSince(start), 1.5);
  server.Stop();
}

TEST(BlockingServerTest, RepliesBeforeTheBlockAreWrittenAndLaterCommandsWait) {
  Server server(LoopbackConfig());
  server.Start();
  LoopbackSocket waiter(server.port());  // client id 1
  LoopbackSocket admin(server.port());
  waiter.Send("PING\r\nBLPOP k 0\r\nECHO after\r\n");
  EXPECT_EQ(waiter.Read(7), "+PONG\r\n");
  admin.Send("CLIENT UNBLOCK 1\r\n");
  EXPECT_EQ(admin.Read(4), ":1\r\n");
  EXPECT_EQ(waiter.Read(16), "*-1\r\n$5\r\nafter\r\n");
  // The engine ran the waiter's input while its connection was waiting to read: the next bytes
  // must still land after what was parsed (a read buffer lent to the kernel would be stale).
  waiter.Send("ECHO again\r\n");
  EXPECT_EQ(waiter.Read(11), "$5\r\nagain\r\n");
  waiter.Send("PING\r\n");
  EXPECT_EQ(waiter.Read(7), "+PONG\r\n");
  server.Stop();
}

TEST(BlockingServerTest, DisconnectWhileBlockedWithADeadline) {
  Server server(LoopbackConfig());
  server.Start();
  {
    LoopbackSocket gone(server.port());
    gone.Send("BLPOP k 0.2\r\n");
    LoopbackSocket other(server.port());
    other.Send("PING\r\n");
    EXPECT_EQ(other.Read(7), "+PONG\r\n");
  }
  LoopbackSocket later(server.port());
  later.Send("BLPOP k 0.3\r\n");
  EXPECT_EQ(later.Read(5), "*-1\r\n");  // the timer outlived the gone client's deadline
  later.Send("PING\r\n");
  EXPECT_EQ(later.Read(7), "+PONG\r\n");
  server.Stop();
}

TEST(BlockingServerTest, StopWithBlockedClients) {
  Server server(LoopbackConfig());
  server.Start();
  LoopbackSocket forever(server.port());
  LoopbackSocket timed(server.port());
  forever.Send("BLPOP k 0\r\n");
  timed.Send("BLPOP k 100\r\n");
  LoopbackSocket probe(server.port());
  probe.Send("PING\r\n");
  EXPECT_EQ(probe.Read(7), "+PONG\r\n");
  server.Stop();
  EXPECT_EQ(forever.Read(1), "");  // closed, no reply
}

}  // namespace
}  // namespace drayman
