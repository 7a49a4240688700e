// Stream producer/consumer-group load generator: the work a stream-based task queue gives the
// server, measured from the outside (issue 17's streams benchmark).
//
// Contract: N producer threads XADD entries (`ts <steady-clock stamp> body <bytes>`, `*` IDs) to
// one stream; M consumer threads in one consumer group read them with
// `XREADGROUP GROUP g c<i> COUNT <count> BLOCK 1000 STREAMS key >` and acknowledge each batch
// with one XACK, each thread on its own TCP connection to 127.0.0.1:<port>, request then reply.
// Latency is push-to-delivery: from the stamp (the time the entry was meant to be sent when
// paced, else the time it was sent) to the XREADGROUP reply that delivered it. Unpaced (--rate
// 0) producers add as fast as replies come back for --seconds; paced producers share a fixed
// total rate with scheduled stamps (no coordinated omission). After the producers stop the
// consumers drain the group. Prints one JSON object: messages, pushed, acked, seconds (first add
// to last delivery), msgs_per_s, p50_us, p99_us, max_us; {"error": ...} with exit status 2 if
// the server refuses a command.
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <mutex>
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
  double rate = 0;  // entries/s over all producers; 0 = unpaced
  size_t size = 100;
  int count = 1;  // XREADGROUP COUNT
  std::string stream = "bench:stream";
  std::string group = "bench";
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

// A fresh stream with the group: both commands must work before any thread starts.
void Setup(const Options& options) {
  Connection connection;
  if (!connection.Connect(options.port)) Fail("cannot connect");
  Reply reply;
  if (!connection.Send({"DEL", options.stream}) || !connection.Read(&reply)) Fail("no reply");
  if (!connection.Send({"XGROUP", "CREATE", options.stream, options.group, "$", "MKSTREAM"}) ||
      !connection.Read(&reply)) {
    Fail("no reply to XGROUP CREATE");
  }
  if (reply.type != '+') Fail(reply.text);
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
           .Int("--count", &options.count)
           .Parse(argc, argv)) {
    return 1;
  }
  if (options.port <= 0 || options.producers <= 0 || options.consumers <= 0 ||
      options.count <= 0) {
    std::fprintf(stderr,
                 "usage: drayman-stream-prodcon --port P [--producers N] [--consumers M]"
                 " [--seconds S] [--rate ENTRIES_PER_S] [--size BYTES] [--count N]\n");
    return 1;
  }
  Setup(options);

  std::atomic<int64_t> pushed{0};
  std::atomic<int64_t> delivered{0};
  std::atomic<int64_t> acked{0};
  std::atomic<int> producers_running{options.producers};
  std::atomic<int64_t> last_delivery_ns{0};
  std::atomic<bool> failed{false};
  std::mutex failure_mutex;
  std::string failure;  // the server's error text, under failure_mutex
  auto record_failure = [&](const std::string& text) {
    std::lock_guard<std::mutex> lock(failure_mutex);
    if (failure.empty()) failure = text;
  };
  std::vector<std::vector<uint32_t>> latencies(options.consumers);
  const int64_t start_ns = NowNs();
  const int64_t stop_ns = start_ns + static_cast<int64_t>(options.seconds * 1e9);
  const std::string count_text = std::to_string(options.count);

  std::vector<std::thread> threads;
  for (int p = 0; p < options.producers; ++p) {
    threads.emplace_back([&, p] {
      Connection connection;
      if (!connection.Connect(options.port)) failed = true;
      const std::string body(options.size, 'x');
      const double interval_ns = options.rate > 0 ? 1e9 * options.producers / options.rate : 0;
      double next_ns = start_ns + interval_ns * p / options.producers;
      char stamp_text[24];
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
        const int length = std::snprintf(stamp_text, sizeof(stamp_text), "%lld",
                                         static_cast<long long>(stamp));
        if (!connection.Send({"XADD", options.stream, "*", "ts",
                              std::string_view(stamp_text, static_cast<size_t>(length)), "body",
                              body}) ||
            !connection.Read(&reply) || reply.type != '$') {
          if (reply.type == '-') record_failure(reply.text);
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
      const std::string consumer = "c" + std::to_string(c);
      std::vector<uint32_t>& mine = latencies[c];
      Reply reply, ack;
      std::vector<std::string_view> ack_args;
      const int64_t give_up_ns = stop_ns + static_cast<int64_t>(60e9);
      while (!failed) {
        if (!connection.Send({"XREADGROUP", "GROUP", options.group, consumer, "COUNT",
                              count_text, "BLOCK", "1000", "STREAMS", options.stream, ">"}) ||
            !connection.Read(&reply)) {
          failed = true;
          break;
        }
        const int64_t now = NowNs();
        if (reply.type == '-') {
          record_failure(reply.text);
          failed = true;
          break;
        }
        // [[key, [[id, [ts, stamp, body, bytes]], ...]]]
        if (reply.type == '*' && !reply.null && reply.elements.size() == 1) {
          const Reply& entries = reply.elements[0].elements.at(1);
          ack_args.assign({"XACK", options.stream, options.group});
          for (const Reply& entry : entries.elements) {
            const Reply& fields = entry.elements.at(1);
            const int64_t stamp = std::strtoll(fields.elements.at(1).text.c_str(), nullptr, 10);
            mine.push_back(
                static_cast<uint32_t>(std::min<int64_t>((now - stamp) / 1000, UINT32_MAX)));
            ack_args.push_back(entry.elements.at(0).text);
          }
          delivered += static_cast<int64_t>(entries.elements.size());
          int64_t last = last_delivery_ns.load();
          while (now > last && !last_delivery_ns.compare_exchange_weak(last, now)) {
          }
          if (!connection.Send(ack_args) || !connection.Read(&ack) || ack.type != ':') {
            failed = true;
            break;
          }
          acked += std::strtoll(ack.text.c_str(), nullptr, 10);
        }
        if (producers_running == 0 && delivered.load() >= pushed.load()) break;
        if (now > give_up_ns) break;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  if (failed) Fail(failure.empty() ? "connection failed or unexpected reply" : failure);

  std::vector<uint32_t> all;
  for (auto& part : latencies) all.insert(all.end(), part.begin(), part.end());
  std::sort(all.begin(), all.end());
  auto percentile = [&](double q) -> uint32_t {
    if (all.empty()) return 0;
    size_t index = std::min(all.size() - 1, static_cast<size_t>(q * (all.size() - 1) + 0.5));
    return all[index];
  };
  const double seconds = (last_delivery_ns.load() - start_ns) / 1e9;
  std::printf(
      "{\"messages\": %zu, \"pushed\": %lld, \"acked\": %lld, \"seconds\": %.3f, "
      "\"msgs_per_s\": %.0f, \"p50_us\": %u, \"p99_us\": %u, \"max_us\": %u}\n",
      all.size(), static_cast<long long>(pushed.load()), static_cast<long long>(acked.load()),
      seconds, seconds > 0 ? all.size() / seconds : 0.0, percentile(0.50), percentile(0.99),
      all.empty() ? 0 : all.back());
  return 0;
}
