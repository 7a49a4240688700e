// Glob matching with Redis's rules (KEYS, SCAN MATCH, PSUBSCRIBE, CONFIG GET).
//
// Contract: `*` any run, `?` one byte, `[abc]`, `[^abc]`, `[a-z]` classes (a reversed range is
// swapped, bounds compare as signed chars, an unclosed class runs to the end of the pattern), `\x`
// matches x literally. Binary safe. Exactly Redis 7.0's stringmatchlen, quirks included: an empty
// text matches only an empty pattern, and a pattern needing more than 1000 nested `*` groups never
// matches. Matching backtracks only to the last `*`, so time is O(pattern * text) at worst.
#pragma once

#include <string_view>

namespace drayman {

bool GlobMatch(std::string_view pattern, std::string_view text, bool nocase = false);

}  // namespace drayman
