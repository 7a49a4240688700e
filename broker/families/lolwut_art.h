// LOLWUT's drawings: Redis 5's "Schotter" (LOLWUT VERSION 5) and Redis 6's skyline (VERSION 6).
//
// Contract: each function takes LOLWUT's own parameters (clamped here to Redis's limits) and a
// source of rand()-like integers in [0, 2^31 - 1], and returns the whole verbatim text
// redis-server 7.0.15 replies: the drawing, its caption and "Redis ver. <version>\n". The
// arithmetic follows lolwut.c/lolwut5.c/lolwut6.c operation for operation (float where Redis
// uses float, double where it calls sin/cos/round), so for the same random draws the text is
// Redis's byte for byte. Redis draws from rand() seeded at start-up, so only drawings that
// consume no random draw are reproducible across servers: Schotter with at most two rows of
// squares, the skyline one row high.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace drayman::lolwut {

// Returns a value in [0, RandMax], as C's rand() does.
using RandomFn = std::function<int32_t()>;
inline constexpr int32_t kRandMax = 2147483647;

// LOLWUT VERSION 5 [columns [squares-per-row [squares-per-col]]] (defaults 66, 8, 12).
std::string Schotter(int64_t columns, int64_t squares_per_row, int64_t squares_per_col,
                     const RandomFn& rand, std::string_view version);

// LOLWUT VERSION 6 [columns [rows]] (defaults 80, 20).
std::string Skyline(int64_t columns, int64_t rows, const RandomFn& rand, std::string_view version);

}  // namespace drayman::lolwut
