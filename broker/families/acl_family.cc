// ACL family: ACL SETUSER/GETUSER/DELUSER/LIST/USERS/WHOAMI/CAT/GENPASS/LOG/SAVE/LOAD/DRYRUN/HELP.
//
// The users and rules are broker/acl/acl.h; this file only parses arguments and shapes replies as
// Redis 7.0.15's aclCommand does (texts and reply types compared in tests/python/test_acl.py).
#include <openssl/rand.h>

#include <string>
#include <string_view>

#include "broker/acl/acl.h"
#include "broker/base/numbers.h"
#include "broker/command/context.h"
#include "broker/engine.h"
#include "broker/families/families.h"

namespace drayman {

namespace {

bool HasSpaceOrNull(std::string_view text) {
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' || c == '\0') {
      return true;
    }
  }
  return false;
}

// ACL SETUSER username [rule [rule ...]]
void CmdAclSetuser(CommandContext& ctx) {
  const std::string& name = ctx.args[2];
  if (HasSpaceOrNull(name)) {
    ctx.reply.Error(errors::kUsernameInvalid);
    return;
  }
  std::vector<std::string> rules(ctx.args.begin() + 3, ctx.args.end());
  std::string error = ctx.engine.acl().SetUser(name, rules);
  if (error.empty()) {
    ctx.reply.Ok();
  } else {
    // Redis's addReplyErrorSdsSafe: newlines in the error become spaces.
    for (char& c : error) {
      if (c == '\r' || c == '\n') c = ' ';
    }
    ctx.reply.Error(error);
  }
}

// ACL DELUSER username [username ...]
void CmdAclDeluser(CommandContext& ctx) {
  std::vector<std::string> names(ctx.args.begin() + 2, ctx.args.end());
  for (const std::string& name : names) {
    if (name == "default") {
      ctx.reply.Error(errors::kDefaultNotRemovable);
      return;
    }
  }
  ctx.reply.Integer(ctx.engine.acl().DeleteUsers(names));
}

void ReplySelector(CommandContext& ctx, const acl::Acl& acl, const acl::Selector& selector) {
  ctx.reply.Bulk("commands");
  ctx.reply.Bulk(acl.DescribeCommandRules(selector));
  ctx.reply.Bulk("keys");
  ctx.reply.Bulk(acl.DescribeKeys(selector));
  ctx.reply.Bulk("channels");
  ctx.reply.Bulk(acl.DescribeChannels(selector));
}

// ACL GETUSER username
void CmdAclGetuser(CommandContext& ctx) {
  acl::Acl& acl = ctx.engine.acl();
  const acl::User* user = acl.FindUser(ctx.args[2]);
  if (user == nullptr) {
    ctx.reply.Null();
    return;
  }
  ctx.reply.MapHeader(6);
  ctx.reply.Bulk("flags");
  std::vector<std::string_view> flags;
  flags.push_back(user->enabled ? "on" : "off");
  if (user->nopass) flags.push_back("nopass");
  if (user->sanitize == 2) flags.push_back("skip-sanitize-payload");
  if (user->sanitize == 1) flags.push_back("sanitize-payload");
  ctx.reply.SetHeader(flags.size());
  for (std::string_view flag : flags) ctx.reply.Bulk(flag);
  ctx.reply.Bulk("passwords");
  ctx.reply.ArrayHeader(user->passwords.size());
  for (const std::string& hash : user->passwords) ctx.reply.Bulk(hash);
  ReplySelector(ctx, acl, user->selectors[0]);
  ctx.reply.Bulk("selectors");
  ctx.reply.ArrayHeader(user->selectors.size() - 1);
  for (size_t i = 1; i < user->selectors.size(); ++i) {
    ctx.reply.MapHeader(3);
    ReplySelector(ctx, acl, user->selectors[i]);
  }
}

// ACL LIST
void CmdAclList(CommandContext& ctx) {
  acl::Acl& acl = ctx.engine.acl();
  ctx.reply.ArrayHeader(acl.users().size());
  for (const auto& [name, user] : acl.users()) {
    ctx.reply.Bulk("user " + name + " " + acl.DescribeUser(*user));
  }
}

// ACL USERS
void CmdAclUsers(CommandContext& ctx) {
  acl::Acl& acl = ctx.engine.acl();
  ctx.reply.ArrayHeader(acl.users().size());
  for (const auto& [name, user] : acl.users()) ctx.reply.Bulk(name);
}

