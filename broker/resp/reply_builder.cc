#include "broker/resp/reply_builder.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>

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
  if (value == 0) return std::signbit(value) ? "-0" : "0";
  char buf[64];
  // Integral values within +-2^62 print as integers (Redis 7.2's double2ll check).
  constexpr double kIntegralLimit = static_cast<double>(INT64_MAX / 2);
  if (value >= -kIntegralLimit && value <= kIntegralLimit) {
    const auto integral = static_cast<int64_t>(value);
    if (static_cast<double>(integral) == value) {
      auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), integral);
      return std::string(buf, end);
    }
  }
  // Shortest round-trip digits, laid out as Redis 7.2's fpconv_dtoa lays them out: plain when
  // the decimal exponent is small, else d.ddde+X with an unpadded exponent.
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value, std::chars_format::scientific);
  std::string_view sci(buf, static_cast<size_t>(end - buf));
  std::string out;
  if (sci.front() == '-') {
    out.push_back('-');
    sci.remove_prefix(1);
  }
  const size_t e = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e)) {
    if (c != '.') digits.push_back(c);
  }
  int exponent = 0;  // decimal exponent of the first digit
  std::from_chars(sci.data() + e + (sci[e + 1] == '+' ? 2 : 1), sci.data() + sci.size(), exponent);
  const int ndigits = static_cast<int>(digits.size());
  const int k = exponent - (ndigits - 1);  // decimal exponent of the last digit
  const int abs_exponent = std::abs(exponent);
  if (k >= 0 && abs_exponent < ndigits + 7) {
    out += digits;
    out.append(static_cast<size_t>(k), '0');
  } else if (k < 0 && (k > -7 || abs_exponent < 4)) {
    const int offset = ndigits + k;  // digits before the decimal point
    if (offset <= 0) {
      out += "0.";
      out.append(static_cast<size_t>(-offset), '0');
      out += digits;
    } else {
      out.append(digits, 0, static_cast<size_t>(offset));
      out.push_back('.');
      out.append(digits, static_cast<size_t>(offset));
    }
  } else {
    out.push_back(digits[0]);
    if (ndigits > 1) {
      out.push_back('.');
      out.append(digits, 1);
    }
    out.push_back('e');
    out.push_back(exponent < 0 ? '-' : '+');
    out += std::to_string(abs_exponent);
  }
  return out;
}

void ReplyBuilder::SimpleString(std::string_view text) {
  out_->push_back('+');
  out_->append(text);
  out_->append("\r\n");
}

void ReplyBuilder::Error(std::string_view text) {
  ++error_count_;
  size_t code_end = text.find(' ');
  last_error_code_.assign(
      text.substr(0, code_end == std::string_view::npos ? text.size() : code_end));
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

void ReplyBuilder::Help(std::string_view command, std::initializer_list<std::string_view> lines) {
  ArrayHeader(lines.size() + 3);
  std::string first(command);
  first.append(" <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
  SimpleString(first);
  for (std::string_view line : lines) SimpleString(line);
  SimpleString("HELP");
  SimpleString("    Prints this help.");
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
