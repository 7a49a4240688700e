// Dispatch, script and AUTH hooks of the ACL (broker/acl/acl_dispatch.h).
#include "broker/acl/acl_dispatch.h"

#include "broker/base/errors.h"
#include "broker/engine.h"
#include "broker/families/families.h"

namespace drayman {

std::string InstallAcl(Engine& engine) {
  acl::Acl& acl = engine.acl();
  const Settings& settings = engine.settings();
  acl.pubsub_default_all = settings.acl_pubsub_default_all;
  acl.list_clients = [&engine] {
    std::vector<Client*> clients;
    for (const auto& [id, client] : engine.clients()) clients.push_back(client.get());
    return clients;
  };
  acl.close_client = [&engine](Client& client) {
    // The client running the command still gets its reply (Redis's CLOSE_AFTER_COMMAND).
    if (engine.current_client() == &client) {
      client.close_after_reply = true;
    } else {
      engine.KillClient(client);
    }
  };
  // requirepass first: a `user default ...` line then overrides it, as in Redis.
  if (!settings.requirepass.empty()) acl.SetDefaultPassword(settings.requirepass);
  std::string error = acl.LoadConfiguredUsers(settings.acl_users);
  engine.config().SetApplyHook("requirepass", [&engine](std::string*) {
    engine.acl().SetDefaultPassword(engine.settings().requirepass);
    return true;
  });
  engine.config().SetApplyHook("acl-pubsub-default", [&engine](std::string*) {
    engine.acl().pubsub_default_all = engine.settings().acl_pubsub_default_all;
    return true;
  });
  if (error.empty() && !settings.aclfile.empty()) {
    if (!settings.acl_users.empty()) {
      return std::string(errors::kAclFileAndConfigUsers);
    }
    error = acl.LoadFile(settings.aclfile, settings.aclfile);
    if (!error.empty()) error = "Aborting Redis startup because of ACL errors: " + error;
  }
  return error;
}

void LogDenial(Engine& engine, Client& client, acl::Denial reason, acl::LogContext context,
               std::string object, std::string_view username) {
  // Scripts pass their caller: Redis logs the client that ran the script.
  Client* real = &client;
  acl::LogEntry entry;
  entry.reason = reason;
  entry.context = context;
  entry.object = std::move(object);
  entry.username = std::string(username);
  entry.ctime_ms = engine.clock().NowMs();
  entry.client_info = ClientInfoString(*real, entry.ctime_ms);
  engine.acl().AddLogEntry(std::move(entry), static_cast<size_t>(engine.settings().acllog_max_len));
}

namespace {

// Logs the denial; returns the denial kind (kNone when allowed).
acl::Denial CheckAndLog(Engine& engine, Client& client, const acl::User& user,
                        const CommandSpec& spec, const std::vector<std::string>& args,
                        acl::LogContext context) {
  int position = 0;
  const acl::Denial denial = engine.acl().Check(user, spec, args, &position);
  if (denial == acl::Denial::kNone) return denial;
  std::string object =
      denial == acl::Denial::kCommand ? spec.full_name : args[static_cast<size_t>(position)];
  LogDenial(engine, client, denial, context, std::move(object), user.name);
  return denial;
}

}  // namespace

std::string CheckCommand(Engine& engine, Client& client, const CommandSpec& spec,
                         const std::vector<std::string>& args) {
  // Redis sets the client's last command at lookup, so the log's client-info (and CLIENT LIST)
  // name the refused command.
  client.last_command = &spec;
  if (client.in_exec) {
    // execCommand: the rules may have changed since the command was queued.
    const acl::Denial denial =
        CheckAndLog(engine, client, *client.user, spec, args, acl::LogContext::kMulti);
    if (denial == acl::Denial::kNone) return {};
    std::string_view reason = "no permission";
    if (denial == acl::Denial::kCommand) {
      reason = "no permission to execute the command or subcommand";
    } else if (denial == acl::Denial::kKey) {
      reason = "no permission to touch the specified keys";
    } else if (denial == acl::Denial::kChannel) {
      reason = "no permission to access one of the channels used as arguments";
    }
    return errors::NopermAclChangedInMulti(reason);
  }
  const acl::Denial denial =
      CheckAndLog(engine, client, *client.user, spec, args,
                  client.in_multi ? acl::LogContext::kMulti : acl::LogContext::kToplevel);
  switch (denial) {
    case acl::Denial::kNone:
      return {};
    case acl::Denial::kCommand:
      return errors::NopermCommand(spec.full_name);
    case acl::Denial::kKey:
      return std::string(errors::kNopermKey);
    case acl::Denial::kChannel:
      return std::string(errors::kNopermChannel);
    default:
      return std::string(errors::kNoPermission);
  }
}

std::string ScriptRefusal(Engine& engine, Client& caller, const CommandSpec& spec,
                          const std::vector<std::string>& args) {
  if (caller.user == nullptr || caller.user->unrestricted) return {};
  const acl::Denial denial =
      CheckAndLog(engine, caller, *caller.user, spec, args, acl::LogContext::kLua);
  switch (denial) {
    case acl::Denial::kNone:
      return {};
    case acl::Denial::kCommand:
      return std::string(errors::kScriptAclCommand);
    case acl::Denial::kKey:
      return std::string(errors::kScriptAclKey);
    case acl::Denial::kChannel:
      return std::string(errors::kScriptAclChannel);
    default:
      return std::string(errors::kScriptAclOther);
  }
}

}  // namespace drayman
