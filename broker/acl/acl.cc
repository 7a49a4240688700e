// Users, rules and the permission check (broker/acl/acl.h). Behaviour follows Redis 7.0.15's acl.c.
#include "broker/acl/acl.h"

#include <openssl/sha.h>

#include <algorithm>
#include <cctype>
#include <climits>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "broker/base/errors.h"
#include "broker/base/glob.h"
#include "broker/client.h"
#include "broker/resp/request_parser.h"

namespace drayman::acl {

namespace {

bool HasSpaces(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) {
    return std::isspace(static_cast<unsigned char>(c)) || c == '\0';
  });
}

bool ValidHash(std::string_view hash) {
  if (hash.size() != 64) return false;
  return std::all_of(hash.begin(), hash.end(),
                     [](char c) { return (c >= 'a' && c <= 'f') || (c >= '0' && c <= '9'); });
}

// Compares two equal-length hashes in time independent of where they differ.
bool HashEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char difference = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    difference |= static_cast<unsigned char>(a[i] ^ b[i]);
  }
  return difference == 0;
}

// Channels of pub/sub commands (Redis's getChannelsFromCommand): only publish and subscribe
// positions are checked, unsubscribing is always allowed.
struct ChannelArgs {
  int first = 0;  // 0: the command names no checked channel
  bool all_following = false;
  bool pattern = false;
};

ChannelArgs ChannelsOf(std::string_view full_name) {
  if (full_name == "publish" || full_name == "spublish") return {1, false, false};
  if (full_name == "subscribe" || full_name == "ssubscribe") return {1, true, false};
  if (full_name == "psubscribe") return {1, true, true};
  return {};
}

// Categories of a command Redis 7.0 does not have (Drayman's 7.2 additions): the command
// table's own derivation.
uint64_t FallbackCategories(const CommandSpec& spec) {
  uint64_t bits = 0;
  for (const std::string& name : spec.AclCategories()) {
    bits |= CategoryBit(std::string_view(name).substr(1));
  }
  return bits;
}

}  // namespace

std::string HashPassword(std::string_view text) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex(SHA256_DIGEST_LENGTH * 2, '0');
  for (int i = 0; i < SHA256_DIGEST_LENGTH; ++i) {
    hex[i * 2] = kHex[digest[i] >> 4];
    hex[i * 2 + 1] = kHex[digest[i] & 0xf];
  }
  return hex;
}

bool MergeSelectorArguments(const std::vector<std::string>& args, std::vector<std::string>* out,
                            std::string* bad) {
  out->clear();
  std::string selector;
  int open = -1;
  for (size_t j = 0; j < args.size(); ++j) {
    const std::string& op = args[j];
    if (!op.empty() && op.front() == '(' && op.back() != ')') {
      selector = op;
      open = static_cast<int>(j);
      continue;
    }
    if (open != -1) {
      selector += " " + op;
      if (!op.empty() && op.back() == ')') {
        open = -1;
        out->push_back(selector);
      }
      continue;
    }
    out->push_back(op);
  }
  if (open != -1) {
    *bad = args[static_cast<size_t>(open)];
    return false;
  }
  return true;
}

// --- command index ---

Acl::Acl(const CommandTable& commands) : commands_(commands) {
  for (const CommandSpec* spec : commands_.All()) IndexCommand(*spec);
  auto user = std::make_unique<User>();
  user->name = "default";
  user->selectors.push_back(NewSelector(true));
  default_user_ = user.get();
  users_.emplace("default", std::move(user));
  for (std::string_view rule : {"+@all", "~*", "&*", "on", "nopass"}) {
    ApplyRule(*default_user_, rule);
  }
  RefreshUnrestricted(*default_user_);
}

void Acl::IndexCommand(const CommandSpec& spec) {
  const int id = static_cast<int>(infos_.size());
  const RedisCommandAcl* row = FindRedisCommandAcl(spec.full_name);
  infos_.push_back({&spec,
                    id,
                    row ? row->categories : FallbackCategories(spec),
                    row ? &row->key_specs : nullptr,
                    {}});
  ids_[&spec] = id;
  for (const auto& [name, sub] : spec.subcommands) {
    const int sub_id = static_cast<int>(infos_.size());
    IndexCommand(*sub);
    infos_[static_cast<size_t>(id)].sub_ids.push_back(sub_id);
  }
}

int Acl::IdOf(const CommandSpec& spec) const {
  auto it = ids_.find(&spec);
  return it == ids_.end() ? -1 : it->second;
}