// ACL WHOAMI
void CmdAclWhoami(CommandContext& ctx) {
  if (ctx.client.user == nullptr) {
    ctx.reply.Null();
  } else {
    ctx.reply.Bulk(ctx.client.user->name);
  }
}

// ACL LOAD
void CmdAclLoad(CommandContext& ctx) {
  const std::string& path = ctx.engine.settings().aclfile;
  if (path.empty()) {
    ctx.reply.Error(errors::kNoAclFile);
    return;
  }
  std::string errors = ctx.engine.acl().LoadFile(path, path);
  if (errors.empty()) {
    ctx.reply.Ok();
  } else {
    ctx.reply.Error(errors::Err(errors));
  }
}

// ACL SAVE
void CmdAclSave(CommandContext& ctx) {
  const std::string& path = ctx.engine.settings().aclfile;
  if (path.empty()) {
    ctx.reply.Error(errors::kNoAclFile);
    return;
  }
  std::string error;
  if (ctx.engine.acl().SaveFile(path, &error)) {
    ctx.reply.Ok();
  } else {
    ctx.engine.Log(LogLevel::kWarning, "Writing ACL file for ACL SAVE: " + error);
    ctx.reply.Error(errors::kAclSaveFailed);
  }
}

// ACL CAT [category]
void CmdAclCat(CommandContext& ctx) {
  if (ctx.args.size() == 2) {
    ctx.reply.ArrayHeader(acl::kCategoryCount);
    for (std::string_view name : acl::kCategoryNames) ctx.reply.Bulk(name);
    return;
  }
  if (ctx.args.size() != 3) {
    ctx.reply.Error(errors::UnknownSubcommand(ctx.args[1], "acl"));
    return;
  }
  const uint64_t bit = acl::CategoryBit(ctx.args[2]);
  if (bit == 0) {
    ctx.reply.Error(errors::AclUnknownCategory(ctx.args[2]));
    return;
  }
  std::vector<std::string> names = ctx.engine.acl().CommandsInCategory(bit);
  ctx.reply.ArrayHeader(names.size());
  for (const std::string& name : names) ctx.reply.Bulk(name);
}

// ACL GENPASS [bits]
void CmdAclGenpass(CommandContext& ctx) {
  if (ctx.args.size() > 3) {
    ctx.reply.Error(errors::UnknownSubcommand(ctx.args[1], "acl"));
    return;
  }
  int64_t bits = 256;
  if (ctx.args.size() == 3 && !ParseInt64(ctx.args[2], &bits)) {
    ctx.reply.Error(errors::kNotInteger);
    return;
  }
  if (bits <= 0 || bits > 4096) {
    ctx.reply.Error(errors::kGenpassRange);
    return;
  }
  const size_t chars = static_cast<size_t>((bits + 3) / 4);
  std::vector<unsigned char> random((chars + 1) / 2);
  RAND_bytes(random.data(), static_cast<int>(random.size()));
  static constexpr char kHex[] = "0123456789abcdef";
  std::string password;
  for (unsigned char byte : random) {
    password.push_back(kHex[byte >> 4]);
    password.push_back(kHex[byte & 0xf]);
  }
  password.resize(chars);
  ctx.reply.Bulk(password);
}

