// Redis's sdscatrepr: a byte string shown quoted, as MONITOR lines and log messages show
// arguments and query buffers.
//
// Contract: the result is the bytes between double quotes, with \\ and \" escaped, C escapes for
// \n \r \t \a \b, printable ASCII as is and every other byte as \xHH (lowercase hex).
#pragma once

#include <string>
#include <string_view>

namespace drayman {

void AppendRepr(std::string& out, std::string_view text);

inline std::string Repr(std::string_view text) {
  std::string out;
  AppendRepr(out, text);
  return out;
}

}  // namespace drayman