// "get" or "config|get" (Redis's ACLLookupCommand, case-insensitive).
const CommandSpec* Acl::LookupForRule(std::string_view name) const {
  const size_t bar = name.find('|');
  if (bar == std::string_view::npos) return commands_.Find(name);
  const CommandSpec* container = commands_.Find(name.substr(0, bar));
  if (container == nullptr) return nullptr;
  std::string_view sub = name.substr(bar + 1);
  if (sub.find('|') != std::string_view::npos) return nullptr;
  return commands_.FindSubcommand(*container, sub);
}

uint64_t Acl::Categories(const CommandSpec& spec) const {
  const int id = IdOf(spec);
  return id < 0 ? FallbackCategories(spec) : infos_[static_cast<size_t>(id)].categories;
}

std::vector<std::string> Acl::CommandsInCategory(uint64_t bit) const {
  std::vector<std::string> names;
  for (const CommandInfo& info : infos_) {
    if (info.categories & bit) names.push_back(info.spec->full_name);
  }
  return names;
}

// --- selectors ---

Selector Acl::NewSelector(bool root) const {
  Selector selector;
  selector.root = root;
  selector.all_channels = pubsub_default_all;
  selector.allowed.assign((infos_.size() + 63) / 64, 0);
  return selector;
}

bool Acl::GetBit(const Selector& selector, int id) const {
  return (selector.allowed[static_cast<size_t>(id) / 64] >> (id % 64)) & 1;
}

void Acl::SetBit(Selector& selector, int id, bool value) const {
  uint64_t& word = selector.allowed[static_cast<size_t>(id) / 64];
  const uint64_t bit = uint64_t{1} << (id % 64);
  if (value) {
    word |= bit;
  } else {
    word &= ~bit;
    selector.all_commands = false;
  }
}

// Redis's ACLChangeSelectorPerm: a container's rule covers its subcommands.
void Acl::ChangePerm(Selector& selector, int id, bool allow) const {
  SetBit(selector, id, allow);
  selector.first_args.erase(id);
  for (int sub : infos_[static_cast<size_t>(id)].sub_ids) SetBit(selector, sub, allow);
}

void Acl::SetCategory(Selector& selector, uint64_t bit, bool value) const {
  for (const CommandInfo& info : infos_) {
    if (info.categories & bit) ChangePerm(selector, info.id, value);
  }
}

