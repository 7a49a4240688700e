// CONFIG SET port / bind on a running server: the listeners move at once, and a failure leaves
// the old ones serving, with redis-server 7.0.15's error texts.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "server/server.h"

namespace drayman {
namespace {

class Socket {
 public:
  Socket() : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
    timeval timeout{5, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  }
  ~Socket() { close(fd_); }
  bool Connect(int port) {
    sockaddr_in address = Loopback(port);
    return connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  }
  // Listens on an ephemeral loopback port and returns it.
  int Listen() {
    sockaddr_in address = Loopback(0);
    bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address));
    listen(fd_, 1);
    socklen_t length = sizeof(address);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    return ntohs(address.sin_port);
  }
  std::string RoundTrip(const std::string& request) {
    send(fd_, request.data(), request.size(), 0);
    std::string reply;
    char buffer[4096];
    while (reply.empty() || reply.substr(reply.size() - 2) != "\r\n") {
      ssize_t count = recv(fd_, buffer, sizeof(buffer), 0);
      if (count <= 0) break;
      reply.append(buffer, static_cast<size_t>(count));
    }
    return reply;
  }

 private:
  static sockaddr_in Loopback(int port) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return address;
  }
  int fd_;
};

int FreePort() {
  Socket probe;
  return probe.Listen();  // released when the probe closes
}

std::string ConfigSet(int port, const std::string& name, const std::string& value) {
  Socket client;
  EXPECT_TRUE(client.Connect(port));
  return client.RoundTrip("*4\r\n$6\r\nCONFIG\r\n$3\r\nSET\r\n$" + std::to_string(name.size()) +
                          "\r\n" + name + "\r\n$" + std::to_string(value.size()) + "\r\n" + value +
                          "\r\n");
}

bool Serves(int port) {
  Socket client;
  return client.Connect(port) && client.RoundTrip("PING\r\n") == "+PONG\r\n";
}

Config LoopbackConfig() {
  Config config;
  std::string error;
  const char* argv[] = {"drayman", "--bind", "127.0.0.1", "--port", "0"};
  EXPECT_TRUE(config.ParseCommandLine(5, argv, &error)) << error;
  return config;
}

TEST(ConfigListenTest, PortMovesAtOnce) {
  Server server(LoopbackConfig());
  server.Start();
  const int old_port = server.port();
  const int new_port = FreePort();
  EXPECT_EQ(ConfigSet(old_port, "port", std::to_string(new_port)), "+OK\r\n");
  EXPECT_EQ(server.port(), new_port);
  EXPECT_TRUE(Serves(new_port));
  Socket refused;
  EXPECT_FALSE(refused.Connect(old_port));
  server.Stop();
}

TEST(ConfigListenTest, FailuresKeepTheOldListeners) {
  Server server(LoopbackConfig());
  server.Start();
  const int port = server.port();
  Socket holder;
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
  Socket client;
  ASSERT_TRUE(client.Connect(port));
  EXPECT_EQ(client.RoundTrip("CONFIG GET bind\r\n"), "*2\r\n$4\r\nbind\r\n$9\r\n127.0.0.1\r\n");
  server.Stop();
}

}  // namespace
}  // namespace drayman
