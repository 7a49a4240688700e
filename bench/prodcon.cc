// Producer/consumer load generator: the work a Celery broker does, measured from the outside.
//
// Contract: N producer threads LPUSH messages onto one list and M consumer threads BRPOP them,
// each thread on its own TCP connection to 127.0.0.1:<port>, request then reply (no pipelining,
// as kombu does). Each message carries the steady-clock time it was meant to be sent; consumers
// record push-to-pop latency against it. Unpaced (--rate 0) producers push as fast as replies
// come back for --seconds; paced producers share a fixed total rate and stamp each message with
// its scheduled time, so a server that falls behind shows it in the latency instead of hiding it
// (no coordinated omission). After the producers stop, consumers drain the list. Prints one JSON
// object: messages, seconds (first push to last pop), msgs_per_s, p50_us, p99_us, max_us. If the
// server refuses LPUSH or BRPOP it prints {"error": "<server's reply>"} and exits with status 2.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

// One RESP2 reply: type byte, the text of a simple/error/integer/bulk reply, array elements.
struct Reply {
  char type = 0;
  bool null = false;
  std::string text;
  std::vector<std::string> elements;
};

class Connection {
 public:
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
  ~Connection() {
    if (fd_ >= 0) close(fd_);
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

  void AppendHeader(char type, size_t count) {
    out_ += type;
    out_ += std::to_string(count);
    out_ += "\r\n";
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
        for (long i = 0; i < count; ++i) {
          std::string header;
          if (!ReadLine(&header) || header.empty() || header[0] != '$') return false;
          std::string element;
          if (!ReadBytes(std::strtoul(header.c_str() + 1, nullptr, 10), &element)) return false;
          reply->elements.push_back(std::move(element));
        }
        return true;
      }
      default:
        return false;
    }
  }

 private:
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

struct Options {
  int port = 0;
  int producers = 4;
  int consumers = 4;
  double seconds = 5;
  double rate = 0;  // messages/s over all producers; 0 = unpaced
  size_t size = 100;
  std::string queue = "bench:prodcon";
};

[[noreturn]] void Fail(const std::string& error) {
  std::string escaped;
  for (char c : error) {
    if (c == '"' || c == '\\') escaped += '\\';
    if (static_cast<unsigned char>(c) >= 0x20) escaped += c;
  }
  std::printf("{\"error\": \"%s\"}\n", escaped.c_str());
  std::exit(2);
}

