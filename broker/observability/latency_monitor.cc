#include "broker/observability/latency_monitor.h"

#include <algorithm>
#include <cstdio>

#include "broker/base/ascii.h"

namespace drayman {

namespace {

std::string Printf(const char* format, auto... values) {
  const int length = std::snprintf(nullptr, 0, format, values...);
  if (length <= 0) return {};
  std::string text(static_cast<size_t>(length), '\0');
  std::snprintf(text.data(), text.size() + 1, format, values...);
  return text;
}

// The labels under LATENCY GRAPH's columns: how long ago each sample was taken.
std::string AgeLabel(int64_t elapsed_s) {
  const int elapsed = static_cast<int>(elapsed_s);
  if (elapsed < 60) return Printf("%ds", elapsed);
  if (elapsed < 3600) return Printf("%dm", elapsed / 60);
  if (elapsed < 3600 * 24) return Printf("%dh", elapsed / 3600);
  return Printf("%dd", elapsed / (3600 * 24));
}

// One band of at most `columns` samples (Redis's sparklineRenderRange with SPARKLINE_FILL).
void RenderRange(const std::vector<SparklineSample>& samples, double min, double max, int rows,
                 size_t offset, size_t length, std::string& out) {
  static constexpr char kFill[] = "_o#";
  constexpr int kCharsetLength = 3;
  constexpr int kLabelMarginTop = 1;
  double relmax = max - min;
  if (relmax == 0) relmax = 1;
  const int steps = kCharsetLength * rows;
  const bool labels = std::any_of(samples.begin(), samples.end(),
                                  [](const SparklineSample& s) { return !s.label.empty(); });
  std::string chars;
  for (int row = 0;; ++row) {
    bool more = false;
    chars.assign(length, ' ');
    for (size_t j = 0; j < length; ++j) {
      const SparklineSample& sample = samples[j + offset];
      const double relval = sample.value - min;
      // Redis truncates the scaled value to int before dividing by relmax.
      int step = static_cast<int>(static_cast<int>(relval * steps) / relmax);
      step = std::clamp(step, 0, steps - 1);
      if (row < rows) {
        const int index = step - (rows - row - 1) * kCharsetLength;
        more = true;
        if (index >= 0 && index < kCharsetLength) {
          chars[j] = kFill[index];
        } else if (index >= kCharsetLength) {
          chars[j] = '|';
        }
      } else {
        if (labels && row - rows < kLabelMarginTop) {  // the blank line above the labels
          more = true;
          break;
        }
        const int label_char = row - rows - kLabelMarginTop;
        if (!sample.label.empty() && static_cast<int>(sample.label.size()) > label_char) {
          more = true;
          chars[j] = sample.label[static_cast<size_t>(label_char)];
        }
      }
    }
    if (!more) break;
    out.append(chars);
    out.push_back('\n');
  }
}

}  // namespace

std::vector<LatencyMonitor::Sample> LatencyMonitor::Series::Chronological() const {
  std::vector<Sample> result;
  for (int j = 0; j < kHistoryLength; ++j) {
    const Sample& sample = samples[(next + j) % kHistoryLength];
    if (sample.time_s != 0) result.push_back(sample);
  }
  return result;
}

void LatencyMonitor::Add(std::string_view event, int64_t latency_ms, int64_t now_s) {
  const auto latency = static_cast<uint32_t>(std::clamp<int64_t>(latency_ms, 0, UINT32_MAX));
  Series* series = const_cast<Series*>(Find(event));
  if (series == nullptr) {
    series = series_.emplace_back(std::string(event), std::make_unique<Series>()).second.get();
  }
  series->max_ms = std::max(series->max_ms, latency);
  Sample& previous = series->samples[(series->next + kHistoryLength - 1) % kHistoryLength];
  if (previous.time_s == now_s) {
    previous.latency_ms = std::max(previous.latency_ms, latency);
    return;
  }
  series->samples[series->next] = {now_s, latency};
  series->next = (series->next + 1) % kHistoryLength;
}

int LatencyMonitor::Reset(std::string_view event) {
  const auto removed = std::remove_if(series_.begin(), series_.end(), [&](const auto& entry) {
    return ToLower(entry.first) == ToLower(event);
  });
  const int count = static_cast<int>(series_.end() - removed);
  series_.erase(removed, series_.end());
  return count;
}

int LatencyMonitor::ResetAll() {
  const int count = static_cast<int>(series_.size());
  series_.clear();
  return count;
}

const LatencyMonitor::Series* LatencyMonitor::Find(std::string_view event) const {
  for (const auto& [name, series] : series_) {
    if (name == event) return series.get();
  }
  return nullptr;
}

LatencyMonitor::Analysis LatencyMonitor::Analyze(const Series& series, int64_t now_s) {
  Analysis result;
  result.all_time_high = series.max_ms;
  uint64_t sum = 0;
  int64_t oldest = 0;
  for (const Sample& sample : series.samples) {
    if (sample.time_s == 0) continue;
    ++result.samples;
    if (result.samples == 1) {
      result.min = result.max = sample.latency_ms;
    } else {
      result.min = std::min(result.min, sample.latency_ms);
      result.max = std::max(result.max, sample.latency_ms);
    }
    sum += sample.latency_ms;
    if (oldest == 0 || sample.time_s < oldest) oldest = sample.time_s;
  }
  if (result.samples == 0) return result;
  result.avg = static_cast<uint32_t>(sum / static_cast<uint64_t>(result.samples));
  result.period_s = now_s - oldest;
  if (result.period_s == 0) result.period_s = 1;
  uint64_t deviation = 0;
  for (const Sample& sample : series.samples) {
    if (sample.time_s == 0) continue;
    const int64_t delta = static_cast<int64_t>(result.avg) - sample.latency_ms;
    deviation += static_cast<uint64_t>(delta < 0 ? -delta : delta);
  }
  result.mad = static_cast<uint32_t>(deviation / static_cast<uint64_t>(result.samples));
  return result;
}

std::string LatencyMonitor::Doctor(const DoctorFacts& facts, int64_t now_s) const {
  if (series_.empty() && facts.threshold_ms == 0) {
    return "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis "
           "instance. You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in "
           "order to enable it. If we weren't in a deep space mission I'd suggest to take a look "
           "at https://redis.io/topics/latency-monitor.\n";
  }
  // Redis's advice flags, set by the events seen; each adds to the count as Redis counts them.
  bool slowlog_enabled = false, slowlog_tuning = false, slowlog_inspect = false;
  bool disk_contention = false, scheduler = false, data_writeback = false;
  bool no_appendfsync = false, local_disk = false, ssd = false, write_load_info = false;
  bool hz = false, large_objects = false, mass_eviction = false, relax_fsync_policy = false;
  bool disable_thp = false;
  int advices = 0;
  std::string report;
  int eventnum = 0;
  for (const auto& [name, series] : series_) {
    const std::string event = ToLower(name);
    ++eventnum;
    if (eventnum == 1) {
      report += "Dave, I have observed latency spikes in this Redis instance. You don't mind "
                "talking about it, do you Dave?\n\n";
    }
    const Analysis stats = Analyze(*series, now_s);
    report += Printf(
        "%d. %s: %d latency spikes (average %lums, mean deviation %lums, period %.2f sec). Worst "
        "all time event %lums.",
        eventnum, name.c_str(), stats.samples, static_cast<unsigned long>(stats.avg),
        static_cast<unsigned long>(stats.mad),
        static_cast<double>(stats.period_s) / stats.samples,
        static_cast<unsigned long>(series->max_ms));
    if (event == "command") {
      if (facts.slowlog_log_slower_than_us < 0) {
        slowlog_enabled = true;
        ++advices;
      } else if (facts.slowlog_log_slower_than_us / 1000 > facts.threshold_ms) {
        slowlog_tuning = true;
        ++advices;
      }
      slowlog_inspect = large_objects = true;
      advices += 2;
    }
    if (event == "fast-command") {
      scheduler = true;
      ++advices;
    }
    if (event == "aof-write-pending-fsync") {
      local_disk = disk_contention = ssd = data_writeback = true;
      advices += 4;
    }
    if (event == "aof-write-active-child") {
      no_appendfsync = data_writeback = ssd = true;
      advices += 3;
    }
    if (event == "aof-write-alone") {
      local_disk = data_writeback = ssd = true;
      advices += 3;
    }
    if (event == "aof-fsync-always") {
      relax_fsync_policy = true;
      ++advices;
    }
    if (event == "aof-fstat" || event == "rdb-unlink-temp-file") {
      disk_contention = local_disk = true;
      advices += 2;
    }
    if (event == "aof-rewrite-diff-write" || event == "aof-rename") {
      write_load_info = data_writeback = ssd = local_disk = true;
      advices += 4;
    }
    if (event == "expire-cycle") {
      hz = large_objects = true;
      advices += 2;
    }
    if (event == "eviction-del") {
      large_objects = true;
      ++advices;
    }
    if (event == "eviction-cycle") {
      mass_eviction = true;
      ++advices;
    }
    report.push_back('\n');
  }
  if (facts.anon_huge_pages) {
    disable_thp = true;
    ++advices;
  }

  if (eventnum == 0 && advices == 0) {
    report += "Dave, no latency spike was observed during the lifetime of this Redis instance, not "
              "in the slightest bit. I honestly think you ought to sit down calmly, take a stress "
              "pill, and think things over.\n";
    return report;
  }
  if (eventnum > 0 && advices == 0) {
    report += "\nWhile there are latency events logged, I'm not able to suggest any easy fix. "
              "Please use the Redis community to get some help, providing this report in your "
              "help request.\n";
    return report;
  }
  report += "\nI have a few advices for you:\n\n";
  const auto threshold_us = static_cast<unsigned long long>(facts.threshold_ms) * 1000;
  if (slowlog_enabled) {
    report += Printf(
        "- There are latency issues with potentially slow commands you are using. Try to enable "
        "the Slow Log Redis feature using the command 'CONFIG SET slowlog-log-slower-than %llu'. "
        "If the Slow log is disabled Redis is not able to log slow commands execution for you.\n",
        threshold_us);
  }
  if (slowlog_tuning) {
    report += Printf(
        "- Your current Slow Log configuration only logs events that are slower than your "
        "configured latency monitor threshold. Please use 'CONFIG SET slowlog-log-slower-than "
        "%llu'.\n",
        threshold_us);
  }
  if (slowlog_inspect) {
    report += "- Check your Slow Log to understand what are the commands you are running which "
              "are too slow to execute. Please check https://redis.io/commands/slowlog for more "
              "information.\n";
  }
  if (scheduler) {
    report +=
        "- The system is slow to execute Redis code paths not containing system calls. This "
        "usually means the system does not provide Redis CPU time to run for long periods. You "
        "should try to:\n"
        "  1) Lower the system load.\n"
        "  2) Use a computer / VM just for Redis if you are running other software in the same "
        "system.\n"
        "  3) Check if you have a \"noisy neighbour\" problem.\n"
        "  4) Check with 'redis-cli --intrinsic-latency 100' what is the intrinsic latency in "
        "your system.\n"
        "  5) Check if the problem is allocator-related by recompiling Redis with MALLOC=libc, if "
        "you are using Jemalloc. However this may create fragmentation problems.\n";
  }
  if (local_disk) {
    report += "- It is strongly advised to use local disks for persistence, especially if you are "
              "using AOF. Remote disks provided by platform-as-a-service providers are known to "
              "be slow.\n";
  }
  if (ssd) {
    report += "- SSD disks are able to reduce fsync latency, and total time needed for "
              "snapshotting and AOF log rewriting (resulting in smaller memory usage). With "
              "extremely high write load SSD disks can be a good option. However Redis should "
              "perform reasonably with high load using normal disks. Use this advice as a last "
              "resort.\n";
  }
  if (data_writeback) {
    report += "- Mounting ext3/4 filesystems with data=writeback can provide a performance boost "
              "compared to data=ordered, however this mode of operation provides less "
              "guarantees, and sometimes it can happen that after a hard crash the AOF file will "
              "have a half-written command at the end and will require to be repaired before "
              "Redis restarts.\n";
  }
  if (disk_contention) {
    report += "- Try to lower the disk contention. This is often caused by other disk intensive "
              "processes running in the same computer (including other Redis instances).\n";
  }
  if (no_appendfsync) {
    report += "- Assuming from the point of view of data safety this is viable in your "
              "environment, you could try to enable the 'no-appendfsync-on-rewrite' option, so "
              "that fsync will not be performed while there is a child rewriting the AOF file or "
              "producing an RDB file (the moment where there is high disk contention).\n";
  }
  if (relax_fsync_policy && facts.appendfsync_always) {
    report += "- Your fsync policy is set to 'always'. It is very hard to get good performances "
              "with such a setup, if possible try to relax the fsync policy to 'onesec'.\n";
  }
  if (write_load_info) {
    report += "- Latency during the AOF atomic rename operation or when the final difference is "
              "flushed to the AOF file at the end of the rewrite, sometimes is caused by very "
              "high write load, causing the AOF buffer to get very large. If possible try to send "
              "less commands to accomplish the same work, or use Lua scripts to group multiple "
              "operations into a single EVALSHA call.\n";
  }
  if (hz && facts.hz < 100) {
    report += "- In order to make the Redis keys expiring process more incremental, try to set "
              "the 'hz' configuration parameter to 100 using 'CONFIG SET hz 100'.\n";
  }
  if (large_objects) {
    report += "- Deleting, expiring or evicting (because of maxmemory policy) large objects is a "
              "blocking operation. If you have very large objects that are often deleted, "
              "expired, or evicted, try to fragment those objects into multiple smaller "
              "objects.\n";
  }
  if (mass_eviction) {
    report += "- Sudden changes to the 'maxmemory' setting via 'CONFIG SET', or allocation of "
              "large objects via sets or sorted sets intersections, STORE option of SORT, Redis "
              "Cluster large keys migrations (RESTORE command), may create sudden memory "
              "pressure forcing the server to block trying to evict keys. \n";
  }
  if (disable_thp) {
    report += "- I detected a non zero amount of anonymous huge pages used by your process. This "
              "creates very serious latency events in different conditions, especially when "
              "Redis is persisting on disk. To disable THP support use the command 'echo never > "
              "/sys/kernel/mm/transparent_hugepage/enabled', make sure to also add it into "
              "/etc/rc.local so that the command will be executed again after a reboot. Note that "
              "even if you have already disabled THP, you still need to restart the Redis process "
              "to get rid of the huge pages already created.\n";
  }
  return report;
}

std::string LatencyMonitor::Graph(std::string_view event, const Series& series, int64_t now_s) {
  std::vector<SparklineSample> samples;
  uint32_t min = 0, max = 0;
  for (const Sample& sample : series.Chronological()) {
    if (samples.empty()) {
      min = max = sample.latency_ms;
    } else {
      min = std::min(min, sample.latency_ms);
      max = std::max(max, sample.latency_ms);
    }
    samples.push_back({static_cast<double>(sample.latency_ms), AgeLabel(now_s - sample.time_s)});
  }
  std::string graph = std::string(event) +
                      Printf(" - high %lu ms, low %lu ms (all time high %lu ms)\n",
                             static_cast<unsigned long>(max), static_cast<unsigned long>(min),
                             static_cast<unsigned long>(series.max_ms));
  graph.append(80, '-');
  graph.push_back('\n');
  graph += RenderSparkline(samples, 80, 4);
  return graph;
}

std::string RenderSparkline(const std::vector<SparklineSample>& samples, int columns, int rows) {
  std::string out;
  if (samples.empty()) return out;
  double min = samples[0].value, max = samples[0].value;
  for (const SparklineSample& sample : samples) {
    min = std::min(min, sample.value);
    max = std::max(max, sample.value);
  }
  const auto width = static_cast<size_t>(columns);
  for (size_t j = 0; j < samples.size(); j += width) {
    if (j != 0) out.push_back('\n');
    RenderRange(samples, min, max, rows, j, std::min(width, samples.size() - j), out);
  }
  return out;
}

}  // namespace drayman
