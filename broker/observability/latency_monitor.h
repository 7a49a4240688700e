// LatencyMonitor: Redis's latency monitor, the per-event history behind LATENCY LATEST, HISTORY,
// RESET, GRAPH and DOCTOR (broker/families/latency_family.cc).
//
// Contract: an event ("command", "fast-command", "expire-cycle", "eviction-cycle", ...) gets a
// series when its first sample arrives. A series keeps Redis's 160 most recent samples, at most
// one per second: a second sample in the same second only raises that second's latency. It also
// keeps the all-time maximum, which RESET forgets with the series. AddIfNeeded records only when
// the threshold (latency-monitor-threshold, milliseconds) is positive and the latency reaches it,
// as Redis's latencyAddSampleIfNeeded. Times are seconds of the engine's injected clock, passed in
// by the caller, so the monitor itself reads no clock and is deterministic under a ManualClock.
// Series are kept in the order their events first appeared (Redis walks a hash table, so its own
// order is arbitrary). Names are matched exactly, except by Reset, which ignores case as Redis's
// latencyResetEvent does. The texts of Doctor and Graph are Redis 7.0.15's, byte for byte.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace drayman {

class LatencyMonitor {
 public:
  static constexpr int kHistoryLength = 160;  // Redis's LATENCY_TS_LEN

  struct Sample {
    int64_t time_s = 0;  // 0: an empty slot
    uint32_t latency_ms = 0;
  };
  struct Series {
    std::array<Sample, kHistoryLength> samples{};
    int next = 0;  // the slot the next new second goes to
    uint32_t max_ms = 0;
    const Sample& Latest() const {
      return samples[(next + kHistoryLength - 1) % kHistoryLength];
    }
    // Non-empty samples, oldest first.
    std::vector<Sample> Chronological() const;
  };

  // Redis's latencyStats: figures over a series' samples.
  struct Analysis {
    uint32_t all_time_high = 0;
    uint32_t avg = 0;
    uint32_t min = 0;
    uint32_t max = 0;
    uint32_t mad = 0;  // mean absolute deviation from avg
    int samples = 0;
    int64_t period_s = 0;  // seconds since the oldest sample (at least 1 when there are samples)
  };

  // What DOCTOR's advice depends on besides the samples.
  struct DoctorFacts {
    int64_t threshold_ms = 0;
    int64_t slowlog_log_slower_than_us = 0;
    int hz = 10;
    bool appendfsync_always = false;
    bool anon_huge_pages = false;  // the process has transparent huge pages (AnonHugePages > 0)
  };

  void AddIfNeeded(std::string_view event, int64_t latency_ms, int64_t threshold_ms,
                   int64_t now_s) {
    if (threshold_ms > 0 && latency_ms >= threshold_ms) Add(event, latency_ms, now_s);
  }
  void Add(std::string_view event, int64_t latency_ms, int64_t now_s);
  // Forgets `event` (any case); returns how many series went (0 or 1).
  int Reset(std::string_view event);
  // Forgets every series; returns how many there were.
  int ResetAll();

  const Series* Find(std::string_view event) const;
  size_t size() const { return series_.size(); }
  const std::vector<std::pair<std::string, std::unique_ptr<Series>>>& series() const {
    return series_;
  }

  static Analysis Analyze(const Series& series, int64_t now_s);
  // LATENCY DOCTOR's report.
  std::string Doctor(const DoctorFacts& facts, int64_t now_s) const;
  // LATENCY GRAPH's text for `event`'s series (found by Find).
  static std::string Graph(std::string_view event, const Series& series, int64_t now_s);

 private:
  std::vector<std::pair<std::string, std::unique_ptr<Series>>> series_;
};

// Redis's sparkline.c rendering (80 columns, 4 rows, filled), with a label under each column.
struct SparklineSample {
  double value = 0;
  std::string label;
};
std::string RenderSparkline(const std::vector<SparklineSample>& samples, int columns, int rows);

}  // namespace drayman
