#include "broker/resp/reply_builder.h"

#include <charconv>
#include <cmath>

namespace drayman {

namespace {

void AppendInteger(std::string* out, int64_t value) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
  out->append(buf, end);
}

}  // namespace

std::string FormatDouble(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  char buf[64];
  // Integral values within the exactly-representable range print without exponent or fraction,
  // as Redis's d2string does.
  if (value == std::floor(value) && std::fabs(value) < 9007199254740992.0) {
    if (value == 0 && std::signbit(value)) return "-0";
    auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), static_cast<int64_t>(value));
    return std::string(buf, end);
  }
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
  return std::string(buf, end);
}

void ReplyBuilder::SimpleString(std::string_view text) {
  out_->push_back('+');
  out_->append(text);
  out_->append("\r\n");
}

void ReplyBuilder::Error(std::string_view text) {
  ++error_count_;
  size_t code_end = text.find(' ');
  last_error_code_.assign(text.substr(0, code_end == std::string_view::npos ? text.size() : code_end));
  out_->push_back('-');
  size_t start = out_->size();
  out_->append(text);
  // An error line cannot carry CR or LF; Redis replaces them with spaces.
  for (size_t i = start; i < out_->size(); ++i) {
    if ((*out_)[i] == '\r' || (*out_)[i] == '\n') (*out_)[i] = ' ';
  }
  out_->append("\r\n");
}

void ReplyBuilder::Integer(int64_t value) {
  out_->push_back(':');
  AppendInteger(out_, value);
  out_->append("\r\n");
}

void ReplyBuilder::Bulk(std::string_view value) {
  out_->push_back('$');
  AppendInteger(out_, static_cast<int64_t>(value.size()));
  out_->append("\r\n");
  out_->append(value);
  out_->append("\r\n");
}

void ReplyBuilder::Null() { out_->append(resp3() ? "_\r\n" : "$-1\r\n"); }

void ReplyBuilder::NullArray() { out_->append(resp3() ? "_\r\n" : "*-1\r\n"); }

void ReplyBuilder::AggregateHeader(char type, size_t count) {
  out_->push_back(type);
  AppendInteger(out_, static_cast<int64_t>(count));
  out_->append("\r\n");
}

void ReplyBuilder::ArrayHeader(size_t count) { AggregateHeader('*', count); }

void ReplyBuilder::MapHeader(size_t pairs) {
  if (resp3()) {
    AggregateHeader('%', pairs);
  } else {
    AggregateHeader('*', pairs * 2);
  }
}

void ReplyBuilder::SetHeader(size_t count) { AggregateHeader(resp3() ? '~' : '*', count); }

void ReplyBuilder::PushHeader(size_t count) { AggregateHeader(resp3() ? '>' : '*', count); }

void ReplyBuilder::Double(double value) {
  std::string text = FormatDouble(value);
  if (resp3()) {
    out_->push_back(',');
    out_->append(text);
    out_->append("\r\n");
  } else {
    Bulk(text);
  }
}

void ReplyBuilder::Bool(bool value) {
  if (resp3()) {
    out_->append(value ? "#t\r\n" : "#f\r\n");
  } else {
    out_->append(value ? ":1\r\n" : ":0\r\n");
  }
}

void ReplyBuilder::Verbatim(std::string_view format, std::string_view text) {
  if (!resp3()) {
    Bulk(text);
    return;
  }
  out_->push_back('=');
  AppendInteger(out_, static_cast<int64_t>(text.size() + 4));
  out_->append("\r\n");
  out_->append(format.substr(0, 3));
  out_->push_back(':');
  out_->append(text);
  out_->append("\r\n");
}

}  // namespace drayman
