#include "broker/command/numbers.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace drayman {

bool ParseInt64(std::string_view text, int64_t* value) {
  if (text.empty() || text.size() > 20) return false;
  if (text.size() > 1 && text[0] == '0') return false;
  if (text.size() > 1 && text[0] == '-' && text[1] == '0') return false;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *value);
  return ec == std::errc() && ptr == text.data() + text.size();
}

bool ParseUint64(std::string_view text, uint64_t* value) {
  if (text.empty() || text.size() > 20) return false;
  if (text.size() > 1 && text[0] == '0') return false;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *value);
  return ec == std::errc() && ptr == text.data() + text.size();
}

bool ParseDouble(std::string_view text, double* value) {
  if (text.empty() || text.size() > 5000) return false;
  if (std::isspace(static_cast<unsigned char>(text.front()))) return false;
  std::string copy(text);
  char* end = nullptr;
  errno = 0;
  double parsed = std::strtod(copy.c_str(), &end);
  if (end != copy.c_str() + copy.size()) return false;
  if (std::isnan(parsed)) return false;
  // Overflow to infinity and underflow to zero are errors (Redis's string2d); the text "inf"
  // sets no errno, and a subnormal result is accepted.
  if (errno == ERANGE && (parsed == HUGE_VAL || parsed == -HUGE_VAL || parsed == 0)) return false;
  *value = parsed;
  return true;
}

bool ParseLongDouble(std::string_view text, long double* value) {
  if (text.empty() || text.size() > 5000) return false;
  if (std::isspace(static_cast<unsigned char>(text.front()))) return false;
  std::string copy(text);
  char* end = nullptr;
  errno = 0;
  long double parsed = std::strtold(copy.c_str(), &end);
  if (end != copy.c_str() + copy.size()) return false;
  if (errno == ERANGE || std::isnan(parsed)) return false;
  *value = parsed;
  return true;
}

std::string FormatLongDouble(long double value) {
  char buf[5600];
  int length = std::snprintf(buf, sizeof(buf), "%.17Lf", value);
  if (length <= 0 || static_cast<size_t>(length) >= sizeof(buf)) return "0";
  std::string out(buf, static_cast<size_t>(length));
  if (out.find('.') != std::string::npos) {
    while (!out.empty() && out.back() == '0') out.pop_back();
    if (!out.empty() && out.back() == '.') out.pop_back();
  }
  if (out == "-0") out = "0";
  return out;
}

std::string FormatInt64(int64_t value) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
  return std::string(buf, end);
}

}  // namespace drayman