std::string Acl::ApplySelectorRule(Selector& selector, std::string_view op) const {
  if (EqualsIgnoreCase(op, "allkeys") || op == "~*") {
    selector.all_keys = true;
    selector.keys.clear();
  } else if (EqualsIgnoreCase(op, "resetkeys")) {
    selector.all_keys = false;
    selector.keys.clear();
  } else if (EqualsIgnoreCase(op, "allchannels") || op == "&*") {
    selector.all_channels = true;
    selector.channels.clear();
  } else if (EqualsIgnoreCase(op, "resetchannels")) {
    selector.all_channels = false;
    selector.channels.clear();
  } else if (EqualsIgnoreCase(op, "allcommands") || EqualsIgnoreCase(op, "+@all")) {
    std::fill(selector.allowed.begin(), selector.allowed.end(), ~uint64_t{0});
    selector.all_commands = true;
    selector.future_commands = true;
    selector.first_args.clear();
  } else if (EqualsIgnoreCase(op, "nocommands") || EqualsIgnoreCase(op, "-@all")) {
    std::fill(selector.allowed.begin(), selector.allowed.end(), 0);
    selector.all_commands = false;
    selector.future_commands = false;
    selector.first_args.clear();
  } else if (op[0] == '~' || op[0] == '%') {
    if (selector.all_keys) return std::string(errors::kAclPatternAfterAllKeys);
    uint32_t flags = 0;
    size_t offset = 1;
    if (op[0] == '%') {
      for (; offset < op.size(); ++offset) {
        const char c = static_cast<char>(std::toupper(static_cast<unsigned char>(op[offset])));
        if (c == 'R' && !(flags & kReadPermission)) {
          flags |= kReadPermission;
        } else if (c == 'W' && !(flags & kWritePermission)) {
          flags |= kWritePermission;
        } else if (op[offset] == '~') {
          ++offset;
          break;
        } else {
          return std::string(errors::kAclSyntaxError);
        }
      }
    } else {
      flags = kAllPermissions;
    }
    std::string_view pattern = op.substr(std::min(offset, op.size()));
    if (HasSpaces(pattern)) return std::string(errors::kAclSyntaxError);
    auto existing = std::find_if(selector.keys.begin(), selector.keys.end(),
                                 [&](const KeyPattern& key) { return key.pattern == pattern; });
    if (existing == selector.keys.end()) {
      selector.keys.push_back({std::string(pattern), flags});
    } else {
      existing->flags |= flags;
    }
    selector.all_keys = false;
  } else if (op[0] == '&') {
    if (selector.all_channels) return std::string(errors::kAclPatternAfterAllChannels);
    std::string_view pattern = op.substr(1);
    if (HasSpaces(pattern)) return std::string(errors::kAclSyntaxError);
    if (std::find(selector.channels.begin(), selector.channels.end(), pattern) ==
        selector.channels.end()) {
      selector.channels.emplace_back(pattern);
    }
    selector.all_channels = false;
  } else if (op[0] == '+' && (op.size() < 2 || op[1] != '@')) {
    std::string_view name = op.substr(1);
    const size_t bar = name.rfind('|');
    if (bar == std::string_view::npos) {
      const CommandSpec* spec = LookupForRule(name);
      if (spec == nullptr) return std::string(errors::kAclUnknownCommand);
      ChangePerm(selector, IdOf(*spec), true);
    } else {
      const CommandSpec* spec = LookupForRule(name.substr(0, bar));
      if (spec == nullptr) return std::string(errors::kAclUnknownCommand);
      if (spec->parent != nullptr) return std::string(errors::kAclFirstArgOfSubcommand);
      std::string_view sub = name.substr(bar + 1);
      if (sub.empty()) return std::string(errors::kAclSyntaxError);
      if (spec->is_container()) {
        const CommandSpec* subcommand = LookupForRule(name);
        if (subcommand == nullptr) return std::string(errors::kAclUnknownCommand);
        ChangePerm(selector, IdOf(*subcommand), true);
      } else {
        // Redis's deprecated first-arg form (+select|0): kept, case-insensitive, once each.
        std::vector<std::string>& args = selector.first_args[IdOf(*spec)];
        const bool present = std::any_of(args.begin(), args.end(), [&](const std::string& arg) {
          return EqualsIgnoreCase(arg, sub);
        });
        if (!present) args.emplace_back(sub);
      }
    }
  } else if (op[0] == '-' && (op.size() < 2 || op[1] != '@')) {
    const CommandSpec* spec = LookupForRule(op.substr(1));
    if (spec == nullptr) return std::string(errors::kAclUnknownCommand);
    ChangePerm(selector, IdOf(*spec), false);
  } else if ((op[0] == '+' || op[0] == '-') && op.size() >= 2 && op[1] == '@') {
    const uint64_t bit = CategoryBit(op.substr(2));
    if (bit == 0) return std::string(errors::kAclUnknownCommand);
    SetCategory(selector, bit, op[0] == '+');
  } else {
    return std::string(errors::kAclSyntaxError);
  }
  return {};
}

std::string Acl::ApplyRule(User& user, std::string_view op) const {
  if (op.empty()) return {};
  if (EqualsIgnoreCase(op, "on")) {
    user.enabled = true;
  } else if (EqualsIgnoreCase(op, "off")) {
    user.enabled = false;
  } else if (EqualsIgnoreCase(op, "skip-sanitize-payload")) {
    user.sanitize = 2;
  } else if (EqualsIgnoreCase(op, "sanitize-payload")) {
    user.sanitize = 1;
  } else if (EqualsIgnoreCase(op, "nopass")) {
    user.nopass = true;
    user.passwords.clear();
  } else if (EqualsIgnoreCase(op, "resetpass")) {
    user.nopass = false;
    user.passwords.clear();
  } else if (op[0] == '>' || op[0] == '#') {
    std::string hash;
    if (op[0] == '>') {
      hash = HashPassword(op.substr(1));
    } else {
      if (!ValidHash(op.substr(1))) return std::string(errors::kAclBadHash);
      hash = std::string(op.substr(1));
    }
    if (std::find(user.passwords.begin(), user.passwords.end(), hash) == user.passwords.end()) {
      user.passwords.push_back(hash);
    }
    user.nopass = false;
  } else if (op[0] == '<' || op[0] == '!') {
    std::string hash;
    if (op[0] == '<') {
      hash = HashPassword(op.substr(1));
    } else {
      if (!ValidHash(op.substr(1))) return std::string(errors::kAclBadHash);
      hash = std::string(op.substr(1));
    }
    auto it = std::find(user.passwords.begin(), user.passwords.end(), hash);
    if (it == user.passwords.end()) return std::string(errors::kAclNoSuchPassword);
    user.passwords.erase(it);
  } else if (op[0] == '(' && op.back() == ')') {
    Selector selector = NewSelector(false);
    std::vector<std::string> words;
    SplitArgs(op.substr(1, op.size() - 2), &words);
    for (const std::string& word : words) {
      if (std::string error = ApplySelectorRule(selector, word); !error.empty()) return error;
    }
    user.selectors.push_back(std::move(selector));
  } else if (EqualsIgnoreCase(op, "clearselectors")) {
    user.selectors.resize(1);
  } else if (EqualsIgnoreCase(op, "reset")) {
    for (std::string_view rule : {"resetpass", "resetkeys", "resetchannels"}) ApplyRule(user, rule);
    if (pubsub_default_all) ApplyRule(user, "allchannels");
    for (std::string_view rule : {"off", "sanitize-payload", "clearselectors", "-@all"}) {
      ApplyRule(user, rule);
    }
  } else {
    return ApplySelectorRule(user.selectors[0], op);
  }
  return {};
}