// ACL LOG [count | RESET]
void CmdAclLog(CommandContext& ctx) {
  if (ctx.args.size() > 3) {
    ctx.reply.Error(errors::UnknownSubcommand(ctx.args[1], "acl"));
    return;
  }
  std::deque<acl::LogEntry>& log = ctx.engine.acl().log();
  int64_t count = 10;
  if (ctx.args.size() == 3) {
    if (EqualsIgnoreCase(ctx.args[2], "reset")) {
      log.clear();
      ctx.reply.Ok();
      return;
    }
    if (!ParseInt64(ctx.args[2], &count)) {
      ctx.reply.Error(errors::kNotInteger);
      return;
    }
    if (count < 0) count = 0;
  }
  const size_t shown = std::min(static_cast<size_t>(count), log.size());
  ctx.reply.ArrayHeader(shown);
  const int64_t now_ms = ctx.engine.clock().NowMs();
  static constexpr std::string_view kReasons[] = {"unknown", "command", "key", "auth", "channel"};
  static constexpr std::string_view kContexts[] = {"toplevel", "multi", "lua"};
  for (size_t i = 0; i < shown; ++i) {
    const acl::LogEntry& entry = log[i];
    ctx.reply.MapHeader(7);
    ctx.reply.Bulk("count");
    ctx.reply.Integer(static_cast<int64_t>(entry.count));
    ctx.reply.Bulk("reason");
    ctx.reply.Bulk(kReasons[static_cast<int>(entry.reason)]);
    ctx.reply.Bulk("context");
    ctx.reply.Bulk(kContexts[static_cast<int>(entry.context)]);
    ctx.reply.Bulk("object");
    ctx.reply.Bulk(entry.object);
    ctx.reply.Bulk("username");
    ctx.reply.Bulk(entry.username);
    ctx.reply.Bulk("age-seconds");
    ctx.reply.Double(static_cast<double>(now_ms - entry.ctime_ms) / 1000);
    ctx.reply.Bulk("client-info");
    ctx.reply.Bulk(entry.client_info);
  }
}

// ACL DRYRUN username command [arg [arg ...]]
void CmdAclDryrun(CommandContext& ctx) {
  acl::Acl& acl = ctx.engine.acl();
  const acl::User* user = acl.FindUser(ctx.args[2]);
  if (user == nullptr) {
    ctx.reply.Error(errors::AclUserNotFound(ctx.args[2]));
    return;
  }
  std::vector<std::string> args(ctx.args.begin() + 3, ctx.args.end());
  const CommandTable& table = ctx.engine.commands();
  const CommandSpec* spec = table.Find(args[0]);
  if (spec != nullptr && spec->is_container()) {
    spec = args.size() >= 2 ? table.FindSubcommand(*spec, args[1]) : nullptr;
  }
  if (spec == nullptr) {
    ctx.reply.Error(errors::AclCommandNotFound(args[0]));
    return;
  }
  const int argc = static_cast<int>(args.size());
  if ((spec->arity > 0 && spec->arity != argc) || argc < -spec->arity) {
    ctx.reply.Error(errors::WrongArity(spec->full_name));
    return;
  }
  int position = 0;
  switch (acl.Check(*user, *spec, args, &position)) {
    case acl::Denial::kNone:
      ctx.reply.Ok();
      return;
    case acl::Denial::kCommand:
      ctx.reply.Bulk("This user has no permissions to run the '" + spec->full_name + "' command");
      return;
    case acl::Denial::kKey:
      ctx.reply.Bulk("This user has no permissions to access the '" +
                     args[static_cast<size_t>(position)] + "' key");
      return;
    default:
      ctx.reply.Bulk("This user has no permissions to access the '" +
                     args[static_cast<size_t>(position)] + "' channel");
      return;
  }
}

void CmdAclHelp(CommandContext& ctx) {
  ctx.reply.Help(
      "ACL", {
                 "CAT [<category>]",
                 "    List all commands that belong to <category>, or all command categories",
                 "    when no category is specified.",
                 "DELUSER <username> [<username> ...]",
                 "    Delete a list of users.",
                 "DRYRUN <username> <command> [<arg> ...]",
                 "    Returns whether the user can execute the given command without executing the "
                 "command.",
                 "GETUSER <username>",
                 "    Get the user's details.",
                 "GENPASS [<bits>]",
                 "    Generate a secure 256-bit user password. The optional `bits` argument can",
                 "    be used to specify a different size.",
                 "LIST",
                 "    Show users details in config file format.",
                 "LOAD",
                 "    Reload users from the ACL file.",
                 "LOG [<count> | RESET]",
                 "    Show the ACL log entries.",
                 "SAVE",
                 "    Save the current config to the ACL file.",
                 "SETUSER <username> <attribute> [<attribute> ...]",
                 "    Create or modify a user with the specified attributes.",
                 "USERS",
                 "    List all the registered usernames.",
                 "WHOAMI",
                 "    Return the current connection username.",
             });
}

}  // namespace

