// Redis's rules for a [start, stop] range of element indexes, as LRANGE, LTRIM, ZRANGE (by rank)
// and ZREMRANGEBYRANK apply them.
//
// Contract: ClampIndexRange takes the parsed, inclusive start and stop of a range over `length`
// elements. Negative indexes count from the end (-1 is the last element); start is then raised
// to 0, the range is empty when start > stop or start >= length (checked before stop is
// clamped), and otherwise stop is lowered to the last element. It returns false for an empty
// range, else true with 0 <= *start <= *stop < length. GETRANGE clamps differently (a negative
// stop stays in range) and does not use this.
#pragma once

#include <cstdint>

namespace drayman {

inline bool ClampIndexRange(int64_t length, int64_t* start, int64_t* stop) {
  if (*start < 0) *start += length;
  if (*stop < 0) *stop += length;
  if (*start < 0) *start = 0;
  if (*start > *stop || *start >= length) return false;
  if (*stop >= length) *stop = length - 1;
  return true;
}

}  // namespace drayman
