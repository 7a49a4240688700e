// Number parsing and formatting with Redis's exact rules.
//
// Contract: ParseInt64 accepts what Redis's string2ll accepts (optional '-', digits, no blanks,
// no '+', no leading zeros, within int64). ParseDouble accepts what Redis's strtod-based parsing
// accepts for scores and timeouts (Python reprs such as "1e+20", "inf", "+inf", "-inf"; no blanks,
// no NaN, no overflow, no underflow to zero). Long doubles follow INCRBYFLOAT's rules (strtold,
// shorter than 5120 bytes) and print in its human form. Scan cursors follow strtoul. AddOverflows
// is the counters' (INCRBY, HINCRBY) int64 overflow test.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace drayman {

bool ParseInt64(std::string_view text, int64_t* value);
bool ParseUint64(std::string_view text, uint64_t* value);
bool ParseDouble(std::string_view text, double* value);
bool ParseLongDouble(std::string_view text, long double* value);
// SCAN/HSCAN/SSCAN/ZSCAN cursors: Redis's strtoul rules ("-1", "+5", "007" and "" are valid; a
// NUL byte ends the cursor).
bool ParseScanCursor(std::string_view text, uint64_t* cursor);
// Redis's MAX_LONG_DOUBLE_CHARS: long doubles are parsed from, and printed into, fewer bytes.
inline constexpr size_t kMaxLongDoubleChars = 5 * 1024;
// INCRBYFLOAT / HINCRBYFLOAT output: fixed notation with 17 significant digits, trailing zeros
// (and a trailing dot) removed.
std::string FormatLongDouble(long double value);
// Whether value + increment leaves the int64 range (INCRBY, DECRBY, HINCRBY: "increment or
// decrement would overflow").
inline bool AddOverflows(int64_t value, int64_t increment) {
  return (increment < 0 && value < 0 && increment < INT64_MIN - value) ||
         (increment > 0 && value > 0 && increment > INT64_MAX - value);
}
std::string FormatInt64(int64_t value);

}  // namespace drayman