void Acl::RefreshUnrestricted(User& user) const {
  const Selector& root = user.selectors[0];
  user.unrestricted =
      user.selectors.size() == 1 && root.all_commands && root.all_keys && root.all_channels;
}

// --- users ---

User* Acl::FindUser(std::string_view name) {
  auto it = users_.find(std::string(name));
  return it == users_.end() ? nullptr : it->second.get();
}

std::string Acl::SetUser(std::string_view name, const std::vector<std::string>& rules) {
  std::vector<std::string> merged;
  std::string bad;
  if (!MergeSelectorArguments(rules, &merged, &bad)) {
    return errors::AclUnmatchedParenthesis(bad);
  }
  User* existing = FindUser(name);
  User staged;
  if (existing != nullptr) {
    staged = *existing;
  } else {
    staged.name = std::string(name);
    staged.selectors.push_back(NewSelector(true));
  }
  for (const std::string& rule : merged) {
    if (std::string error = ApplyRule(staged, rule); !error.empty()) {
      return errors::AclSetuserModifier(rule, error);
    }
  }
  RefreshUnrestricted(staged);
  if (existing == nullptr) {
    users_.emplace(std::string(name), std::make_unique<User>(std::move(staged)));
    return {};
  }
  // Redis's ACLKillPubsubClientsIfNeeded: subscribers whose channels the new rules no longer
  // cover are disconnected.
  bool new_all = false;
  std::vector<std::string> upcoming;
  for (const Selector& selector : staged.selectors) {
    new_all = new_all || selector.all_channels;
    upcoming.insert(upcoming.end(), selector.channels.begin(), selector.channels.end());
  }
  bool superset = true;
  if (!new_all) {
    for (const Selector& selector : existing->selectors) {
      if (selector.all_channels) superset = false;
      for (const std::string& channel : selector.channels) {
        if (std::find(upcoming.begin(), upcoming.end(), channel) == upcoming.end()) {
          superset = false;
        }
      }
    }
  }
  *existing = std::move(staged);
  if (!new_all && !superset && list_clients && close_client) {
    auto allowed = [&](std::string_view channel, bool is_pattern) {
      for (const std::string& pattern : upcoming) {
        if (is_pattern ? pattern == channel : GlobMatch(pattern, channel)) return true;
      }
      return false;
    };
    for (Client* client : list_clients()) {
      if (client->user != existing || !client->pubsub.subscribed()) continue;
      bool kill = false;
      for (std::string_view pattern : client->pubsub.patterns)
        kill = kill || !allowed(pattern, true);
      for (std::string_view channel : client->pubsub.channels)
        kill = kill || !allowed(channel, false);
      for (std::string_view channel : client->pubsub.shard_channels) {
        kill = kill || !allowed(channel, false);
      }
      if (kill) close_client(*client);
    }
  }
  return {};
}

void Acl::SetDefaultPassword(std::string_view password) {
  ApplyRule(*default_user_, "resetpass");
  if (password.empty()) {
    ApplyRule(*default_user_, "nopass");
  } else {
    ApplyRule(*default_user_, ">" + std::string(password));
  }
}

User* Acl::Authenticate(std::string_view name, std::string_view password) {
  User* user = FindUser(name);
  if (user == nullptr || !user->enabled) return nullptr;
  if (user->nopass) return user;
  const std::string hashed = HashPassword(password);
  for (const std::string& stored : user->passwords) {
    if (HashEquals(hashed, stored)) return user;
  }
  return nullptr;
}

int Acl::DeleteUsers(const std::vector<std::string>& names) {
  int deleted = 0;
  for (const std::string& name : names) {
    auto it = users_.find(name);
    if (it == users_.end() || it->second.get() == default_user_) continue;
    User* user = it->second.get();
    if (list_clients) {
      for (Client* client : list_clients()) {
        if (client->user != user) continue;
        client->user = default_user_;
        client->authenticated = false;
        if (close_client) close_client(*client);
      }
    }
    users_.erase(it);
    ++deleted;
  }
  return deleted;
}

