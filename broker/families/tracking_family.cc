// Client-side caching commands: CLIENT TRACKING, CLIENT CACHING, CLIENT GETREDIR and CLIENT
// TRACKINGINFO (the subsystem itself is broker/tracking/tracking.h).
//
// Option parsing and the order of the checks follow Redis 7.0.15's clientCommand, so the same
// invalid combination answers the same error.
#include <string>
#include <string_view>
#include <vector>

#include "broker/base/errors.h"
#include "broker/base/numbers.h"
#include "broker/command/context.h"
#include "broker/engine.h"
#include "broker/families/families.h"
#include "broker/tracking/tracking.h"

namespace drayman {

namespace {

// CLIENT TRACKING <ON | OFF> [REDIRECT client-id] [PREFIX prefix [PREFIX prefix ...]] [BCAST]
//   [OPTIN] [OPTOUT] [NOLOOP]
void CmdClientTracking(CommandContext& ctx) {
  const std::vector<std::string>& args = ctx.args;
  Tracking::Options options;
  std::vector<std::string> prefixes;
  int64_t redirect = 0;
  for (size_t j = 3; j < args.size(); ++j) {
    const bool more = j + 1 < args.size();
    if (EqualsIgnoreCase(args[j], "redirect") && more) {
      ++j;
      if (redirect != 0) {
        ctx.reply.Error(errors::kTrackingSingleRedirect);
        return;
      }
      if (!ParseInt64(args[j], &redirect)) {
        ctx.reply.Error(errors::kNotInteger);
        return;
      }
      // The redirect client must exist now, though it may go later (then messages are lost and
      // the tracking client is told, in RESP3).
      if (redirect <= 0 || ctx.engine.FindClient(static_cast<uint64_t>(redirect)) == nullptr) {
        ctx.reply.Error(errors::kTrackingNoSuchRedirect);
        return;
      }
    } else if (EqualsIgnoreCase(args[j], "bcast")) {
      options.bcast = true;
    } else if (EqualsIgnoreCase(args[j], "optin")) {
      options.optin = true;
    } else if (EqualsIgnoreCase(args[j], "optout")) {
      options.optout = true;
    } else if (EqualsIgnoreCase(args[j], "noloop")) {
      options.noloop = true;
    } else if (EqualsIgnoreCase(args[j], "prefix") && more) {
      prefixes.push_back(args[++j]);
    } else {
      ctx.reply.Error(errors::kSyntax);
      return;
    }
  }
  options.redirect = static_cast<uint64_t>(redirect);

  Tracking& tracking = ctx.engine.tracking();
  const ClientTracking& state = ctx.client.tracking;
  if (EqualsIgnoreCase(args[2], "on")) {
    std::string_view refusal;
    if (!options.bcast && !prefixes.empty()) {
      refusal = errors::kTrackingPrefixNeedsBcast;
    } else if (state.on && state.bcast != options.bcast) {
      refusal = errors::kTrackingBcastSwitch;
    } else if (options.bcast && (options.optin || options.optout)) {
      refusal = errors::kTrackingOptBcast;
    } else if (options.optin && options.optout) {
      refusal = errors::kTrackingOptinAndOptout;
    } else if ((options.optin && state.optout) || (options.optout && state.optin)) {
      refusal = errors::kTrackingOptSwitch;
    }
    if (!refusal.empty()) {
      ctx.reply.Error(refusal);
      return;
    }
    if (options.bcast) {
      if (std::string collision = Tracking::PrefixCollision(ctx.client, prefixes);
          !collision.empty()) {
        ctx.reply.Error(collision);
        return;
      }
    }
    tracking.Enable(ctx.client, options, prefixes);
  } else if (EqualsIgnoreCase(args[2], "off")) {
    tracking.Disable(ctx.client);
  } else {
    ctx.reply.Error(errors::kSyntax);
    return;
  }
  ctx.reply.Ok();
}

// CLIENT CACHING <YES | NO>
void CmdClientCaching(CommandContext& ctx) {
  ClientTracking& state = ctx.client.tracking;
  if (!state.on) {
    ctx.reply.Error(errors::kCachingNotTracking);
    return;
  }
  const std::string& option = ctx.args[2];
  if (EqualsIgnoreCase(option, "yes")) {
    if (!state.optin) {
      ctx.reply.Error(errors::kCachingYesNotOptin);
      return;
    }
  } else if (EqualsIgnoreCase(option, "no")) {
    if (!state.optout) {
      ctx.reply.Error(errors::kCachingNoNotOptout);
      return;
    }
  } else {
    ctx.reply.Error(errors::kSyntax);
    return;
  }
  state.caching = true;  // for the next command (or transaction) only
  ctx.reply.Ok();
}

// CLIENT GETREDIR
void CmdClientGetredir(CommandContext& ctx) {
  const ClientTracking& state = ctx.client.tracking;
  ctx.reply.Integer(state.on ? static_cast<int64_t>(state.redirect) : -1);
}

// CLIENT TRACKINGINFO
void CmdClientTrackinginfo(CommandContext& ctx) {
  const ClientTracking& state = ctx.client.tracking;
  ctx.reply.MapHeader(3);
  ctx.reply.Bulk("flags");
  std::vector<std::string_view> flags = {state.on ? "on" : "off"};
  if (state.bcast) flags.push_back("bcast");
  if (state.optin) {
    flags.push_back("optin");
    if (state.caching) flags.push_back("caching-yes");
  }
  if (state.optout) {
    flags.push_back("optout");
    if (state.caching) flags.push_back("caching-no");
  }
  if (state.noloop) flags.push_back("noloop");
  if (state.broken_redir) flags.push_back("broken_redirect");
  ctx.reply.SetHeader(flags.size());
  for (std::string_view flag : flags) ctx.reply.Bulk(flag);
  ctx.reply.Bulk("redirect");
  ctx.reply.Integer(state.on ? static_cast<int64_t>(state.redirect) : -1);
  ctx.reply.Bulk("prefixes");
  ctx.reply.ArrayHeader(state.prefixes.size());
  for (const std::string& prefix : state.prefixes) ctx.reply.Bulk(prefix);
}

}  // namespace

void RegisterTrackingFamily(CommandTable& table) {
  // The CLIENT container is the connection family's.
  constexpr uint32_t kClientFlags = kCmdNoscript | kCmdLoading | kCmdStale;
  table.AddSubcommand("client",
                      {.name = "tracking",
                       .arity = -3,
                       .flags = kClientFlags,
                       .handler = CmdClientTracking,
                       .summary = "Enable or disable server assisted client side caching support",
                       .since = "6.0.0",
                       .complexity = "O(1). Some options may introduce additional complexity."});
  table.AddSubcommand(
      "client", {.name = "caching",
                 .arity = 3,
                 .flags = kClientFlags,
                 .handler = CmdClientCaching,
                 .summary = "Instruct the server about tracking or not keys in the next request",
                 .since = "6.0.0",
                 .complexity = "O(1)"});
  table.AddSubcommand("client",
                      {.name = "getredir",
                       .arity = 2,
                       .flags = kClientFlags,
                       .handler = CmdClientGetredir,
                       .summary = "Get tracking notifications redirection client ID if any",
                       .since = "6.0.0",
                       .complexity = "O(1)"});
  table.AddSubcommand("client", {.name = "trackinginfo",
                                 .arity = 2,
                                 .flags = kClientFlags,
                                 .handler = CmdClientTrackinginfo,
                                 .summary = "Return information about server assisted client "
                                            "side caching for the current connection",
                                 .since = "6.2.0",
                                 .complexity = "O(1)"});
}

}  // namespace drayman