void RegisterAclFamily(CommandTable& table) {
  constexpr uint32_t kAdmin = kCmdAdmin | kCmdNoscript | kCmdLoading | kCmdStale;
  constexpr uint32_t kPlain = kCmdNoscript | kCmdLoading | kCmdStale;
  table.Add({.name = "acl",
             .arity = -2,
             .group = "server",
             .summary = "A container for Access List Control commands",
             .since = "6.0.0",
             .complexity = "Depends on subcommand."});
  table.AddSubcommand("acl", {.name = "cat",
                              .arity = -2,
                              .flags = kPlain,
                              .handler = CmdAclCat,
                              .summary = "List the ACL categories or the commands inside a "
                                         "category",
                              .since = "6.0.0",
                              .complexity = "O(1) since the categories and commands are a fixed "
                                            "set."});
  table.AddSubcommand("acl", {.name = "deluser",
                              .arity = -3,
                              .flags = kAdmin,
                              .handler = CmdAclDeluser,
                              .summary = "Remove the specified ACL users and the associated rules",
                              .since = "6.0.0",
                              .complexity = "O(1) amortized time considering the typical user."});
  table.AddSubcommand("acl", {.name = "dryrun",
                              .arity = -4,
                              .flags = kAdmin,
                              .handler = CmdAclDryrun,
                              .summary = "Returns whether the user can execute the given command "
                                         "without executing the command.",
                              .since = "6.0.0",
                              .complexity = "O(1)."});
  table.AddSubcommand("acl", {.name = "genpass",
                              .arity = -2,
                              .flags = kPlain,
                              .handler = CmdAclGenpass,
                              .summary = "Generate a pseudorandom secure password to use for ACL "
                                         "users",
                              .since = "6.0.0",
                              .complexity = "O(1)"});
  table.AddSubcommand("acl", {.name = "getuser",
                              .arity = 3,
                              .flags = kAdmin,
                              .handler = CmdAclGetuser,
                              .summary = "Get the rules for a specific ACL user",
                              .since = "6.0.0",
                              .complexity = "O(N). Where N is the number of password, command and "
                                            "pattern rules that the user has."});
  table.AddSubcommand("acl", {.name = "help",
                              .arity = 2,
                              .flags = kCmdLoading | kCmdStale,
                              .handler = CmdAclHelp,
                              .summary = "Show helpful text about the different subcommands",
                              .since = "6.0.0",
                              .complexity = "O(1)"});
  table.AddSubcommand("acl", {.name = "list",
                              .arity = 2,
                              .flags = kAdmin,
                              .handler = CmdAclList,
                              .summary = "List the current ACL rules in ACL config file format",
                              .since = "6.0.0",
                              .complexity = "O(N). Where N is the number of configured users."});
  table.AddSubcommand("acl", {.name = "load",
                              .arity = 2,
                              .flags = kAdmin,
                              .handler = CmdAclLoad,
                              .summary = "Reload the ACLs from the configured ACL file",
                              .since = "6.0.0",
                              .complexity = "O(N). Where N is the number of configured users."});
  table.AddSubcommand("acl", {.name = "log",
                              .arity = -2,
                              .flags = kAdmin,
                              .handler = CmdAclLog,
                              .summary = "List latest events denied because of ACLs in place",
                              .since = "6.0.0",
                              .complexity = "O(N) with N being the number of entries shown."});
  table.AddSubcommand("acl", {.name = "save",
                              .arity = 2,
                              .flags = kAdmin,
                              .handler = CmdAclSave,
                              .summary = "Save the current ACL rules in the configured ACL file",
                              .since = "6.0.0",
                              .complexity = "O(N). Where N is the number of configured users."});
  table.AddSubcommand("acl", {.name = "setuser",
                              .arity = -3,
                              .flags = kAdmin,
                              .handler = CmdAclSetuser,
                              .summary = "Modify or create the rules for a specific ACL user",
                              .since = "6.0.0",
                              .complexity = "O(N). Where N is the number of rules provided."});
  table.AddSubcommand("acl", {.name = "users",
                              .arity = 2,
                              .flags = kAdmin,
                              .handler = CmdAclUsers,
                              .summary = "List the username of all the configured ACL rules",
                              .since = "6.0.0",
                              .complexity = "O(N). Where N is the number of configured users."});
  table.AddSubcommand("acl", {.name = "whoami",
                              .arity = 2,
                              .flags = kPlain,
                              .handler = CmdAclWhoami,
                              .summary = "Return the name of the user associated to the current "
                                         "connection",
                              .since = "6.0.0",
                              .complexity = "O(1)"});
}

}  // namespace drayman
