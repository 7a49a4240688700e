// CONFIG SET port / bind on a running server: the listeners move at once, and a failure leaves
// the old ones serving, with redis-server 7.0.15's error texts.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "server/server.h"
#include "tests/server/loopback.h"

namespace drayman {
namespace {

int FreePort() {
  LoopbackSocket probe;
  return probe.Listen();  // released when the probe closes
}

std::string ConfigSet(int port, const std::string& name, const std::string& value) {
  LoopbackSocket client;
  EXPECT_TRUE(client.Connect(port));
  return client.RoundTripLine("*4\r\n$6\r\nCONFIG\r\n$3\r\nSET\r\n$" + std::to_string(name.size()) +
                              "\r\n" + name + "\r\n$" + std::to_string(value.size()) + "\r\n" +
                              value + "\r\n");
}

bool Serves(int port) {
  LoopbackSocket client;
  return client.Connect(port) && client.RoundTripLine("PING\r\n") == "+PONG\r\n";
}

TEST(ConfigListenTest, PortMovesAtOnce) {
  Server server(LoopbackConfig());
  server.Start();
  const int old_port = server.port();
  const int new_port = FreePort();
  EXPECT_EQ(ConfigSet(old_port, "port", std::to_string(new_port)), "+OK\r\n");
  EXPECT_EQ(server.port(), new_port);
  EXPECT_TRUE(Serves(new_port));
  LoopbackSocket refused;
  EXPECT_FALSE(refused.Connect(old_port));
  server.Stop();
}

TEST(ConfigListenTest, FailuresKeepTheOldListeners) {
  Server server(LoopbackConfig());
  server.Start();
  const int port = server.port();
  LoopbackSocket holder;
  const int taken = holder.Listen();
  EXPECT_EQ(ConfigSet(port, "port", std::to_string(taken)),
            "-ERR CONFIG SET failed (possibly related to argument 'port') - Unable to listen on "
            "this port. Check server logs.\r\n");
  EXPECT_EQ(server.port(), port);
  EXPECT_TRUE(Serves(port));
  // 192.0.2.1 (TEST-NET-1) is not a local address, so binding it fails.
  EXPECT_EQ(ConfigSet(port, "bind", "127.0.0.1 192.0.2.1"),
            "-ERR CONFIG SET failed (possibly related to argument 'bind') - Failed to bind to "
            "specified addresses.\r\n");
  EXPECT_TRUE(Serves(port));
  LoopbackSocket client;
  ASSERT_TRUE(client.Connect(port));
  EXPECT_EQ(client.RoundTripLine("CONFIG GET bind\r\n"), "*2\r\n$4\r\nbind\r\n$9\r\n127.0.0.1\r\n");
  server.Stop();
}

}  // namespace
}  // namespace drayman
