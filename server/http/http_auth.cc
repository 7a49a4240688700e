#include "server/http/http_auth.h"

#include <cstdint>

namespace drayman {

namespace {

constexpr std::string_view kDefaultUser = "default";

int Base64Digit(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

// Time depends on the attempt's length only, so response times do not reveal how many leading
// bytes of a guess were right.
bool SecretEquals(std::string_view attempt, std::string_view secret) {
  size_t difference = attempt.size() ^ secret.size();
  for (size_t i = 0; i < attempt.size(); ++i) {
    difference |= static_cast<unsigned char>(attempt[i]) ^
                  static_cast<unsigned char>(secret[i % secret.size()]);
  }
  return difference == 0;
}

bool StartsWithIgnoreCase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    char a = text[i], b = prefix[i];
    if (a >= 'A' && a <= 'Z') a = static_cast<char>(a - 'A' + 'a');
    if (b >= 'A' && b <= 'Z') b = static_cast<char>(b - 'A' + 'a');
    if (a != b) return false;
  }
  return true;
}

}  // namespace

std::optional<std::string> DecodeBase64(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (size_t i = 0; i < text.size(); i += 4) {
    uint32_t group = 0;
    int padding = 0;
    for (size_t j = 0; j < 4; ++j) {
      const char c = text[i + j];
      int digit = 0;
      if (c == '=') {
        // Padding only in the last group's last two places, and nothing but padding after it.
        if (i + 4 != text.size() || j < 2) return std::nullopt;
        ++padding;
      } else {
        if (padding) return std::nullopt;
        digit = Base64Digit(c);
        if (digit < 0) return std::nullopt;
      }
      group = (group << 6) | static_cast<uint32_t>(digit);
    }
    out.push_back(static_cast<char>((group >> 16) & 0xff));
    if (padding < 2) out.push_back(static_cast<char>((group >> 8) & 0xff));
    if (padding < 1) out.push_back(static_cast<char>(group & 0xff));
  }
  return out;
}

HttpAuthResult AuthorizeHttp(const Settings& settings, std::string_view authorization) {
  if (settings.requirepass.empty()) return {true, ""};
  constexpr std::string_view kBasic = "basic ";
  if (!StartsWithIgnoreCase(authorization, kBasic)) return {};
  std::string_view encoded = authorization.substr(kBasic.size());
  while (!encoded.empty() && encoded.front() == ' ') encoded.remove_prefix(1);
  while (!encoded.empty() && encoded.back() == ' ') encoded.remove_suffix(1);
  const std::optional<std::string> decoded = DecodeBase64(encoded);
  if (!decoded) return {};
  const size_t colon = decoded->find(':');
  if (colon == std::string::npos) return {};
  const std::string_view password = std::string_view(*decoded).substr(colon + 1);
  if (!SecretEquals(password, settings.requirepass)) return {};
  return {true, std::string(kDefaultUser)};
}

}  // namespace drayman
