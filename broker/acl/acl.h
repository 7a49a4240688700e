// ACL: Redis 7.0's users, their rules, the permission check and the ACL log.
//
// Contract: the Acl owns every user, by name; the `default` user always exists and starts as
// Redis's (on, nopass, ~*, &*, +@all), its password following `requirepass`. Rules are Redis 7.0's
// ACL SETUSER modifiers (on/off, >pass <pass #hash !hash nopass resetpass, +cmd -cmd +@cat -@cat
// +cmd|sub allcommands nocommands, ~pat %R~pat %W~pat %RW~pat allkeys resetkeys, &pat allchannels
// resetchannels, (selector) clearselectors reset), applied all or nothing; errors are Redis's
// texts. Passwords are stored only as SHA-256 hex hashes. A user is a root selector plus extra
// selectors; a command is allowed when one selector allows the command, every key it names (with
// the key's read/write access from Redis's key specs, broker/acl/redis_command_acl.h) and every
// channel it publishes or subscribes to. Categories come from the generated Redis table.
//
// Clients point at a User (Client::user); a user is never freed while a client points at it:
// deleting or replacing users (DELUSER, ACL LOAD) first moves their clients to the default user
// and asks the engine to close them, as Redis does. Checking a client of a user that allows
// everything is one flag test (User::unrestricted). The Acl does no I/O except ACL SAVE/LOAD and
// `aclfile`, which read and write that one file, as Config reads its file.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "broker/acl/redis_command_acl.h"
#include "broker/command/command_table.h"

namespace drayman {
class Client;
}

namespace drayman::acl {

// Redis's ACL_DENIED_*; the numbers order which denial a multi-selector user reports.
enum class Denial : int { kNone = 0, kCommand = 1, kKey = 2, kAuth = 3, kChannel = 4 };
enum class LogContext { kToplevel, kMulti, kLua };

// Key pattern permissions (%R~, %W~, ~ is both).
inline constexpr uint32_t kReadPermission = 1;
inline constexpr uint32_t kWritePermission = 2;
inline constexpr uint32_t kAllPermissions = kReadPermission | kWritePermission;

struct KeyPattern {
  std::string pattern;
  uint32_t flags = kAllPermissions;
};

// One selector: which commands (a bit per command id, plus Redis's reserved "future commands"
// bit set only by +@all), keys and channels.
struct Selector {
  bool root = false;
  bool all_keys = false;
  bool all_channels = false;
  bool all_commands = false;
  bool future_commands = false;
  std::vector<uint64_t> allowed;                       // bit per command id
  std::map<int, std::vector<std::string>> first_args;  // +cmd|arg for commands without subcommands
  std::vector<KeyPattern> keys;
  std::vector<std::string> channels;
};

struct User {
  std::string name;
  bool enabled = false;  // "on"; a new user is "off"
  bool nopass = false;
  int sanitize = 0;  // 0: neither flag, 1: sanitize-payload, 2: skip-sanitize-payload
  std::vector<std::string> passwords;  // SHA-256 hex
  std::vector<Selector> selectors;     // [0] is the root selector
  // Cached: one root selector allowing every command, key and channel (the hot-path test).
  bool unrestricted = false;
};

struct LogEntry {
  uint64_t count = 1;
  Denial reason = Denial::kCommand;
  LogContext context = LogContext::kToplevel;
  std::string object;
  std::string username;
  int64_t ctime_ms = 0;
  std::string client_info;
};

// SHA-256 of `text` as 64 lowercase hex digits (how passwords are stored).
std::string HashPassword(std::string_view text);

class Acl {
 public:
  // `commands` must outlive the Acl and be complete (every family registered).
  explicit Acl(const CommandTable& commands);

  // --- users ---
  User* FindUser(std::string_view name);
  User* default_user() { return default_user_; }
  const std::map<std::string, std::unique_ptr<User>>& users() const { return users_; }
  // ACL SETUSER: applies `rules` to a copy of the user (created when missing), then installs it.
  // Returns "" or the whole error text ("ERR Error in ACL SETUSER modifier ...").
  std::string SetUser(std::string_view name, const std::vector<std::string>& rules);
  // requirepass: "" makes the default user nopass, anything else its only password.
  void SetDefaultPassword(std::string_view password);
  // Whether a new connection must authenticate (Redis's authRequired on a fresh client).
  bool DefaultNeedsAuth() const { return !default_user_->nopass || !default_user_->enabled; }
  // Protected mode applies while the default user is `nopass` (Redis: DefaultUser's NOPASS flag).
  bool DefaultIsNopass() const { return default_user_->nopass; }
  // AUTH / HELLO AUTH: the user when the name and password match an enabled user, else null.
  User* Authenticate(std::string_view name, std::string_view password);
  // ACL DELUSER: removes users (never `default`: the caller refuses it first) and returns how
  // many existed. Their clients move to the default user, unauthenticated, and are closed.
  int DeleteUsers(const std::vector<std::string>& names);

