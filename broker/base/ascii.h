// ASCII case helpers for command names, options and parameters.
//
// Contract: broker/base/ is the leaf module of the engine: its files (ascii, numbers, glob)
// include only the standard library and Abseil, never another broker/ module, so command,
// keyspace, config, acl and persistence can all use them without include cycles. These helpers
// change or compare only 'A'..'Z' / 'a'..'z' (as Redis's strcasecmp in the C locale); every other
// byte, including bytes above 0x7f, is compared and kept as is.
#pragma once

#include <string>
#include <string_view>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/string_view.h"

namespace drayman {

namespace ascii_internal {
// Debian's Abseil has its own string_view, not an alias of std::string_view.
inline absl::string_view Abseil(std::string_view text) {
  return absl::string_view(text.data(), text.size());
}
}  // namespace ascii_internal

inline std::string ToLower(std::string_view text) {
  return absl::AsciiStrToLower(ascii_internal::Abseil(text));
}
inline std::string ToUpper(std::string_view text) {
  return absl::AsciiStrToUpper(ascii_internal::Abseil(text));
}
inline bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return absl::EqualsIgnoreCase(ascii_internal::Abseil(a), ascii_internal::Abseil(b));
}

}  // namespace drayman
