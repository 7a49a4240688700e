// Server: the Asio front end started on its own thread (as the Python package does), on port 0.
#include "server/server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

namespace drayman {
namespace {

// A blocking loopback client with a receive timeout, so a broken server fails the test.
class RawClient {
 public:
  explicit RawClient(int port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    timeval timeout{5, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  }
  ~RawClient() { close(fd_); }
  bool connected() const { return connected_; }
  // Sends `request` and reads until `expected_size` bytes arrived or the peer stops.
  std::string RoundTrip(const std::string& request, size_t expected_size) {
    send(fd_, request.data(), request.size(), 0);
    std::string reply;
    char buffer[4096];
    while (reply.size() < expected_size) {
      ssize_t count = recv(fd_, buffer, sizeof(buffer), 0);
      if (count <= 0) break;
      reply.append(buffer, static_cast<size_t>(count));
    }
    return reply;
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
};

Config LoopbackConfig() {
  Config config;
  std::string error;
  const char* argv[] = {"drayman", "--bind", "127.0.0.1", "--port", "0"};
  EXPECT_TRUE(config.ParseCommandLine(5, argv, &error)) << error;
  return config;
}

TEST(ServerTest, StartOnAThreadBindsAnEphemeralPortAndServes) {
  Server server(LoopbackConfig());
  server.Start();
  ASSERT_GT(server.port(), 0);
  RawClient client(server.port());
  ASSERT_TRUE(client.connected());
  EXPECT_EQ(client.RoundTrip("PING\r\n", 7), "+PONG\r\n");
  EXPECT_EQ(client.RoundTrip("*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\nPING\r\n", 15), "$2\r\nhi\r\n+PONG\r\n");
  server.Stop();
}

TEST(ServerTest, TwoServersRunSideBySide) {
  Server first(LoopbackConfig());
  Server second(LoopbackConfig());
  first.Start();
  second.Start();
  EXPECT_NE(first.port(), second.port());
  RawClient a(first.port());
  RawClient b(second.port());
  EXPECT_EQ(a.RoundTrip("PING\r\n", 7), "+PONG\r\n");
  EXPECT_EQ(b.RoundTrip("PING\r\n", 7), "+PONG\r\n");
  first.Stop();
  second.Stop();
}

TEST(ServerTest, ProtocolErrorClosesOnlyThatConnection) {
  Server server(LoopbackConfig());
  server.Start();
  RawClient bad(server.port());
  RawClient good(server.port());
  EXPECT_EQ(bad.RoundTrip("*1\r\n$abc\r\n", 1000), "-ERR Protocol error: invalid bulk length\r\n");
  EXPECT_EQ(good.RoundTrip("PING\r\n", 7), "+PONG\r\n");
  server.Stop();
}

}  // namespace
}  // namespace drayman
