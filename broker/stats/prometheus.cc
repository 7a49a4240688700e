#include "broker/stats/prometheus.h"

#include <charconv>
#include <cmath>

namespace drayman {

void AppendPrometheusNumber(std::string& out, double value) {
  if (std::isnan(value)) {
    out.append("NaN");
    return;
  }
  if (std::isinf(value)) {
    out.append(value > 0 ? "+Inf" : "-Inf");
    return;
  }
  char buffer[64];
  std::to_chars_result result;
  if (value == std::trunc(value) && std::fabs(value) < 1e18) {
    result = std::to_chars(buffer, buffer + sizeof(buffer), static_cast<int64_t>(value));
  } else {
    result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  }
  out.append(buffer, result.ptr);
}

void PrometheusWriter::Family(std::string_view name, Type type, std::string_view help) {
  text_.append("# HELP ");
  text_.append(name);
  text_.push_back(' ');
  // HELP escapes only backslash and newline.
  for (char c : help) {
    if (c == '\\') {
      text_.append("\\\\");
    } else if (c == '\n') {
      text_.append("\\n");
    } else {
      text_.push_back(c);
    }
  }
  text_.append("\n# TYPE ");
  text_.append(name);
  switch (type) {
    case Type::kCounter:
      text_.append(" counter\n");
      break;
    case Type::kGauge:
      text_.append(" gauge\n");
      break;
    case Type::kHistogram:
      text_.append(" histogram\n");
      break;
    case Type::kUntyped:
      text_.append(" untyped\n");
      break;
  }
}

void PrometheusWriter::Sample(std::string_view name, std::initializer_list<PrometheusLabel> labels,
                              double value) {
  AppendSample(name, labels.begin(), labels.size(), value);
}

void PrometheusWriter::Sample(std::string_view name, const std::vector<PrometheusLabel>& labels,
                              double value) {
  AppendSample(name, labels.data(), labels.size(), value);
}

void PrometheusWriter::AppendSample(std::string_view name, const PrometheusLabel* labels,
                                    size_t count, double value) {
  text_.append(name);
  if (count > 0) {
    text_.push_back('{');
    for (size_t i = 0; i < count; ++i) {
      if (i) text_.push_back(',');
      text_.append(labels[i].first);
      text_.append("=\"");
      // Label values rarely need escaping: copy the runs between special bytes whole (a scrape of
      // 10,000 queues writes 60,000 samples; a byte at a time was most of its cost).
      std::string_view rest = labels[i].second;
      for (size_t special = rest.find_first_of("\\\"\n"); special != std::string_view::npos;
           special = rest.find_first_of("\\\"\n")) {
        text_.append(rest.substr(0, special));
        const char c = rest[special];
        text_.append(c == '\\' ? "\\\\" : c == '"' ? "\\\"" : "\\n");
        rest.remove_prefix(special + 1);
      }
      text_.append(rest);
      text_.push_back('"');
    }
    text_.push_back('}');
  }
  text_.push_back(' ');
  AppendPrometheusNumber(text_, value);
  text_.push_back('\n');
}

std::string MetricsRegistry::Render(Engine& engine) const {
  PrometheusWriter writer;
  for (const MetricProducer& producer : producers_) producer(engine, writer);
  return std::move(writer.text());
}

}  // namespace drayman
