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

#include "bench/flags.h"
#include "bench/resp_client.h"

namespace {

using drayman::bench::Connection;
using drayman::bench::NowNs;
using drayman::bench::Reply;

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
  if (reply.elements.size() != 2 || reply.elements[1].text != "probe") {
    Fail("unexpected BRPOP reply");
  }
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (!drayman::bench::Flags()
           .Int("--port", &options.port)
           .Int("--producers", &options.producers)
           .Int("--consumers", &options.consumers)
           .Double("--seconds", &options.seconds)
           .Double("--rate", &options.rate)
           .Size("--size", &options.size)
           .String("--queue", &options.queue)
           .Parse(argc, argv)) {
    return 1;
  }
  if (options.port <= 0 || options.producers <= 0 || options.consumers <= 0) {
    std::fprintf(stderr,
                 "usage: drayman-prodcon --port P [--producers N] [--consumers M] [--seconds S]"
                 " [--rate MSGS_PER_S] [--size BYTES] [--queue KEY]\n");
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
          int64_t stamp = std::strtoll(reply.elements[1].text.c_str(), nullptr, 10);
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
