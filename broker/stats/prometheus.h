// Prometheus text exposition (format 0.0.4) and the registry of metric producers behind /metrics.
//
// Contract: a MetricProducer appends whole metric families to a PrometheusWriter; it runs on the
// engine's thread during a scrape, reads the engine directly and must cost little (a scrape is
// loop time every client waits for: keep per-scrape work proportional to what is reported, never
// a keyspace scan). Each family (one metric name) must be written in one go: Family() once, then
// its samples; the writer escapes label values and prints numbers the way Prometheus parses them.
// MetricsRegistry::Render runs the producers in the order they were added.
//
// Adding metrics: write a producer in your subsystem's file and add it where the admin listener
// registers producers (server/http/admin_routes.cc, RegisterAdminRoutes).
#pragma once

#include <charconv>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace drayman {

class Engine;

// One label: name (a valid Prometheus label name) and value (any bytes; escaped when written).
using PrometheusLabel = std::pair<std::string_view, std::string_view>;

class PrometheusWriter {
 public:
  // kHistogram: samples name_bucket{le=...}, name_sum, name_count follow the family.
  enum class Type { kCounter, kGauge, kHistogram, kUntyped };

  // "# HELP name help" and "# TYPE name type".
  void Family(std::string_view name, Type type, std::string_view help);
  // One sample of the family last opened (`name` repeats it: suffixed names such as _bucket are
  // allowed).
  void Sample(std::string_view name, std::initializer_list<PrometheusLabel> labels, double value);
  void Sample(std::string_view name, const std::vector<PrometheusLabel>& labels, double value);
  // A family with a single unlabelled sample.
  void Single(std::string_view name, Type type, std::string_view help, double value) {
    Family(name, type, help);
    Sample(name, {}, value);
  }

  std::string& text() { return text_; }

  // What Family() writes, as one string: producers keep it (with the name and a space after it,
  // for a single unlabelled sample) and append it whole on every scrape.
  static std::string FamilyText(std::string_view name, Type type, std::string_view help);

 private:
  void AppendSample(std::string_view name, const PrometheusLabel* labels, size_t count,
                    double value);
  std::string text_;
};

// Appends `value` as Prometheus reads it: integers without exponent or point, NaN, +Inf, -Inf,
// other values in the shortest form that reads back exactly.
void AppendPrometheusNumber(std::string& out, double value);
// Appends a label value escaped as the text format requires (backslash, newline, double quote),
// without the surrounding quotes: for producers that prebuild their label text once.
void AppendPrometheusLabelValue(std::string& out, std::string_view value);
// Appends a count: the same text AppendPrometheusNumber gives its double below 2^53, exact above.
void AppendPrometheusCount(std::string& out, uint64_t value);
// Writes the same text at `out` (which has room for 32 bytes); returns the end. Inline, with a
// one-digit fast path: most per-queue counts of a scrape are small.
inline char* WritePrometheusCount(char* out, uint64_t value) {
  if (value < 10) {
    *out = static_cast<char>('0' + value);
    return out + 1;
  }
  return std::to_chars(out, out + 32, value).ptr;
}
// Writes `millis` / 1000.0 (a duration in seconds) exactly as AppendPrometheusNumber prints that
// double, without the shortest-double search: at most 32 bytes at `out`; returns the end.
char* WritePrometheusMillisAsSeconds(char* out, int64_t millis);

using MetricProducer = std::function<void(Engine&, PrometheusWriter&)>;

class MetricsRegistry {
 public:
  void Add(MetricProducer producer) { producers_.push_back(std::move(producer)); }
  // Runs every producer into one body, reserved from the previous body's size (a scrape's size
  // rarely changes; growing a 2 MB body by doubling copied it a dozen times).
  std::string Render(Engine& engine) const;
  size_t size() const { return producers_.size(); }

 private:
  std::vector<MetricProducer> producers_;
  mutable size_t last_size_ = 0;  // Render runs on the engine's thread only
};

}  // namespace drayman