// --- checks ---

void Acl::FindKeys(const CommandInfo& info, const std::vector<std::string>& args,
                   std::vector<KeyReference>* keys) const {
  bool variable = false;
  if (info.key_specs != nullptr) {
    for (const KeySpec& spec : *info.key_specs)
      variable = variable || (spec.flags & kKeyVariableFlags);
    if (!variable && KeysFromSpecs(*info.key_specs, args, keys)) return;
    keys->clear();
  }
  // Redis's getkeys functions for what key specs cannot say: SET's access depends on GET, SORT's
  // STORE destination is written, other movable commands come from the command table.
  const std::string& name = info.spec->full_name;
  if (name == "set") {
    bool get = false;
    for (size_t i = 3; i < args.size(); ++i) get = get || EqualsIgnoreCase(args[i], "get");
    keys->push_back({1, get ? (kKeyRW | kKeyAccess | kKeyUpdate) : (kKeyOW | kKeyUpdate)});
    return;
  }
  if (name == "bitfield") {
    // bitfieldGetKeys: read-only while the arguments are well-formed GETs and OVERFLOWs; a SET,
    // an INCRBY or anything malformed means write access.
    bool writes = false;
    for (size_t i = 2; i < args.size() && !writes; ++i) {
      const size_t remaining = args.size() - i - 1;
      if (EqualsIgnoreCase(args[i], "get") && remaining >= 2) {
        i += 2;
      } else if (EqualsIgnoreCase(args[i], "overflow") && remaining >= 1) {
        i += 1;
      } else {
        writes = true;
      }
    }
    keys->push_back({1, writes ? (kKeyRW | kKeyAccess | kKeyUpdate) : (kKeyRO | kKeyAccess)});
    return;
  }
  for (int index : info.spec->KeyIndexes(args)) {
    uint32_t flags = kKeyRW | kKeyAccess | kKeyUpdate;
    if (name == "sort" || name == "sort_ro") {
      flags = index == 1 ? (kKeyRO | kKeyAccess) : (kKeyOW | kKeyUpdate);
    } else if (info.spec->flags & kCmdReadonly) {
      flags = kKeyRO | kKeyAccess;
    }
    keys->push_back({index, flags});
  }
}

std::vector<KeyReference> Acl::KeysWithFlags(const CommandSpec& spec,
                                             const std::vector<std::string>& args) const {
  std::vector<KeyReference> keys;
  const int id = IdOf(spec);
  if (id < 0) {
    // A row added after the ACL indexed the table: its own key positions.
    FindKeys(CommandInfo{.spec = &spec, .id = -1, .categories = 0, .key_specs = nullptr}, args,
             &keys);
    return keys;
  }
  FindKeys(infos_[static_cast<size_t>(id)], args, &keys);
  return keys;
}

bool Acl::HasKeyArguments(const CommandSpec& spec) const {
  const int id = IdOf(spec);
  const std::vector<KeySpec>* specs = id < 0 ? nullptr : infos_[static_cast<size_t>(id)].key_specs;
  if (specs == nullptr) return spec.first_key > 0 || spec.get_keys != nullptr;
  for (const KeySpec& key_spec : *specs) {
    if (!(key_spec.flags & kKeyNotKey)) return true;
  }
  return spec.get_keys != nullptr;
}

