// A blocking RESP2 client for the load generators (prodcon.cc, stream_prodcon.cc): one TCP
// connection to 127.0.0.1:<port> with TCP_NODELAY, commands sent as multibulk requests, replies
// read whole, nested arrays included. Header-only: each generator is one translation unit.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace drayman::bench {

inline int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// One reply: type byte; the text of a simple/error/integer/bulk reply; array elements.
struct Reply {
  char type = 0;
  bool null = false;
  std::string text;
  std::vector<Reply> elements;
};

class Connection {
 public:
  Connection() = default;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection() {
    if (fd_ >= 0) close(fd_);
  }

  bool Connect(int port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) return false;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) return false;
    int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    return true;
  }

  bool Send(const std::vector<std::string_view>& args) {
    out_.clear();
    AppendHeader('*', args.size());
    for (std::string_view arg : args) {
      AppendHeader('$', arg.size());
      out_.append(arg);
      out_ += "\r\n";
    }
    size_t sent = 0;
    while (sent < out_.size()) {
      ssize_t n = write(fd_, out_.data() + sent, out_.size() - sent);
      if (n <= 0) return false;
      sent += static_cast<size_t>(n);
    }
    return true;
  }

  bool Read(Reply* reply) {
    std::string line;
    if (!ReadLine(&line) || line.empty()) return false;
    *reply = Reply{};
    reply->type = line[0];
    std::string rest = line.substr(1);
    switch (reply->type) {
      case '+':
      case '-':
      case ':':
        reply->text = rest;
        return true;
      case '_':
        reply->null = true;
        return true;
      case '$': {
        long length = std::strtol(rest.c_str(), nullptr, 10);
        if (length < 0) {
          reply->null = true;
          return true;
        }
        return ReadBytes(static_cast<size_t>(length), &reply->text);
      }
      case '*': {
        long count = std::strtol(rest.c_str(), nullptr, 10);
        if (count < 0) {
          reply->null = true;
          return true;
        }
        reply->elements.resize(static_cast<size_t>(count));
        for (Reply& element : reply->elements) {
          if (!Read(&element)) return false;
        }
        return true;
      }
      default:
        return false;
    }
  }

 private:
  void AppendHeader(char type, size_t count) {
    out_ += type;
    out_ += std::to_string(count);
    out_ += "\r\n";
  }
  bool Fill() {
    if (start_ > 0 && start_ == buffer_.size()) {
      buffer_.clear();
      start_ = 0;
    }
    char chunk[16384];
    ssize_t n = read(fd_, chunk, sizeof(chunk));
    if (n <= 0) return false;
    buffer_.append(chunk, static_cast<size_t>(n));
    return true;
  }
  bool ReadLine(std::string* line) {
    while (true) {
      size_t end = buffer_.find("\r\n", start_);
      if (end != std::string::npos) {
        line->assign(buffer_, start_, end - start_);
        start_ = end + 2;
        return true;
      }
      if (!Fill()) return false;
    }
  }
  bool ReadBytes(size_t length, std::string* out) {
    while (buffer_.size() - start_ < length + 2) {
      if (!Fill()) return false;
    }
    out->assign(buffer_, start_, length);
    start_ += length + 2;
    return true;
  }

  int fd_ = -1;
  std::string buffer_;
  size_t start_ = 0;
  std::string out_;
};

}  // namespace drayman::bench
