#include "broker/stats/prometheus.h"

#include <charconv>
#include <cmath>
#include <cstring>

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

namespace {

// Escapes backslash and newline (and, with `quote`, the double quote, as label values need),
// appending the runs between them whole: a scrape of 10,000 queues writes 60,000 samples, and a
// byte at a time was most of its cost.
void AppendEscaped(std::string& out, std::string_view text, bool quote) {
  size_t run = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c != '\\' && c != '\n' && (c != '"' || !quote)) continue;
    out.append(text.data() + run, i - run);
    out.append(c == '\\' ? "\\\\" : c == '\n' ? "\\n" : "\\\"");
    run = i + 1;
  }
  out.append(text.data() + run, text.size() - run);
}

}  // namespace

void AppendPrometheusLabelValue(std::string& out, std::string_view value) {
  AppendEscaped(out, value, /*quote=*/true);
}

void AppendPrometheusCount(std::string& out, uint64_t value) {
  char buffer[32];
  out.append(buffer, WritePrometheusCount(buffer, value));
}

char* WritePrometheusMillisAsSeconds(char* out, int64_t millis) {
  // Below 2^50 ms, millis / 1000.0 is the double nearest the decimal s.mmm, and no decimal with
  // fewer digits lies within half an ulp of it (an ulp is under 0.0003 there), so the shortest
  // round-trip form is that decimal with trailing zeros dropped, in fixed notation (never longer
  // than scientific for these values; std::to_chars prefers fixed on a tie). Beyond, or negative:
  // the double path.
  if (millis < 0 || millis >= (int64_t{1} << 50)) {
    std::string text;
    AppendPrometheusNumber(text, static_cast<double>(millis) / 1000.0);
    std::memcpy(out, text.data(), text.size());
    return out + text.size();
  }
  char* end = std::to_chars(out, out + 20, static_cast<uint64_t>(millis / 1000)).ptr;
  int fraction = static_cast<int>(millis % 1000);
  if (fraction == 0) return end;
  *end++ = '.';
  char digits[3] = {static_cast<char>('0' + fraction / 100),
                    static_cast<char>('0' + fraction / 10 % 10),
                    static_cast<char>('0' + fraction % 10)};
  int count = 3;
  while (digits[count - 1] == '0') --count;
  std::memcpy(end, digits, static_cast<size_t>(count));
  return end + count;
}

namespace {

void AppendFamily(std::string& text, std::string_view name, PrometheusWriter::Type type,
                  std::string_view help) {
  text.append("# HELP ");
  text.append(name);
  text.push_back(' ');
  // HELP escapes only backslash and newline; the runs between them are appended whole.
  AppendEscaped(text, help, /*quote=*/false);
  text.append("\n# TYPE ");
  text.append(name);
  switch (type) {
    case PrometheusWriter::Type::kCounter:
      text.append(" counter\n");
      break;
    case PrometheusWriter::Type::kGauge:
      text.append(" gauge\n");
      break;
    case PrometheusWriter::Type::kHistogram:
      text.append(" histogram\n");
      break;
    case PrometheusWriter::Type::kUntyped:
      text.append(" untyped\n");
      break;
  }
}

}  // namespace

void PrometheusWriter::Family(std::string_view name, Type type, std::string_view help) {
  AppendFamily(text_, name, type, help);
}

std::string PrometheusWriter::FamilyText(std::string_view name, Type type,
                                         std::string_view help) {
  std::string text;
  AppendFamily(text, name, type, help);
  return text;
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
      AppendEscaped(text_, labels[i].second, /*quote=*/true);
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
  writer.text().reserve(last_size_ + last_size_ / 16 + 1024);
  for (const MetricProducer& producer : producers_) producer(engine, writer);
  last_size_ = writer.text().size();
  return std::move(writer.text());
}

}  // namespace drayman