Denial Acl::CheckSelector(const Selector& selector, const CommandInfo& info,
                          const std::vector<std::string>& args, int* position,
                          std::vector<KeyReference>* keys, bool* keys_ready) const {
  const CommandSpec& spec = *info.spec;
  if (!selector.all_commands && !(spec.flags & kCmdNoAuth) && !GetBit(selector, info.id)) {
    auto first = selector.first_args.find(info.id);
    if (args.size() < 2 || first == selector.first_args.end()) return Denial::kCommand;
    const size_t index = spec.parent ? 2 : 1;
    if (index >= args.size()) return Denial::kCommand;
    const bool match =
        std::any_of(first->second.begin(), first->second.end(),
                    [&](const std::string& arg) { return EqualsIgnoreCase(arg, args[index]); });
    if (!match) return Denial::kCommand;
  }
  if (!selector.all_keys && (spec.first_key > 0 || spec.get_keys != nullptr ||
                             (info.key_specs != nullptr && !info.key_specs->empty()))) {
    if (!*keys_ready) {
      FindKeys(info, args, keys);
      *keys_ready = true;
    }
    for (const KeyReference& key : *keys) {
      uint32_t needed = 0;
      if (key.flags & kKeyAccess) needed |= kReadPermission;
      if (key.flags & (kKeyInsert | kKeyDelete | kKeyUpdate)) needed |= kWritePermission;
      bool allowed = false;
      for (const KeyPattern& pattern : selector.keys) {
        if ((pattern.flags & needed) != needed) continue;
        if (GlobMatch(pattern.pattern, args[static_cast<size_t>(key.index)])) {
          allowed = true;
          break;
        }
      }
      if (!allowed) {
        *position = key.index;
        return Denial::kKey;
      }
    }
  }
  if (!selector.all_channels) {
    const ChannelArgs channels = ChannelsOf(spec.full_name);
    if (channels.first > 0) {
      const size_t last = channels.all_following ? args.size() - 1 : channels.first;
      for (size_t i = static_cast<size_t>(channels.first); i <= last && i < args.size(); ++i) {
        bool allowed = false;
        for (const std::string& pattern : selector.channels) {
          if (channels.pattern ? pattern == args[i] : GlobMatch(pattern, args[i])) {
            allowed = true;
            break;
          }
        }
        if (!allowed) {
          *position = static_cast<int>(i);
          return Denial::kChannel;
        }
      }
    }
  }
  return Denial::kNone;
}

Denial Acl::Check(const User& user, const CommandSpec& spec, const std::vector<std::string>& args,
                  int* position) const {
  if (user.unrestricted) return Denial::kNone;
  const int id = IdOf(spec);
  if (id < 0) return Denial::kNone;
  const CommandInfo& info = infos_[static_cast<size_t>(id)];
  Denial relevant = Denial::kCommand;
  int last_index = 0;
  std::vector<KeyReference> keys;
  bool keys_ready = false;
  for (const Selector& selector : user.selectors) {
    int index = 0;
    const Denial denial = CheckSelector(selector, info, args, &index, &keys, &keys_ready);
    if (denial == Denial::kNone) return Denial::kNone;
    if (denial > relevant || (denial == relevant && index > last_index)) {
      relevant = denial;
      last_index = index;
    }
  }
  *position = last_index;
  return relevant;
}

bool Acl::AllowsReadOfAllKeys(const User& user, const CommandSpec& spec,
                              const std::vector<std::string>& args) const {
  if (user.unrestricted) return true;
  const int id = IdOf(spec);
  if (id < 0) return true;
  const CommandInfo& info = infos_[static_cast<size_t>(id)];
  std::vector<KeyReference> keys;
  bool keys_ready = false;
  for (const Selector& selector : user.selectors) {
    int index = 0;
    if (CheckSelector(selector, info, args, &index, &keys, &keys_ready) != Denial::kNone) continue;
    if (selector.all_keys) return true;
    for (const KeyPattern& pattern : selector.keys) {
      if ((pattern.flags & kReadPermission) && pattern.pattern == "*") return true;
    }
  }
  return false;
}

bool Acl::ChannelAllowed(const User& user, std::string_view channel, bool is_pattern) const {
  for (const Selector& selector : user.selectors) {
    if (selector.all_channels) return true;
    for (const std::string& pattern : selector.channels) {
      if (is_pattern ? pattern == channel : GlobMatch(pattern, channel)) return true;
    }
  }
  return false;
}

// --- description ---

std::string Acl::DescribeCommandRules(const Selector& selector) const {
  // Redis's ACLDescribeSelectorCommandRules: start from +@all or -@all, then repeatedly apply
  // the category that best fits what is left, then single commands for the remainder.
  std::string rules;
  const bool additive = !selector.future_commands;
  Selector fake = NewSelector(false);
  ApplySelectorRule(fake, additive ? "-@all" : "+@all");
  rules = additive ? "-@all " : "+@all ";
  Selector temp = NewSelector(false);
  temp.allowed = selector.allowed;
  bool applied[kCategoryCount] = {};
  while (true) {
    int best = -1;
    uint64_t min_diff = INT_MAX, max_same = 0;
    for (int j = 0; j < kCategoryCount; ++j) {
      if (applied[j]) continue;
      uint64_t on = 0, off = 0;
      const uint64_t bit = uint64_t{1} << j;
      for (const CommandInfo& info : infos_) {
        if (!(info.categories & bit)) continue;
        (GetBit(temp, info.id) ? on : off) += 1;
      }
      const uint64_t diff = additive ? off : on;
      const uint64_t same = additive ? on : off;
      if (same > diff && (diff < min_diff || (diff == min_diff && same > max_same))) {
        best = j;
        min_diff = diff;
        max_same = same;
      }
    }
    if (best == -1) break;
    const uint64_t bit = uint64_t{1} << best;
    SetCategory(fake, bit, additive);
    SetCategory(temp, bit, !additive);
    rules += std::string(additive ? "+@" : "-@") + std::string(kCategoryNames[best]) + " ";
    applied[best] = true;
  }
  for (const CommandInfo& info : infos_) {
    const bool user_bit = GetBit(selector, info.id);
    if (user_bit != GetBit(fake, info.id)) {
      rules += std::string(user_bit ? "+" : "-") + info.spec->full_name + " ";
      ChangePerm(fake, info.id, user_bit);
    }
    auto first = selector.first_args.find(info.id);
    if (!user_bit && first != selector.first_args.end()) {
      for (const std::string& arg : first->second) {
        rules += "+" + info.spec->full_name + "|" + arg + " ";
      }
    }
  }
  rules.pop_back();
  return rules;
}

