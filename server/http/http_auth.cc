#include "server/http/http_auth.h"

#include <cstdint>
#include <vector>

#include "broker/acl/acl.h"
#include "broker/command/command_table.h"

namespace drayman {

namespace {

constexpr std::string_view kDefaultUser = "default";

// Whether `user` may run the command `args` names (no keys: INFO, CLIENT LIST).
bool MayRun(const acl::Acl& acl, const CommandTable& commands, const acl::User& user,
            const std::vector<std::string>& args) {
  const CommandSpec* spec = commands.Find(args[0]);
  if (spec != nullptr && spec->is_container()) spec = commands.FindSubcommand(*spec, args[1]);
  int position = 0;
  return spec != nullptr && acl.Check(user, *spec, args, &position) == acl::Denial::kNone;
}

// Whether one of the user's selectors reads every key (allkeys, ~* or %R~*).
bool ReadsEveryKey(const acl::User& user) {
  for (const acl::Selector& selector : user.selectors) {
    if (selector.all_keys) return true;
    for (const acl::KeyPattern& key : selector.keys) {
      if (key.pattern == "*" && (key.flags & acl::kReadPermission)) return true;
    }
  }
  return false;
}

int Base64Digit(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
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

HttpAuthResult AuthorizeHttp(acl::Acl& acl, const CommandTable& commands,
                             std::string_view authorization) {
  if (!acl.DefaultNeedsAuth()) return {.allowed = true};
  constexpr std::string_view kBasic = "basic ";
  if (!StartsWithIgnoreCase(authorization, kBasic)) return {};
  std::string_view encoded = authorization.substr(kBasic.size());
  while (!encoded.empty() && encoded.front() == ' ') encoded.remove_prefix(1);
  while (!encoded.empty() && encoded.back() == ' ') encoded.remove_suffix(1);
  const std::optional<std::string> decoded = DecodeBase64(encoded);
  if (!decoded) return {};
  const size_t colon = decoded->find(':');
  if (colon == std::string::npos) return {};
  const std::string_view name = std::string_view(*decoded).substr(0, colon);
  const std::string_view password = std::string_view(*decoded).substr(colon + 1);
  acl::User* user = acl.Authenticate(name, password);
  // Any other name with the default user's password: HTTP clients must send some name, and
  // before ACL users the listener checked requirepass only.
  if (user == nullptr && acl.FindUser(name) == nullptr) {
    user = acl.Authenticate(kDefaultUser, password);
  }
  if (user == nullptr) return {};
  if (!MayRun(acl, commands, *user, {"info"}) ||
      !MayRun(acl, commands, *user, {"client", "list"}) || !ReadsEveryKey(*user)) {
    return {.user = user->name, .forbidden = true};
  }
  return {.allowed = true, .user = user->name};
}

}  // namespace drayman
