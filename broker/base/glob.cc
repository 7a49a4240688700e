#include "broker/base/glob.h"

#include <cstddef>
#include <utility>

namespace drayman {

namespace {

// Redis folds case with tolower() in the C locale: ASCII letters only.
int Fold(int c, bool nocase) { return nocase && c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c; }

// Redis compares range bounds as (signed) chars, so a range such as [a-\xff] is really
// [\xff-a] after the swap. Mirror that so classes with high bytes match exactly as in Redis.
int Signed(char c) { return static_cast<signed char>(c); }

// Matches byte `c` against the class whose body starts at pattern[pos] (just after '[').
// Sets *next past the closing ']', or to the pattern's end for an unclosed class.
bool MatchClass(std::string_view pattern, size_t pos, char c, bool nocase, size_t* next) {
  const size_t end = pattern.size();
  bool negate = false;
  if (pos < end && pattern[pos] == '^') {
    negate = true;
    ++pos;
  }
  bool matched = false;
  while (true) {
    if (pos < end && pattern[pos] == '\\' && end - pos >= 2) {
      // An escaped byte inside a class compares exactly, even without case (as in Redis).
      if (pattern[pos + 1] == c) matched = true;
      pos += 2;
    } else if (pos < end && pattern[pos] == ']') {
      ++pos;
      break;
    } else if (pos == end) {
      break;  // unclosed: the class runs to the end of the pattern
    } else if (end - pos >= 3 && pattern[pos + 1] == '-') {
      int start = Signed(pattern[pos]);
      int stop = Signed(pattern[pos + 2]);
      if (start > stop) std::swap(start, stop);
      // Redis folds the bounds after ordering them, so [Z-a] without case matches nothing.
      start = Fold(start, nocase);
      stop = Fold(stop, nocase);
      int byte = Fold(Signed(c), nocase);
      if (byte >= start && byte <= stop) matched = true;
      pos += 3;
    } else {
      if (Fold(Signed(pattern[pos]), nocase) == Fold(Signed(c), nocase)) matched = true;
      ++pos;
    }
  }
  *next = pos;
  return negate ? !matched : matched;
}

// Matches one non-star token at pattern[p] against byte `c`; sets *next past the token.
bool MatchToken(std::string_view pattern, size_t p, char c, bool nocase, size_t* next) {
  switch (pattern[p]) {
    case '?':
      *next = p + 1;
      return true;
    case '[':
      return MatchClass(pattern, p + 1, c, nocase, next);
    case '\\':
      if (p + 1 < pattern.size()) {
        *next = p + 2;
        return Fold(Signed(pattern[p + 1]), nocase) == Fold(Signed(c), nocase);
      }
      [[fallthrough]];  // a trailing backslash is a literal backslash
    default:
      *next = p + 1;
      return Fold(Signed(pattern[p]), nocase) == Fold(Signed(c), nocase);
  }
}

// Redis refuses to descend past this many '*' groups (protection against abusive patterns): a
// pattern whose 1001st star group is followed by more pattern never matches.
constexpr int kMaxStarGroups = 1000;

}  // namespace

bool GlobMatch(std::string_view pattern, std::string_view text, bool nocase) {
  // Redis's matcher stops as soon as either side is empty, so an empty text matches only the
  // empty pattern (not even "*"; KEYS * and SCAN without MATCH short-cut before matching).
  if (text.empty()) return pattern.empty();
  size_t p = 0, t = 0;
  size_t star_p = std::string_view::npos, star_t = 0;
  int star_groups = 0;
  while (true) {
    if (p < pattern.size() && pattern[p] == '*') {
      while (p < pattern.size() && pattern[p] == '*') ++p;
      if (p == pattern.size()) return true;
      if (++star_groups > kMaxStarGroups) return false;
      // Each token after a star consumes exactly one byte, so backtracking to the last star
      // (letting it absorb one more byte) explores every match the recursive form would.
      star_p = p;
      star_t = t;
      continue;
    }
    if (t == text.size()) break;
    size_t next = 0;
    if (p < pattern.size() && MatchToken(pattern, p, text[t], nocase, &next)) {
      p = next;
      ++t;
      continue;
    }
    if (star_p == std::string_view::npos) return false;
    p = star_p;
    t = ++star_t;
  }
  return p == pattern.size();
}

}  // namespace drayman
