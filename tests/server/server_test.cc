// Server: the Asio front end started on its own thread (as the Python package does), on port 0.
#include "server/server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
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

// The server runs in this process, so the socket it accepted for a client is one of this
// process's descriptors: the one whose local end is the server's port and whose peer is the
// client's local port. Returns -1 if none.
int AcceptedSocketFor(const LoopbackSocket& client, int server_port) {
  const int client_port = client.LocalPort();
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    const int fd = std::stoi(entry.path().filename().string());
    sockaddr_in local{}, peer{};
    socklen_t length = sizeof(local);
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &length) != 0) continue;
    if (local.sin_family != AF_INET || ntohs(local.sin_port) != server_port) continue;
    length = sizeof(peer);
    if (getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &length) != 0) continue;
    if (ntohs(peer.sin_port) == client_port) return fd;
  }
  return -1;
}

int IntOption(int fd, int level, int name) {
  int value = -1;
  socklen_t length = sizeof(value);
  getsockopt(fd, level, name, &value, &length);
  return value;
}

// Redis's anetKeepAlive on every accepted connection: SO_KEEPALIVE, first probe after
// tcp-keepalive seconds, then every third of it, three probes. CONFIG SET applies to new
// connections.
TEST(ServerTest, AcceptedConnectionsGetTcpKeepalive) {
  Server server(LoopbackConfig());
  server.Start();
  LoopbackSocket first(server.port());
  ASSERT_EQ(first.RoundTrip("PING\r\n", 7), "+PONG\r\n");  // accepted and set up by now
  int fd = AcceptedSocketFor(first, server.port());
  ASSERT_GE(fd, 0);
  EXPECT_EQ(IntOption(fd, SOL_SOCKET, SO_KEEPALIVE), 1);
  EXPECT_EQ(IntOption(fd, IPPROTO_TCP, TCP_KEEPIDLE), 300);
  EXPECT_EQ(IntOption(fd, IPPROTO_TCP, TCP_KEEPINTVL), 100);
  EXPECT_EQ(IntOption(fd, IPPROTO_TCP, TCP_KEEPCNT), 3);

  ASSERT_EQ(first.RoundTrip("CONFIG SET tcp-keepalive 2\r\n", 5), "+OK\r\n");
  LoopbackSocket second(server.port());
  ASSERT_EQ(second.RoundTrip("PING\r\n", 7), "+PONG\r\n");
  fd = AcceptedSocketFor(second, server.port());
  ASSERT_GE(fd, 0);
  EXPECT_EQ(IntOption(fd, SOL_SOCKET, SO_KEEPALIVE), 1);
  EXPECT_EQ(IntOption(fd, IPPROTO_TCP, TCP_KEEPIDLE), 2);
  EXPECT_EQ(IntOption(fd, IPPROTO_TCP, TCP_KEEPINTVL), 1);  // 2 / 3 rounds to 0: at least 1
  EXPECT_EQ(IntOption(fd, IPPROTO_TCP, TCP_KEEPCNT), 3);
  // Connections made before keep theirs.
  EXPECT_EQ(IntOption(AcceptedSocketFor(first, server.port()), IPPROTO_TCP, TCP_KEEPIDLE), 300);

  ASSERT_EQ(first.RoundTrip("CONFIG SET tcp-keepalive 0\r\n", 5), "+OK\r\n");
  LoopbackSocket third(server.port());
  ASSERT_EQ(third.RoundTrip("PING\r\n", 7), "+PONG\r\n");
  fd = AcceptedSocketFor(third, server.port());
  ASSERT_GE(fd, 0);
  EXPECT_EQ(IntOption(fd, SOL_SOCKET, SO_KEEPALIVE), 0);
  server.Stop();
}

// Over maxclients a connection gets Redis's error and is closed, without becoming a client.
TEST(ServerTest, ConnectionsOverMaxclientsAreRefused) {
  Config config = LoopbackConfig();
  config.settings().maxclients = 1;
  Server server(std::move(config));
  server.Start();
  LoopbackSocket first(server.port());
  ASSERT_EQ(first.RoundTrip("PING\r\n", 7), "+PONG\r\n");
  LoopbackSocket second(server.port());
  EXPECT_EQ(second.Read(100), "-ERR max number of clients reached\r\n");  // then EOF
  const std::string clients = first.RoundTripLine("CLIENT LIST\r\n");
  EXPECT_NE(clients.find("id=1 "), std::string::npos) << clients;
  EXPECT_EQ(clients.find("id=2 "), std::string::npos) << clients;
  server.Stop();
}

}  // namespace
}  // namespace drayman