std::string Acl::DescribeKeys(const Selector& selector) const {
  if (selector.all_keys) return "~*";
  std::string out;
  for (const KeyPattern& key : selector.keys) {
    if (!out.empty()) out.push_back(' ');
    out += key.flags == kAllPermissions ? "~" : key.flags == kReadPermission ? "%R~" : "%W~";
    out += key.pattern;
  }
  return out;
}

std::string Acl::DescribeChannels(const Selector& selector) const {
  if (selector.all_channels) return "&*";
  std::string out;
  for (const std::string& channel : selector.channels) {
    if (!out.empty()) out.push_back(' ');
    out += "&" + channel;
  }
  return out;
}

std::string Acl::DescribeSelector(const Selector& selector) const {
  std::string out;
  if (selector.all_keys) {
    out += "~* ";
  } else if (!selector.keys.empty()) {
    out += DescribeKeys(selector) + " ";
  }
  if (selector.all_channels) {
    out += "&* ";
  } else {
    out += "resetchannels ";
    for (const std::string& channel : selector.channels) out += "&" + channel + " ";
  }
  return out + DescribeCommandRules(selector);
}

std::string Acl::DescribeUser(const User& user) const {
  std::string out;
  out += user.enabled ? "on " : "off ";
  if (user.nopass) out += "nopass ";
  if (user.sanitize == 2) out += "skip-sanitize-payload ";
  if (user.sanitize == 1) out += "sanitize-payload ";
  for (const std::string& hash : user.passwords) out += "#" + hash + " ";
  for (const Selector& selector : user.selectors) {
    if (selector.root) {
      out += DescribeSelector(selector);
    } else {
      out += " (" + DescribeSelector(selector) + ")";
    }
  }
  return out;
}

// --- ACL file and `user` directives ---

std::string Acl::LoadConfiguredUsers(const std::vector<std::vector<std::string>>& definitions) {
  for (const std::vector<std::string>& words : definitions) {
    if (words.empty()) continue;
    const std::string& name = words[0];
    if (HasSpaces(name)) return std::string(errors::kAclFileSpaces);
    User* user = FindUser(name);
    if (user == nullptr) {
      auto owned = std::make_unique<User>();
      owned->name = name;
      owned->selectors.push_back(NewSelector(true));
      user = owned.get();
      users_.emplace(name, std::move(owned));
    } else {
      ApplyRule(*user, "reset");
    }
    std::vector<std::string> merged;
    std::string bad;
    if (!MergeSelectorArguments({words.begin() + 1, words.end()}, &merged, &bad)) {
      return errors::AclFileUnmatchedParenthesis(bad);
    }
    for (const std::string& rule : merged) {
      if (std::string error = ApplyRule(*user, rule); !error.empty()) {
        return errors::AclFileRule(rule, name, error);
      }
    }
    RefreshUnrestricted(*user);
  }
  return {};
}

