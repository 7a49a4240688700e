// C's numeric conversions as Redis's bundled Lua libraries execute them on x86-64 (GCC), spelled
// out so Drayman's versions of those libraries give the same results without the undefined
// behaviour C++ attaches to out-of-range conversions.
#pragma once

#include <cfloat>
#include <cmath>
#include <cstdint>

namespace drayman::script {

// (long)x: cvttsd2si gives the lowest long for NaN and values out of range.
inline uint64_t DoubleToLongBits(double x) {
  if (!(x >= -9223372036854775808.0 && x < 9223372036854775808.0)) return uint64_t{1} << 63;
  return static_cast<uint64_t>(static_cast<int64_t>(x));
}

// (unsigned long)x for x >= 0 or NaN: below 2^63 (or unordered) one cvttsd2si, else a cvttsd2si
// of x - 2^63 with the top bit flipped (so 2^64 and beyond give 0).
inline uint64_t DoubleToUnsignedLongBits(double x) {
  if (!(x >= 9223372036854775808.0)) return DoubleToLongBits(x);
  return DoubleToLongBits(x - 9223372036854775808.0) ^ (uint64_t{1} << 63);
}

// (float)x, rounding to nearest: finite values past FLT_MAX round to FLT_MAX within half a unit
// in the last place (2^128 - 2^103 is the tie, which goes to even: infinity), beyond to infinity.
inline float NarrowToFloat(double x) {
  if (std::isfinite(x) && std::fabs(x) > FLT_MAX) {
    const double magnitude = std::fabs(x) < 0x1.ffffffp127 ? FLT_MAX : HUGE_VAL;
    return static_cast<float>(std::copysign(magnitude, x));
  }
  return static_cast<float>(x);
}

}  // namespace drayman::script