  // --- checks ---
  // Redis's ACLCheckAllUserCommandPerm: kNone, or the denial and (key/channel) the argument index.
  Denial Check(const User& user, const CommandSpec& spec, const std::vector<std::string>& args,
               int* position) const;
  // Redis's ACLUserCheckCmdWithUnrestrictedKeyAccess for reads: whether some selector of `user`
  // allows this command and reading every key (SORT's BY and GET patterns name keys that depend
  // on the data, so they need it).
  bool AllowsReadOfAllKeys(const User& user, const CommandSpec& spec,
                           const std::vector<std::string>& args) const;
  // COMMAND GETKEYSANDFLAGS: the key arguments of `args` with the access flags the ACL checks
  // them for (key specs, or Redis's getkeys functions where the specs cannot say).
  std::vector<KeyReference> KeysWithFlags(const CommandSpec& spec,
                                          const std::vector<std::string>& args) const;
  // Redis's doesCommandHaveKeys: a key function, or a key spec not marked not_key (SSUBSCRIBE's
  // and SPUBLISH's channels are specs marked not_key: no key arguments).
  bool HasKeyArguments(const CommandSpec& spec) const;
  // Whether `user` may access `channel` (a pattern when `is_pattern`).
  bool ChannelAllowed(const User& user, std::string_view channel, bool is_pattern) const;

  // --- description (ACL LIST, GETUSER, SAVE) ---
  std::string DescribeUser(const User& user) const;
  std::string DescribeCommandRules(const Selector& selector) const;
  std::string DescribeKeys(const Selector& selector) const;      // GETUSER "keys"
  std::string DescribeChannels(const Selector& selector) const;  // GETUSER "channels"

  // --- categories ---
  uint64_t Categories(const CommandSpec& spec) const;
  // ACL CAT <category>: every command (container and subcommand rows included) in the category.
  std::vector<std::string> CommandsInCategory(uint64_t bit) const;

  // --- ACL file and config `user` directives ---
  // Replaces every user with the file's (all or nothing). Returns "" or Redis's error text
  // (without "ERR ").
  std::string LoadFile(const std::string& path, const std::string& shown_name);
  bool SaveFile(const std::string& path, std::string* error) const;
  // Config `user` lines at start-up: "" or a message.
  std::string LoadConfiguredUsers(const std::vector<std::vector<std::string>>& definitions);

  // --- ACL LOG ---
  void AddLogEntry(LogEntry entry, size_t max_len);
  std::deque<LogEntry>& log() { return log_; }

  // Set by the engine: every connected client, and how to close one (deleted users' clients,
  // subscribers whose channels were revoked).
  std::function<std::vector<Client*>()> list_clients;
  std::function<void(Client&)> close_client;

  // Whether acl-pubsub-default is allchannels (new selectors start with &*).
  bool pubsub_default_all = false;

 private:
  struct CommandInfo {
    const CommandSpec* spec;
    int id;
    uint64_t categories;
    const std::vector<KeySpec>* key_specs;  // null: use the command table's key positions
    std::vector<int> sub_ids;
  };
  void IndexCommand(const CommandSpec& spec);
  int IdOf(const CommandSpec& spec) const;
  const CommandSpec* LookupForRule(std::string_view name) const;

  Selector NewSelector(bool root) const;
  void SetBit(Selector& selector, int id, bool value) const;
  bool GetBit(const Selector& selector, int id) const;
  void ChangePerm(Selector& selector, int id, bool allow) const;
  void SetCategory(Selector& selector, uint64_t bit, bool value) const;
  // Applies one modifier; "" or the reason (Redis's ACLSetUserStringError text).
  std::string ApplyRule(User& user, std::string_view op) const;
  std::string ApplySelectorRule(Selector& selector, std::string_view op) const;
  void RefreshUnrestricted(User& user) const;
  std::string DescribeSelector(const Selector& selector) const;
  Denial CheckSelector(const Selector& selector, const CommandInfo& info,
                       const std::vector<std::string>& args, int* position,
                       std::vector<KeyReference>* keys, bool* keys_ready) const;
  void FindKeys(const CommandInfo& info, const std::vector<std::string>& args,
                std::vector<KeyReference>* keys) const;

  const CommandTable& commands_;
  std::vector<CommandInfo> infos_;  // by id, in name order with subcommands after their parent
  absl::flat_hash_map<const CommandSpec*, int> ids_;
  std::map<std::string, std::unique_ptr<User>> users_;
  User* default_user_ = nullptr;
  std::deque<LogEntry> log_;
};

// Splits ACL SETUSER arguments, merging a selector spread over several ("(+get" "~k)"); false
// with *bad set to the argument that opened an unmatched parenthesis.
bool MergeSelectorArguments(const std::vector<std::string>& args, std::vector<std::string>* out,
                            std::string* bad);

}  // namespace drayman::acl