std::string Acl::LoadFile(const std::string& path, const std::string& shown_name) {
  std::ifstream file(path);
  if (!file) {
    return errors::AclFileOpen(path, std::strerror(errno));
  }
  std::stringstream content;
  content << file.rdbuf();
  const std::string text = content.str();
  std::map<std::string, std::unique_ptr<User>> loaded;
  std::string errors;
  int line_number = 0;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    start = end + 1;
    ++line_number;
    const size_t first = line.find_first_not_of(" \t\r\n");
    const size_t last = line.find_last_not_of(" \t\r\n");
    if (first == std::string::npos) continue;
    line = line.substr(first, last - first + 1);
    // Redis splits lines on single spaces (no quoting).
    std::vector<std::string> words;
    size_t position = 0;
    while (position <= line.size()) {
      size_t space = line.find(' ', position);
      if (space == std::string::npos) space = line.size();
      words.push_back(line.substr(position, space - position));
      position = space + 1;
    }
    const std::string where = shown_name + ":" + std::to_string(line_number);
    if (words[0] != "user" || words.size() < 2) {
      errors += errors::AclFileNoUserKeyword(where);
      continue;
    }
    if (HasSpaces(words[1])) {
      errors += errors::AclFileBadUsername(where, words[1]);
      continue;
    }
    if (loaded.count(words[1])) {
      errors += errors::AclFileDuplicateUser(words[1], line_number);
      continue;
    }
    auto user = std::make_unique<User>();
    user->name = words[1];
    user->selectors.push_back(NewSelector(true));
    std::vector<std::string> merged;
    std::string bad;
    if (!MergeSelectorArguments({words.begin() + 2, words.end()}, &merged, &bad)) {
      errors += errors::AclFileUnmatchedSelector(where);
    }
    bool syntax_error = false;
    for (std::string& rule : merged) {
      const size_t rule_first = rule.find_first_not_of("\t\r\n");
      const size_t rule_last = rule.find_last_not_of("\t\r\n");
      rule = rule_first == std::string::npos ? std::string()
                                             : rule.substr(rule_first, rule_last - rule_first + 1);
      std::string error = ApplyRule(*user, rule);
      if (error.empty()) continue;
      if (error == errors::kAclUnknownCommand) {
        errors += errors::AclFileOperation(where, rule, error);
      } else if (!syntax_error) {
        errors += where + ": " + error + ". ";
        syntax_error = true;
      }
    }
    RefreshUnrestricted(*user);
    loaded.emplace(words[1], std::move(user));
  }
  if (!errors.empty()) {
    return errors + std::string(errors::kAclFileNotApplied);
  }
  // Every old user's clients are closed (Redis frees the whole old set); the default user object
  // stays and takes the file's rules (or Redis's defaults when the file has none).
  std::unique_ptr<User> new_default;
  if (auto it = loaded.find("default"); it != loaded.end()) {
    new_default = std::move(it->second);
    loaded.erase(it);
  } else {
    new_default = std::make_unique<User>();
    new_default->name = "default";
    new_default->selectors.push_back(NewSelector(true));
    for (std::string_view rule : {"+@all", "~*", "&*", "on", "nopass"}) {
      ApplyRule(*new_default, rule);
    }
    RefreshUnrestricted(*new_default);
  }
  std::vector<std::string> old_names;
  for (const auto& [name, user] : users_) {
    if (user.get() != default_user_) old_names.push_back(name);
  }
  DeleteUsers(old_names);
  *default_user_ = std::move(*new_default);
  for (auto& [name, user] : loaded) users_.emplace(name, std::move(user));
  return {};
}

bool Acl::SaveFile(const std::string& path, std::string* error) const {
  std::string text;
  for (const auto& [name, user] : users_) {
    text += "user " + name + " " + DescribeUser(*user) + "\n";
  }
  const std::string temp = path + ".tmp-" + std::to_string(::getpid());
  {
    std::ofstream file(temp, std::ios::binary | std::ios::trunc);
    if (!file || !file.write(text.data(), static_cast<std::streamsize>(text.size())) ||
        !file.flush()) {
      *error = std::strerror(errno);
      std::remove(temp.c_str());
      return false;
    }
  }
  if (std::rename(temp.c_str(), path.c_str()) != 0) {
    *error = std::strerror(errno);
    std::remove(temp.c_str());
    return false;
  }
  return true;
}

// --- ACL LOG ---

void Acl::AddLogEntry(LogEntry entry, size_t max_len) {
  // Redis groups an entry with one of the 10 newest that has the same reason, context, object
  // and user within 60 s: the count grows, and client info and time are the latest.
  size_t scanned = 0;
  for (auto it = log_.begin(); it != log_.end() && scanned < 10; ++it, ++scanned) {
    const int64_t delta = std::abs(it->ctime_ms - entry.ctime_ms);
    if (it->reason == entry.reason && it->context == entry.context && delta <= 60000 &&
        it->object == entry.object && it->username == entry.username) {
      LogEntry match = std::move(*it);
      log_.erase(it);
      match.client_info = std::move(entry.client_info);
      match.ctime_ms = entry.ctime_ms;
      ++match.count;
      log_.push_front(std::move(match));
      return;
    }
  }
  log_.push_front(std::move(entry));
  while (log_.size() > max_len) log_.pop_back();
}

}  // namespace drayman::acl
