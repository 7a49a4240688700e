// Loopback clients for server tests.
//
// LoopbackSocket is a blocking TCP socket on 127.0.0.1 with a 5 s receive timeout, so a server
// that never answers fails a test instead of hanging it. LoopbackConfig is a server
// configuration bound to 127.0.0.1 on an ephemeral port (port 0), as every test server uses.
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <string>

#include "broker/config/config.h"

namespace drayman {

class LoopbackSocket {
 public:
  LoopbackSocket() : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
    timeval timeout{5, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  }
  explicit LoopbackSocket(int port) : LoopbackSocket() { connected_ = Connect(port); }
  ~LoopbackSocket() { Close(); }
  LoopbackSocket(const LoopbackSocket&) = delete;
  LoopbackSocket& operator=(const LoopbackSocket&) = delete;

  bool Connect(int port) {
    sockaddr_in address = Loopback(port);
    return connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  }
  // Listens on an ephemeral loopback port and returns it (to hold a port busy).
  int Listen() {
    sockaddr_in address = Loopback(0);
    bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address));
    listen(fd_, 1);
    socklen_t length = sizeof(address);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    return ntohs(address.sin_port);
  }
  bool connected() const { return connected_; }
  int LocalPort() const {
    sockaddr_in address{};
    socklen_t length = sizeof(address);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    return ntohs(address.sin_port);
  }
  void Close() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

  void Send(const std::string& request) { send(fd_, request.data(), request.size(), 0); }
  // Reads until `size` bytes arrived, never past them (or until the receive timeout or EOF).
  std::string Read(size_t size) {
    std::string reply;
    char buffer[4096];
    while (reply.size() < size) {
      ssize_t count = recv(fd_, buffer, std::min(sizeof(buffer), size - reply.size()), 0);
      if (count <= 0) break;
      reply.append(buffer, static_cast<size_t>(count));
    }
    return reply;
  }
  std::string RoundTrip(const std::string& request, size_t expected_size) {
    Send(request);
    return Read(expected_size);
  }
  // Sends `request` and reads until the reply received so far ends with CRLF.
  std::string RoundTripLine(const std::string& request) {
    Send(request);
    std::string reply;
    char buffer[4096];
    while (reply.size() < 2 || reply.compare(reply.size() - 2, 2, "\r\n") != 0) {
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

  int fd_ = -1;
  bool connected_ = false;
};

inline Config LoopbackConfig() {
  Config config;
  std::string error;
  const char* argv[] = {"drayman", "--bind", "127.0.0.1", "--port", "0"};
  EXPECT_TRUE(config.ParseCommandLine(5, argv, &error)) << error;
  return config;
}

}  // namespace drayman
