// Loop time of one /metrics scrape, engine side: the GET /metrics handler exactly as the server
// registers it (RegisterAdminRoutes: the INFO-derived redis_* families, drayman_*, and the
// drayman_queue_* families), dispatched through the admin router over an engine that holds N
// kombu queues, timed with steady_clock over many iterations (no socket, no HTTP parsing: what
// every RESP client waits for while a scrape runs). Each producer is also timed alone, and INFO
// ALL's text beside it. Linked with the counting allocator, as drayman-server is.
//
// The dataset is bench/metrics_scrape.py's: N lists `queue<i>` holding one kombu message each,
// bound in `_kombu.binding.celery`, and one delivery in `unacked`/`unacked_index`.
//
// Usage: drayman-metrics-render [--queues 10,10000] [--iterations 2000] [--dump PREFIX]
// (--dump writes each queue count's last body to PREFIX.<queues>.txt: diff two builds' output)
// Run it under `valgrind --tool=callgrind` with a small --iterations for instruction counts
// (`--toggle-collect='drayman::HttpRouter::Dispatch*'` for a scrape; `--toggle-collect='*Fill*'`
// for declaring the queues). The time to fill (declare) the queues is printed after the table.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

#include "broker/client.h"
#include "broker/clock.h"
#include "broker/config/config.h"
#include "broker/engine.h"
#include "broker/observability/queue_report.h"
#include "broker/stats/prometheus.h"
#include "broker/stats/redis_metrics.h"
#include "broker/stats/server_info.h"
#include "server/http/admin_routes.h"

namespace drayman {
namespace {

class NullObserver : public ClientObserver {
 public:
  void OnOutputPending(Client&) override {}
  void OnCloseRequested(Client&) override {}
};

void Fill(Engine& engine, Client& client, int queues) {
  const std::string separator = "\x06\x16";
  auto run = [&](std::vector<std::string> args) {
    engine.Execute(client, args);
    client.output().clear();
  };
  for (int i = 0; i < queues; ++i) {
    const std::string name = "queue" + std::to_string(i);
    run({"RPUSH", name, R"({"body": "x", "headers": {"task": "proj.tasks.add"}})"});
    run({"SADD", "_kombu.binding.celery", name + separator + separator + name});
  }
  run({"HSET", "unacked", "tag1", R"([{"body": "x"}, "celery", "queue0"])"});
  run({"ZADD", "unacked_index", "1700000000", "tag1"});
}

struct Timing {
  double median_us;
  double p99_us;
  double cpu_median_us;  // this thread's CPU time: less sensitive to a shared machine's load
};

double ThreadCpuUs() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) * 1e6 + static_cast<double>(now.tv_nsec) / 1e3;
}

template <typename Fn>
Timing Time(int iterations, Fn&& fn) {
  std::vector<double> samples;
  std::vector<double> cpu;
  samples.reserve(static_cast<size_t>(iterations));
  cpu.reserve(static_cast<size_t>(iterations));
  for (int i = 0; i < iterations; ++i) {
    const double cpu_started = ThreadCpuUs();
    const auto started = std::chrono::steady_clock::now();
    fn();
    samples.push_back(
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - started)
            .count());
    cpu.push_back(ThreadCpuUs() - cpu_started);
  }
  std::sort(samples.begin(), samples.end());
  std::sort(cpu.begin(), cpu.end());
  return {samples[samples.size() / 2],
          samples[std::min(samples.size() - 1, samples.size() * 99 / 100)], cpu[cpu.size() / 2]};
}

int Main(int argc, char** argv) {
  std::vector<int> queue_counts = {10, 10000};
  int iterations = 2000;
  std::string dump;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--iterations") {
      iterations = std::atoi(argv[i + 1]);
    } else if (flag == "--dump") {
      dump = argv[i + 1];
    } else if (flag == "--queues") {
      queue_counts.clear();
      std::string list = argv[i + 1];
      for (size_t at = 0; at <= list.size();) {
        const size_t comma = std::min(list.find(',', at), list.size());
        queue_counts.push_back(std::atoi(list.substr(at, comma - at).c_str()));
        at = comma + 1;
      }
    } else {
      std::fprintf(stderr, "usage: %s [--queues 10,10000] [--iterations N] [--dump PREFIX]\n",
                   argv[0]);
      return 2;
    }
  }
  std::printf(
      "| queues | GET /metrics median (us) | p99 (us) | thread CPU median (us) | body bytes | "
      "redis_* (us) | drayman_* (us) | drayman_queue_* (us) | INFO ALL text (us) |\n");
  std::printf("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
  struct FillTime {
    int queues;
    double wall_ms;
    double cpu_ms;
  };
  std::vector<FillTime> fill_ms;
  for (int queues : queue_counts) {
    SystemClock clock;
    Config config;
    Engine engine(config, clock);
    NullObserver observer;
    Client* client = engine.Connect(&observer, "127.0.0.1:50000", "127.0.0.1:6379", 7);
    const double fill_cpu_started = ThreadCpuUs();
    const auto fill_started = std::chrono::steady_clock::now();
    Fill(engine, *client, queues);
    fill_ms.push_back(
        {queues,
         std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - fill_started)
             .count(),
         (ThreadCpuUs() - fill_cpu_started) / 1000.0});
    engine.Cron();  // the first Cron's one-time rescan, as a running server has done long before
    HttpAdmin admin(engine);
    RegisterAdminRoutes(admin);
    HttpRequest request;
    request.method = "GET";
    request.path = "/metrics";
    size_t body_bytes = 0;
    const int runs = queues >= 1000 ? std::max(iterations / 20, 20) : iterations;
    const Timing scrape = Time(runs, [&] {
      HttpResponse response = admin.router.Dispatch(request);
      body_bytes = response.body.size();
    });
    if (!dump.empty()) {
      const std::string body = admin.router.Dispatch(request).body;
      const std::string path = dump + "." + std::to_string(queues) + ".txt";
      if (std::FILE* file = std::fopen(path.c_str(), "w")) {
        std::fwrite(body.data(), 1, body.size(), file);
        std::fclose(file);
      }
    }
    auto producer = [&](MetricProducer fn) {
      return Time(runs, [&] {
        PrometheusWriter writer;
        fn(engine, writer);
      });
    };
    const Timing redis = producer(WriteRedisMetrics);
    const Timing drayman = producer(WriteDraymanMetrics);
    const Timing queue = producer(WriteQueueMetrics);
    const Timing info = Time(runs, [&] {
      std::string text = ServerInfo::CollectText(
          engine, clock.NowMs(), ServerInfo::SectionSet(ServerInfo::AllSections()));
      if (text.empty()) std::abort();
    });
    std::printf("| %d | %.1f | %.1f | %.1f | %zu | %.1f | %.1f | %.1f | %.1f |\n", queues,
                scrape.median_us, scrape.p99_us, scrape.cpu_median_us, body_bytes, redis.median_us,
                drayman.median_us, queue.median_us, info.median_us);
    engine.Disconnect(client);
  }
  // Declaring the queues one SADD each (plus one RPUSH each): the tracker's binding-table upkeep.
  for (const FillTime& fill : fill_ms) {
    std::printf("fill of %d queues (RPUSH + SADD each): %.1f ms wall, %.1f ms thread CPU\n",
                fill.queues, fill.wall_ms, fill.cpu_ms);
  }
  return 0;
}

}  // namespace
}  // namespace drayman

int main(int argc, char** argv) { return drayman::Main(argc, argv); }
