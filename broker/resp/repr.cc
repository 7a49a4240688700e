#include "broker/resp/repr.h"

namespace drayman {

void AppendRepr(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (char c : text) {
    switch (c) {
      case '\\':
      case '"':
        out.push_back('\\');
        out.push_back(c);
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      case '\a':
        out.append("\\a");
        break;
      case '\b':
        out.append("\\b");
        break;
      default: {
        const auto byte = static_cast<unsigned char>(c);
        if (byte >= 0x20 && byte <= 0x7e) {  // isprint in the C locale
          out.push_back(c);
        } else {
          out.append("\\x");
          out.push_back(kHex[byte >> 4]);
          out.push_back(kHex[byte & 0xf]);
        }
      }
    }
  }
  out.push_back('"');
}

}  // namespace drayman