// LPUSH then BRPOP once: both commands must work before any thread starts.
void Probe(const Options& options) {
  Connection connection;
  if (!connection.Connect(options.port)) Fail("cannot connect");
  Reply reply;
  if (!connection.Send({"DEL", options.queue}) || !connection.Read(&reply)) Fail("no reply");
  if (!connection.Send({"LPUSH", options.queue, "probe"}) || !connection.Read(&reply)) {
    Fail("no reply to LPUSH");
  }
  if (reply.type == '-') Fail(reply.text);
  if (!connection.Send({"BRPOP", options.queue, "1"}) || !connection.Read(&reply)) {
    Fail("no reply to BRPOP");
  }
  if (reply.type == '-') Fail(reply.text);
  if (reply.elements.size() != 2 || reply.elements[1] != "probe") Fail("unexpected BRPOP reply");
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    const char* value = argv[i + 1];
    if (flag == "--port")
      options.port = std::atoi(value);
    else if (flag == "--producers")
      options.producers = std::atoi(value);
    else if (flag == "--consumers")
      options.consumers = std::atoi(value);
    else if (flag == "--seconds")
      options.seconds = std::atof(value);
    else if (flag == "--rate")
      options.rate = std::atof(value);
    else if (flag == "--size")
      options.size = static_cast<size_t>(std::atol(value));
    else if (flag == "--queue")
      options.queue = value;
    else {
      std::fprintf(stderr, "unknown option %s\n", flag.c_str());
      return 1;
    }
  }
  if (options.port <= 0 || options.producers <= 0 || options.consumers <= 0) {
    std::fprintf(stderr,
                 "usage: drayman-prodcon --port P [--producers N] [--consumers M] [--seconds S]"
                 " [--rate MSGS_PER_S] [--size BYTES]\n");
    return 1;
  }
  Probe(options);

  std::atomic<int64_t> pushed{0};
  std::atomic<int64_t> popped{0};
  std::atomic<int> producers_running{options.producers};
  std::atomic<int64_t> last_pop_ns{0};
  std::atomic<bool> failed{false};
  std::vector<std::vector<uint32_t>> latencies(options.consumers);
  const int64_t start_ns = NowNs();
  const int64_t stop_ns = start_ns + static_cast<int64_t>(options.seconds * 1e9);

  std::vector<std::thread> threads;
  for (int p = 0; p < options.producers; ++p) {
    threads.emplace_back([&, p] {
      Connection connection;
      if (!connection.Connect(options.port)) failed = true;
      std::string message(std::max<size_t>(options.size, 24), 'x');
      const double interval_ns = options.rate > 0 ? 1e9 * options.producers / options.rate : 0;
      // Producers start staggered across one interval so paced sends do not arrive in bursts.
      double next_ns = start_ns + interval_ns * p / options.producers;
      Reply reply;
      while (!failed) {
        int64_t stamp = NowNs();
        if (interval_ns > 0) {
          if (next_ns >= stop_ns) break;
          while (stamp < next_ns) {
            std::this_thread::sleep_for(
                std::chrono::nanoseconds(static_cast<int64_t>(next_ns) - stamp));
            stamp = NowNs();
          }
          stamp = static_cast<int64_t>(next_ns);
          next_ns += interval_ns;
        } else if (stamp >= stop_ns) {
          break;
        }
        std::snprintf(message.data(), 21, "%020lld", static_cast<long long>(stamp));
        message[20] = ':';
        if (!connection.Send({"LPUSH", options.queue, message}) || !connection.Read(&reply) ||
            reply.type != ':') {
          failed = true;
          break;
        }
        ++pushed;
      }
      --producers_running;
    });
  }
  for (int c = 0; c < options.consumers; ++c) {
    threads.emplace_back([&, c] {
      Connection connection;
      if (!connection.Connect(options.port)) failed = true;
      std::vector<uint32_t>& mine = latencies[c];
      Reply reply;
      const int64_t give_up_ns = stop_ns + static_cast<int64_t>(60e9);
      while (!failed) {
        if (!connection.Send({"BRPOP", options.queue, "1"}) || !connection.Read(&reply)) {
          failed = true;
          break;
        }
        int64_t now = NowNs();
        if (reply.type == '*' && reply.elements.size() == 2) {
          int64_t stamp = std::strtoll(reply.elements[1].c_str(), nullptr, 10);
          mine.push_back(
              static_cast<uint32_t>(std::min<int64_t>((now - stamp) / 1000, UINT32_MAX)));
          ++popped;
          int64_t last = last_pop_ns.load();
          while (now > last && !last_pop_ns.compare_exchange_weak(last, now)) {
          }
        } else if (reply.type == '-') {
          failed = true;
          break;
        }
        if (producers_running == 0 && popped.load() >= pushed.load()) break;
        if (now > give_up_ns) break;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  if (failed) Fail("connection failed or unexpected reply during the run");

  std::vector<uint32_t> all;
  for (auto& part : latencies) all.insert(all.end(), part.begin(), part.end());
  std::sort(all.begin(), all.end());
  auto percentile = [&](double q) -> uint32_t {
    if (all.empty()) return 0;
    size_t index = std::min(all.size() - 1, static_cast<size_t>(q * (all.size() - 1) + 0.5));
    return all[index];
  };
  double seconds = (last_pop_ns.load() - start_ns) / 1e9;
  std::printf(
      "{\"messages\": %zu, \"pushed\": %lld, \"seconds\": %.3f, \"msgs_per_s\": %.0f, "
      "\"p50_us\": %u, \"p99_us\": %u, \"max_us\": %u}\n",
      all.size(), static_cast<long long>(pushed.load()), seconds,
      seconds > 0 ? all.size() / seconds : 0.0, percentile(0.50), percentile(0.99),
      all.empty() ? 0 : all.back());
  return 0;
}
