// Server: the Asio front end started on its own thread (as the Python package does), on port 0.
#include "server/server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "tests/server/loopback.h"

namespace drayman {
namespace {

// A blocking loopback client with a receive timeout, so a broken server fails the test.

TEST(ServerTest, StartOnAThreadBindsAnEphemeralPortAndServes) {
  Server server(LoopbackConfig());
  server.Start();
  ASSERT_GT(server.port(), 0);
  LoopbackSocket client(server.port());
  ASSERT_TRUE(client.connected());
  EXPECT_EQ(client.RoundTrip("PING\r\n", 7), "+PONG\r\n");
  EXPECT_EQ(client.RoundTrip("*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\nPING\r\n", 15),
            "$2\r\nhi\r\n+PONG\r\n");
  server.Stop();
}

TEST(ServerTest, TwoServersRunSideBySide) {
  Server first(LoopbackConfig());
  Server second(LoopbackConfig());
  first.Start();
  second.Start();
  EXPECT_NE(first.port(), second.port());
  LoopbackSocket a(first.port());
  LoopbackSocket b(second.port());
  EXPECT_EQ(a.RoundTrip("PING\r\n", 7), "+PONG\r\n");
  EXPECT_EQ(b.RoundTrip("PING\r\n", 7), "+PONG\r\n");
  first.Stop();
  second.Stop();
}

TEST(ServerTest, ProtocolErrorClosesOnlyThatConnection) {
  Server server(LoopbackConfig());
  server.Start();
  LoopbackSocket bad(server.port());
  LoopbackSocket good(server.port());
  EXPECT_EQ(bad.RoundTrip("*1\r\n$abc\r\n", 1000), "-ERR Protocol error: invalid bulk length\r\n");
  EXPECT_EQ(good.RoundTrip("PING\r\n", 7), "+PONG\r\n");
  server.Stop();
}

TEST(ServerTest, ShutdownClosesEveryConnectionAndTheListener) {
  Server server(LoopbackConfig());
  server.Start();
  const int port = server.port();
  LoopbackSocket bystander(port);
  LoopbackSocket admin(port);
  ASSERT_EQ(bystander.RoundTrip("PING\r\n", 7), "+PONG\r\n");
  // No reply to SHUTDOWN: the connection just closes, as with redis-server.
  EXPECT_EQ(admin.RoundTrip("SHUTDOWN NOSAVE\r\n", 1), "");
  EXPECT_EQ(bystander.Read(1), "");
  LoopbackSocket late;
  EXPECT_FALSE(late.Connect(port));
  server.Stop();  // the loop already ended; Stop still joins cleanly
}

}  // namespace
}  // namespace drayman
