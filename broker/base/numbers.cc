#include "broker/base/numbers.h"

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
  int64_t parsed = 0;  // *value stays untouched on failure ("12abc" must not leave 12 behind)
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), parsed);
  if (ec != std::errc() || ptr != text.data() + text.size()) return false;
  *value = parsed;
  return true;
}

bool ParseUint64(std::string_view text, uint64_t* value) {
  if (text.empty() || text.size() > 20) return false;
  if (text.size() > 1 && text[0] == '0') return false;
  uint64_t parsed = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), parsed);
  if (ec != std::errc() || ptr != text.data() + text.size()) return false;
  *value = parsed;
  return true;
}

bool ParseDouble(std::string_view text, double* value) {
  // No length limit: Redis's string2d takes any length ("1." followed by 6000 zeros is 1).
  if (text.empty()) return false;
  if (std::isspace(static_cast<unsigned char>(text.front()))) return false;
  std::string copy(text);
  char* end = nullptr;
  errno = 0;
  double parsed = std::strtod(copy.c_str(), &end);
  if (end != copy.c_str() + copy.size()) return false;
  if (std::isnan(parsed)) return false;
  // Redis rejects overflow (to infinity) and underflow to zero ("1e-400"), but keeps a gradual
  // underflow to a subnormal ("1e-320"); an explicit "inf" parses without ERANGE.
  if (errno == ERANGE && (std::isinf(parsed) || parsed == 0)) return false;
  *value = parsed;
  return true;
}

bool ParseLongDouble(std::string_view text, long double* value) {
  // Redis's string2ld: at most MAX_LONG_DOUBLE_CHARS - 1 bytes, no leading blank, all consumed,
  // no NaN, ERANGE only when the result is infinite or zero.
  if (text.empty() || text.size() >= kMaxLongDoubleChars) return false;
  if (std::isspace(static_cast<unsigned char>(text.front()))) return false;
  std::string copy(text);
  char* end = nullptr;
  errno = 0;
  long double parsed = std::strtold(copy.c_str(), &end);
  if (end != copy.c_str() + copy.size()) return false;
  if (std::isnan(parsed) || errno == EINVAL) return false;
  if (errno == ERANGE && (std::isinf(parsed) || parsed == 0)) return false;
  *value = parsed;
  return true;
}

bool ParseScanCursor(std::string_view text, uint64_t* cursor) {
  // Redis parses cursors with strtoul over the C string: leading zeros, '+' and '-' (wrapping) are
  // accepted, an empty cursor is 0, and a NUL byte ends the cursor ("5\0x" is 5); a leading blank,
  // other trailing bytes or overflow are "invalid cursor".
  if (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) return false;
  std::string copy(text);
  char* end = nullptr;
  errno = 0;
  unsigned long long parsed = std::strtoull(copy.c_str(), &end, 10);
  if (*end != '\0' || errno == ERANGE) return false;
  *cursor = parsed;
  return true;
}

std::string FormatLongDouble(long double value) {
  char buf[kMaxLongDoubleChars + 600];
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
