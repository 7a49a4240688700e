#include "broker/keyspace/glob.h"

#include <cctype>
#include <cstddef>

namespace drayman {

namespace {

unsigned char Fold(unsigned char c, bool nocase) {
  return nocase ? static_cast<unsigned char>(std::tolower(c)) : c;
}

// Matches one byte `c` against the class starting after '[' at pattern[pos]. Sets *next to the
// index after the closing ']' (or the pattern's end for an unclosed class).
bool MatchClass(std::string_view pattern, size_t pos, unsigned char c, bool nocase, size_t* next) {
  bool negate = false;
  if (pos < pattern.size() && pattern[pos] == '^') {
    negate = true;
    ++pos;
  }
  bool matched = false;
  const unsigned char folded = Fold(c, nocase);
  while (pos < pattern.size() && pattern[pos] != ']') {
    if (pattern[pos] == '\\' && pos + 1 < pattern.size()) {
      ++pos;
      if (Fold(static_cast<unsigned char>(pattern[pos]), nocase) == folded) matched = true;
      ++pos;
    } else if (pos + 2 < pattern.size() && pattern[pos + 1] == '-') {
      unsigned char start = Fold(static_cast<unsigned char>(pattern[pos]), nocase);
      unsigned char end = Fold(static_cast<unsigned char>(pattern[pos + 2]), nocase);
      if (start > end) {
        unsigned char swap = start;
        start = end;
        end = swap;
      }
      if (folded >= start && folded <= end) matched = true;
      pos += 3;
    } else {
      if (Fold(static_cast<unsigned char>(pattern[pos]), nocase) == folded) matched = true;
      ++pos;
    }
  }
  *next = pos < pattern.size() ? pos + 1 : pos;
  return negate ? !matched : matched;
}

}  // namespace

bool GlobMatch(std::string_view pattern, std::string_view text, bool nocase) {
  size_t p = 0, t = 0;
  size_t star_p = std::string_view::npos, star_t = 0;
  while (t < text.size()) {
    if (p < pattern.size()) {
      char pc = pattern[p];
      if (pc == '*') {
        while (p < pattern.size() && pattern[p] == '*') ++p;
        if (p == pattern.size()) return true;
        star_p = p;
        star_t = t;
        continue;
      }
      if (pc == '?') {
        ++p;
        ++t;
        continue;
      }
      if (pc == '[') {
        size_t next = 0;
        if (MatchClass(pattern, p + 1, static_cast<unsigned char>(text[t]), nocase, &next)) {
          p = next;
          ++t;
          continue;
        }
      } else {
        if (pc == '\\' && p + 1 < pattern.size()) pc = pattern[p + 1];
        size_t width = (pattern[p] == '\\' && p + 1 < pattern.size()) ? 2 : 1;
        if (Fold(static_cast<unsigned char>(pc), nocase) ==
            Fold(static_cast<unsigned char>(text[t]), nocase)) {
          p += width;
          ++t;
          continue;
        }
      }
    }
    // Mismatch: let the last star absorb one more byte, or fail.
    if (star_p == std::string_view::npos) return false;
    p = star_p;
    t = ++star_t;
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

}  // namespace drayman
